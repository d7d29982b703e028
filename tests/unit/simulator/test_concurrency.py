"""Concurrent clients: every request answered correctly, counters exact, creates serialised."""

from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.simulator

THREADS, CALLS = 8, 50


def test_parallel_reads_are_all_answered_and_counted(ecs_sim):
    ecs_sim.seed({'namespaces': {'ns%d' % index: {'quota': {'blockSize': index + 1, 'notificationSize': 1}}
                                 for index in range(THREADS)}})
    sessions = [ecs_sim.api() for _attempt in range(THREADS)]
    ecs_sim.reset_stats()

    def worker(index):
        results = []
        for _attempt in range(CALLS):
            response = sessions[index].get('/object/namespaces/namespace/ns%d/quota' % index)
            results.append((response.status_code, response.json()['blockSize']))
        return results

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(worker, range(THREADS)))
    assert results == [[(200, index + 1)] * CALLS for index in range(THREADS)]
    stats = ecs_sim.stats()
    assert stats['requests'] == {'GET /object/namespaces/namespace/{id}/quota': THREADS * CALLS}
    assert (stats['total'], stats['by_status']) == (THREADS * CALLS, {'200': THREADS * CALLS})


def test_concurrent_creates_of_one_namespace_succeed_once(ecs_sim, rg_ids):
    sessions = [ecs_sim.api() for _attempt in range(THREADS)]
    body = {'namespace': 'race', 'default_data_services_vpool': rg_ids['rg1']}
    with ThreadPoolExecutor(THREADS) as pool:
        responses = list(pool.map(lambda session: session.post('/object/namespaces/namespace', json=body), sessions))
    codes = sorted(response.status_code for response in responses)
    assert codes == [200] + [400] * (THREADS - 1)
    assert {response.json()['code'] for response in responses if response.status_code == 400} == {1008}


def test_concurrent_bucket_creates_and_quota_writes_stay_consistent(ecs_sim):
    ecs_sim.seed({'namespaces': {'lab': {'vpool': 'rg1'}}})
    sessions = [ecs_sim.api() for _attempt in range(THREADS)]

    def worker(index):
        session = sessions[index]
        for number in range(10):
            name = 'b%d-%d' % (index, number)
            assert session.post('/object/bucket', json={'name': name, 'namespace': 'lab'}).status_code == 200
            quota = {'namespace': 'lab', 'blockSize': number + 1, 'notificationSize': 1}
            assert session.put('/object/bucket/%s/quota' % name, json=quota).status_code == 200

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    buckets = ecs_sim.state()['namespaces']['lab']['buckets']
    assert len(buckets) == THREADS * 10
    assert all(bucket['quota']['blockSize'] == int(name.split('-')[1]) + 1 for name, bucket in buckets.items())
