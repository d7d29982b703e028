"""The documentation and the AWX project stay true to the code.

* docs/troubleshooting.md quotes every message the collection's Python code raises, fails or warns with;
* links between the pages (and their #anchors) resolve;
* docs/awx/project imports the collection's playbooks and its inventory source file is the plugin's;
* docs/awx/configure.yml uses only awx.awx modules, the shipped credential types and existing playbooks, and
  hands the injector templates to AWX unrendered.
"""

import ast
import os
import re

import pytest
import yaml

from integration.awx.awx_support import AWX_DOCS, PROJECT, REPO
from support.ansible_run import run_playbook

DOCS = os.path.join(REPO, 'docs')
PAGES = ['README.md', 'troubleshooting.md', 'security.md', 'playbooks/sync.md', 'playbooks/report.md',
         'awx/README.md']
# Calls whose first text argument is a message a user can see.
MESSAGE_CALLS = {'fail_json', 'warn', 'fail', 'warning', 'error', 'report', 'append'}
EXCEPTION = re.compile(r'(Error|Unavailable|Failure|InvalidName|InvalidSelection|InvalidEndpoint)$')
PLACEHOLDER = re.compile(r'%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrfi]|\{\}')
NOT_MESSAGES = {
    'plugins/module_utils/_rules/report_html.py': 'HTML of the report page',
    'set default replication group': 'a change description in the diff of ecs_namespace, not a message',
}


def _text(node):
    """The constant text of a message expression; formatted parts become ``{}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _text(node.left)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return (left or '{}') + (right or '{}') if (left or right) else None
    if isinstance(node, ast.JoinedStr):
        return ''.join(part.value if isinstance(part, ast.Constant) else '{}' for part in node.values)
    return None


def messages():
    """``[(where, message text)]`` of every message call in plugins/ (4 words or more)."""
    found = []
    for base, _dirs, files in os.walk(os.path.join(REPO, 'plugins')):
        for name in sorted(files):
            path = os.path.join(base, name)
            where = os.path.relpath(path, REPO)
            if not name.endswith('.py') or where in NOT_MESSAGES:
                continue
            with open(path) as handle:
                tree = ast.parse(handle.read())
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, 'id', '')
                if func not in MESSAGE_CALLS and not EXCEPTION.search(func or ''):
                    continue
                arguments = list(node.args) + [kw.value for kw in node.keywords if kw.arg in ('msg', 'message')]
                texts = [text for text in map(_text, arguments[:3]) if text and len(text.split()) >= 4]
                if texts:
                    found.append(('%s:%d' % (where, node.lineno), texts[0]))
    return found


def key_phrase(message):
    """The longest run of fixed text of a message: what a user can search the page for."""
    parts = [part.strip(' ;:,.(') for part in PLACEHOLDER.split(message.replace('%%', '%'))]
    return ' '.join(max(parts, key=len).split())


def test_troubleshooting_quotes_every_message():
    with open(os.path.join(DOCS, 'troubleshooting.md')) as handle:
        page = ' '.join(handle.read().split())
    found = messages()
    assert len(found) > 100                         # the scan sees the code
    missing = sorted(set('%s: %s' % (where, key_phrase(text)) for where, text in found
                         if len(key_phrase(text)) >= 20 and key_phrase(text) not in NOT_MESSAGES
                         and key_phrase(text) not in page))
    assert not missing, 'messages without an entry in docs/troubleshooting.md:\n' + '\n'.join(missing)


def slug(heading):
    """GitHub's anchor of a heading."""
    return re.sub(r'[^\w\- ]', '', heading.strip().lower()).replace(' ', '-')


def anchors(path):
    with open(path) as handle:
        return {slug(line.lstrip('#')) for line in handle if line.startswith('#')}


@pytest.mark.parametrize('page', PAGES)
def test_links_resolve(page):
    path = os.path.join(DOCS, page)
    with open(path) as handle:
        text = handle.read()
    for target in re.findall(r'\]\(([^)\s]+)\)', text):
        if re.match(r'[a-z]+://', target):
            continue
        file_part, _hash, anchor = target.partition('#')
        resolved = os.path.normpath(os.path.join(os.path.dirname(path), file_part)) if file_part else path
        assert os.path.exists(resolved), '%s links to %s, which does not exist' % (page, target)
        if anchor:
            assert anchor in anchors(resolved), '%s links to %s: no such heading' % (page, target)


def test_docs_index_lists_every_page():
    with open(os.path.join(DOCS, 'README.md')) as handle:
        index = handle.read()
    pages = [name for name in os.listdir(DOCS) if name.endswith('.md') and name != 'README.md']
    pages += ['playbooks/' + name for name in os.listdir(os.path.join(DOCS, 'playbooks'))] + ['awx/README.md']
    unlisted = [page for page in pages if '(%s)' % page not in index]
    assert not unlisted, 'docs/README.md does not list %s' % unlisted


def test_project_imports_the_collection_playbooks():
    playbooks = sorted(os.listdir(os.path.join(PROJECT, 'playbooks')))
    assert playbooks == ['provision.yml', 'report.yml', 'setup.yml', 'sync.yml']
    for name in playbooks:
        with open(os.path.join(PROJECT, 'playbooks', name)) as handle:
            plays = yaml.safe_load(handle)
        assert plays == [{'import_playbook': 'hpc.coldfront_ecs.' + name[:-4]}]
        assert os.path.exists(os.path.join(REPO, 'playbooks', name))
    with open(os.path.join(PROJECT, 'inventory', 'ecs.coldfront.yml')) as handle:
        source = yaml.safe_load(handle)
    assert source['plugin'] == 'hpc.coldfront_ecs.coldfront'
    assert not {'db_url', 'coldfront_env_file', 'cache'} & set(source)       # from the credential; AWX caches


def configure_tasks():
    with open(os.path.join(AWX_DOCS, 'configure.yml')) as handle:
        return yaml.safe_load(handle)[0]['tasks']


def test_configure_uses_awx_modules_shipped_files_and_existing_playbooks():
    tasks = configure_tasks()
    modules = [next(key for key in task if '.' in key) for task in tasks]
    assert all(module.startswith('awx.awx.') for module in modules), modules
    templates = [task for task in tasks if 'awx.awx.job_template' in task][0]
    for item in templates['loop']:
        assert os.path.exists(os.path.join(PROJECT, item['playbook'])), item['playbook']
    source = [task for task in tasks if 'awx.awx.inventory_source' in task][0]['awx.awx.inventory_source']
    assert os.path.exists(os.path.join(PROJECT, source['source_path']))
    types = [task for task in tasks if 'awx.awx.credential_type' in task][0]
    assert sorted(types['loop']) == ['credential_types/coldfront.yml', 'credential_types/ecs.yml']


def test_configure_hands_injector_templates_to_awx_unrendered():
    """The credential type task's arguments, given to debug instead of awx.awx.credential_type: AWX's injector
    templates ({{ username }}, {{ tower.filename.env }}) must reach AWX as written, not templated by Ansible."""
    [task] = [task for task in configure_tasks() if 'awx.awx.credential_type' in task]
    task = dict(task)
    arguments = task.pop('awx.awx.credential_type')
    task['ansible.builtin.debug'] = {'msg': arguments}
    task['loop'] = [os.path.join(AWX_DOCS, item) for item in task['loop']]
    result = run_playbook([{'hosts': 'localhost', 'gather_facts': False, 'tasks': [task]}])
    assert result.rc == 0, result.output
    [event] = result.events
    assert len(event['result']['results']) == 2
    for item in event['result']['results']:
        with open(item['item']) as handle:
            wanted = yaml.safe_load(handle)
        assert item['msg'] == {key: wanted[key] for key in ('name', 'description', 'kind', 'inputs', 'injectors')}


def test_project_playbooks_pass_syntax_check():
    playbooks = [os.path.join(PROJECT, 'playbooks', name) for name in ('setup.yml', 'provision.yml', 'sync.yml', 'report.yml')]
    result = run_playbook([{'import_playbook': path} for path in playbooks], args=['--syntax-check'])
    assert result.rc == 0, result.output
