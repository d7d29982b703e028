"""The sync plan (ECS -> ColdFront) as pure data: values, decisions, drift, alerts."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import sync_plan
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import merge_settings

TB = 1024 ** 4
SETTINGS = merge_settings()


def view(id_=1, namespace='smith-lab', bucket='lab-smith-lab-bucket', quota_tb=10.0, quota_bytes=10 * TB,
         provisioned=True, errors=()):
    return {'id': id_, 'project': 'Smith Lab', 'namespace': namespace, 'bucket': bucket, 'quota_tb': quota_tb,
            'quota_bytes': quota_bytes, 'provisioned': provisioned, 'errors': list(errors)}


def usage(namespaces=None, billing=None, failures=(), provisioned_gb=10240, free_gb=4096):
    namespaces = namespaces if namespaces is not None else {'smith-lab': 10240}
    return {'endpoint': 'https://ecs:4443',
            'capacity': {'total_provisioned_gb': provisioned_gb, 'total_free_gb': free_gb},
            'namespaces': dict((n, {'name': n, 'hard_quota_gb': q, 'soft_quota_gb': q}) for n, q in namespaces.items()),
            'allocated_gb': sum(q for q in namespaces.values() if q and q > 0),
            'unlimited_namespaces': sorted(n for n, q in namespaces.items() if q == -1),
            'usage': billing if billing is not None else {'smith-lab': {
                'total_size_kb': 1.5, 'buckets': {'lab-smith-lab-bucket': {'size_kb': 1.5}}}},
            'failures': list(failures)}


def plan(views, data):
    return sync_plan.plan_sync('ecs-east', views, data, SETTINGS)


def items(result):
    return dict(((i['allocation_id'], i['name']), dict((k, v) for k, v in i.items() if k in ('value', 'usage')))
                for i in result['allocation_attributes'])


def test_in_sync_allocation_gets_usage_only_one_item_per_attribute():
    result = plan([view()], usage())
    assert items(result) == {(1, 'Storage Quota (TB)'): {'usage': 1.5 / 1024 ** 3},
                             (1, 'Quota_In_Bytes'): {'usage': 1536}}
    assert result['allocations'][0]['status'] == 'synced'
    assert result['resource_attributes'] == [
        {'resource': 'ecs-east', 'name': 'allocated_tb', 'value': '10'},
        {'resource': 'ecs-east', 'name': 'capacity_tb', 'value': '10'},
        {'resource': 'ecs-east', 'name': 'used_tb', 'value': '6'}]


def test_ecs_change_is_pulled_and_unlimited_written_as_minus_one():
    result = plan([view()], usage(namespaces={'smith-lab': -1}))
    assert items(result)[(1, 'Storage Quota (TB)')]['value'] == '-1'
    assert items(result)[(1, 'Quota_In_Bytes')]['value'] == '-1'
    assert result['unlimited_namespaces'] == ['smith-lab']
    assert result['resource_attributes'][0]['value'] == '0'           # allocated leaves unlimited out


def test_first_sync_records_the_agreed_value():
    result = plan([view(quota_bytes=None)], usage())
    assert items(result)[(1, 'Quota_In_Bytes')]['value'] == str(10 * TB)
    assert 'value' not in items(result)[(1, 'Storage Quota (TB)')]


def test_skips_are_reported_with_reasons():
    views = [view(1, provisioned=False), view(2, errors=['allocation 2: bad quota']),
             view(3, namespace='gone-lab'), view(4, namespace='broken-lab')]
    data = usage(namespaces={'smith-lab': 10240, 'broken-lab': 1024, 'orphan': 1},
                 failures=[{'namespace': 'broken-lab', 'method': 'GET', 'path': '/object/billing/namespace/broken-lab/info',
                            'message': 'HTTP 500'}])
    result = plan(views, data)
    kinds = dict((a['allocation_id'], a['kind']) for a in result['allocations'])
    assert kinds == {1: 'not_provisioned', 2: 'invalid_data', 3: 'namespace_missing', 4: 'unreadable'}
    reasons = dict((a['allocation_id'], a['reason']) for a in result['allocations'])
    assert reasons[2] == 'allocation 2: bad quota'                      # the allocation's own error, passed on
    assert 'HTTP 500' in reasons[4]                                      # the ECS failure is quoted
    assert result['drift']['missing_namespaces'] == [{'allocation_id': 3, 'project': 'Smith Lab', 'namespace': 'gone-lab'}]
    assert result['drift']['unclaimed_namespaces'] == ['orphan']       # smith-lab is claimed, even unprovisioned
    assert result['allocation_attributes'] == []
    assert result['counts'] == {'synced': 0, 'skipped': 4, 'pending_push': 0, 'conflict': 0}


def test_missing_bucket_is_drift_not_a_skip():
    result = plan([view()], usage(billing={'smith-lab': {'total_size_kb': 0, 'buckets': {}}}))
    assert result['drift']['missing_buckets'] == [{'allocation_id': 1, 'project': 'Smith Lab', 'namespace': 'smith-lab',
                                                   'bucket': 'lab-smith-lab-bucket'}]
    assert result['allocations'][0]['status'] == 'synced'


def test_pending_push_and_conflict():
    pending = plan([view(quota_tb=20.0)], usage())
    assert pending['allocations'][0]['status'] == pending['allocations'][0]['kind'] == 'pending_push'
    assert 'value' not in items(pending)[(1, 'Storage Quota (TB)')]
    conflict = plan([view(quota_tb=20.0)], usage(namespaces={'smith-lab': 5120}))
    assert conflict['allocations'][0]['status'] == conflict['allocations'][0]['kind'] == 'conflict'
    assert all('value' not in item for item in items(conflict).values())


def test_alerts_from_the_synced_values():
    data = usage(billing={'smith-lab': {'total_size_kb': 9.5 * 1024 ** 3, 'buckets': {}}})
    result = plan([view()], data)
    found = sync_plan.alerts(result['quota_tree'], 0.9)
    assert [(a['kind'], a['name'], a['level'], a['percent']) for a in found] == [('namespace', 'smith-lab', 'warning', 95.0)]
    assert sync_plan.alerts(result['quota_tree'], 0.96) == []
    over = sync_plan.alerts(result['quota_tree'], 0.9, overcommit=0.5)         # 10 TB allocated of 10 TB x 0.5
    assert ('resource', 'allocated', 'exceeded') in [(a['kind'], a['quota'], a['level']) for a in over]


def test_unread_namespace_quota_keeps_allocated_and_says_why():
    # orphan-lab's quota read failed (ecs_usage_info gives hard_quota_gb None): the sum would be 10 TB, not 10 TB + orphan's.
    data = usage(namespaces={'smith-lab': 10240, 'orphan-lab': None, 'open-lab': -1},
                 failures=[{'namespace': 'orphan-lab', 'method': 'GET', 'path': '/object/namespaces/namespace/orphan-lab/quota',
                            'message': 'HTTP 503'}])
    result = plan([view()], data)
    names = [item['name'] for item in result['resource_attributes']]
    assert names == ['capacity_tb', 'used_tb']                         # allocated_tb not written, the others are
    assert result['unread_quota_namespaces'] == ['orphan-lab']
    [issue] = result['issues']
    assert (issue['kind'], issue['allocation_id']) == ('allocated_not_written', None)
    assert issue['namespaces'] == ['orphan-lab']
    assert result['problems'] == [issue['message']]
    assert 'GET /object/namespaces/namespace/orphan-lab/quota: HTTP 503' in issue['message']   # the first error quoted
    assert result['allocations'][0]['status'] == 'synced'              # smith-lab's own quota was read: it syncs


def test_unread_quota_without_failure_detail_and_custom_attribute_name():
    data = usage(namespaces={'smith-lab': None})
    result = sync_plan.plan_sync('ecs-east', [view()], data, SETTINGS, {'allocated': 'Allocated TB'})
    assert 'Allocated TB' not in [item['name'] for item in result['resource_attributes']]
    issues = [(issue['kind'], issue['namespaces']) for issue in result['issues']]
    assert issues == [('allocated_not_written', ['smith-lab'])]
    assert result['problems'][0].startswith('resource ecs-east: Allocated TB was not written')   # the name given
    assert result['allocations'][0]['kind'] == 'unreadable'


def test_all_quotas_read_writes_allocated_and_no_problem():
    result = plan([view()], usage(namespaces={'smith-lab': 10240, 'open-lab': -1}))
    assert result['problems'] == [] and result['unread_quota_namespaces'] == []
    assert {'resource': 'ecs-east', 'name': 'allocated_tb', 'value': '10'} in result['resource_attributes']


def two_buckets(namespace_kb, bucket_quotas=None, unread=()):
    """smith-lab (quota 10 TB) with a full bucket (9.5 TB) and a small one; bucket quotas (GB) as ecs_usage_info reads them."""
    quotas = bucket_quotas or {}
    buckets = dict((name, {'size_kb': kb, 'hard_quota_gb': quotas.get(name)})
                   for name, kb in (('lab-smith-lab-bucket', 9.5 * 1024 ** 3), ('scratch', 1024 ** 2)))
    data = usage(billing={'smith-lab': {'total_size_kb': namespace_kb, 'buckets': buckets}})
    data.update(bucket_quotas=bucket_quotas is not None, unread_bucket_quotas=list(unread))
    return data


def bucket_alerts(result, threshold=0.9):
    """The bucket alerts: the ``buckets`` detail of the one alert per allocation (never an alert of their own)."""
    found = sync_plan.alerts(result['quota_tree'], threshold)
    allocation_alerts = [a for a in found if a['kind'] != 'resource']
    assert len(allocation_alerts) == len(set(a['allocation_id'] for a in allocation_alerts))
    return [(b['name'], a['namespace'], a['allocation_id'], b['limit'], b['percent'], b['level'])
            for a in found for b in a['buckets']]


def test_bucket_limits_from_the_namespace_quota():
    result = sync_plan.plan_sync('ecs-east', [view()], two_buckets(9.6 * 1024 ** 3), SETTINGS, bucket_limits='namespace')
    assert bucket_alerts(result) == [('lab-smith-lab-bucket', 'smith-lab', 1, 10.0, 95.0, 'warning')]
    namespace = result['quota_tree']['namespaces'][0]
    assert [b.get('limit') for b in namespace['buckets']] == [10.0, 10.0]
    unlimited = sync_plan.plan_sync('ecs-east', [view()], dict(two_buckets(0), namespaces={
        'smith-lab': {'name': 'smith-lab', 'hard_quota_gb': -1}}), SETTINGS, bucket_limits='namespace')
    assert bucket_alerts(unlimited) == []                       # a namespace without quota: its buckets have none


def test_bucket_limits_from_ecs_and_none():
    # The full bucket has its own 9.5 TB quota (exceeded at 100 %); the small one 1 TB; the namespace is at 96 %.
    data = two_buckets(9.6 * 1024 ** 3, bucket_quotas={'lab-smith-lab-bucket': 9728, 'scratch': 1024})
    result = sync_plan.plan_sync('ecs-east', [view()], data, SETTINGS, bucket_limits='ecs')
    assert bucket_alerts(result) == [('lab-smith-lab-bucket', 'smith-lab', 1, 9.5, 100.0, 'warning')]
    assert result['problems'] == [] and result['unread_bucket_quota_namespaces'] == []
    assert bucket_alerts(sync_plan.plan_sync('ecs-east', [view()], data, SETTINGS, bucket_limits='none')) == []
    assert bucket_alerts(plan([view()], data)) == []            # the plan's default: no bucket limits
    [namespace_alert] = sync_plan.alerts(plan([view()], data)['quota_tree'], 0.9)
    assert (namespace_alert['kind'], namespace_alert['percent']) == ('namespace', 96.0)


def test_bucket_limits_from_ecs_need_them_read_and_unread_ones_are_problems():
    with pytest.raises(ValueError, match='bucket_quotas: true'):
        sync_plan.plan_sync('ecs-east', [view()], two_buckets(0), SETTINGS, bucket_limits='ecs')
    with pytest.raises(ValueError, match='bucket_limits must be one of namespace, ecs, none'):
        sync_plan.plan_sync('ecs-east', [view()], two_buckets(0), SETTINGS, bucket_limits='bucket')
    data = two_buckets(9.6 * 1024 ** 3, bucket_quotas={}, unread=['smith-lab', 'not-synced'])
    data['failures'] = [{'namespace': 'smith-lab', 'method': 'GET', 'path': '/object/bucket', 'message': 'GET /object/bucket '
                         'failed (HTTP 503)'}]
    result = sync_plan.plan_sync('ecs-east', [view()], data, SETTINGS, bucket_limits='ecs')
    assert result['unread_bucket_quota_namespaces'] == ['smith-lab']   # only synced namespaces count
    [issue] = result['issues']
    assert (issue['kind'], issue['namespaces']) == ('bucket_quotas_unread', ['smith-lab'])
    assert result['problems'] == [issue['message']] and issue['message'].endswith('(HTTP 503))')  # first error quoted
    assert bucket_alerts(result) == [] and result['allocations'][0]['status'] == 'synced'
