"""Offline stand-in for ansible-test's pip bootstrap script (get-pip.py).

ansible-test downloads get-pip.py from a host this machine cannot reach.  tools/ansible_test.sh copies
this file to ~/.ansible/test/cache/get_pip_<version>.py: it bootstraps pip with ensurepip, then installs
the requested packages from PyPI, which is what get-pip.py does.  get-pip.py's own flags
(--no-setuptools, --no-wheel) are not pip flags and are dropped.
"""
import ensurepip
import os
import subprocess
import sys

GET_PIP_ONLY = {'install', '--no-setuptools', '--no-wheel'}

ensurepip.bootstrap(upgrade=True)
# ensurepip isolates itself by setting PIP_CONFIG_FILE=/dev/null in os.environ; the real pip must see the
# machine's pip configuration (index, CA bundle) again.
env = {k: v for k, v in os.environ.items() if k not in ('PIP_CONFIG_FILE', 'ENSUREPIP_OPTIONS')}
args = [a for a in sys.argv[1:] if a not in GET_PIP_ONLY]
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + args, env=env))
