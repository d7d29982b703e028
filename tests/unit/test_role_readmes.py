"""Every role has a README made from its argument specs (tools/role_readmes.py) that names each entry point and
variable, and it is up to date."""

import os
import subprocess
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(name for name in os.listdir(os.path.join(REPO, 'roles'))
               if os.path.isdir(os.path.join(REPO, 'roles', name)))


def test_there_are_roles():
    assert ROLES


@pytest.mark.parametrize('role', ROLES)
def test_role_readme_names_every_entry_point_and_variable(role):
    readme = os.path.join(REPO, 'roles', role, 'README.md')
    assert os.path.isfile(readme), 'roles/%s has no README.md: run python tools/role_readmes.py' % role
    with open(readme) as handle:
        text = handle.read()
    with open(os.path.join(REPO, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
        specs = yaml.safe_load(handle)['argument_specs']
    assert text.startswith('# hpc.coldfront_ecs.%s\n' % role)
    for entry, spec in specs.items():
        assert '## Entry point `%s`' % entry in text, entry
        if entry != 'main':
            assert 'tasks_from: %s' % entry in text, entry
        for option in spec.get('options') or {}:
            assert '| `%s` |' % option in text, '%s: %s' % (entry, option)


def test_role_readmes_are_up_to_date():
    proc = subprocess.run([sys.executable, os.path.join(REPO, 'tools', 'role_readmes.py'), '--check'],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
