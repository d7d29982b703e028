"""ecs_usage_info against the simulator: content, units, ECS call counts per API flavour, failures returned."""

import pytest

from integration.ecs.ecs_playbooks import failure, only, task

pytestmark = pytest.mark.simulator

COUNT = 60


def seed_world(count):
    """``count`` namespaces lab-0.. with two buckets each; lab-0 has no quota."""
    namespaces = {}
    for i in range(count):
        quota = {'blockSize': -1, 'notificationSize': -1} if i == 0 else {'blockSize': 10 * i, 'notificationSize': 9 * i}
        namespaces['lab-%d' % i] = {'vpool': 'rg1', 'quota': quota, 'buckets': {
            'data': {'usage': {'bytes': 1536 * i, 'objects': i}},
            'scratch': {'usage': {'bytes': 1024, 'objects': 1}}}}
    return {'namespaces': namespaces}


@pytest.mark.parametrize('namespace_list, batch_billing, expected_calls', [
    ('brief', False, 2 * COUNT + 3),   # capacity, list, batch probe (refused), quota + billing per namespace
    ('brief', True, COUNT + 3),        # capacity, list, quota per namespace, one batch (60 <= 100 per batch)
    ('full', False, COUNT + 3),        # capacity, list (with quotas), batch probe (refused), billing per namespace
    ('full', True, 3),                 # capacity, list (with quotas), one batch
])
def test_call_counts_and_content(ecs_play, ecs_sim, namespace_list, batch_billing, expected_calls):
    ecs_sim.seed(seed_world(COUNT))
    ecs_sim.config(namespace_list=namespace_list, batch_billing=batch_billing)
    result = ecs_play([task('usage', 'ecs_usage_info', max_workers=4)])
    assert result.rc == 0, result.output
    usage = only(result, 'usage')

    assert usage['api_features'] == {'batch_billing': batch_billing, 'full_namespace_list': namespace_list == 'full'}
    assert usage['ecs_calls'] == expected_calls
    assert usage['ecs_calls'] * 100 <= 205 * COUNT  # at most 2.05 calls per namespace
    stats = ecs_sim.stats()
    assert stats['total'] - stats['requests']['GET /login'] - stats['requests']['GET /logout'] == expected_calls
    assert stats['logins'] == 1

    assert usage['failures'] == []
    assert usage['capacity']['total_provisioned_gb'] == 2578400 and usage['capacity']['total_used_gb'] == 2578400 - 1272085
    assert len(usage['namespaces']) == COUNT and len(usage['usage']) == COUNT
    assert usage['namespaces']['lab-3'] == {'name': 'lab-3', 'hard_quota_gb': 30, 'soft_quota_gb': 27}
    assert usage['allocated_gb'] == sum(10 * i for i in range(1, COUNT))
    assert usage['unlimited_namespaces'] == ['lab-0']
    lab = usage['usage']['lab-3']
    assert lab['total_size_kb'] == 5.5 and lab['total_size_bytes'] == 3 * 1536 + 1024 and lab['total_objects'] == 4
    assert lab['bucket_count'] == 2
    assert lab['buckets']['data'] == dict(lab['buckets']['data'], name='data', size_kb=4.5, size_bytes=4608, objects=3)
    assert lab['buckets']['scratch']['size_kb'] == 1 and lab['buckets']['scratch']['size_bytes'] == 1024


def test_failures_are_returned_not_fatal(ecs_play, ecs_sim):
    ecs_sim.seed(seed_world(5))
    ecs_sim.config(namespace_list='brief', batch_billing=False)
    ecs_sim.faults(fail_next=[
        {'route': 'GET /object/capacity', 'status': 500, 'count': 1, 'retryable': False},
        {'route': 'GET /object/billing/namespace/{namespace}/info', 'match': 'lab-3', 'status': 500, 'count': 10,
         'retryable': False},
        {'route': 'GET /object/namespaces/namespace/{id}/quota', 'match': 'lab-4', 'status': 503, 'count': 10},
    ])
    result = ecs_play([
        task('endpoint unusable', 'ecs_usage_info', ignore_errors=True),
        task('usage', 'ecs_usage_info', namespaces=['lab-1', 'lab-3', 'lab-4', 'ghost'], retries=1),
    ])
    assert result.rc == 0, result.output
    unusable = failure(result, 'endpoint unusable')['error']
    assert (unusable['method'], unusable['path'], unusable['status']) == ('GET', '/object/capacity', 500), unusable

    usage = only(result, 'usage')
    failures = {(f['namespace'], f['path']): f for f in usage['failures']}
    assert set(failures) == {('lab-3', '/object/billing/namespace/lab-3/info'),
                             ('lab-4', '/object/namespaces/namespace/lab-4/quota'), ('ghost', None)}
    billing = failures[('lab-3', '/object/billing/namespace/lab-3/info')]
    assert (billing['method'], billing['status'], 'bucket' in billing) == ('GET', 500, False)
    assert billing['code'] is not None and billing['message']
    assert failures[('lab-4', '/object/namespaces/namespace/lab-4/quota')]['status'] == 503
    assert 'does not exist' in failures[('ghost', None)]['message']
    assert sorted(usage['usage']) == ['lab-1', 'lab-4']
    assert usage['namespaces']['lab-4'] == {'name': 'lab-4', 'hard_quota_gb': None, 'soft_quota_gb': None}
    assert usage['namespaces']['lab-2']['hard_quota_gb'] == 20
    assert usage['allocated_gb'] == 10 + 20 + 30


def test_bucket_quotas_cost_one_bucket_list_per_requested_namespace(ecs_play, ecs_sim):
    world = seed_world(4)
    world['namespaces']['lab-2']['buckets']['data']['quota'] = {'blockSize': 5, 'notificationSize': 4}
    ecs_sim.seed(world)
    ecs_sim.config(namespace_list='full', batch_billing=True)
    result = ecs_play([task('usage', 'ecs_usage_info', namespaces=['lab-1', 'lab-2'], bucket_quotas=True)])
    assert result.rc == 0, result.output
    usage = only(result, 'usage')
    assert usage['ecs_calls'] == 3 + 2 and ecs_sim.stats()['requests']['GET /object/bucket'] == 2
    assert usage['bucket_quotas'] is True and usage['unread_bucket_quotas'] == [] and usage['failures'] == []
    buckets = usage['usage']['lab-2']['buckets']
    assert (buckets['data']['hard_quota_gb'], buckets['data']['soft_quota_gb']) == (5, 4)
    assert (buckets['scratch']['hard_quota_gb'], buckets['scratch']['soft_quota_gb']) == (-1, -1)
