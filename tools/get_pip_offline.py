"""Offline stand-in for ansible-test's pip bootstrap script (get-pip.py).

ansible-test downloads get-pip.py from a host this machine cannot reach.  `make sanity` copies this
file to ~/.ansible/test/cache/get_pip_<version>.py: it bootstraps pip with ensurepip, then installs the
requested packages from PyPI, which is what get-pip.py does.
"""
import ensurepip
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
args = [a for a in sys.argv[1:] if a != 'install']
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + args))
