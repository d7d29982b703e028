"""EcsClient.vdc_identity against the simulator: one process = one VDC, a federation served by one process."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsApiError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.ecs_client import EcsClient, federation_key

pytestmark = pytest.mark.simulator


def identity(sim, host=None, username=None, password=None):
    """vdc_identity() through `host` (default: the simulator's first address)."""
    with EcsClient(host or sim.host, username or sim.admin.username, password or sim.admin.password,
                   port=sim.port, ca_path=sim.ca_path, retries=0) as client:
        return client.vdc_identity()


def secrets_of(sim, url=None):
    """Every secretKeys value the simulator shows."""
    return [vdc['secretKeys'] for vdc in sim.api(url=url).get('/object/vdcs/vdc/list').json()['vdc']]


def test_one_call_and_no_secret(ecs_sim):
    secrets = secrets_of(ecs_sim)
    ecs_sim.reset_stats()
    result = identity(ecs_sim)
    vdc = ecs_sim.vdcs()['vdc1']
    assert result == {'local': vdc.id, 'name': 'vdc1', 'vdcs': [vdc.id]}
    requests = ecs_sim.stats()['requests']
    assert requests['GET /object/vdcs/vdc/list'] == 1 and 'GET /object/vdcs/vdc/local' not in requests
    assert all(secret not in repr(result) for secret in secrets)


def test_two_addresses_of_one_vdc_are_one_identity(ecs_sim):
    assert identity(ecs_sim, '127.0.0.1') == identity(ecs_sim, 'localhost')


def test_separate_simulators_are_separate_federations(ecs_sim, ecs_sim_factory):
    other = ecs_sim_factory(host='127.0.0.2')
    assert not set(identity(ecs_sim)['vdcs']) & set(identity(other)['vdcs'])


def test_federation_same_vdcs_different_local(ecs_sim_factory):
    fed = ecs_sim_factory(vdcs={'vdc-a': '127.0.0.1', 'vdc-b': '127.0.0.3'})
    ids = {key: vdc.id for key, vdc in fed.vdcs().items()}
    via_a, via_b = identity(fed, '127.0.0.1'), identity(fed, '127.0.0.3')
    assert via_a['vdcs'] == via_b['vdcs'] == sorted(ids.values())
    assert (via_a['local'], via_a['name'], via_b['local'], via_b['name']) == (ids['vdc-a'], 'vdc-a', ids['vdc-b'], 'vdc-b')
    assert federation_key(via_a['vdcs']) == federation_key(via_b['vdcs']) == ','.join(sorted(ids.values()))


def test_refused_call_carries_no_secret(ecs_sim):
    ecs_sim.seed({'namespaces': {'lab': {}},
                  'users': {'nsa': {'password': 'pw', 'roles': ['NAMESPACE_ADMIN'], 'namespace': 'lab'}}})
    secrets = secrets_of(ecs_sim)
    with pytest.raises(EcsApiError) as info:
        identity(ecs_sim, username='nsa', password='pw')
    assert info.value.status == 403
    for text in (str(info.value), repr(info.value), str(info.value.as_dict())):
        assert all(secret not in text for secret in secrets)
