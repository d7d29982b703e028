"""Provisioning decisions (module_utils/_workflows/provision.py) on an in-memory ECS; the real ECS path is in tests/integration/roles."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import (
    EcsApiError, EcsConfigError, EcsNotFoundError)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import outcomes
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._workflows import provision
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._workflows.provision import Provisioner, Settings
from support.claim_fakes import VDC, MemoryLedger, SequentialMap
from support.outcome_checks import failed_for

RG = {'id': 'urn:storageos:ReplicationGroupInfo:1:global', 'name': 'rg1'}
TB = 1024 ** 4


class MemoryEcs(SequentialMap):
    """The EcsClient methods provisioning uses, on dicts; ``writes`` lists every change made."""

    base_url = 'https://ecs.test:4443'

    def __init__(self, namespaces=None, capacity_gb=None, brief=False):
        self.namespaces = namespaces or {}
        self.buckets = {}
        self.capacity_gb = capacity_gb
        self.brief = brief
        self.writes = []

    def replication_groups(self):
        return [RG]

    def resolve_replication_group(self, name):
        if name not in (RG['id'], RG['name']):
            raise EcsConfigError('replication group %r does not exist on %s' % (name, self.base_url))
        return RG

    def replication_group_name(self, group_id):
        return RG['name'] if group_id == RG['id'] else group_id

    def find_namespace(self, name):
        return self.namespaces.get(name)

    def get_namespace_quota(self, name):
        if name not in self.namespaces:
            raise EcsNotFoundError(status=400, code=1004, method='GET', path='/object/namespaces/namespace/%s/quota' % name)
        record = self.namespaces[name]
        return {'blockSize': record.get('blockSize', -1), 'notificationSize': record.get('notificationSize', -1)}

    def create_namespace(self, name, group_id, mapping):
        self.writes.append(('create namespace', name))
        self.namespaces[name] = {'name': name, 'default_data_services_vpool': group_id, 'user_mapping': mapping,
                                 'blockSize': -1, 'notificationSize': -1}
        return dict(self.namespaces[name])

    def set_namespace_quota(self, name, hard, soft):
        self.writes.append(('namespace quota', name, hard, soft))
        self.namespaces[name].update(blockSize=hard, notificationSize=soft)

    def find_bucket(self, namespace, name):
        return self.buckets.get((namespace, name))

    def get_bucket(self, namespace, name):
        return dict(self.buckets[(namespace, name)])

    def create_bucket(self, namespace, name, group_id, **fields):
        self.writes.append(('create bucket', name, fields['filesystem_enabled']))
        self.buckets[(namespace, name)] = {'name': name, 'namespace': namespace, 'vpool': group_id,
                                           'fs_access_enabled': fields['filesystem_enabled'],
                                           'block_size': fields.get('blockSize', -1),
                                           'notification_size': fields.get('notificationSize', -1)}
        return self.get_bucket(namespace, name)

    def get_bucket_quota(self, namespace, name):
        bucket = self.buckets[(namespace, name)]
        return {'blockSize': bucket['block_size'], 'notificationSize': bucket['notification_size']}

    def set_bucket_quota(self, namespace, name, hard, soft):
        self.writes.append(('bucket quota', name, hard, soft))
        self.buckets[(namespace, name)].update(block_size=hard, notification_size=soft)

    def capacity(self):
        return {'totalProvisioned_gb': self.capacity_gb}

    def list_namespaces(self):
        if self.brief:
            return [{'id': name, 'name': name} for name in sorted(self.namespaces)]
        return [dict(record, name=name) for name, record in sorted(self.namespaces.items())]


def view(allocation_id=1, project='Smith Lab', namespace='smith-lab', bucket=None, quota_tb=10.0, **extra):
    record = {'id': allocation_id, 'project': project, 'resource': 'ecs-east', 'namespace': namespace,
              'bucket': bucket or 'lab-%s-bucket' % namespace, 'subdirectory': None, 'quota_tb': quota_tb,
              'quota_bytes': None, 'options': [], 'errors': []}
    record.update(extra)
    return record


def recorded(allocation_id=1, namespace='smith-lab', quota_tb=10.0, agreed_tb=10.0, **extra):
    return view(allocation_id, namespace=namespace, quota_tb=quota_tb, quota_bytes=int(agreed_tb * TB),
                subdirectory='%s:lab-%s-bucket' % (namespace, namespace), **extra)


def run(views, ecs=None, check_mode=False, ledger=None, **settings):
    settings.setdefault('replication_group', 'rg1')
    settings.setdefault('ldap_domain', 'ad.example.org')
    settings.setdefault('recorded_federation', VDC)
    ecs = ecs if ecs is not None else MemoryEcs()
    ledger = ledger if ledger is not None else MemoryLedger()
    return Provisioner(ecs, Settings(**settings), check_mode, ledger=ledger).run(views), ecs


def failed(result, kind, action='failed'):
    return failed_for(result, kind, provision.FAILURE_KINDS, action)


def test_new_allocation_creates_namespace_then_bucket_and_records():
    outcome, ecs = run([view(options=['nfs_share'])], soft_quota_percent=80)
    [result] = outcome['results']
    assert result['action'] == 'created' and outcome['changed'] and result['kind'] is None
    assert ecs.writes == [('create namespace', 'smith-lab'), ('namespace quota', 'smith-lab', 10240, 8192),
                          ('create bucket', 'lab-smith-lab-bucket', True)]
    assert ecs.buckets[('smith-lab', 'lab-smith-lab-bucket')]['block_size'] == 10240
    assert ecs.namespaces['smith-lab']['user_mapping'] == [{'domain': 'ad.example.org', 'groups': ['Smith Lab'],
                                                            'attributes': []}]
    assert outcome['records'] == [
        {'allocation_id': 1, 'name': 'Bucket', 'value': 'lab-smith-lab-bucket'},
        {'allocation_id': 1, 'name': 'Bucket_Quota_In_Bytes', 'value': 10 * TB},
        {'allocation_id': 1, 'name': 'Namespace', 'value': 'smith-lab'},
        {'allocation_id': 1, 'name': 'Quota_In_Bytes', 'value': 10 * TB},
        {'allocation_id': 1, 'name': 'Subdirectory', 'value': 'smith-lab:lab-smith-lab-bucket'}]
    assert outcome['summary']['created'] == 1 and outcome['summary']['total'] == 1


def test_check_mode_writes_nothing_and_predicts_the_same():
    predicted, ecs = run([view()], check_mode=True)
    assert ecs.writes == [] and ecs.namespaces == {}
    done, _ecs = run([view()])
    assert predicted['results'] == done['results'] and predicted['records'] == done['records']


def test_bucket_quota_can_be_left_alone():
    _outcome, ecs = run([view()], bucket_quota=False)
    assert ecs.buckets[('smith-lab', 'lab-smith-lab-bucket')]['block_size'] == -1


@pytest.mark.parametrize('changes, kind', [
    ({'errors': ["allocation 1 (project 'Smith Lab', resource 'ecs-east'): bad data"]}, outcomes.INVALID_DATA),
    ({'options': ['nfs_share', 'snapshots', 'cifs_share']}, outcomes.UNSUPPORTED_OPTION),
    ({'quota_tb': None}, outcomes.INVALID_QUOTA),
    ({'quota_tb': -1.0}, outcomes.INVALID_QUOTA),
    ({'namespace': 'Bad/Name'}, outcomes.INVALID_NAME),
    ({'ldap_group': ''}, outcomes.NO_LDAP_GROUP),
])
def test_invalid_allocations_fail_before_any_ecs_call(changes, kind):
    outcome, ecs = run([view(**changes), view(2, 'Jones Lab', 'jones-lab')])
    first, second = outcome['results']
    assert failed(first, kind) and first['record'] == {}
    assert first['error'].startswith("allocation 1 (project 'Smith Lab', resource 'ecs-east')")
    assert second['action'] == 'created' and second['kind'] is None
    assert 'smith-lab' not in ecs.namespaces
    assert outcome['failures'] == [first['error']]


def test_a_view_given_by_hand_without_its_resource_fails_by_name_instead_of_crashing():
    partial = view(quota_tb=None)
    del partial['resource']
    outcome, ecs = run([partial, view(2, 'Jones Lab', 'jones-lab')])
    first, second = outcome['results']
    assert failed(first, outcomes.INVALID_QUOTA) and ecs.writes[0] == ('create namespace', 'jones-lab')
    assert first['error'].startswith("allocation 1 (project 'Smith Lab', resource None): ")
    assert second['action'] == 'created'


def test_resource_settings_missing_fail_every_new_allocation():
    for settings, missing in (({'ldap_domain': None}, 'ldap_domain'), ({'replication_group': 'nope'}, "'nope'"),
                              ({'replication_group': None}, 'replication_group')):
        outcome, ecs = run([view()], **settings)
        assert failed(outcome['results'][0], outcomes.INVALID_SETTINGS) and ecs.writes == []
        assert missing in outcome['results'][0]['error']               # names the setting (or value) to fix


def test_default_options_only_for_allocations_without_options():
    views = [view(), view(2, 'Jones Lab', 'jones-lab', options=['nfs_share']),
             view(3, 'Lee Lab', 'lee-lab', options_source='attribute')]
    outcome, _ecs = run(views, default_options=['nfs_share'])
    assert [result['filesystem_enabled'] for result in outcome['results']] == [True, True, False]
    outcome, _ecs = run([view()], default_options=['snapshots'])
    assert failed(outcome['results'][0], outcomes.UNSUPPORTED_OPTION)
    assert 'ecs_provision_default_options' in outcome['results'][0]['error']    # names where the option came from


def existing_smith_lab(group='Smith Lab'):
    return MemoryEcs({'smith-lab': {'default_data_services_vpool': RG['id'], 'blockSize': 10240, 'notificationSize': 9216,
                                    'user_mapping': [{'domain': 'ad.example.org', 'groups': [group]}]}})


def test_a_new_allocation_is_claimed_before_anything_is_created():
    ledger = MemoryLedger()
    outcome, ecs = run([view()], ledger=ledger)
    assert ledger.written == [(1, 'smith-lab', 'lab-smith-lab-bucket')] and ledger.opened == [[VDC]]
    assert outcome['claims'] == [{'allocation_id': 1, 'name': 'ECS_Claim', 'value': 'smith-lab:lab-smith-lab-bucket'}]
    assert outcome['results'][0]['action'] == 'created' and ecs.writes[0] == ('create namespace', 'smith-lab')
    assert outcome['federation'] == VDC


def test_existing_namespace_is_resumed_only_with_this_allocations_claim():
    ledger = MemoryLedger(claims={1: ('smith-lab', 'lab-smith-lab-bucket')})
    outcome, ecs = run([view()], ecs=existing_smith_lab(), ledger=ledger)
    assert outcome['results'][0]['action'] == 'resumed' and ledger.written == []
    assert ecs.writes == [('create bucket', 'lab-smith-lab-bucket', False)]
    again, ecs = run([view()], ecs=ecs, ledger=ledger)
    assert again['results'][0]['action'] == 'recorded' and again['records'] and not again['changed']


@pytest.mark.parametrize('group', ['Smith Lab', 'Other Lab'])
def test_an_existing_namespace_without_claim_is_refused_whatever_its_group(group):
    ledger = MemoryLedger()
    outcome, ecs = run([view()], ecs=existing_smith_lab(group), ledger=ledger)
    [result] = outcome['results']
    assert failed(result, outcomes.NOT_CLAIMED)
    assert ecs.writes == [] and outcome['records'] == [] and ledger.written == []
    assert 'hpc.coldfront_ecs.adopt' in result['error']                  # what to do instead


@pytest.mark.parametrize('how', ['claims', 'records'])
def test_a_name_held_by_another_allocation_of_the_federation_is_refused_before_ecs(how):
    ledger = MemoryLedger(**{how: {7: ('smith-lab', 'lab-smith-lab-bucket')}})
    outcome, ecs = run([view()], ledger=ledger)
    [result] = outcome['results']
    assert failed(result, outcomes.CLAIMED_ELSEWHERE) and ecs.writes == [] and ledger.written == []
    assert "allocation 7 (project 'Lab 7', status Active, resource 'ecs-east')" in result['error']   # the holder


def test_a_claim_for_other_names_is_not_silently_replaced():
    ledger = MemoryLedger(claims={1: ('smith-old', 'lab-smith-old-bucket')})
    outcome, ecs = run([view()], ledger=ledger)
    assert failed(outcome['results'][0], outcomes.CLAIM_MISMATCH) and ecs.writes == []
    assert 'smith-old:lab-smith-old-bucket' in outcome['results'][0]['error']      # the claim it holds


def test_a_ledger_that_fails_creates_nothing():
    ledger = MemoryLedger(error=RuntimeError('database is locked'))
    outcome, ecs = run([view(), recorded(2, 'other')], ledger=ledger)
    assert [result['action'] for result in outcome['results']] == ['failed', 'unchanged'] and ecs.writes == []
    assert failed(outcome['results'][0], outcomes.COLDFRONT_ERROR)
    assert 'database is locked' in outcome['results'][0]['error']       # the ledger's own error is passed on


def test_the_old_plugins_spelling_is_looked_for_before_creating():
    legacy = 'the-computational-biology-and-bioinformatics-research-group-of-'
    title = 'The Computational Biology and Bioinformatics Research Group of Dr Smith'
    ours = legacy.rstrip('-')
    ecs = MemoryEcs({legacy: {'blockSize': 2048}})
    outcome, ecs = run([view(project=title, namespace=ours, bucket='lab-cbb-bucket')], ecs=ecs)
    [result] = outcome['results']
    assert failed(result, outcomes.LEGACY_EXISTS) and ecs.writes == []
    assert legacy in result['error']                                    # names the old plugin's namespace
    outcome, ecs = run([view(project=title, namespace=ours, bucket='lab-cbb-bucket')])
    assert outcome['results'][0]['action'] == 'created'


def test_two_new_allocations_never_share_a_namespace():
    outcome, ecs = run([view(), view(2, 'Smith-Lab')])
    assert all(failed(result, outcomes.SHARED_NAMESPACE) for result in outcome['results'])
    assert 'allocations 1, 2' in outcome['results'][0]['error'] and ecs.writes == []


def test_quota_decisions_for_recorded_allocations():
    ecs = MemoryEcs({name: {'blockSize': gb, 'notificationSize': gb * 9 // 10}
                     for name, gb in (('push', 10240), ('record', 12288), ('conflict', 15360), ('pull', 15360))})
    for name in list(ecs.namespaces):
        ecs.buckets[(name, 'lab-%s-bucket' % name)] = {'block_size': 10240, 'notification_size': 9216}
    views = [recorded(1, 'push', quota_tb=12), recorded(2, 'record', quota_tb=12), recorded(3, 'conflict', quota_tb=12),
             recorded(4, 'pull'), recorded(5, 'same'), recorded(6, 'gone', quota_tb=11)]
    outcome, ecs = run(views, ecs=ecs)
    actions = [result['action'] for result in outcome['results']]
    assert actions == ['quota_pushed', 'recorded', 'conflict', 'unchanged', 'unchanged', 'failed']
    assert [result['kind'] for result in outcome['results']] == [
        None, None, outcomes.CONFLICT, None, None, outcomes.NAMESPACE_MISSING]
    assert ('namespace quota', 'push', 12288, 11059) in ecs.writes and ('bucket quota', 'lab-push-bucket', 12288, 11059) in ecs.writes
    assert ('bucket quota', 'lab-record-bucket', 12288, 11059) in ecs.writes      # the bucket follows its namespace
    assert not [write for write in ecs.writes if 'conflict' in str(write) or 'pull' in str(write)]
    assert outcome['records'] == [{'allocation_id': 1, 'name': 'Bucket_Quota_In_Bytes', 'value': 12 * TB},
                                  {'allocation_id': 1, 'name': 'Quota_In_Bytes', 'value': 12 * TB},
                                  {'allocation_id': 2, 'name': 'Bucket_Quota_In_Bytes', 'value': 12 * TB},
                                  {'allocation_id': 2, 'name': 'Quota_In_Bytes', 'value': 12 * TB}]
    assert outcome['failures'] == [outcome['results'][2]['error'], outcome['results'][5]['error']]


@pytest.mark.parametrize('brief', [False, True])
def test_overcommit_counts_every_namespace_and_each_new_quota(brief):
    ecs = MemoryEcs({'legacy': {'blockSize': 4096}}, capacity_gb=20 * 1024, brief=brief)
    views = [view(1, 'A Lab', 'a-lab', quota_tb=10), view(2, 'B Lab', 'b-lab', quota_tb=10),
             view(3, 'C Lab', 'c-lab', quota_tb=6)]
    outcome, ecs = run(views, ecs=ecs, overcommit=1.0)
    assert [result['action'] for result in outcome['results']] == ['created', 'failed', 'created']
    assert failed(outcome['results'][1], outcomes.OVERCOMMITTED)
    assert 'would need 24 TB' in outcome['results'][1]['error']         # 10 + 10 (a-lab) + 4 (legacy)


def test_overcommit_counts_the_claims_of_other_runs():
    ecs = MemoryEcs({}, capacity_gb=160 * 1024)
    ledger = MemoryLedger(claims={9: ('other-lab', 'lab-other-lab-bucket')}, quotas={9: '100'})
    outcome, ecs = run([view(1, 'A Lab', 'a-lab', quota_tb=70)], ecs=ecs, ledger=ledger, overcommit=1.0)
    [result] = outcome['results']
    assert failed(result, outcomes.OVERCOMMITTED) and ecs.writes == [] and ledger.written == []
    assert 'would need 170 TB' in result['error']                       # 70 + the other run's claim of 100


def test_the_bucket_follows_a_namespace_quota_pulled_from_ecs():
    ecs = MemoryEcs({'smith-lab': {'blockSize': 20480, 'notificationSize': 18432}})
    ecs.buckets[('smith-lab', 'lab-smith-lab-bucket')] = {'block_size': 10240, 'notification_size': 9216}
    behind = recorded(quota_tb=20, agreed_tb=20, bucket_quota_bytes=10 * TB)
    outcome, ecs = run([behind], ecs=ecs)
    [result] = outcome['results']
    assert result['action'] == 'bucket_quota_set' and ecs.writes == [('bucket quota', 'lab-smith-lab-bucket', 20480, 18432)]
    assert {'allocation_id': 1, 'name': 'Bucket_Quota_In_Bytes', 'value': 20 * TB} in outcome['records']
    assert outcome['report']['bucket_quota_set'] == ['allocation 1 (Smith Lab): smith-lab:lab-smith-lab-bucket']
    outcome, ecs = run([behind], ecs=ecs, bucket_quota=False)
    assert outcome['results'][0]['action'] == 'unchanged'


def test_a_failed_write_keeps_what_was_done_and_records_nothing():
    ecs = MemoryEcs()

    def broken(*_args, **_kwargs):
        raise EcsApiError(status=500, code=7000, description='internal', method='POST', path='/object/bucket')

    ecs.create_bucket = broken
    outcome, ecs = run([view()], ecs=ecs)
    [result] = outcome['results']
    assert failed(result, outcomes.ECS_ERROR) and result['record'] == {} and outcome['changed']
    assert result['changes'] == ['namespace smith-lab: create namespace', 'namespace smith-lab: set quota 10240/9216 GB']
    assert 'create bucket lab-smith-lab-bucket: ' in result['error']    # the step that failed


def test_nothing_to_do_makes_no_ecs_call_and_opens_no_ledger():
    class NoCalls(MemoryEcs):
        def __getattribute__(self, name):
            if name in ('replication_groups', 'vdc_identity', 'get_namespace_quota', 'find_namespace'):
                raise AssertionError('no ECS call expected')
            return object.__getattribute__(self, name)

    ledger = MemoryLedger()
    outcome, _ecs = run([recorded(), recorded(2, 'other', errors=[])], ecs=NoCalls(), ledger=ledger)
    assert outcome['summary']['unchanged'] == 2 and not outcome['changed'] and outcome['records'] == []
    assert ledger.opened == [] and outcome['federation'] == VDC


def test_the_federation_is_recorded_when_it_changed():
    ledger = MemoryLedger()
    ecs = existing_smith_lab()
    outcome, _ecs = run([recorded(quota_tb=12)], ecs=ecs, ledger=ledger, recorded_federation='urn:old')
    assert ledger.opened == [[VDC]] and outcome['federation'] == VDC
    assert provision.FAILURES == ('failed', 'conflict')


def test_an_unexpected_exception_fails_only_its_allocation():
    """An ECS answer of an unexpected shape (here: no body for one created namespace) raises AttributeError deep in
    the namespace code; that allocation fails with a message naming it, the step, the exception and that a re-run
    resumes, and the other allocation is still created and recorded."""
    ecs = MemoryEcs()
    create_namespace = ecs.create_namespace

    def odd_answer(name, group_id, mapping):
        created = create_namespace(name, group_id, mapping)
        return None if name == 'jones-lab' else created

    ecs.create_namespace = odd_answer
    outcome, ecs = run([view(2, 'Jones Lab', 'jones-lab'), view()], ecs=ecs)
    bad, good = outcome['results']
    assert good['action'] == 'created' and 'smith-lab' in ecs.namespaces
    assert ('create bucket', 'lab-smith-lab-bucket', False) in ecs.writes
    assert sorted(record['allocation_id'] for record in outcome['records']) == [1, 1, 1, 1, 1]
    assert {record['name']: record['value'] for record in outcome['records']}['Subdirectory'] == \
        'smith-lab:lab-smith-lab-bucket'
    assert failed(bad, outcomes.UNEXPECTED) and bad['record'] == {}
    assert bad['error'].startswith("allocation 2 (project 'Jones Lab', resource 'ecs-east'): create namespace "
                                   "jones-lab: unexpected AttributeError: "), bad['error']
    assert bad['error'].endswith('a re-run resumes'), bad['error']      # the message is the behaviour here
    assert bad['changes'] == ['namespace jones-lab: create namespace', 'namespace jones-lab: set quota 10240/9216 GB']
    assert outcome['failures'] == [bad['error']] and outcome['changed']
    assert outcome['summary']['created'] == 1 and outcome['summary']['failed'] == 1
    assert not [write for write in ecs.writes if write[0] == 'create bucket' and write[1] == 'lab-jones-lab-bucket']


def test_an_unexpected_exception_while_reading_or_pushing_fails_only_its_allocation():
    ecs = MemoryEcs({name: {'blockSize': 10240, 'notificationSize': 9216} for name in ('push', 'odd')})
    for name in list(ecs.namespaces):
        ecs.buckets[(name, 'lab-%s-bucket' % name)] = {'block_size': 10240, 'notification_size': 9216}
    get_namespace_quota, get_bucket_quota = ecs.get_namespace_quota, ecs.get_bucket_quota
    ecs.get_namespace_quota = lambda name: ['not', 'a', 'quota'] if name == 'odd' else get_namespace_quota(name)
    outcome, ecs = run([recorded(1, 'odd', quota_tb=12), recorded(2, 'push', quota_tb=12)], ecs=ecs)
    odd, push = outcome['results']
    assert push['action'] == 'quota_pushed'
    assert outcome['records'] == [{'allocation_id': 2, 'name': 'Bucket_Quota_In_Bytes', 'value': 12 * TB},
                                  {'allocation_id': 2, 'name': 'Quota_In_Bytes', 'value': 12 * TB}]
    assert failed(odd, outcomes.UNEXPECTED) and outcome['failures'] == [odd['error']]
    assert not [write for write in ecs.writes if 'odd' in str(write)]

    ecs.get_namespace_quota = get_namespace_quota
    ecs.get_bucket_quota = lambda namespace, name: {}['block_size'] if namespace == 'odd' else get_bucket_quota(
        namespace, name)
    outcome, ecs = run([recorded(1, 'odd', quota_tb=12), recorded(3, 'push', quota_tb=13, agreed_tb=12)], ecs=ecs)
    odd, push = outcome['results']
    assert push['action'] == 'quota_pushed' and outcome['records'][0]['allocation_id'] == 3
    assert failed(odd, outcomes.UNEXPECTED) and 'read quota of bucket lab-odd-bucket: ' in odd['error']   # the step
    assert odd['changes'] == ['namespace odd: set quota 12288/11059 GB'] and odd['record'] == {}


@pytest.mark.parametrize('interrupt', [KeyboardInterrupt, SystemExit])
def test_interrupts_are_never_swallowed(interrupt):
    ecs = MemoryEcs()

    def stop(*_args, **_kwargs):
        raise interrupt()

    ecs.create_bucket = stop
    with pytest.raises(interrupt):
        run([view()], ecs=ecs)


def test_an_unexpected_namespace_answer_fails_only_its_allocation():
    ecs = MemoryEcs({'smith-lab': ['not', 'a', 'namespace']})
    ledger = MemoryLedger(claims={1: ('smith-lab', 'lab-smith-lab-bucket')})
    outcome, ecs = run([view(), view(2, 'Jones Lab', 'jones-lab')], ecs=ecs, ledger=ledger)
    odd, good = outcome['results']
    assert good['action'] == 'created' and {record['allocation_id'] for record in outcome['records']} == {2}
    assert failed(odd, outcomes.UNEXPECTED) and 'complete namespace smith-lab: ' in odd['error']   # the step
    assert not [write for write in ecs.writes if 'smith' in str(write)]
