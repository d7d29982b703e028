"""main() of coldfront_ecs_sync: its options reach the sync job, its result and failures are structured.

ColdFront is replaced at the two places the job touches it (reading the resource, writing the items); the plan,
the alerts and the failure decision are the real ones.
"""

import json
import threading
import types

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible import ecs_reading
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsApiError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._workflows import sync as workflow
from ansible_collections.hpc.coldfront_ecs.plugins.modules import coldfront_ecs_sync

TB = 1024 ** 4
GB = 1024 ** 3


def allocation(alloc_id, namespace, quota_tb='10', agreed=10 * TB, title='Smith Lab', **attributes):
    """An allocation record as ColdFront access gives it, provisioned as ``namespace``."""
    values = {'Storage Quota (TB)': quota_tb, 'Quota_In_Bytes': str(agreed),
              'Subdirectory': '%s:lab-%s-bucket' % (namespace, namespace)}
    values.update(attributes)
    return {'id': alloc_id, 'status': 'Active', 'project': {'id': alloc_id, 'title': title, 'pi': 'pi'},
            'resources': ['ecs-east'], 'start_date': '2026-01-01', 'end_date': '2027-01-01', 'quantity': 1,
            'attributes': dict((name, {'id': 100 + n, 'type': 'Text', 'value': value, 'usage': None})
                               for n, (name, value) in enumerate(sorted(values.items()))),
            'duplicate_attributes': []}


def usage(namespaces, used_gb=1):
    """An ecs_usage_info result: every namespace with a 10 TB quota, billed ``used_gb`` in its one bucket."""
    return {'endpoint': 'https://ecs:4443', 'capacity': {'total_provisioned_gb': 102400, 'total_free_gb': 51200},
            'namespaces': dict((n, {'name': n, 'hard_quota_gb': 10240, 'soft_quota_gb': 9216}) for n in namespaces),
            'allocated_gb': 10240 * len(namespaces), 'unlimited_namespaces': [], 'failures': [],
            'usage': dict((n, {'total_size_kb': used_gb * 1024 ** 2,
                               'buckets': {'lab-%s-bucket' % n: {'size_kb': used_gb * 1024 ** 2}}})
                          for n in namespaces)}


class ColdFront:
    """The resource the job reads and what it writes (items are applied as given, all changed)."""

    def __init__(self, records):
        self.records = records
        self.reads, self.writes, self.history_reads = [], [], []

    def load_resources(self, selection=None, allocation_statuses=()):
        self.reads.append((selection, allocation_statuses))
        return [{'id': 1, 'name': 'ecs-east', 'attributes': {},
                 'allocations': [record for record in self.records if record['status'] in allocation_statuses]}]

    def usage_history(self, allocation_ids, attribute_name, since):
        self.history_reads.append((sorted(allocation_ids), attribute_name))
        return {}

    def apply_changes(self, allocations, resources, reason=None, user=None, check_mode=False, create_missing=False):
        self.writes.append({'reason': reason, 'user': user, 'check_mode': check_mode, 'items': allocations + resources})
        return {'changed': True, 'allocation_attributes': written(allocations),
                'resource_attributes': written(resources)}


def written(items):
    return [dict(item, changed=True, before=None, after=item.get('value')) for item in items]


@pytest.fixture
def coldfront(monkeypatch):
    site = ColdFront([allocation(7, 'smith-lab'), allocation(8, 'jones-lab', title='Jones Lab')])
    monkeypatch.setattr(workflow, 'load_resources', site.load_resources)
    monkeypatch.setattr(workflow, 'apply_changes', site.apply_changes)
    monkeypatch.setattr(workflow, 'allocation_usage_history', site.usage_history)

    def connect(module):
        module.coldfront = {'version': '1.1.10', 'database': 'sqlite', 'warnings': []}
        return module.coldfront
    monkeypatch.setattr(ColdFrontModule, 'connect', connect)
    return site


def run_main(monkeypatch, capsys, **args):
    args.setdefault('resource', 'ecs-east')
    args.update(_ansible_remote_tmp='/tmp', _ansible_keep_remote_files=False)
    monkeypatch.setattr(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args})))
    monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy', raising=False)
    with pytest.raises(SystemExit):
        coldfront_ecs_sync.main()
    return json.loads(capsys.readouterr().out)


def test_both_allocations_synced_and_written_with_the_reason(coldfront, monkeypatch, capsys):
    result = run_main(monkeypatch, capsys, usage=usage(['smith-lab', 'jones-lab']), change_reason='hourly',
                      history_user='ops', namespaces=['smith-lab', 'jones-lab'])
    assert not result.get('failed'), result
    assert result['changed'] and result['summary']['synced'] == 2
    assert [entry['kind'] for entry in result['allocations']] == [None, None]
    assert result['failures'] == [] and result['failed_allocation_ids'] == []
    [write] = coldfront.writes
    assert (write['reason'], write['user'], write['check_mode']) == ('coldfront_ecs_sync: hourly', 'ops', False)
    assert coldfront.reads == [({'names': ['ecs-east'], 'name_contains': None}, ('Active',))]
    assert coldfront.history_reads == [([7, 8], 'Storage Quota (TB)')]
    assert result['coldfront'] == {'version': '1.1.10', 'database': 'sqlite'}


def test_provisioned_after_the_ecs_read_is_not_read_and_no_failure(coldfront, monkeypatch, capsys):
    result = run_main(monkeypatch, capsys, usage=usage(['smith-lab']), namespaces=['smith-lab'])
    entries = dict((entry['allocation_id'], entry) for entry in result['allocations'])
    assert (entries[7]['status'], entries[7]['kind']) == ('synced', None)
    assert (entries[8]['status'], entries[8]['kind']) == ('skipped', 'not_read')
    assert result['failures'] == []


def test_without_namespaces_a_missing_billing_is_an_unreadable_failure(coldfront, monkeypatch, capsys):
    data = usage(['smith-lab'])
    data['namespaces']['jones-lab'] = {'name': 'jones-lab', 'hard_quota_gb': 10240, 'soft_quota_gb': 9216}
    result = run_main(monkeypatch, capsys, usage=data)
    assert [(f['kind'], f['allocation_id'], f['namespaces']) for f in result['failures']] == [
        ('unreadable', 8, ['jones-lab'])]
    assert result['failed_allocation_ids'] == [8]
    assert not result.get('failed')                     # the module reports; the role decides to stop

    quiet = run_main(monkeypatch, capsys, usage=data, fail_on_problems=False)
    assert quiet['failures'] == [] and quiet['allocations'][1]['kind'] == 'unreadable'


def test_conflict_and_exceeded_are_failures_by_the_settings(coldfront, monkeypatch, capsys):
    coldfront.records[0] = allocation(7, 'smith-lab', quota_tb='12', agreed=11 * TB)     # changed on both sides
    data = usage(['smith-lab', 'jones-lab'], used_gb=11 * 1024)                           # 11 TB of 10 TB
    result = run_main(monkeypatch, capsys, usage=data, fail_on_exceeded=True)
    kinds = sorted((f['kind'], f['allocation_id']) for f in result['failures'])
    assert ('conflict', 7) in kinds and ('quota_exceeded', 8) in kinds
    assert result['failed_allocation_ids'] == [7, 8]
    assert result['summary']['conflict'] == 1

    only_problems = run_main(monkeypatch, capsys, usage=data)
    assert [(f['kind'], f['allocation_id']) for f in only_problems['failures']] == [('conflict', 7)]


def test_renamed_attributes_reach_the_plan(coldfront, monkeypatch, capsys):
    result = run_main(monkeypatch, capsys, usage=usage(['smith-lab', 'jones-lab']),
                      attribute_names={'capacity': 'ecs_capacity_tb'})
    assert 'ecs_capacity_tb' in result['resource'] and 'capacity_tb' not in result['resource']


def test_check_mode_and_unknown_resource(coldfront, monkeypatch, capsys):
    result = run_main(monkeypatch, capsys, usage=usage(['smith-lab', 'jones-lab']), _ansible_check_mode=True)
    assert coldfront.writes[-1]['check_mode'] is True and not result.get('failed')

    monkeypatch.setattr(workflow, 'load_resources', lambda **kwargs: [])
    failed = run_main(monkeypatch, capsys, usage=usage([]), resource='ecs-gone')
    assert failed['failed'] and failed['kind'] == 'unknown_resource'
    assert "'ecs-gone'" in failed['msg']


def test_bad_settings_fail_with_a_kind_before_any_write(coldfront, monkeypatch, capsys):
    failed = run_main(monkeypatch, capsys, usage=usage(['smith-lab']), bucket_limits='ecs')
    assert failed['failed'] and failed['kind'] == 'invalid_usage'
    failed = run_main(monkeypatch, capsys, usage=usage(['smith-lab']), alert_threshold=-1.0)
    assert failed['failed'] and failed['kind'] == 'invalid_settings'
    assert coldfront.writes == []


class Session:
    """The ECS session of the module: ``run(work)`` gives ``work`` a client, or raises ``error`` after one call."""
    error = None
    opened = []

    def __init__(self, module):
        self.module = module
        self.client, self.calls = None, 0

    def run(self, work):
        Session.opened.append(self.module.params['host'])
        self.client = types.SimpleNamespace(base_url='https://%s:4443' % self.module.params['host'])
        if Session.error is not None:
            self.calls = 1
            raise Session.error
        return work('client')


@pytest.fixture
def ecs(monkeypatch):
    """The module reads ECS itself: the namespaces it asks for, and the reading it gets."""
    asked = []

    def collect(client, namespaces, batch_billing, bucket_quotas, cancelled=None):
        if cancelled.is_set():
            return None                              # cancelled before the hand-over (collect_usage raises then)
        namespaces = namespaces()                    # asked for once ColdFront is read
        asked.append((client, namespaces, batch_billing, bucket_quotas))
        reading = dict(usage(namespaces), ecs_calls=6, bucket_quotas=bucket_quotas, unread_bucket_quotas=[],
                       api_features={'batch_billing': True, 'full_namespace_list': True})
        for entry in reading['usage'].values():
            for bucket in entry['buckets'].values():
                bucket.update(hard_quota_gb=None, soft_quota_gb=None)
        return reading
    monkeypatch.setattr(ecs_reading, 'collect_usage', collect)
    monkeypatch.setattr(ecs_reading, 'EcsSession', Session)
    monkeypatch.setattr(Session, 'error', None)
    monkeypatch.setattr(Session, 'opened', [])
    return asked


CONNECTION = {'host': 'ecs-east.example.org', 'username': 'monitor', 'password': 'secret'}


def test_without_usage_the_module_reads_ecs_for_the_provisioned_namespaces_it_read(coldfront, ecs, monkeypatch, capsys):
    result = run_main(monkeypatch, capsys, bucket_limits='ecs', batch_billing=False, **CONNECTION)
    assert ecs == [('client', ['jones-lab', 'smith-lab'], False, True)]
    assert result['summary']['synced'] == 2 and not result.get('failed')
    assert (result['ecs']['ecs_calls'], result['ecs']['bucket_quotas']) == (6, True)
    assert result['ecs']['api_features'] == {'batch_billing': True, 'full_namespace_list': True}


def test_ecs_that_cannot_be_read_fails_with_the_allocations_left_and_writes_nothing(coldfront, ecs, monkeypatch, capsys):
    Session.error = EcsApiError('login refused', status=401, method='GET', path='/login', kind='auth')
    failed = run_main(monkeypatch, capsys, **CONNECTION)
    assert (failed['failed'], failed['kind'], failed['resource']) == (True, 'ecs_unreadable', 'ecs-east')
    assert failed['failed_allocation_ids'] == [7, 8]
    assert (failed['error']['status'], failed['error']['path']) == (401, '/login')
    assert (failed['ecs']['endpoint'], failed['ecs']['ecs_calls']) == ('https://ecs-east.example.org:4443', 1)
    assert coldfront.writes == [] and ecs == []


def test_a_missing_password_fails_like_ecs_unread_after_the_coldfront_read(coldfront, ecs, monkeypatch, capsys):
    failed = run_main(monkeypatch, capsys, host='ecs-east.example.org', username='monitor')
    assert (failed['failed'], failed['kind'], failed['failed_allocation_ids']) == (True, 'ecs_unreadable', [7, 8])
    assert failed['msg'].startswith('missing required arguments: password ')
    assert (failed['ecs']['endpoint'], failed['ecs']['ecs_calls']) == (None, 0)   # nothing was read
    assert Session.opened == [] and coldfront.writes == []


def test_a_usage_given_is_used_without_any_ecs_call(coldfront, ecs, monkeypatch, capsys):
    result = run_main(monkeypatch, capsys, usage=usage(['smith-lab', 'jones-lab']), **CONNECTION)
    assert result['summary']['synced'] == 2 and Session.opened == [] and ecs == []
    assert result['ecs']['endpoint'] == 'https://ecs:4443'


def test_a_coldfront_read_that_fails_cancels_the_ecs_reading_before_billing(coldfront, ecs, monkeypatch, capsys):
    monkeypatch.setattr(workflow, 'load_resources', lambda **kwargs: [])
    failed = run_main(monkeypatch, capsys, resource='ecs-gone', **CONNECTION)
    assert failed['failed'] and failed['kind'] == 'unknown_resource'
    assert Session.opened == ['ecs-east.example.org']      # logged in while ColdFront was read ...
    assert ecs == []                                       # ... and stopped before asking for any billing


def test_the_ecs_reading_starts_before_django_and_stops_when_coldfront_cannot_start(
        coldfront, ecs, monkeypatch, capsys):
    reading_when_django_starts = []

    def connect(module):
        reading_when_django_starts.extend(thread.name for thread in threading.enumerate() if thread.name == 'ecs-reading')
        module.fail_json(msg='ColdFront settings cannot be loaded')
    monkeypatch.setattr(ColdFrontModule, 'connect', connect)
    failed = run_main(monkeypatch, capsys, **CONNECTION)
    assert failed['failed'] and failed['msg'] == 'ColdFront settings cannot be loaded'
    assert reading_when_django_starts == ['ecs-reading'] and Session.opened == ['ecs-east.example.org']
    assert ecs == [] and coldfront.writes == []               # no namespace was handed over, none billed
    assert not [thread for thread in threading.enumerate() if thread.name == 'ecs-reading']   # it has ended
