"""Cluster identity: the local VDC, the federation's VDC list, federations served by one process."""

import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from ecsclient import schemas
from ecsclient.common.util import is_valid_response

from support.simulator import SCRIPT, ecs_error

pytestmark = pytest.mark.simulator

VDC_ID = re.compile(r'urn:storageos:VirtualDataCenterData:[0-9a-f-]{36}')
VDC_KEYS = {'id', 'vdcId', 'name', 'vdcName', 'link', 'inactive', 'local', 'global', 'remote', 'vdc',
            'is_encryption_enabled', 'managementEndPoints', 'interVdcEndPoints', 'interVdcCmdEndPoints',
            'permanentlyFailed', 'secretKeys'}
FEDERATION = {'vdc-a': '127.0.0.1', 'vdc-b': '127.0.0.3'}


@pytest.fixture
def federation(ecs_sim_factory):
    """One process serving VDCs vdc-a (127.0.0.1) and vdc-b (127.0.0.3) on one port."""
    return ecs_sim_factory(vdcs=FEDERATION)


def local_and_list(sim, url=None):
    """(GET /object/vdcs/vdc/local, GET /object/vdcs/vdc/list items) through `url`."""
    api = sim.api(url=url)
    return api.get('/object/vdcs/vdc/local').json(), api.get('/object/vdcs/vdc/list').json()['vdc']


def test_local_vdc_has_every_key_of_the_real_shape(api):
    vdc = api.get('/object/vdcs/vdc/local').json()
    assert set(vdc) >= VDC_KEYS and is_valid_response(vdc, schemas.VDC)
    assert VDC_ID.fullmatch(vdc['id']) and vdc['vdcId'] == vdc['id']
    assert vdc['name'] == vdc['vdcName'] == 'vdc1' and vdc['local'] is True
    assert vdc['link'] == {'rel': 'self', 'href': '/object/vdcs/vdc/vdc1'}
    assert vdc['managementEndPoints'] == vdc['interVdcEndPoints'] == vdc['interVdcCmdEndPoints'] == '127.0.0.1'
    assert (vdc['inactive'], vdc['permanentlyFailed'], vdc['is_encryption_enabled']) == (False, False, False)
    assert (vdc['global'], vdc['remote'], vdc['vdc']) == (None, None, None)
    assert re.fullmatch(r'[A-Za-z0-9]{20}', vdc['secretKeys'])


def test_list_holds_the_one_local_vdc(api):
    body = api.get('/object/vdcs/vdc/list').json()
    assert set(body) == {'vdc'} and is_valid_response(body, schemas.VDCS)
    assert body['vdc'] == [api.get('/object/vdcs/vdc/local').json()]


def test_xml_like_other_routes(ecs_sim):
    api = ecs_sim.api(accept_json=False)
    local = ElementTree.fromstring(api.get('/object/vdcs/vdc/local').content)
    assert local.tag == 'vdc' and local.findtext('local') == 'true' and local.findtext('name') == 'vdc1'
    listed = ElementTree.fromstring(api.get('/object/vdcs/vdc/list').content)
    assert listed.tag == 'vdcs' and [item.findtext('id') for item in listed.findall('vdc')] == [local.findtext('id')]
    assert api.get('/object/vdcs/vdc/local.json').json()['id'] == local.findtext('id')


def test_every_address_of_the_process_is_the_same_vdc(ecs_sim):
    by_ip = local_and_list(ecs_sim)
    by_name = local_and_list(ecs_sim, url=ecs_sim.url.replace('127.0.0.1', 'localhost'))
    assert by_ip[0]['id'] == by_name[0]['id'] and by_name[0]['local'] is True
    assert [vdc['id'] for vdc in by_ip[1]] == [vdc['id'] for vdc in by_name[1]]


def test_id_is_stable_across_reset_and_differs_between_processes(ecs_sim, ecs_sim_factory, api):
    before = api.get('/object/vdcs/vdc/local').json()['id']
    ecs_sim.reset()
    assert ecs_sim.api().get('/object/vdcs/vdc/local').json()['id'] == before
    assert ecs_sim.vdcs()['vdc1'].id == before
    assert ecs_sim_factory().vdcs()['vdc1'].id != before


def test_vdc_id_option(ecs_sim_factory):
    uuid = '7d7d2ed5-e253-4be9-b8bb-5ff5b2697e6f'
    assert ecs_sim_factory(vdc_id=uuid).vdcs()['vdc1'].id == 'urn:storageos:VirtualDataCenterData:' + uuid
    named = ecs_sim_factory(vdc_id='boston').vdcs()['vdc1'].id
    assert VDC_ID.fullmatch(named) and named == ecs_sim_factory(vdc_id='boston').vdcs()['vdc1'].id


def test_federation_local_flag_follows_the_address(federation):
    assert federation.url == federation.vdc_url('vdc-a') and federation.vdc_url('vdc-b').startswith('https://127.0.0.3:')
    ids = {key: vdc.id for key, vdc in federation.vdcs().items()}
    for key in FEDERATION:
        local, listed = local_and_list(federation, federation.vdc_url(key))
        assert local['id'] == ids[key] and local['name'] == key and local['local'] is True
        assert [(vdc['id'], vdc['local']) for vdc in listed] == [(ids[k], k == key) for k in FEDERATION]
        assert is_valid_response({'vdc': listed}, schemas.VDCS)
    assert len(set(ids.values())) == 2


def test_federation_shares_one_world(federation):
    via_a, via_b = federation.api(), federation.api(url=federation.vdc_url('vdc-b'))
    assert via_a.post('/object/namespaces/namespace', json={'namespace': 'fed-lab'}).status_code == 200
    assert via_b.get('/object/namespaces/namespace/fed-lab').json()['name'] == 'fed-lab'
    assert via_b.post('/object/namespaces/namespace', json={'namespace': 'fed-lab'}).status_code == 400
    mapping = via_b.get('/vdc/data-service/vpools').json()['data_service_vpool'][0]['varrayMappings'][0]
    assert mapping['name'] == federation.vdcs()['vdc-b'].id


def test_one_vdc_on_several_addresses(ecs_sim_factory):
    sim = ecs_sim_factory(vdcs={'east': ['127.0.0.1', '127.0.0.4']})
    first, second = (local_and_list(sim, sim.vdc_url('east', host)) for host in ('127.0.0.1', '127.0.0.4'))
    assert first == second and first[0]['managementEndPoints'] == '127.0.0.1,127.0.0.4'


def test_vdc_by_name_and_by_id(federation):
    api = federation.api()
    b_id = federation.vdcs()['vdc-b'].id
    by_name = api.get('/object/vdcs/vdc/vdc-b').json()
    assert by_name['id'] == b_id and by_name['local'] is False
    assert api.get('/object/vdcs/vdcid/%s' % b_id).json()['name'] == 'vdc-b'
    assert ecs_error(api.get('/object/vdcs/vdc/nope'))[:2] == (400, 1004)


@pytest.mark.parametrize('role, status', [('SYSTEM_MONITOR', 200), ('NAMESPACE_ADMIN', 403)])
def test_roles(ecs_sim, role, status):
    ecs_sim.seed({'namespaces': {'lab': {}}, 'users': {'u': {'password': 'pw', 'roles': [role], 'namespace': 'lab'}}})
    api = ecs_sim.api('u', 'pw')
    for route in ('/object/vdcs/vdc/local', '/object/vdcs/vdc/list'):
        response = api.get(route)
        assert response.status_code == status
        if status == 403:
            assert ecs_error(response)[:2] == (403, 3000) and 'secretKeys' not in response.text


def test_counted_faulted_and_delayed_like_other_routes(ecs_sim, api):
    ecs_sim.reset_stats()
    api.get('/object/vdcs/vdc/local')
    api.get('/object/vdcs/vdc/list')
    api.get('/object/vdcs/vdc/list')
    requests = ecs_sim.stats()['requests']
    assert (requests['GET /object/vdcs/vdc/local'], requests['GET /object/vdcs/vdc/list']) == (1, 2)
    ecs_sim.faults(fail_next=[{'route': 'GET /object/vdcs/vdc/list', 'status': 503, 'count': 1}])
    assert ecs_error(api.get('/object/vdcs/vdc/list'))[:2] == (503, 6000)
    assert api.get('/object/vdcs/vdc/list').status_code == 200
    ecs_sim.faults(latency_ms={'GET /object/vdcs/vdc/local': 300})
    assert api.get('/object/vdcs/vdc/local').elapsed.total_seconds() >= 0.3


def test_seed_sets_ids_and_names_and_adds_remote_vdcs(ecs_sim, api):
    ecs_sim.seed({'vdcs': {'vdc1': {'id': 'urn:storageos:VirtualDataCenterData:local-1', 'name': 'boston'},
                           'far': {'name': 'paris'}}})
    local = api.get('/object/vdcs/vdc/local').json()
    assert (local['id'], local['name'], local['link']['href']) == (
        'urn:storageos:VirtualDataCenterData:local-1', 'boston', '/object/vdcs/vdc/boston')
    listed = api.get('/object/vdcs/vdc/list').json()['vdc']
    assert [(vdc['name'], vdc['local'], vdc['managementEndPoints']) for vdc in listed] == [
        ('boston', True, '127.0.0.1'), ('paris', False, '')]
    state = ecs_sim.state()['vdcs']
    assert state['far']['name'] == 'paris' and VDC_ID.fullmatch(state['far']['id'])
    assert 'secret' not in str(ecs_sim.state()).lower()
    ecs_sim.seed({'vdcs': {'far': None}})
    assert len(api.get('/object/vdcs/vdc/list').json()['vdc']) == 1
    ecs_sim.reset()
    assert ecs_sim.vdcs()['vdc1'].name == 'vdc1'


@pytest.mark.parametrize('bad, message', [
    ({'vdc1': None}, 'cannot be deleted'),
    ({'other': {'id': 'x'}, 'third': {'id': 'x'}}, 'same id'),
    ({'other': {'name': 'vdc1'}}, 'same name'),
    ({'vdc1': {'secretKeys': 'x'}}, 'unknown keys'),
])
def test_bad_vdc_seeds_change_nothing(ecs_sim, bad, message):
    before = ecs_sim.state()
    with pytest.raises(Exception, match=message):
        ecs_sim.seed({'vdcs': bad})
    assert ecs_sim.state() == before


def test_state_file_sets_vdc_ids_kept_across_reset(ecs_sim_factory):
    wanted = 'urn:storageos:VirtualDataCenterData:a9faea85-d377-4a42-b5f1-fa15829f0c33'
    sim = ecs_sim_factory(vdcs=FEDERATION, state={'vdcs': {'vdc-b': {'id': wanted}}})
    sim.reset()
    assert sim.vdcs()['vdc-b'].id == wanted
    assert sim.api(url=sim.vdc_url('vdc-b')).get('/object/vdcs/vdc/local').json()['id'] == wanted


@pytest.mark.parametrize('args, message', [
    (['--host', '127.0.0.1', '--vdc', 'a=127.0.0.2'], 'either with --host'),
    (['--vdc', 'a'], 'bad --vdc'),
    (['--vdc', 'a=127.0.0.2', '--vdc', 'b=127.0.0.2'], 'every HOST once'),
    (['--vdc', 'a=127.0.0.2', '--vdc-id', 'b=x'], 'bad --vdc-id'),
])
def test_bad_vdc_options_exit_with_an_error(args, message):
    result = subprocess.run([sys.executable, SCRIPT, '--port', '0', *args], capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 2 and message in result.stderr
