"""Write roles/<role>/README.md from the role's meta/argument_specs.yml and meta/main.yml.

    python tools/role_readmes.py          # (re)write every role's README.md
    python tools/role_readmes.py --check  # exit 1 when a README is not what the argument specs give

The argument specs are the one source of truth for a role's entry points and variables (ansible-core validates
them on every run); the READMEs are made from them so they stay true. tests/unit/test_role_readmes.py checks it.
"""

import argparse
import os
import re
import sys

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROLES = os.path.join(REPO, 'roles')
PLAYBOOK_OF = {
    'ecs_setup': {'main': 'setup'},
    'ecs_provision': {'main': 'provision', 'adopt': 'adopt'},
    'ecs_sync': {'main': 'sync'},
    'ecs_report': {'main': 'report'},
}


def plain(text):
    """Ansible doc markup (C(), I(), E(), V(), O(), M(), P(), U(), L()) as Markdown."""
    inner = r'((?:[^()]|\([^()]*\))*)'   # one level of parentheses inside: C(Storage Quota (TB))
    text = re.sub(r'\b[CEVO]\(' + inner + r'\)', r'`\1`', text)
    text = re.sub(r'\bI\(([^)]*)\)', r'*\1*', text)
    text = re.sub(r'\b[MP]\(([^)#]*)(#[^)]*)?\)', r'`\1`', text)
    text = re.sub(r'\bU\(([^)]*)\)', r'<\1>', text)
    text = re.sub(r'\bL\(([^,]*),\s*([^)]*)\)', r'[\1](\2)', text)
    return text.replace('|', '\\|')


def paragraphs(value):
    if value is None:
        return []
    return [plain(str(item)) for item in (value if isinstance(value, list) else [value])]


def default_of(spec):
    if 'default' not in spec:
        return 'required' if spec.get('required') else ''
    value = spec['default']
    return '`%s`' % (yaml.safe_dump(value, default_flow_style=True).strip().replace('\n...', '').replace('|', '\\|'))


def type_of(spec):
    kind = spec.get('type', 'str')
    if kind == 'list' and spec.get('elements'):
        kind = 'list of %s' % spec['elements']
    if spec.get('choices'):
        kind += ' (one of %s)' % ', '.join('`%s`' % c for c in spec['choices'])
    return kind


def options_table(options, prefix=''):
    rows = []
    for name, spec in (options or {}).items():
        spec = spec or {}
        description = '<br>'.join(paragraphs(spec.get('description')))
        rows.append('| `%s%s` | %s | %s | %s |' % (prefix, name, type_of(spec), default_of(spec), description))
        if spec.get('options'):
            rows.extend(options_table(spec['options'], prefix='%s%s.' % (prefix, name)))
    return rows


def render(role):
    with open(os.path.join(ROLES, role, 'meta', 'argument_specs.yml')) as handle:
        specs = yaml.safe_load(handle)['argument_specs']
    with open(os.path.join(ROLES, role, 'meta', 'main.yml')) as handle:
        meta = yaml.safe_load(handle)
    info = meta.get('galaxy_info') or {}
    fqcn = 'hpc.coldfront_ecs.%s' % role
    out = ['# %s' % fqcn, '', plain(info.get('description', '')), '',
           '<!-- Made by tools/role_readmes.py from meta/argument_specs.yml: edit those, then run it. -->', '']
    out += ['Requires ansible-core %s or later. Entry points: %s.' % (
        info.get('min_ansible_version', '2.19'), ', '.join('`%s`' % name for name in specs)), '']
    dependencies = [d['role'] if isinstance(d, dict) else d for d in meta.get('dependencies') or []]
    if dependencies:
        out += ['Depends on %s (its variables apply here too).' % ', '.join('`%s`' % d for d in dependencies), '']
    for entry, spec in specs.items():
        out += ['## Entry point `%s`' % entry, '', '%s.' % plain(spec.get('short_description', '')).rstrip('.'), '']
        for text in paragraphs(spec.get('description')):
            out += [text, '']
        playbook = PLAYBOOK_OF.get(role, {}).get(entry)
        if playbook:
            out += ['The collection playbook `hpc.coldfront_ecs.%s` runs it (docs/playbooks/%s.md).' % (
                playbook, playbook), '']
        out += ['```yaml', '- name: Use %s' % fqcn, '  ansible.builtin.include_role:', '    name: %s' % fqcn]
        if entry != 'main':
            out += ['    tasks_from: %s' % entry]
        out += ['```', '']
        rows = options_table(spec.get('options'))
        if rows:
            out += ['| variable | type | default | description |', '|---|---|---|---|'] + rows + ['']
        else:
            out += ['No variables.', '']
    out += ['## License', '', ', '.join(info.get('license', 'GPL-3.0-or-later').split()) +
            ' (see LICENSE at the collection root).', '']
    return '\n'.join(out)


def roles():
    return sorted(name for name in os.listdir(ROLES) if os.path.isfile(os.path.join(ROLES, name, 'meta',
                                                                                    'argument_specs.yml')))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--check', action='store_true', help='only check, write nothing')
    check = parser.parse_args(argv).check
    stale = []
    for role in roles():
        path = os.path.join(ROLES, role, 'README.md')
        text = render(role)
        current = None
        if os.path.exists(path):
            with open(path) as handle:
                current = handle.read()
        if current != text:
            stale.append(path)
            if not check:
                with open(path, 'w') as handle:
                    handle.write(text)
    if check and stale:
        print('out of date (run python tools/role_readmes.py): %s' % ', '.join(stale))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
