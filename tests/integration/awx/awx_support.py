"""Run the collection the way AWX runs it, without AWX: credential injectors, an inventory update, jobs.

    awx = AwxSite(tmp_path, credentials=[(load_credential_type('ecs'), {'username': ..., 'password': ...}),
                                         (load_credential_type('coldfront'), {'env_file': ...})])
    awx.update_inventory(source_vars={'ECS_PORT': '4443'})      # ansible-inventory --list --export, imported
    job = awx.launch('playbooks/sync.yml', extra_vars={...})    # ansible_runner.run in a private data dir
    job.status, job.rc, job.artifact_data, job.events

What AWX does and this module repeats (AWX 24, ``awx/main/tasks/jobs.py`` and ``CredentialType.inject_credential``):

* Each credential's ``file`` injectors are rendered into private files (mode 0600) under ``<private data dir>/env``,
  then its ``env`` and ``extra_vars`` injectors are rendered, in a Jinja sandbox, with ``tower.filename`` pointing
  at those files.  Only non-empty inputs are in the template namespace; unset booleans are ``False``.
* The project (here: ``docs/awx/project``) is copied into ``project/``; the job runs one of its playbooks.
* An inventory update runs ``ansible-inventory --list --export -i <source file> --output <file>`` with the
  credential of the inventory source and the source variables as environment variables.  AWX stores the result
  and hands each job an executable ``inventory/hosts`` script that prints it as JSON.
* Extra vars go to ``env/extravars``, environment variables to ``env/envvars``; ansible-runner writes the events
  (``artifacts/<ident>/job_events``) from which AWX shows the output and takes ``set_stats`` as job artifacts.

The collection is found the way an execution environment finds it: ``ANSIBLE_COLLECTIONS_PATH``.
"""

import json
import os
import shutil
import stat
import sys
import tempfile
import types

import ansible_runner
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
AWX_DOCS = os.path.join(REPO, 'docs', 'awx')
PROJECT = os.path.join(AWX_DOCS, 'project')
INVENTORY_SOURCE = 'inventory/ecs.coldfront.yml'
BIN = os.path.dirname(sys.executable)
SECRET_MASK = '**********'


def load_credential_type(name):
    """``docs/awx/credential_types/<name>.yml`` as a dict (name, kind, inputs, injectors)."""
    with open(os.path.join(AWX_DOCS, 'credential_types', name + '.yml')) as handle:
        return yaml.safe_load(handle)


def inject(credential_type, inputs, private_data_dir):
    """Render a credential type's injectors for ``inputs`` the way AWX does for a job.

    Returns ``(env, safe_env, extra_vars)``; ``safe_env`` has secret inputs masked, as AWX stores it with the job.
    Files are written into ``<private_data_dir>/env``.
    """
    sandbox = ImmutableSandboxedEnvironment()
    fields = credential_type['inputs'].get('fields', [])
    secret = {field['id'] for field in fields if field.get('secret')}
    tower = types.SimpleNamespace()
    namespace, safe_namespace = {'tower': tower}, {'tower': tower}
    for key, value in inputs.items():
        if isinstance(value, bool):
            namespace[key] = safe_namespace[key] = value
        elif value:
            namespace[key] = value
            safe_namespace[key] = SECRET_MASK if key in secret else value
    for field in fields:
        if field.get('type') == 'boolean' and field['id'] not in inputs:
            namespace[field['id']] = safe_namespace[field['id']] = False

    injectors = credential_type.get('injectors', {})
    env_dir = os.path.join(private_data_dir, 'env')
    os.makedirs(env_dir, exist_ok=True)
    for label, template in injectors.get('file', {}).items():
        handle, path = tempfile.mkstemp(dir=env_dir)
        with os.fdopen(handle, 'w') as stream:
            stream.write(sandbox.from_string(template).render(**namespace))
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        if '.' not in label:
            tower.filename = path
        else:
            if not hasattr(tower, 'filename'):
                tower.filename = types.SimpleNamespace()
            setattr(tower.filename, label.split('.', 1)[1], path)

    env, safe_env = {}, {}
    for name, template in injectors.get('env', {}).items():
        env[name] = sandbox.from_string(template).render(**namespace)
        safe_env[name] = sandbox.from_string(template).render(**safe_namespace)
    extra_vars = {name: sandbox.from_string(template).render(**namespace)
                  for name, template in injectors.get('extra_vars', {}).items()}
    return env, safe_env, extra_vars


def base_env():
    """What the execution environment provides: its Python and Ansible on PATH, the collection installed."""
    return {
        'PATH': BIN + os.pathsep + os.environ.get('PATH', ''),
        'ANSIBLE_COLLECTIONS_PATH': os.path.join(REPO, '.build', 'collections'),
        'ANSIBLE_FORCE_COLOR': 'False',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_RETRY_FILES_ENABLED': 'False',
        'ANSIBLE_HOST_KEY_CHECKING': 'False',
        'ANSIBLE_LOCALHOST_WARNING': 'False',
        # The checkout's ansible.cfg must not leak in: AWX jobs read only the project's ansible.cfg.
        'ANSIBLE_CONFIG': os.path.join(os.sep, 'nonexistent', 'ansible.cfg'),
    }


class PrivateDataDir:
    """One AWX private data dir: project, credentials injected into env/, artifacts after the run."""

    def __init__(self, path, credentials, extra_env=None):
        self.path = path
        os.makedirs(path)
        shutil.copytree(PROJECT, os.path.join(path, 'project'))
        self.env, self.safe_env, self.extra_vars = base_env(), {}, {}
        for credential_type, inputs in credentials:
            env, safe_env, extra_vars = inject(credential_type, inputs, path)
            self.env.update(env)
            self.safe_env.update(safe_env)
            self.extra_vars.update(extra_vars)
        self.env.update(extra_env or {})

    def write_env(self, extra_vars=None):
        """``env/envvars`` and ``env/extravars`` as AWX hands them to ansible-runner."""
        for name, data in (('envvars', self.env), ('extravars', dict(self.extra_vars, **(extra_vars or {})))):
            path = os.path.join(self.path, 'env', name)
            with open(path, 'w') as handle:
                json.dump(data, handle)
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)

    @property
    def artifacts(self):
        return os.path.join(self.path, 'artifacts')


class Job:
    """The outcome of one ansible-runner run: status, rc, events, and the set_stats artifacts AWX would show."""

    def __init__(self, runner, private_data_dir):
        self.runner = runner
        self.private_data_dir = private_data_dir
        self.status = runner.status
        self.rc = runner.rc
        self.events = list(runner.events)
        self.stdout = runner.stdout.read()

    @property
    def artifact_data(self):
        """``set_stats`` data of the run (AWX: the job's ``artifacts``), from the playbook_on_stats event."""
        stats = [event for event in self.events if event.get('event') == 'playbook_on_stats']
        assert stats, 'no playbook_on_stats event:\n' + self.stdout
        return stats[-1]['event_data'].get('artifact_data', {})

    def host_results(self, task_name):
        """Module results of the task called ``task_name`` (or ``<role> : task_name``), by host."""
        results = {}
        for event in self.events:
            data = event.get('event_data', {})
            task = data.get('task', '')
            if event.get('event') in ('runner_on_ok', 'runner_on_failed') and (
                    task == task_name or task.endswith(' : ' + task_name)):
                results[data['host']] = data['res']
        return results


class AwxSite:
    """Credentials, one inventory (updated from the project's inventory source) and job launches."""

    def __init__(self, root, credentials, inventory_credentials=None):
        self.root = str(root)
        self.credentials = credentials
        self.inventory_credentials = credentials if inventory_credentials is None else inventory_credentials
        self.inventory = None
        self.launched = 0

    def _private_data_dir(self, name, credentials, extra_env=None):
        self.launched += 1
        return PrivateDataDir(os.path.join(self.root, '%02d-%s' % (self.launched, name)), credentials, extra_env)

    def update_inventory(self, source=INVENTORY_SOURCE, source_vars=None):
        """An inventory update from ``project/<source>``; returns the runner and keeps the imported inventory."""
        pdd = self._private_data_dir('inventory_update', self.inventory_credentials,
                                     dict({key: str(value) for key, value in (source_vars or {}).items()},
                                          INVENTORY_UPDATE_ID='1'))
        pdd.write_env()
        output = os.path.join(pdd.artifacts, 'inventory_update', 'output.json')
        source_path = os.path.join(pdd.path, 'project', source)
        os.makedirs(os.path.dirname(output))
        _out, err, rc = ansible_runner.run_command(
            executable_cmd='ansible-inventory',
            cmdline_args=['--list', '--export', '-i', source_path, '--output', output,
                          '--playbook-dir', os.path.dirname(source_path)],
            private_data_dir=pdd.path, ident='inventory_update', envvars=pdd.env, quiet=True,
            input_fd=None, output_fd=None, error_fd=None)
        assert rc == 0, 'inventory update failed:\n%s' % err
        with open(output) as handle:
            self.inventory = import_inventory(json.load(handle))
        return pdd

    def launch(self, playbook, extra_vars=None, job_type='run', limit=None, verbosity=0, credentials=None):
        """Run ``project/<playbook>`` as an AWX job (``job_type`` ``check`` for a check job)."""
        assert self.inventory is not None, 'update the inventory first'
        pdd = self._private_data_dir(os.path.splitext(os.path.basename(playbook))[0],
                                     self.credentials if credentials is None else credentials,
                                     {'JOB_ID': str(self.launched), 'AWX_HOST': 'https://awx.example.org'})
        awx_vars = {'awx_job_id': self.launched, 'awx_job_launch_type': 'manual', 'awx_job_template_name': playbook,
                    'tower_job_id': self.launched}
        pdd.write_env(dict(awx_vars, **(extra_vars or {})))
        write_inventory_script(os.path.join(pdd.path, 'inventory', 'hosts'), self.inventory)
        cmdline = ['--check'] if job_type == 'check' else []
        runner = ansible_runner.run(private_data_dir=pdd.path, playbook=playbook, ident='job', quiet=True,
                                    limit=limit, verbosity=verbosity or None, cmdline=' '.join(cmdline) or None)
        return Job(runner, pdd)


def import_inventory(exported):
    """AWX's view of ``ansible-inventory --list --export`` output: groups, hosts and their variables.

    Returns the data of the inventory script AWX gives jobs: ``{group: {hosts, children, vars}, '_meta': ...}``,
    with the ``remote_tower_*`` host vars AWX adds.
    """
    script = {}
    hostvars = exported.get('_meta', {}).get('hostvars', {})
    for name, group in exported.items():
        if name == '_meta':
            continue
        script[name] = {'hosts': list(group.get('hosts', [])), 'children': list(group.get('children', [])),
                        'vars': dict(group.get('vars', {}))}
    hosts = sorted({host for group in script.values() for host in group['hosts']} | set(hostvars))
    script['_meta'] = {'hostvars': {
        host: dict(hostvars.get(host, {}), remote_tower_enabled='true', remote_tower_id=number)
        for number, host in enumerate(hosts, start=1)}}
    return script


def write_inventory_script(path, data):
    """The executable ``inventory/hosts`` script of an AWX job: prints the inventory as JSON."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write('#! /usr/bin/env python3\n# -*- coding: utf-8 -*-\nprint(%r)\n' % json.dumps(data))
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR | stat.S_IXUSR)


def find_in_files(directory, needles):
    """``{path: [needle, ...]}`` for every file under ``directory`` that contains one of ``needles``."""
    found = {}
    for base, _dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(base, name)
            with open(path, 'rb') as handle:
                content = handle.read()
            hits = [needle for needle in needles if needle.encode('utf-8') in content]
            if hits:
                found[path] = hits
    return found
