"""The layers of plugins/module_utils (docs/architecture.md): a lower layer never imports a higher one.

Every import counts, also those inside functions (Django and ColdFront are imported lazily there).
"""

import ast
import os
import sys

import pytest

MODULE_UTILS = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'module_utils'))
PREFIX = 'ansible_collections.hpc.coldfront_ecs.plugins.module_utils'
FACADES = ('coldfront', 'ecs_client')
PACKAGES = ('_rules', '_ecs', '_coldfront', '_workflows', '_ansible')
EVERYTHING = frozenset(PACKAGES + FACADES)

# Which parts of module_utils each layer may import, and what it must never import from outside.
ALLOWED = {
    '_rules': frozenset(['_rules']),
    '_ecs': frozenset(['_rules', '_ecs']),
    '_coldfront': frozenset(['_rules', '_coldfront']),
    '_workflows': frozenset(['_rules', '_ecs', '_coldfront', '_workflows']),
    '_ansible': EVERYTHING,
    'facade': EVERYTHING,
}
FORBIDDEN = {
    '_ecs': ('django', 'coldfront', 'ansible'),
    '_coldfront': ('ansible',),
    '_workflows': ('ansible',),
    'facade': ('ansible.module_utils.basic',),
}
ROLE = {
    '_rules': 'pure rules (standard library only)',
    '_ecs': 'the ECS Management API (no Django, no ColdFront, no Ansible)',
    '_coldfront': 'ColdFront through Django (no ECS client, no Ansible)',
    '_workflows': 'workflows over ECS, ColdFront and rules (no Ansible)',
    '_ansible': 'the Ansible glue',
    'facade': 'a public entry point',
}


def layer_of(relative):
    """``_rules``, ..., or ``facade`` for a path relative to module_utils; None for a file that has no place."""
    parts = relative.split(os.sep)
    if len(parts) == 1:
        return 'facade' if parts[0][:-len('.py')] in FACADES else None
    return parts[0] if parts[0] in PACKAGES else None


def imported_names(tree, package):
    """``(line, dotted name)`` of every import anywhere in ``tree`` (``from a import b`` gives ``a.b`` and ``a``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ''
            if node.level:
                base = package.split('.')[:len(package.split('.')) - node.level + 1]
                module = '.'.join(base + ([module] if module else []))
            if module == PREFIX or module.startswith(PREFIX + '.') and module.count('.') == PREFIX.count('.') + 1:
                for alias in node.names:          # from module_utils import _rules / from _rules import naming
                    yield node.lineno, '%s.%s' % (module, alias.name)
            else:
                yield node.lineno, module


def violation(layer, name):
    """Why ``layer`` may not import ``name``, or None."""
    if name.startswith(PREFIX + '.'):
        target = name[len(PREFIX) + 1:].split('.')[0]
        if target not in ALLOWED[layer]:
            return '%s may import only %s of module_utils' % (layer, ', '.join(sorted(ALLOWED[layer])))
        return None
    if name.startswith('ansible_collections.'):
        return None if layer in ('_ansible', 'facade') else 'only the Ansible glue reaches other plugins'
    top = name.split('.')[0]
    if layer == '_rules' and top not in sys.stdlib_module_names:
        return '_rules imports the standard library only'
    if layer != '_ansible' and name.split('.')[:4] == ['ansible', 'module_utils', 'basic']:
        return 'only _ansible imports ansible.module_utils.basic'
    for forbidden in FORBIDDEN.get(layer, ()):
        if name == forbidden or name.startswith(forbidden + '.'):
            return '%s never imports %s' % (layer, forbidden)
    return None


def python_files():
    for folder, _dirs, files in os.walk(MODULE_UTILS):
        for name in sorted(files):
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                yield path, os.path.relpath(path, MODULE_UTILS)


def check_source(source, relative):
    """Every layer violation of one file, as ``plugins/module_utils/<file>:<line>: ...`` lines."""
    layer = layer_of(relative)
    where = 'plugins/module_utils/%s' % relative.replace(os.sep, '/')
    if layer is None:
        return ['%s: not in a private package (%s) and not a public entry point (%s.py)'
                % (where, ', '.join(PACKAGES), '.py, '.join(FACADES))]
    package = '.'.join([PREFIX] + relative.split(os.sep)[:-1])
    problems = []
    for line, name in imported_names(ast.parse(source, where), package):
        why = violation(layer, name)
        if why:
            problems.append('%s:%d: %s (%s) imports %s: %s' % (where, line, layer, ROLE[layer], name, why))
    return problems


def test_no_layer_imports_a_higher_one():
    problems = []
    for path, relative in python_files():
        with open(path) as handle:
            problems.extend(check_source(handle.read(), relative))
    assert not problems, 'layer violations (see docs/architecture.md):\n' + '\n'.join(problems)


def test_every_private_package_has_an_empty_init():
    folders = sorted(name for name in os.listdir(MODULE_UTILS) if os.path.isdir(os.path.join(MODULE_UTILS, name))
                     and name != '__pycache__')
    assert folders == sorted(PACKAGES), 'module_utils holds exactly the private packages %s' % (PACKAGES,)
    for name in PACKAGES:
        init = os.path.join(MODULE_UTILS, name, '__init__.py')
        assert os.path.isfile(init), 'plugins/module_utils/%s has no __init__.py' % name
        assert os.path.getsize(init) == 0, 'plugins/module_utils/%s/__init__.py must be empty (ansible-test)' % name


@pytest.mark.parametrize('relative, source, expected', [
    (os.path.join('_ecs', 'x.py'), 'def f():\n    from django.db import transaction\n', '_ecs/x.py:2: _ecs'),
    (os.path.join('_ecs', 'x.py'), 'from %s._ansible.ecs_module import EcsModule\n' % PREFIX, 'x.py:1: _ecs'),
    (os.path.join('_rules', 'x.py'), 'from %s import _ecs\n' % PREFIX, '_rules may import only _rules'),
    (os.path.join('_rules', 'x.py'), 'import requests\n', 'standard library only'),
    (os.path.join('_coldfront', 'x.py'), 'from %s.ecs_client import EcsClient\n' % PREFIX, 'imports %s.ecs_client' % PREFIX),
    (os.path.join('_workflows', 'x.py'), 'from ansible.module_utils.basic import AnsibleModule\n', 'only _ansible'),
    (os.path.join('_coldfront', 'x.py'), 'from .. import _workflows\n', '_coldfront may import only'),
    ('helpers.py', '', 'not in a private package'),
])
def test_the_check_finds_each_kind_of_violation(relative, source, expected):
    problems = check_source(source, relative)
    assert len(problems) == 1 and expected in problems[0], problems


@pytest.mark.parametrize('relative, source', [
    (os.path.join('_rules', 'x.py'), 'import math\nfrom . import units\n'),
    (os.path.join('_ecs', 'x.py'), 'import requests\nfrom %s._rules import naming\n' % PREFIX),
    (os.path.join('_coldfront', 'x.py'), 'def f():\n    from coldfront.core.resource import models\n'),
    (os.path.join('_ansible', 'x.py'), 'from ansible.module_utils.basic import AnsibleModule\n'),
])
def test_the_check_accepts_what_each_layer_may_import(relative, source):
    assert check_source(source, relative) == []
