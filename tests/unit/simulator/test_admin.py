"""The /_sim admin API: stats, reset, seed, state, config, the --state file and the request log."""

import pytest
import requests

from support.simulator import SimulatorError

pytestmark = pytest.mark.simulator

SEED = {
    'replication_groups': {'rg3': {'description': 'Third', 'varrays': ['urn:storageos:VirtualArray:sp3']}},
    'capacity': {'totalProvisioned_gb': 5000, 'totalFree_gb': 4000},
    'users': {'mon': {'password': 'pw', 'roles': ['SYSTEM_MONITOR']}},
    'namespaces': {
        'smith-lab': {
            'vpool': 'rg3', 'quota': {'blockSize': 10240, 'notificationSize': 9216},
            'user_mapping': [{'domain': 'ad.example.org', 'attributes': [], 'groups': ['Smith Lab']}],
            'buckets': {'lab-smith-lab-bucket': {
                'filesystem_enabled': True, 'quota': {'blockSize': 10240, 'notificationSize': 9216},
                'usage': {'bytes': 2 * 1024 ** 4, 'objects': 1200}}}},
    },
}


def test_seed_builds_a_world_the_api_serves(ecs_sim):
    assert ecs_sim.seed(SEED) == {'replication_groups': 3, 'users': 2, 'namespaces': 1, 'buckets': 1}
    state = ecs_sim.state()
    rg3 = state['replication_groups']['rg3']['id']
    namespace = state['namespaces']['smith-lab']
    assert namespace['default_data_services_vpool'] == rg3
    assert namespace['quota'] == {'blockSize': 10240, 'notificationSize': 9216}
    bucket = namespace['buckets']['lab-smith-lab-bucket']
    assert (bucket['vpool'], bucket['filesystem_enabled'], bucket['usage']) == (
        rg3, True, {'bytes': 2 * 1024 ** 4, 'objects': 1200})
    monitor = ecs_sim.api('mon', 'pw')
    assert monitor.get('/object/namespaces/namespace/smith-lab').json()['blockSize'] == 10240
    billing = monitor.get('/object/billing/namespace/smith-lab/info', params={'sizeunit': 'GB'}).json()
    assert (billing['total_size'], billing['total_objects']) == (2048, 1200)
    assert monitor.get('/object/capacity').json() == {'totalProvisioned_gb': 5000, 'totalFree_gb': 4000}


def test_seed_upserts_and_null_deletes(ecs_sim):
    ecs_sim.seed(SEED)
    ecs_sim.seed({'namespaces': {'smith-lab': {'buckets': {'lab-smith-lab-bucket': {'usage': {'objects': 5}}}}}})
    state = ecs_sim.state()
    bucket = state['namespaces']['smith-lab']['buckets']['lab-smith-lab-bucket']
    assert bucket['usage'] == {'bytes': 2 * 1024 ** 4, 'objects': 5}
    assert bucket['quota']['blockSize'] == 10240
    ecs_sim.seed({'namespaces': {'smith-lab': {'buckets': {'lab-smith-lab-bucket': None}}}, 'users': {'mon': None}})
    state = ecs_sim.state()
    assert state['namespaces']['smith-lab']['buckets'] == {}
    assert 'mon' not in state['users']
    assert ecs_sim.seed({'namespaces': {'smith-lab': None}})['namespaces'] == 0


def test_state_round_trips_through_seed(ecs_sim):
    ecs_sim.seed(SEED)
    state = ecs_sim.state()
    ecs_sim.reset()
    ecs_sim.seed({'users': SEED['users']})  # /_sim/state leaves passwords out
    ecs_sim.seed(state)
    assert ecs_sim.state() == state


def test_state_never_shows_passwords(ecs_sim):
    assert ecs_sim.state()['users'] == {'root': {'roles': ['SYSTEM_ADMIN'], 'namespace': ''}}


@pytest.mark.parametrize('bad', [
    {'namespaces': {'bad name': {}}},
    {'namespaces': {'lab': {'qouta': {}}}},
    {'namespaces': {'lab': {'buckets': {'b': {'usage': {'bytes': -1}}}}}},
    {'namespaces': {'lab': {'vpool': 'no-such-rg'}}},
    {'users': {'new': {'roles': ['SYSTEM_ADMIN']}}},
    {'users': {'root': {'roles': ['GOD']}}},
    {'unknown': {}},
])
def test_a_bad_seed_is_400_and_changes_nothing(ecs_sim, bad):
    ecs_sim.seed({'namespaces': {'keep': {}}})
    before = ecs_sim.state()
    with pytest.raises(SimulatorError, match='HTTP 400'):
        ecs_sim.seed(dict(bad, namespaces=dict(bad.get('namespaces', {}), extra={})))
    assert ecs_sim.state() == before


def test_stats_count_by_method_and_route_template(ecs_sim, api):
    ecs_sim.seed({'namespaces': {'a': {}, 'b': {}, 'c': {}}})
    ecs_sim.reset_stats()
    for name in ('a', 'b', 'c'):
        api.get('/object/namespaces/namespace/%s/quota' % name)
    api.get('/object/namespaces/namespace/ghost')
    ecs_sim.state()  # /_sim calls are not counted
    stats = ecs_sim.stats()
    assert stats['requests'] == {'GET /object/namespaces/namespace/{id}/quota': 3,
                                 'GET /object/namespaces/namespace/{id}': 1}
    assert (stats['total'], stats['by_status']) == (4, {'200': 3, '400': 1})
    assert (stats['logins'], stats['live_tokens'], stats['live_tokens_total']) == (0, {'root': 1}, 1)  # login before reset


def test_stats_reset_keeps_the_world_and_tokens(ecs_sim, api):
    ecs_sim.seed({'namespaces': {'a': {}}})
    ecs_sim.reset_stats()
    stats = ecs_sim.stats()
    assert (stats['total'], stats['requests'], stats['logins'], stats['live_tokens_total']) == (0, {}, 0, 1)
    assert api.get('/object/namespaces/namespace/a').status_code == 200


def test_reset_restores_world_config_faults_tokens_and_counters(ecs_sim, api, rg_ids):
    api.post('/object/namespaces/namespace', json={'namespace': 'tmp', 'default_data_services_vpool': rg_ids['rg1']})
    ecs_sim.config(namespace_list='brief', latency_ms=5)
    ecs_sim.faults(error_rate=0.5, seed=1)
    ecs_sim.reset()
    assert ecs_sim.state()['namespaces'] == {}
    assert ecs_sim.config()['namespace_list'] == 'full' and ecs_sim.config()['latency_ms'] == 0
    assert requests.get(ecs_sim.url + '/_sim/faults', verify=ecs_sim.ca_path, timeout=10).json() == {}
    assert api.get('/user/whoami').status_code == 401
    assert ecs_sim.stats()['total'] == 1


def test_config_reads_and_validates(ecs_sim):
    config = ecs_sim.config()
    assert config == {'namespace_list': 'full', 'batch_billing': True, 'latency_ms': 0, 'token_cap': 100,
                      'token_ttl_seconds': 28800, 'token_idle_seconds': 7200, 'expired_token_response': 401,
                      'page_size_default': 100, 'page_size_max': 1000, 'empty_bucket_seconds': 2.0,
                      'put_without_user_mapping': 'clear', 'metering_lag_seconds': 0}
    assert ecs_sim.config(batch_billing='off', page_size_default=5)['batch_billing'] is False
    for bad in ({'namespace_list': 'short'}, {'token_cap': 0}, {'expired_token_response': 303}, {'nope': 1},
                {'page_size_default': 2.5}):
        with pytest.raises(SimulatorError, match='HTTP 400'):
            ecs_sim.config(**bad)
    assert ecs_sim.config()['page_size_default'] == 5


def test_unknown_admin_endpoint_is_404(ecs_sim):
    response = requests.get(ecs_sim.url + '/_sim/nothing', verify=ecs_sim.ca_path, timeout=10)
    assert response.status_code == 404
    assert 'POST /_sim/seed' in response.json()['endpoints']


def test_state_file_is_loaded_at_start_and_restored_by_reset(ecs_sim_factory):
    preloaded = {'vpool': 'rg2', 'quota': {'blockSize': 3, 'notificationSize': 2}}
    sim = ecs_sim_factory(state={'namespaces': {'preloaded': preloaded}})
    assert sim.state()['namespaces']['preloaded']['quota']['blockSize'] == 3
    sim.seed({'namespaces': {'preloaded': None, 'other': {}}})
    sim.reset()
    assert list(sim.state()['namespaces']) == ['preloaded']
    assert set(sim.state()['replication_groups']) == {'rg1', 'rg2'}


def test_state_file_can_start_from_an_empty_world(ecs_sim_factory):
    sim = ecs_sim_factory(state={'base': 'empty', 'replication_groups': {'only': {}}})
    assert list(sim.state()['replication_groups']) == ['only']
    assert sim.api().get('/object/capacity').json() == {'totalProvisioned_gb': 0, 'totalFree_gb': 0}


def test_a_bad_state_file_stops_the_start_with_its_error(ecs_sim_factory):
    with pytest.raises(SimulatorError, match='unknown keys'):
        ecs_sim_factory(state={'namespaces': {'x': {'bogus': 1}}})


def test_users_from_the_command_line(ecs_sim_factory):
    sim = ecs_sim_factory(users=['admin:pa:ss:SYSTEM_ADMIN', 'mon:pw:SYSTEM_MONITOR', 'nsa:pw:NAMESPACE_ADMIN@lab'])
    assert sim.admin == ('admin', 'pa:ss')
    assert sim.state()['users'] == {'admin': {'roles': ['SYSTEM_ADMIN'], 'namespace': ''},
                                    'mon': {'roles': ['SYSTEM_MONITOR'], 'namespace': ''},
                                    'nsa': {'roles': ['NAMESPACE_ADMIN'], 'namespace': 'lab'}}
    assert sim.api().get('/user/whoami').json()['common_name'] == 'admin'


def test_request_log_truncates_tokens_and_never_holds_passwords(ecs_sim_factory, tmp_path):
    log = tmp_path / 'requests.log'
    sim = ecs_sim_factory(extra_args=('--log', str(log)))
    api = sim.api()
    api.get('/object/capacity')
    sim.stop()
    text = log.read_text()
    assert 'GET /object/capacity 200 token=BAAc' in text
    assert api.token not in text and api.token[:10] not in text
    assert 'ChangeMe' not in text
