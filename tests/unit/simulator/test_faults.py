"""Fault injection: seeded error rates, scoping, fail_next, resets, hangs, outages, token expiry, latency."""

import time

import pytest
import requests

from support.simulator import SimulatorError, ecs_error

pytestmark = pytest.mark.simulator


def statuses(api, count, path='/object/capacity'):
    """Status codes of `count` GETs."""
    return [api.get(path).status_code for _attempt in range(count)]


def test_error_rate_is_reproducible_with_a_seed(ecs_sim, api):
    ecs_sim.faults(error_rate=0.3, seed=42)
    first = statuses(api, 40)
    ecs_sim.faults(error_rate=0.3, seed=42)
    assert statuses(api, 40) == first
    assert set(first) == {200, 503}
    ecs_sim.faults(error_rate=0.3, seed=7)
    assert statuses(api, 40) != first


def test_injected_503_is_a_retryable_ecs_error(ecs_sim, api):
    ecs_sim.faults(error_rate=1)
    status, code, _details, retryable = ecs_error(api.get('/object/capacity'))
    assert (status, code, retryable) == (503, 6000, True)
    assert ecs_sim.stats()['by_status']['503'] == 1


def test_injected_error_status_code_and_retryable_are_configurable(ecs_sim, api):
    ecs_sim.faults(error_rate=1, error_status=500, error_code=30024, error_retryable=True)
    assert ecs_error(api.get('/object/capacity'))[::3] == (500, True)
    ecs_sim.faults(error_rate=1, error_status=500)
    assert ecs_error(api.get('/object/capacity'))[1:4:2] == (7000, False)


def test_error_rate_limited_to_routes(ecs_sim, api, lab):
    ecs_sim.faults(error_rate=1, routes=['GET /object/namespaces/namespace/{id}/quota'])
    assert api.get('/object/namespaces/namespace/lab/quota').status_code == 503
    assert api.get('/object/namespaces/namespace/lab').status_code == 200
    ecs_sim.faults(error_rate=1, routes=['/object/billing/*'])
    assert api.get('/object/billing/namespace/lab/info').status_code == 503
    assert api.get('/object/bucket/b1/info', params={'namespace': 'lab'}).status_code == 200


def test_error_rate_limited_to_one_namespace(ecs_sim, api):
    one_bucket = {'vpool': 'rg1', 'buckets': {'b': {}}}
    ecs_sim.seed({'namespaces': {'good': one_bucket, 'bad': one_bucket}})
    ecs_sim.faults(error_rate=1, match='bad')
    assert api.get('/object/namespaces/namespace/bad/quota').status_code == 503
    assert api.get('/object/bucket/b/info', params={'namespace': 'bad'}).status_code == 503  # query matches too
    assert api.get('/object/namespaces/namespace/good/quota').status_code == 200
    assert api.get('/object/bucket/b/info', params={'namespace': 'good'}).status_code == 200


def test_fail_next_counts_down(ecs_sim, api, lab):
    ecs_sim.faults(fail_next=[{'route': 'PUT /object/namespaces/namespace/{id}/quota', 'status': 500, 'count': 2}])
    body = {'blockSize': 5, 'notificationSize': 4}
    first = api.put('/object/namespaces/namespace/lab/quota', json=body)
    assert ecs_error(first)[::3] == (500, False)
    assert api.get('/object/namespaces/namespace/lab/quota').status_code == 200  # other routes unaffected
    assert api.put('/object/namespaces/namespace/lab/quota', json=body).status_code == 500
    plan = requests.get(ecs_sim.url + '/_sim/faults', verify=ecs_sim.ca_path, timeout=10).json()
    assert plan['fail_next'][0]['count'] == 0
    assert api.put('/object/namespaces/namespace/lab/quota', json=body).status_code == 200
    assert ecs_sim.state()['namespaces']['lab']['quota']['blockSize'] == 5


def test_fail_next_by_match_with_retryable_and_any_route(ecs_sim, api, lab):
    ecs_sim.faults(fail_next=[{'match': 'b2', 'status': 503, 'count': 1, 'retryable': True}])
    assert api.get('/object/bucket/b1/info', params={'namespace': 'lab'}).status_code == 200
    assert ecs_error(api.get('/object/bucket/b2/info', params={'namespace': 'lab'}))[::3] == (503, True)
    assert api.get('/object/bucket/b2/info', params={'namespace': 'lab'}).status_code == 200


def test_reset_rate_drops_the_connection(ecs_sim, api):
    ecs_sim.faults(reset_rate=1, routes=['GET /object/capacity'])
    with pytest.raises(requests.ConnectionError):
        api.get('/object/capacity')
    assert api.get('/user/whoami').status_code == 200
    assert ecs_sim.stats()['by_status']['reset'] == 1


def test_hang_outlasts_the_client_timeout_then_answers(ecs_sim, api):
    ecs_sim.faults(hang_rate=1, hang_seconds=1.0, routes=['GET /object/capacity'])
    with pytest.raises(requests.ReadTimeout):
        api.get('/object/capacity', timeout=0.3)
    ecs_sim.clear_faults()
    assert api.get('/object/capacity').status_code == 200


def test_hang_then_close(ecs_sim, api):
    ecs_sim.faults(hang_rate=1, hang_seconds=0.2, hang_then='close', routes=['GET /object/capacity'])
    with pytest.raises(requests.ConnectionError):
        api.get('/object/capacity', timeout=5)


def test_down_resets_every_api_call_until_restored(ecs_sim, api):
    ecs_sim.reset_stats()
    ecs_sim.faults(down=True)
    for path in ('/object/capacity', '/login'):
        with pytest.raises(requests.ConnectionError):
            api.get(path)
    assert ecs_sim.stats()['by_status'] == {'reset': 2}  # the admin API still answers
    ecs_sim.faults(down=False)
    assert api.get('/object/capacity').status_code == 200


def test_expire_tokens_acts_at_once(ecs_sim, api):
    ecs_sim.faults(expire_tokens=True)
    assert ecs_error(api.get('/object/capacity'))[:2] == (401, 4000)
    assert ecs_sim.stats()['live_tokens_total'] == 0


def test_latency_per_route_delays_only_that_route(ecs_sim, api):
    ecs_sim.faults(latency_ms={'GET /object/capacity': 300})
    started = time.monotonic()
    assert api.get('/object/capacity').status_code == 200
    assert time.monotonic() - started >= 0.3


def test_global_latency_from_config(ecs_sim, api):
    ecs_sim.config(latency_ms=200)
    started = time.monotonic()
    api.get('/user/whoami')
    assert time.monotonic() - started >= 0.2


def test_empty_plan_clears_every_fault(ecs_sim, api):
    ecs_sim.faults(error_rate=1, fail_next=[{'status': 500}], latency_ms=1000)
    assert ecs_sim.clear_faults() == {}
    assert statuses(api, 3) == [200, 200, 200]


def test_faults_never_touch_the_admin_api(ecs_sim):
    ecs_sim.faults(error_rate=1, reset_rate=0)
    assert ecs_sim.stats()['total'] == 0
    ecs_sim.faults(down=True)
    assert ecs_sim.state()['namespaces'] == {}


@pytest.mark.parametrize('plan', [{'error_rate': 2}, {'error_rate': 0.6, 'reset_rate': 0.6}, {'error_status': 200},
                                  {'fail_next': [{'status': 500, 'bogus': 1}]}, {'hang_then': 'sleep'},
                                  {'typo_rate': 0.1}, {'latency_ms': -1}, {'match': 5}, {'hang_seconds': 'long'}])
def test_invalid_plans_are_refused(ecs_sim, plan):
    with pytest.raises(SimulatorError, match='HTTP 400'):
        ecs_sim.faults(**plan)
