"""ecs_usage_info logic on a scripted ECS: units, call counts, batch detection and fallback, failures kept."""

import json
import threading

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsApiError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import RetryPolicy
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.usage import (
    Cancelled, capacity_summary, collect_usage, namespace_usage, size_kb)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.ecs_client import EcsClient
from support.ecs_fakes import PASSWORD, FakeEcs, FakeResponse

CAPACITY = FakeResponse(200, {'totalProvisioned_gb': 2048, 'totalFree_gb': 1024})
BATCH = '/object/billing/namespace/info'


def billing(name, kb, buckets=()):
    return {'namespace': name, 'total_size': kb, 'total_size_unit': 'KB', 'total_objects': len(buckets),
            'sample_time': '2026-01-01T00:05:00Z',
            'bucket_billing_info': [{'name': b, 'total_size': kb, 'total_size_unit': 'KB', 'total_objects': 1} for b in buckets]}


def run(handlers, **kwargs):
    ecs = FakeEcs(dict(handlers))
    ecs.handlers[('GET', '/object/capacity')] = CAPACITY
    policy = RetryPolicy(retries=1, sleep=lambda _s: None)
    with EcsClient('ecs', 'root', PASSWORD, session_factory=ecs.session, retry_policy=policy, max_workers=3) as client:
        result = collect_usage(client, **kwargs)
    assert ecs.live == set()
    return result, ecs


def brief_list(names):
    return FakeResponse(200, {'namespace': [{'id': n, 'name': n} for n in names]})


def quota(hard):
    return FakeResponse(200, {'blockSize': hard, 'notificationSize': hard if hard < 0 else hard * 9 // 10})


def test_sizes_in_kb_and_bytes():
    assert size_kb({'total_size': 3, 'total_size_unit': 'KB'}) == 3
    assert size_kb({'total_size': 2, 'total_size_unit': 'MB'}) == 2048
    assert size_kb({'total_size': 1, 'total_size_unit': 'GiB'}) == 1024 ** 2
    assert size_kb({'total_size_in_gb': 0.5}) == 512 * 1024
    assert size_kb({}) is None
    with pytest.raises(ValueError):
        size_kb({'total_size': 1, 'total_size_unit': 'parsecs'})
    usage = namespace_usage('ns1', billing('ns1', 10.0, ['b1']))
    assert usage['total_size_kb'] == 10 and usage['total_size_bytes'] == 10240
    assert usage['buckets']['b1'] == {'name': 'b1', 'size_kb': 10, 'size_bytes': 10240, 'objects': 1, 'sample_time': None,
                                      'hard_quota_gb': None, 'soft_quota_gb': None}
    assert capacity_summary({'totalProvisioned_gb': 2048, 'totalFree_gb': 1024}) == {
        'total_provisioned_gb': 2048, 'total_free_gb': 1024, 'total_used_gb': 1024,
        'total_provisioned_tb': 2.0, 'total_free_tb': 1.0, 'total_used_tb': 1.0}


def test_brief_list_without_batch_is_two_calls_per_namespace_plus_constant():
    names = ['ns%d' % i for i in range(6)]
    handlers = {('GET', '/object/namespaces'): brief_list(names),
                ('POST', BATCH): FakeResponse(404, {'code': 2000, 'description': 'No API resource matches'})}
    for i, name in enumerate(names):
        handlers[('GET', '/object/namespaces/namespace/%s/quota' % name)] = quota(-1 if i == 0 else 100 * i)
        handlers[('GET', '/object/billing/namespace/%s/info' % name)] = FakeResponse(200, billing(name, i, ['b']))
    result, ecs = run(handlers)
    assert result['ecs_calls'] == 2 * 6 + 3 == len(ecs.calls) - 2
    assert result['api_features'] == {'batch_billing': False, 'full_namespace_list': False}
    assert result['allocated_gb'] == 100 + 200 + 300 + 400 + 500
    assert result['unlimited_namespaces'] == ['ns0']
    assert result['namespaces']['ns2'] == {'name': 'ns2', 'hard_quota_gb': 200, 'soft_quota_gb': 180}
    assert result['usage']['ns3']['total_size_bytes'] == 3 * 1024
    assert result['failures'] == []


def test_full_list_and_batch_billing_need_about_one_call_in_total():
    names = ['ns%d' % i for i in range(150)]
    items = [{'id': n, 'name': n, 'blockSize': 10, 'notificationSize': 9} for n in names]

    def batch(data, **_kwargs):
        ids = json.loads(data)['id']
        return FakeResponse(200, {'namespace_billing_infos': [billing(n, 1) for n in ids]})

    result, ecs = run({('GET', '/object/namespaces'): FakeResponse(200, {'namespace': items}), ('POST', BATCH): batch})
    assert result['api_features'] == {'batch_billing': True, 'full_namespace_list': True}
    assert result['ecs_calls'] == 1 + 1 + 2  # capacity, list, two batches of at most 100
    assert len(result['usage']) == 150 and result['allocated_gb'] == 1500
    assert [len(c[3]['id']) for c in ecs.calls_to('POST', BATCH)] == [100, 50]


def test_failures_are_returned_per_namespace_and_missing_ones_reported():
    handlers = {('GET', '/object/namespaces'): brief_list(['good', 'bad']),
                ('POST', BATCH): FakeResponse(405, {'code': 1007, 'description': 'Method not supported'}),
                ('GET', '/object/namespaces/namespace/good/quota'): quota(10),
                ('GET', '/object/namespaces/namespace/bad/quota'): FakeResponse(500, {'code': 7000, 'description': 'boom'}),
                ('GET', '/object/billing/namespace/good/info'): FakeResponse(200, billing('good', 5, ['b1', 'b2'])),
                ('GET', '/object/billing/namespace/bad/info'): FakeResponse(503, {'code': 6000, 'retryable': True,
                                                                                  'description': 'unavailable'})}
    result, _ecs = run(handlers, namespaces=['good', 'bad', 'ghost'])
    failures = sorted(result['failures'], key=lambda f: (f['namespace'], f['path'] or ''))
    assert [(f['namespace'], f['method'], f['path'], f['status'], f['code']) for f in failures] == [
        ('bad', 'GET', '/object/billing/namespace/bad/info', 503, 6000),
        ('bad', 'GET', '/object/namespaces/namespace/bad/quota', 500, 7000),
        ('ghost', None, None, None, None)]
    assert 'does not exist' in failures[2]['message']
    assert all(sorted(f) == ['code', 'message', 'method', 'namespace', 'path', 'status'] for f in failures)
    assert list(result['usage']) == ['good'] and result['usage']['good']['bucket_count'] == 2
    assert result['namespaces']['bad'] == {'name': 'bad', 'hard_quota_gb': None, 'soft_quota_gb': None}
    assert result['allocated_gb'] == 10


def test_batch_answer_missing_a_namespace_falls_back_for_that_one():
    handlers = {('GET', '/object/namespaces'): brief_list(['a', 'b']),
                ('POST', BATCH): FakeResponse(200, {'namespace_billing_info': [billing('a', 1)]}),
                ('GET', '/object/namespaces/namespace/a/quota'): quota(1),
                ('GET', '/object/namespaces/namespace/b/quota'): quota(2),
                ('GET', '/object/billing/namespace/b/info'): FakeResponse(200, billing('b', 2))}
    result, ecs = run(handlers)
    assert set(result['usage']) == {'a', 'b'} and result['api_features']['batch_billing']
    assert len(ecs.calls_to('GET', '/object/billing/namespace/b/info')) == 1
    assert not ecs.calls_to('GET', '/object/billing/namespace/a/info')


def test_endpoint_failures_are_fatal():
    ecs = FakeEcs({('GET', '/object/capacity'): FakeResponse(403, {'code': 3000, 'description': 'Insufficient permissions'})})
    with pytest.raises(EcsApiError) as info:
        with EcsClient('ecs', 'root', PASSWORD, session_factory=ecs.session) as client:
            collect_usage(client)
    assert (info.value.call, info.value.status, info.value.code) == ('GET /object/capacity', 403, 3000)
    assert ecs.live == set()


def test_names_ecs_would_refuse_are_failures_and_never_reach_a_url():
    handlers = {('GET', '/object/namespaces'): brief_list(['good']),
                ('GET', '/object/namespaces/namespace/good/quota'): quota(10),
                ('GET', '/object/billing/namespace/good/info'): FakeResponse(200, billing('good', 1.0))}
    result, ecs = run(handlers, namespaces=['good', '../../etc', 'sp ace'], batch_billing=False)
    refused = [f for f in result['failures'] if f['method'] is None]
    assert [f['namespace'] for f in refused] == ['../../etc', 'sp ace']
    assert all('is not valid on ECS' in f['message'] and 'fix the namespace recorded in ColdFront' in f['message']
               for f in refused)
    assert list(result['usage']) == ['good']
    assert not [path for _method, path, *_rest in ecs.calls if '..' in path or ' ' in path]


def bucket_list(quotas):
    """The bucket list of each namespace (``params['namespace']``): ``{namespace: {bucket: (hard, soft) | error}}``."""
    def answer(params=None, **_kwargs):
        found = quotas[params['namespace']]
        if isinstance(found, FakeResponse):
            return found
        return FakeResponse(200, {'object_bucket': [{'name': name, 'namespace': params['namespace'], 'block_size': hard,
                                                     'notification_size': soft} for name, (hard, soft) in found.items()],
                                  'NextMarker': ''})
    return answer


def test_bucket_quotas_are_read_from_the_bucket_list_only_when_asked():
    handlers = {('GET', '/object/namespaces'): brief_list(['a', 'b', 'c']),
                ('POST', BATCH): FakeResponse(405, {'code': 1007, 'description': 'Method not supported'}),
                ('GET', '/object/bucket'): bucket_list({
                    'a': {'a1': (10, 9), 'a2': (-1, -1)},
                    'b': FakeResponse(500, {'code': 7000, 'description': 'boom'})})}
    for name in 'abc':
        handlers[('GET', '/object/namespaces/namespace/%s/quota' % name)] = quota(20)
        handlers[('GET', '/object/billing/namespace/%s/info' % name)] = FakeResponse(
            200, billing(name, 1, ['%s1' % name, '%s2' % name]))
    plain, ecs = run(handlers, namespaces=['a', 'b'])
    assert not ecs.calls_to('GET', '/object/bucket') and plain['bucket_quotas'] is False
    assert plain['usage']['a']['buckets']['a1']['hard_quota_gb'] is None and plain['unread_bucket_quotas'] == []

    result, ecs = run(handlers, namespaces=['a', 'b'], bucket_quotas=True)
    assert sorted(c[2]['namespace'] for c in ecs.calls_to('GET', '/object/bucket')) == ['a', 'b']    # only the asked ones
    assert result['ecs_calls'] == plain['ecs_calls'] + 2 and result['bucket_quotas'] is True
    buckets = result['usage']['a']['buckets']
    assert [(b['hard_quota_gb'], b['soft_quota_gb']) for b in (buckets['a1'], buckets['a2'])] == [(10, 9), (-1, -1)]
    assert result['unread_bucket_quotas'] == ['b']
    assert result['usage']['b']['buckets']['b1']['hard_quota_gb'] is None        # usage still there, quota unknown
    failure = [f for f in result['failures'] if f['path'] == '/object/bucket']
    assert [(f['namespace'], f['status'], f['code']) for f in failure] == [('b', 500, 7000)]


def test_namespaces_given_as_a_callable_are_asked_for_once_every_quota_is_read():
    names = ['ns0', 'ns1', 'ns2']
    ecs = FakeEcs({('GET', '/object/namespaces'): brief_list(names), ('GET', '/object/capacity'): CAPACITY,
                   ('POST', BATCH): FakeResponse(404, {'code': 2000, 'description': 'No API resource matches'})})
    for i, name in enumerate(names):
        ecs.handlers[('GET', '/object/namespaces/namespace/%s/quota' % name)] = quota(100 * (i + 1))
        ecs.handlers[('GET', '/object/billing/namespace/%s/info' % name)] = FakeResponse(200, billing(name, i, ['b']))
    quota_reads_when_asked = []

    def namespaces():
        quota_reads_when_asked.append(len([call for call in ecs.calls if call[1].endswith('/quota')]))
        return ['ns2', 'ns0', 'ns2']
    with EcsClient('ecs', 'root', PASSWORD, session_factory=ecs.session, max_workers=3) as client:
        result = collect_usage(client, namespaces)
    assert quota_reads_when_asked == [3]              # asked once, after every quota was read
    assert sorted(result['usage']) == ['ns0', 'ns2'] and result['allocated_gb'] == 600
    assert sorted(call[1] for call in ecs.calls if '/billing/namespace/ns' in call[1]) == [
        '/object/billing/namespace/ns0/info', '/object/billing/namespace/ns2/info']


def test_a_cancelled_reading_stops_its_quota_reads_and_never_bills():
    names = ['ns%d' % i for i in range(40)]
    ecs = FakeEcs({('GET', '/object/namespaces'): brief_list(names), ('GET', '/object/capacity'): CAPACITY})
    cancelled = threading.Event()
    answered = []

    def quota_then_cancel(**_call):
        answered.append(1)
        if len(answered) == 5:
            cancelled.set()                           # the caller gives up while the quotas are read
        return quota(100)
    for name in names:
        ecs.handlers[('GET', '/object/namespaces/namespace/%s/quota' % name)] = quota_then_cancel
        ecs.handlers[('GET', '/object/billing/namespace/%s/info' % name)] = FakeResponse(200, billing(name, 1, ['b']))
    with pytest.raises(Cancelled):
        with EcsClient('ecs', 'root', PASSWORD, session_factory=ecs.session, max_workers=2) as client:
            collect_usage(client, lambda: names, cancelled=cancelled)
    assert 5 <= len(answered) <= 6                    # the call in flight ends; no new one starts
    assert not [call for call in ecs.calls if '/billing/' in call[1]]
    assert ecs.live == set()                          # the session still logged out
