"""Adoption decisions (module_utils/_workflows/adopt.py) on an in-memory ECS and claim ledger; the real path is in
tests/integration/roles/test_adopt.py."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsConfigError, EcsNotFoundError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import naming, outcomes
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import allocation_view
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._workflows.adopt import (
    FAILURE_KINDS, Adopter, ReadOnlyEcs, Settings, explicit_names)
from support.claim_fakes import VDC, MemoryLedger, SequentialMap
from support.outcome_checks import failed_for

TB = 1024 ** 4
GB = 1024 ** 3
# 74 characters; its slug cut at 63 ends in "-": the old plugin's namespace and bucket end in "-".
LONG_TITLE = 'Center for Integrative Computational Biology and Data Gene Lab of Genomics'


class MemoryEcs(SequentialMap):
    """The read calls adoption makes, on dicts; any write fails the test."""

    base_url = 'https://ecs.test:4443'

    def __init__(self, namespaces=None, fail=None):
        # {namespace: {'quota': GB, 'buckets': {bucket: GB}}}
        self.namespaces = namespaces or {}
        self.fail = fail or {}      # namespace: error raised when its quota is read
        self.calls = []

    def vdc_identity(self):
        self.calls.append(('vdc_identity',))
        return SequentialMap.vdc_identity(self)

    def find_namespace(self, name):
        self.calls.append(('find_namespace', name))
        return {'name': name} if name in self.namespaces else None

    def find_bucket(self, namespace, name):
        self.calls.append(('find_bucket', namespace, name))
        return {'name': name} if name in self.namespaces.get(namespace, {}).get('buckets', {}) else None

    def get_namespace_quota(self, name):
        self.calls.append(('get_namespace_quota', name))
        if name in self.fail:
            raise self.fail[name]
        gb = self.namespaces[name].get('quota', -1)
        return {'blockSize': gb, 'notificationSize': -1 if gb < 0 else gb * 9 // 10}

    def get_bucket_quota(self, namespace, name):
        self.calls.append(('get_bucket_quota', namespace, name))
        gb = self.namespaces[namespace]['buckets'][name]
        return {'blockSize': gb, 'notificationSize': -1 if gb < 0 else gb * 9 // 10}

    def _write(self, *args, **kwargs):
        raise AssertionError('adoption changed ECS')

    create_namespace = update_namespace = set_namespace_quota = create_bucket = set_bucket_quota = _write


def view(allocation_id=1, title='Smith Lab', quota_tb='10', **attributes):
    """The inventory's view of an allocation with these ColdFront attribute values (real view builder)."""
    values = {'Storage Quota (TB)': quota_tb}
    values.update(attributes)
    allocation = {'id': allocation_id, 'status': 'Active', 'project': {'id': allocation_id, 'title': title},
                  'attributes': dict((name, {'value': value}) for name, value in values.items() if value is not None)}
    return allocation_view({'name': 'ecs-east'}, allocation)


def old_plugin(allocation_id=1, title='Smith Lab', namespace='smith-lab', quota_tb='10', agreed_tb=10, **attributes):
    """An allocation as the old plugin left it: Subdirectory and Quota_In_Bytes recorded."""
    attributes.setdefault('Quota_In_Bytes', None if agreed_tb is None else str(int(agreed_tb * TB)))
    return view(allocation_id, title, quota_tb, Subdirectory='%s:lab-%s-bucket' % (namespace, namespace), **attributes)


def space(namespace, quota_gb=10240, bucket=None, bucket_gb=None):
    bucket = bucket or 'lab-%s-bucket' % namespace
    return {namespace: {'quota': quota_gb, 'buckets': {bucket: quota_gb if bucket_gb is None else bucket_gb}}}


def run(views, ecs=None, ledger=None, explicit=None, check_mode=False):
    ecs = ecs if ecs is not None else MemoryEcs()
    ledger = ledger if ledger is not None else MemoryLedger()
    outcome = Adopter(ecs, Settings(), check_mode, ledger=ledger).run(views, explicit_names(explicit))
    return outcome, ecs, ledger


def by_id(outcome):
    return dict((result['allocation_id'], result) for result in outcome['results'])


def failed(result, kind, action='failed'):
    return failed_for(result, kind, FAILURE_KINDS, action)


# ---- finding what to adopt ------------------------------------------------------------------------------------

def test_old_plugin_allocation_is_claimed_and_its_agreed_quota_recorded():
    outcome, ecs, ledger = run([old_plugin(agreed_tb=8)], MemoryEcs(space('smith-lab')))
    [result] = outcome['results']
    assert result['action'] == 'adopted' and result['found_by'] == 'subdirectory' and result['claimed']
    assert result['kind'] is None and result['error'] is None
    assert (result['namespace'], result['bucket']) == ('smith-lab', 'lab-smith-lab-bucket')
    assert ledger.opened == [[VDC]] and ledger.written == [(1, 'smith-lab', 'lab-smith-lab-bucket')]
    assert outcome['claims'] == [{'allocation_id': 1, 'name': 'ECS_Claim', 'value': 'smith-lab:lab-smith-lab-bucket'}]
    # Subdirectory is there already: only what differs is handed back
    assert outcome['records'] == [
        {'allocation_id': 1, 'name': 'Bucket', 'value': 'lab-smith-lab-bucket'},
        {'allocation_id': 1, 'name': 'Bucket_Quota_In_Bytes', 'value': 10 * TB},
        {'allocation_id': 1, 'name': 'Namespace', 'value': 'smith-lab'},
        {'allocation_id': 1, 'name': 'Quota_In_Bytes', 'value': 10 * TB}]
    assert outcome['changed'] and outcome['failures'] == [] and outcome['federation'] == VDC
    assert outcome['summary'] == {'adopted': 1, 'already_adopted': 0, 'conflict': 0, 'failed': 0, 'total': 1}
    assert ecs.calls[0] == ('vdc_identity',)
    assert outcome['report']['adopted'] == ['allocation 1 (Smith Lab): smith-lab:lab-smith-lab-bucket (subdirectory)']


def test_long_title_finds_the_old_plugins_names_ending_in_a_dash():
    legacy_ns, legacy_bucket = naming.legacy_names(LONG_TITLE)
    assert legacy_ns.endswith('-') and legacy_bucket.endswith('-')
    ecs = MemoryEcs({legacy_ns: {'quota': 2048, 'buckets': {legacy_bucket: 2048}}})
    outcome, ecs, _ledger = run([view(7, LONG_TITLE, '2')], ecs)
    [result] = outcome['results']
    assert result['action'] == 'adopted' and result['found_by'] == 'old plugin'
    assert (result['namespace'], result['bucket']) == (legacy_ns, legacy_bucket)
    derived = naming.slugify(LONG_TITLE)
    assert [call[1] for call in ecs.calls if call[0] == 'find_namespace'] == [derived, legacy_ns]
    assert result['record']['Subdirectory'] == '%s:%s' % (legacy_ns, legacy_bucket)
    assert result['record']['Quota_In_Bytes'] == 2 * TB
    # the claim is a recorded name: the view of the adopted allocation accepts it
    recorded = view(7, LONG_TITLE, '2', Subdirectory=result['record']['Subdirectory'],
                    ECS_Claim=result['record']['Subdirectory'])
    assert recorded['errors'] == [] and recorded['namespace'] == legacy_ns


def test_hand_made_namespace_with_the_collections_name_is_found_first():
    ecs = MemoryEcs(space('smith-lab'))
    outcome, _ecs, _ledger = run([view()], ecs)
    assert by_id(outcome)[1]['found_by'] == 'derived' and by_id(outcome)[1]['action'] == 'adopted'


def test_explicit_names_are_the_only_ones_looked_for():
    ecs = MemoryEcs(dict(space('smith-lab'), **space('genomics-scratch', 4096, 'scratch')))
    outcome, ecs, _ledger = run([view()], ecs, explicit=[{'allocation_id': 1, 'namespace': 'genomics-scratch',
                                                          'bucket': 'scratch'},
                                                         {'allocation_id': 99, 'namespace': 'elsewhere'}])
    result = by_id(outcome)[1]
    assert (result['namespace'], result['bucket'], result['found_by']) == ('genomics-scratch', 'scratch', 'explicit')
    assert [call for call in ecs.calls if call[0] == 'find_namespace'] == [('find_namespace', 'genomics-scratch')]
    assert result['action'] == 'conflict'           # 10 TB in ColdFront, 4 TB on ECS


def test_explicit_namespace_without_bucket_takes_the_usual_bucket_names():
    ecs = MemoryEcs(space('scratch-ns', bucket='lab-scratch-ns-bucket'))
    outcome, _ecs, _ledger = run([view()], ecs, explicit=[{'allocation_id': 1, 'namespace': 'scratch-ns'}])
    assert by_id(outcome)[1]['bucket'] == 'lab-scratch-ns-bucket'


@pytest.mark.parametrize('entry', [{'namespace': 'Bad/Name'}, {'namespace': 'ok-ns', 'bucket': 'x'}])
def test_invalid_explicit_names_fail_before_any_ecs_call(entry):
    outcome, ecs, _ledger = run([view()], MemoryEcs(), explicit=[dict(entry, allocation_id=1)])
    assert failed(by_id(outcome)[1], outcomes.INVALID_NAME)
    assert ecs.calls == []


def test_explicit_name_that_contradicts_the_record_is_refused():
    ecs = MemoryEcs(dict(space('smith-lab'), **space('other')))
    outcome, ecs, ledger = run([old_plugin()], ecs, explicit=[{'allocation_id': 1, 'namespace': 'other'}])
    assert failed(by_id(outcome)[1], outcomes.RECORD_MISMATCH)
    error = by_id(outcome)[1]['error']
    assert 'smith-lab:lab-smith-lab-bucket' in error and 'other:lab-smith-lab-bucket' in error   # both names
    assert ecs.calls == [] and ledger.written == []


def test_two_entries_for_one_allocation_are_a_configuration_error():
    with pytest.raises(EcsConfigError, match='names allocation 1 more than once'):
        explicit_names([{'allocation_id': 1, 'namespace': 'a'}, {'allocation_id': 1, 'namespace': 'b'}])


# ---- nothing to adopt, refusals -------------------------------------------------------------------------------

def test_nothing_on_ecs_is_reported_and_never_created():
    outcome, ecs, ledger = run([view(), old_plugin(2, 'Jones Lab', 'jones-lab')], MemoryEcs())
    results = by_id(outcome)
    assert failed(results[1], outcomes.NAMESPACE_MISSING) and failed(results[2], outcomes.NAMESPACE_MISSING)
    assert results[1]['error'].startswith("allocation 1 (project 'Smith Lab', resource 'ecs-east'): ")
    assert 'jones-lab (subdirectory)' in results[2]['error']            # the name looked for, and where it came from
    assert outcome['records'] == [] and outcome['claims'] == [] and ledger.opened == []
    assert not outcome['changed'] and len(outcome['failures']) == 2


def test_missing_bucket_fails_and_names_what_was_looked_for():
    ecs = MemoryEcs({'smith-lab': {'quota': 10240, 'buckets': {'other': 10240}}})
    outcome, _ecs, ledger = run([view()], ecs)
    assert failed(by_id(outcome)[1], outcomes.BUCKET_MISSING) and ledger.written == []
    assert 'lab-smith-lab-bucket' in by_id(outcome)[1]['error']         # the bucket looked for


def test_namespace_held_by_another_allocation_is_refused_with_the_holder():
    ecs = MemoryEcs(space('smith-lab'))
    ledger = MemoryLedger(records={5: ('smith-lab', 'lab-smith-lab-bucket')}, status='Expired')
    outcome, _ecs, ledger = run([view()], ecs, ledger)
    result = by_id(outcome)[1]
    assert failed(result, outcomes.CLAIMED_ELSEWHERE) and result['record'] == {} and ledger.written == []
    assert "allocation 5 (project 'Lab 5', status Expired, resource 'ecs-east')" in result['error']  # the holder
    assert outcome['records'] == [] and not outcome['changed']


def test_a_claim_on_other_names_is_not_replaced():
    ecs = MemoryEcs(space('smith-lab'))
    outcome, _ecs, ledger = run([view()], ecs, MemoryLedger(claims={1: ('smith-lab-2', 'lab-smith-lab-2-bucket')}))
    assert failed(by_id(outcome)[1], outcomes.CLAIM_MISMATCH) and ledger.written == []
    assert 'smith-lab-2:lab-smith-lab-2-bucket' in by_id(outcome)[1]['error']     # the claim it holds


def test_two_allocations_finding_one_namespace_are_both_refused():
    ecs = MemoryEcs(space('smith-lab'))
    outcome, _ecs, ledger = run([view(1), view(2, 'Smith Lab')], ecs)
    for result in outcome['results']:
        assert failed(result, outcomes.SHARED_NAMESPACE)
        assert 'allocations 1, 2' in result['error']                   # names both
    assert ledger.written == []


def test_view_errors_fail_the_allocation_without_any_ecs_call():
    bad = view(Subdirectory='no colon here')
    assert bad['errors']
    outcome, ecs, _ledger = run([bad], MemoryEcs(space('smith-lab')))
    assert failed(by_id(outcome)[1], outcomes.INVALID_DATA) and by_id(outcome)[1]['error'] == '; '.join(bad['errors'])
    assert ecs.calls == []


def test_an_ecs_error_fails_one_allocation_and_the_others_go_on():
    error = EcsNotFoundError(status=400, code=1004, method='GET', path='/object/namespaces/namespace/smith-lab/quota')
    ecs = MemoryEcs(dict(space('smith-lab'), **space('jones-lab')), fail={'smith-lab': error})
    outcome, _ecs, ledger = run([view(), view(2, 'Jones Lab')], ecs)
    results = by_id(outcome)
    assert failed(results[1], outcomes.ECS_ERROR) and outcome['failures'] == [results[1]['error']]
    assert results[2]['action'] == 'adopted' and ledger.written == [(2, 'jones-lab', 'lab-jones-lab-bucket')]


def test_a_ledger_failure_records_nothing():
    ecs = MemoryEcs(space('smith-lab'))
    outcome, _ecs, _ledger = run([view()], ecs, MemoryLedger(error=RuntimeError('database is locked')))
    result = by_id(outcome)[1]
    assert failed(result, outcomes.COLDFRONT_ERROR) and outcome['records'] == [] and outcome['claims'] == []
    assert 'database is locked' in result['error']                      # the ledger's own error is passed on


def test_without_a_ledger_nothing_is_adopted():
    outcome = Adopter(MemoryEcs(space('smith-lab')), Settings()).run([view()])
    assert failed(outcome['results'][0], outcomes.COLDFRONT_ERROR) and outcome['records'] == []
    assert outcome['failures'] == [outcome['results'][0]['error']]


def test_ecs_writes_are_out_of_reach():
    guarded = ReadOnlyEcs(MemoryEcs())
    assert guarded.base_url == MemoryEcs.base_url
    for name in ('create_namespace', 'set_namespace_quota', 'create_bucket', 'set_bucket_quota', 'update_namespace',
                 'delete_namespace', 'request', 'post'):
        with pytest.raises(AttributeError):
            getattr(guarded, name)


# ---- quotas ---------------------------------------------------------------------------------------------------

def test_quota_difference_is_a_conflict_that_still_records_claim_and_names():
    ecs = MemoryEcs(space('smith-lab', 12288))
    outcome, _ecs, ledger = run([old_plugin(quota_tb='10', agreed_tb=None)], ecs)
    result = by_id(outcome)[1]
    assert failed(result, outcomes.CONFLICT, 'conflict')
    assert ledger.written == [(1, 'smith-lab', 'lab-smith-lab-bucket')]
    assert 'Quota_In_Bytes' not in result['record'] and 'Storage Quota (TB)' not in result['record']
    assert result['record']['Namespace'] == 'smith-lab' and result['record']['Bucket_Quota_In_Bytes'] == 12 * TB
    error = result['error']
    for text in ("allocation 1 (project 'Smith Lab', resource 'ecs-east')",
                 'ColdFront Storage Quota (TB) 10 TB (%d bytes), ECS 12 TB (%d bytes)' % (10 * TB, 12 * TB),
                 'Quota_In_Bytes was not recorded and neither quota was changed',
                 'set Storage Quota (TB) to 12', 'set Quota_In_Bytes to %d (the ECS value)' % (12 * TB)):
        assert text in error, error
    assert outcome['failures'] == [error] and outcome['summary']['conflict'] == 1 and outcome['changed']


@pytest.mark.parametrize('agreed_tb', [10, 12])
def test_conflict_removes_the_old_plugins_quota_in_bytes(agreed_tb):
    """Equal to ColdFront's quota, sync would pull ECS's; equal to ECS's, provision would push ColdFront's."""
    ecs = MemoryEcs(space('smith-lab', 12288))
    outcome, _ecs, _ledger = run([old_plugin(quota_tb='10', agreed_tb=agreed_tb)], ecs)
    result = by_id(outcome)[1]
    assert failed(result, outcomes.CONFLICT, 'conflict') and result['record']['Quota_In_Bytes'] is None
    assert {'allocation_id': 1, 'name': 'Quota_In_Bytes', 'remove': True} in outcome['records']
    assert not any(item.get('name') == 'Quota_In_Bytes' and 'value' in item for item in outcome['records'])
    assert 'Quota_In_Bytes value %d' % (agreed_tb * TB) in result['error']      # names the value removed
    key = 'allocation 1 smith-lab:lab-smith-lab-bucket'
    assert outcome['diff']['before'][key]['Quota_In_Bytes'] == agreed_tb * TB
    assert outcome['diff']['after'][key]['Quota_In_Bytes'] is None


def test_conflict_removal_is_predicted_in_check_mode_and_not_repeated():
    views = [old_plugin(quota_tb='10', agreed_tb=10)]
    predicted, _ecs, _ledger = run(views, MemoryEcs(space('smith-lab', 12288)), check_mode=True)
    done, _ecs, _ledger = run(views, MemoryEcs(space('smith-lab', 12288)))
    assert predicted['results'] == done['results'] and predicted['records'] == done['records']
    # the next run sees no Quota_In_Bytes: the conflict is reported again, nothing is removed or recorded
    after = old_plugin(quota_tb='10', agreed_tb=None, ECS_Claim='smith-lab:lab-smith-lab-bucket', Namespace='smith-lab',
                       Bucket='lab-smith-lab-bucket', Bucket_Quota_In_Bytes=str(12 * TB))
    ledger = MemoryLedger(claims={1: ('smith-lab', 'lab-smith-lab-bucket')})
    again, _ecs, _ledger = run([after], MemoryEcs(space('smith-lab', 12288)), ledger)
    assert by_id(again)[1]['action'] == 'conflict' and again['records'] == [] and not again['changed']


def test_conflict_keeps_the_collections_own_agreed_quota():
    """Claim and Bucket_Quota_In_Bytes held: provisioned (or adopted) already, its Quota_In_Bytes is an agreement."""
    provisioned = old_plugin(quota_tb='12', agreed_tb=10, ECS_Claim='smith-lab:lab-smith-lab-bucket',
                             Namespace='smith-lab', Bucket='lab-smith-lab-bucket', Bucket_Quota_In_Bytes=str(10 * TB))
    ledger = MemoryLedger(claims={1: ('smith-lab', 'lab-smith-lab-bucket')})
    outcome, _ecs, _ledger = run([provisioned], MemoryEcs(space('smith-lab', 10240)), ledger)
    result = by_id(outcome)[1]
    assert failed(result, outcomes.CONFLICT, 'conflict') and result['record'] == {} and outcome['records'] == []


def test_quota_equal_in_whole_gb_is_agreed():
    ecs = MemoryEcs(space('smith-lab', 2561))             # 2.5 TB + a fraction of a GB rounds up to 2561 GB
    outcome, _ecs, _ledger = run([view(quota_tb='2.5001')], ecs)
    assert by_id(outcome)[1]['action'] == 'adopted'
    assert by_id(outcome)[1]['record']['Quota_In_Bytes'] == 2561 * GB


def test_no_coldfront_quota_takes_the_ecs_quota_as_the_baseline():
    ecs = MemoryEcs(space('smith-lab', 5120, bucket_gb=-1))
    outcome, _ecs, _ledger = run([view(quota_tb=None)], ecs)
    record = by_id(outcome)[1]['record']
    assert record['Quota_In_Bytes'] == 5 * TB and record['Storage Quota (TB)'] == 5
    assert record['Bucket_Quota_In_Bytes'] == -1


def test_unlimited_on_both_sides_is_agreed_as_unlimited():
    ecs = MemoryEcs(space('smith-lab', -1))
    outcome, _ecs, _ledger = run([view(quota_tb='-1')], ecs)
    assert by_id(outcome)[1]['record']['Quota_In_Bytes'] == -1


def test_unlimited_on_ecs_only_is_a_conflict_with_its_fix():
    outcome, _ecs, _ledger = run([view()], MemoryEcs(space('smith-lab', -1)))
    assert failed(by_id(outcome)[1], outcomes.CONFLICT, 'conflict')
    assert 'set Storage Quota (TB) to -1' in outcome['failures'][0]     # the fix


# ---- re-runs, check mode, diff --------------------------------------------------------------------------------

def adopted_view():
    return old_plugin(ECS_Claim='smith-lab:lab-smith-lab-bucket', Namespace='smith-lab', Bucket='lab-smith-lab-bucket',
                      Bucket_Quota_In_Bytes=str(10 * TB))


def test_second_run_records_nothing():
    ecs = MemoryEcs(space('smith-lab'))
    ledger = MemoryLedger(claims={1: ('smith-lab', 'lab-smith-lab-bucket')},
                          records={1: ('smith-lab', 'lab-smith-lab-bucket')})
    outcome, _ecs, ledger = run([adopted_view()], ecs, ledger)
    result = by_id(outcome)[1]
    assert result['action'] == 'already_adopted' and result['record'] == {} and not result['claimed']
    assert outcome['records'] == [] and outcome['claims'] == [] and not outcome['changed']
    assert ledger.written == [] and outcome['diff'] == {'before': {}, 'after': {}}


def test_recording_the_federation_is_a_change():
    ecs = MemoryEcs(space('smith-lab'))
    ledger = MemoryLedger(claims={1: ('smith-lab', 'lab-smith-lab-bucket')}, changed_federation=True)
    outcome, _ecs, _ledger = run([adopted_view()], ecs, ledger)
    assert by_id(outcome)[1]['action'] == 'already_adopted' and outcome['changed']


def test_check_mode_predicts_the_same_and_diff_shows_coldfront_before_and_after():
    views = [old_plugin(agreed_tb=None)]
    predicted, _ecs, _ledger = run(views, MemoryEcs(space('smith-lab')), check_mode=True)
    done, _ecs, _ledger = run(views, MemoryEcs(space('smith-lab')))
    assert predicted['results'] == done['results'] and predicted['records'] == done['records']
    key = 'allocation 1 smith-lab:lab-smith-lab-bucket'
    assert done['diff']['before'][key] == {'Namespace': None, 'Bucket': None, 'Quota_In_Bytes': None,
                                           'Bucket_Quota_In_Bytes': None, 'ECS_Claim': None}
    assert done['diff']['after'][key]['ECS_Claim'] == 'smith-lab:lab-smith-lab-bucket'
    assert done['diff']['after'][key]['Quota_In_Bytes'] == 10 * TB


def test_attribute_names_follow_the_settings():
    ecs = MemoryEcs(space('smith-lab'))
    outcome = Adopter(ecs, Settings({'quota_bytes': 'Quota Bytes', 'claim': 'Owner'}), ledger=MemoryLedger()).run(
        [view()])
    assert 'Quota Bytes' in outcome['results'][0]['record'] and outcome['claims'][0]['name'] == 'Owner'
