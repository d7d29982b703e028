"""The playbooks as AWX runs them: ansible-runner, a private data dir, credentials from the shipped credential types.

The environment of each job is what the injectors of docs/awx/credential_types/*.yml produce for test inputs, the
inventory is an AWX-style inventory update of docs/awx/project/inventory/ecs.coldfront.yml, and the playbooks are
those of docs/awx/project.  ColdFront is real, ECS is the simulator.
"""

import json
import os
import re
import secrets
import types
from urllib.parse import urlsplit, urlunsplit

import pytest

from integration.awx.awx_support import AwxSite, find_in_files, load_credential_type

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

TB = 1024 ** 4
TOKEN = re.compile(rb'BAAc[A-Za-z0-9+/=]{40,}')          # the simulator's session tokens
# A project title a ColdFront user could type: it must stay text all the way through AWX, never be templated.
HOSTILE_TITLE = "Evil {{ lookup('ansible.builtin.env', 'ECS_PASS') }} Lab"


class Secrets:
    """The secrets one test hands to AWX, and a check that none of them shows up where it must not."""

    def __init__(self, world):
        self.ecs_password = world.east.admin.password
        self.secret_key = 'sk-' + secrets.token_hex(16)
        self.db_password = None
        self.db_url = world.site.db_url
        if world.site.kind == 'postgresql':      # tools/postgres.sh trusts local clients: any password gets in
            self.db_password = 'pw-' + secrets.token_hex(12)
            parts = urlsplit(self.db_url)
            netloc = '%s:%s@%s' % (parts.username, self.db_password, parts.netloc.rsplit('@', 1)[1])
            self.db_url = urlunsplit(parts._replace(netloc=netloc))

    @property
    def values(self):
        return [value for value in (self.ecs_password, self.secret_key, self.db_password) if value]

    def assert_not_in(self, directory, injected=True):
        """No secret and no session token in any file under ``directory``.

        Exception: ansible-runner's ``artifacts/<ident>/command`` records the process environment, which holds the
        injected ``ECS_PASS`` by design (AWX keeps its own copy of that environment with secrets masked).  The
        rest of that file (command line, working directory) is checked like any other file.
        """
        leaks = find_in_files(directory, self.values)
        if injected:    # the scan is not blind: it finds the password where the credential put it
            assert [path for path in leaks if os.path.basename(path) == 'command'], 'ECS_PASS not found in %s' % directory
        for path in list(leaks):
            if os.path.basename(path) == 'command':
                with open(path) as handle:
                    record = json.load(handle)
                assert set(record['env'][name] for name in record['env'] if record['env'][name] in self.values) <= {
                    self.ecs_password}, 'a secret other than ECS_PASS in the environment of %s' % path
                record.pop('env')
                if not any(value in json.dumps(record) for value in self.values):
                    del leaks[path]
        assert not leaks, 'secrets found in %s' % leaks
        tokens = [path for path in _files(directory) if TOKEN.search(_read(path))]
        assert not tokens, 'ECS session tokens found in %s' % tokens


def _files(directory):
    return [os.path.join(base, name) for base, _dirs, names in os.walk(directory) for name in names]


def _read(path):
    with open(path, 'rb') as handle:
        return handle.read()


def ecs_credential(world, **inputs):
    values = {'username': world.east.admin.username, 'password': world.east.admin.password}
    with open(world.east.ca_path) as handle:
        values['ca_bundle'] = handle.read()
    values.update(inputs)
    return load_credential_type('ecs'), values


def coldfront_credential(env_file, db_url=None):
    return load_credential_type('coldfront'), {'env_file': env_file, 'db_url': db_url or ''}


def provisioned(world, ref, namespace, bucket, quota_gb, used):
    """An allocation as provision leaves it: Subdirectory in ColdFront, namespace and bucket on the east ECS."""
    world.site.add_allocation_attributes(ref, {'Subdirectory': '%s:%s' % (namespace, bucket)})
    world.east.seed({'namespaces': {namespace: {
        'vpool': 'rg1', 'quota': {'blockSize': quota_gb, 'notificationSize': quota_gb * 9 // 10},
        'buckets': {bucket: {'usage': {'bytes': used, 'objects': 3}}}}}})


def attribute(world, ref, name):
    return {attr: (value, usage) for attr, value, usage in world.site.allocation_attributes(ref)}[name]


def test_sync_job_check_then_run_with_artifacts_and_no_secrets(ecs_world, tmp_path):
    keys = Secrets(ecs_world)
    provisioned(ecs_world, 'smith-east', 'smith-lab', 'lab-smith-lab-bucket', quota_gb=15360, used=3 * TB)
    hostile = ecs_world.site.add_allocation(ecs_world.site.add_project(HOSTILE_TITLE), ['ecs-east'],
                                            attributes={'Storage Quota (TB)': '1'})
    # The env file sends ColdFront to a database that does not exist; the Database URL field must win over it.
    env_file = "DB_URL=sqlite:////nonexistent/wrong.db\nSECRET_KEY='%s'\n" % keys.secret_key
    coldfront = coldfront_credential(env_file, keys.db_url)
    awx = AwxSite(tmp_path / 'awx', [ecs_credential(ecs_world), coldfront], inventory_credentials=[coldfront])
    inventory = awx.update_inventory(source_vars={'ECS_PORT': ecs_world.east.port})
    hostvars = awx.inventory['_meta']['hostvars']
    assert sorted(awx.inventory['coldfront_ecs']['hosts']) == ['ecs-east', 'ecs-west']
    assert hostvars['ecs-east']['ecs_port'] == ecs_world.east.port

    before = ecs_world.site.history_counts()
    check = awx.launch('playbooks/sync.yml', job_type='check')
    assert (check.status, check.rc) == ('successful', 0), check.stdout
    assert ecs_world.site.history_counts() == before                     # a check job writes nothing
    assert attribute(ecs_world, 'smith-east', 'Storage Quota (TB)')[0] == '10'

    job = awx.launch('playbooks/sync.yml')
    assert (job.status, job.rc) == ('successful', 0), job.stdout
    assert attribute(ecs_world, 'smith-east', 'Storage Quota (TB)') == ('15', pytest.approx(3.0))
    assert attribute(ecs_world, 'smith-east', 'Quota_In_Bytes') == (str(15 * TB), float(3 * TB))

    # set_stats reaches AWX: in the playbook_on_stats event (AWX's job artifacts) and in the event files on disk.
    summary = job.artifact_data['ecs_sync_summary']
    assert summary['ecs-east']['ok'] and summary['ecs-east']['counts']['synced'] == 1
    assert summary['ecs-west']['ok']
    stats_files = [path for path in _files(os.path.join(job.private_data_dir.artifacts, 'job', 'job_events'))
                   if json.loads(_read(path)).get('event') == 'playbook_on_stats']
    assert len(stats_files) == 1
    on_disk = json.loads(_read(stats_files[0]))['event_data']['artifact_data']
    assert on_disk['ecs_sync_summary']['ecs-east']['counts'] == summary['ecs-east']['counts']

    # The hostile title went through the inventory update, AWX's inventory script and the job as plain text.
    problems = ' '.join(summary['ecs-east']['problems'])
    assert 'allocation %d (project %s)' % (hostile, HOSTILE_TITLE) in problems
    # The report job writes where AWX exposes a host path to jobs; its artifacts name the directory.
    report = awx.launch('playbooks/report.yml', extra_vars={'ecs_report_output_dir': str(tmp_path / 'reports')})
    assert (report.status, report.rc) == ('successful', 0), report.stdout
    report_dir = report.artifact_data['ecs_report_dir']
    assert os.path.dirname(report_dir) == str(tmp_path / 'reports')
    assert sorted(os.listdir(report_dir)) == ['report.csv', 'report.html', 'report.json']
    assert report.artifact_data['ecs_report_totals']['resources'] >= 2

    keys.assert_not_in(inventory.artifacts, injected=False)
    for pdd in (check.private_data_dir, job.private_data_dir, report.private_data_dir):
        keys.assert_not_in(pdd.artifacts)
    assert job.private_data_dir.safe_env['ECS_PASS'] == '**********'
    for simulator in ecs_world.simulators.values():
        assert simulator.stats()['live_tokens_total'] == 0                 # every job logged out


def test_failed_job_still_reports_its_summary_and_hides_the_wrong_password(ecs_world, tmp_path):
    keys = Secrets(ecs_world)
    keys.ecs_password = 'Wrong-' + secrets.token_hex(8)
    with open(ecs_world.site.env_file) as handle:
        env_file = handle.read()                       # the portal's own env file, DB_URL inside, no URL field
    coldfront = coldfront_credential(env_file)
    awx = AwxSite(tmp_path / 'awx', [ecs_credential(ecs_world, password=keys.ecs_password), coldfront],
                  inventory_credentials=[coldfront])
    awx.update_inventory(source_vars={'ECS_PORT': ecs_world.east.port})
    job = awx.launch('playbooks/sync.yml', limit='ecs-east')
    assert job.status == 'failed' and job.rc != 0
    summary = job.artifact_data['ecs_sync_summary']['ecs-east']
    assert not summary['ok']
    assert 'ecs-east' in summary['error'] and 'login' in summary['error'].lower()
    keys.assert_not_in(job.private_data_dir.artifacts)


def test_provision_survey_then_all_then_sync(ecs_world, tmp_path):
    """Provision with a survey answer (one allocation), then everything, then sync; the inventory is updated on
    launch before every job, as the AWX page recommends."""
    keys = Secrets(ecs_world)
    site = ecs_world.site
    coldfront = coldfront_credential("SECRET_KEY='%s'\n" % keys.secret_key, keys.db_url)
    awx = AwxSite(tmp_path / 'awx', [ecs_credential(ecs_world), coldfront], inventory_credentials=[coldfront])
    hostile = site.add_allocation(site.add_project(HOSTILE_TITLE), ['ecs-east'], attributes={'Storage Quota (TB)': '1'})
    smith, jones = site.allocation_id('smith-east'), site.allocation_id('jones-east')
    jobs = []

    def launch(playbook, **kwargs):
        awx.update_inventory(source_vars={'ECS_PORT': ecs_world.east.port})
        jobs.append(awx.launch(playbook, **kwargs))
        return jobs[-1]

    one = launch('playbooks/provision.yml', extra_vars={'allocation_id': str(smith)})   # surveys answer in text
    assert (one.status, one.rc) == ('successful', 0), one.stdout
    assert set(ecs_world.east.state()['namespaces']) == {'smith-lab'}
    assert attribute(ecs_world, 'smith-east', 'Subdirectory')[0] == 'smith-lab:lab-smith-lab-bucket'
    summary = one.artifact_data['ecs_provision_summary']
    assert summary['ecs-east']['counts']['created'] == 1
    assert summary['ecs-east']['created'] == ['allocation %d (Smith Lab): smith-lab:lab-smith-lab-bucket' % smith]

    every = launch('playbooks/provision.yml')
    assert (every.status, every.rc) == ('successful', 0), every.stdout
    east = set(ecs_world.east.state()['namespaces'])
    assert {'smith-lab', 'jones-genomics', 'evil-lookup-ansible-builtin-env-ecs-pass-lab'} == east
    assert set(ecs_world.west.state()['namespaces']) == {'chen-patel-ber-lab-2024'}
    created = every.artifact_data['ecs_provision_summary']['ecs-east']['created']
    assert len(created) == 2 and created[0].startswith('allocation %d ' % min(jones, hostile))
    assert 'allocation %d (%s): evil-lookup' % (hostile, HOSTILE_TITLE) in ' '.join(created)

    sync = launch('playbooks/sync.yml')
    assert (sync.status, sync.rc) == ('successful', 0), sync.stdout
    counts = sync.artifact_data['ecs_sync_summary']['ecs-east']['counts']
    assert counts['synced'] == 3 and counts['conflict'] == 0
    for job in jobs:
        keys.assert_not_in(job.private_data_dir.artifacts)
    for simulator in ecs_world.simulators.values():
        assert simulator.stats()['live_tokens_total'] == 0


def test_from_a_bare_coldfront_setup_onboards_then_provision_and_sync(coldfront_site_factory, ecs_sim, tmp_path):
    """Day one in AWX: setup (a check job, then a run that onboards a resource given as extra vars) on a ColdFront that
    has none of the collection's types, then provision and sync of the onboarded resource."""
    bare = coldfront_site_factory('bare')
    keys = Secrets(types.SimpleNamespace(east=ecs_sim, site=bare))
    coldfront = coldfront_credential("SECRET_KEY='%s'\n" % keys.secret_key, keys.db_url)
    awx = AwxSite(tmp_path / 'awx', [ecs_credential(types.SimpleNamespace(east=ecs_sim)), coldfront],
                  inventory_credentials=[coldfront])
    jobs = []

    def launch(playbook, **kwargs):
        awx.update_inventory(source_vars={'ECS_PORT': ecs_sim.port})
        jobs.append(awx.launch(playbook, **kwargs))
        assert (jobs[-1].status, jobs[-1].rc) == ('successful', 0), jobs[-1].stdout
        return jobs[-1]

    onboard = {'ecs_setup_resources': [{'name': 'ecs-east', 'url': ecs_sim.host, 'replication_group': 'rg1',
                                        'ldap_domain': 'ad.example.org'}]}
    history = bare.history_counts()
    check = launch('playbooks/setup.yml', job_type='check')
    assert bare.history_counts() == history
    assert 'Storage Quota (TB)' in check.artifact_data['ecs_setup_summary']['created_types']
    assert awx.inventory['_meta']['hostvars'] == {}                         # no ECS resource has a url yet

    setup = launch('playbooks/setup.yml', extra_vars=onboard)
    assert setup.artifact_data['ecs_setup_summary']['resources_updated'] == ['ecs-east']
    bare.add_allocation_attributes('smith-east', {'Storage Quota (TB)': '2'})
    bare.add_allocation_attributes('jones-east', {'Storage Quota (TB)': '3'})

    provision = launch('playbooks/provision.yml')
    assert list(awx.inventory['_meta']['hostvars']) == ['ecs-east']
    assert provision.artifact_data['ecs_provision_summary']['ecs-east']['counts']['created'] == 2
    namespaces = ecs_sim.state()['namespaces']
    assert (namespaces['smith-lab']['quota']['blockSize'], namespaces['jones-genomics-lab']['quota']['blockSize']) == (
        2048, 3072)

    sync = launch('playbooks/sync.yml')
    assert sync.artifact_data['ecs_sync_summary']['ecs-east']['counts']['synced'] == 2
    assert float(bare.resource_attributes('ecs-east')['allocated_tb']) == 5
    for job in jobs:
        keys.assert_not_in(job.private_data_dir.artifacts)
    assert ecs_sim.stats()['live_tokens_total'] == 0
