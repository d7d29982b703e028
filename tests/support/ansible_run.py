"""Run real ansible-playbook / ansible-inventory processes from tests and read their results.

    result = run_playbook('playbooks/sync.yml', inventory=inv_file, extra_vars={...}, check=True, diff=True)
    assert result.rc == 0, result.output
    assert result.changed == 0
    for event in result.task('Create namespace'): ...

Each task result is captured by the test-only callback in tests/support/callback (JSON lines), so tests
assert on structured results, not on screen text.  Playbooks can be a path or a list of plays (YAML data).
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
CALLBACK_DIR = os.path.join(REPO, 'tests', 'support', 'callback')


class PlayResult:
    """What one ansible-playbook run did: rc, output, per-task events and the final stats."""

    def __init__(self, rc, stdout, stderr, events):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.events = [e for e in events if e['kind'] == 'task']
        stats = [e for e in events if e['kind'] == 'stats']
        self.stats = stats[-1]['hosts'] if stats else {}
        self.custom_stats = stats[-1]['custom'] if stats else {}

    @property
    def output(self):
        """stdout and stderr together, for assertion messages."""
        return self.stdout + '\n' + self.stderr

    def task(self, name, host=None):
        """Events of the tasks whose name is ``name`` (or ends with `` : name`` for role tasks)."""
        return [e for e in self.events
                if (e['task'] == name or e['task'].endswith(' : ' + name)) and (host is None or e['host'] == host)]

    def results(self, name, host=None):
        """Module results of the tasks named ``name``."""
        return [e['result'] for e in self.task(name, host)]

    def _count(self, key):
        return sum(host.get(key, 0) for host in self.stats.values())

    @property
    def changed(self):
        return self._count('changed')

    @property
    def failed(self):
        return self._count('failures')


def base_env(extra=None):
    """Environment for ansible processes: the repo's ansible.cfg, the test callback, no colour."""
    env = dict(os.environ)
    env.update({
        'ANSIBLE_CONFIG': os.path.join(REPO, 'ansible.cfg'),
        'ANSIBLE_COLLECTIONS_PATH': os.path.join(REPO, '.build', 'collections'),
        'ANSIBLE_CALLBACK_PLUGINS': CALLBACK_DIR,
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0',
        'ANSIBLE_LOCALHOST_WARNING': 'false',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
        'PATH': BIN + os.pathsep + env.get('PATH', ''),
    })
    env.update(extra or {})
    return env


def _playbook_path(playbook, workdir):
    if isinstance(playbook, (list, dict)):
        path = os.path.join(workdir, 'playbook.yml')
        with open(path, 'w') as handle:
            yaml.safe_dump(playbook if isinstance(playbook, list) else [playbook], handle, sort_keys=False)
        return path
    if os.path.isabs(playbook) or re.match(r'^\w+\.\w+\.\w+$', playbook):   # a path, or a collection playbook FQCN
        return playbook
    return os.path.join(REPO, playbook)


def local_inventory(workdir):
    """An inventory with only localhost, using the test interpreter (the venv with ColdFront)."""
    path = os.path.join(workdir, 'localhost.ini')
    with open(path, 'w') as handle:
        handle.write('localhost ansible_connection=local ansible_python_interpreter=%s\n' % sys.executable)
    return path


def run_playbook(playbook, inventory=None, extra_vars=None, check=False, diff=False, env=None,
                 verbosity=0, limit=None, tags=None, timeout=600, args=()):
    """Run ansible-playbook and return a :class:`PlayResult`."""
    with tempfile.TemporaryDirectory(prefix='hpc-play-') as workdir:
        events_file = os.path.join(workdir, 'events.jsonl')
        command = [os.path.join(BIN, 'ansible-playbook'), _playbook_path(playbook, workdir),
                   '-i', inventory or local_inventory(workdir)]
        if extra_vars:
            vars_file = os.path.join(workdir, 'extra_vars.json')
            with open(vars_file, 'w') as handle:
                json.dump(extra_vars, handle)
            command += ['-e', '@' + vars_file]
        if check:
            command.append('--check')
        if diff:
            command.append('--diff')
        if verbosity:
            command.append('-' + 'v' * verbosity)
        if limit:
            command += ['--limit', limit]
        if tags:
            command += ['--tags', tags]
        command += list(args)
        proc = subprocess.run(command, cwd=REPO, env=base_env(dict(env or {}, HPC_TEST_EVENTS=events_file)),
                              capture_output=True, text=True, timeout=timeout, check=False)
        events = []
        if os.path.exists(events_file):
            with open(events_file) as handle:
                events = [json.loads(line) for line in handle if line.strip()]
        return PlayResult(proc.returncode, proc.stdout, proc.stderr, events)


def run_inventory(inventory, args=('--list',), env=None, timeout=300):
    """Run ansible-inventory; returns (completed process, parsed JSON or None)."""
    command = [os.path.join(BIN, 'ansible-inventory'), '-i', inventory] + list(args)
    proc = subprocess.run(command, cwd=REPO, env=base_env(env), capture_output=True, text=True, timeout=timeout, check=False)
    data = None
    if '--list' in args or '--host' in args:
        try:
            data = json.loads(proc.stdout)
        except ValueError:
            data = None
    return proc, data


def untag(data):
    """ansible-inventory JSON with ansible-core's ``{"__ansible_unsafe": value}`` markers unwrapped."""
    if isinstance(data, dict):
        if set(data) == {'__ansible_unsafe'}:
            return data['__ansible_unsafe']
        return {key: untag(value) for key, value in data.items()}
    if isinstance(data, list):
        return [untag(item) for item in data]
    return data
