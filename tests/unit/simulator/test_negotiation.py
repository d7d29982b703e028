"""Content negotiation, error bodies, unknown routes, request bodies and headers."""

from xml.etree import ElementTree

import pytest

from support.simulator import ecs_error

pytestmark = pytest.mark.simulator


@pytest.fixture
def xml_api(ecs_sim):
    """A session that sends no Accept header beyond requests' default `*/*`."""
    session = ecs_sim.api(accept_json=False)
    yield session
    session.session.close()


@pytest.mark.parametrize('accept', [None, '*/*', 'application/xml'])
def test_xml_is_the_default(xml_api, lab, accept):
    headers = {'Accept': accept} if accept else {}
    response = xml_api.get('/object/namespaces/namespace/%s' % lab, headers=headers)
    assert response.headers['Content-Type'] == 'application/xml'
    root = ElementTree.fromstring(response.content)
    assert (root.tag, root.findtext('name'), root.findtext('blockSize')) == ('namespace', 'lab', '10')


def test_json_with_accept_header(api, lab):
    response = api.get('/object/namespaces/namespace/%s' % lab)
    assert response.headers['Content-Type'] == 'application/json'
    assert response.json()['blockSize'] == 10


@pytest.mark.parametrize('path', ['/object/namespaces/namespace/lab.json', '/object/capacity.json',
                                  '/object/bucket/b1/info.json?namespace=lab', '/object/namespaces.json'])
def test_json_suffix_forces_json(xml_api, lab, path):
    response = xml_api.get(path)
    assert response.status_code == 200
    assert response.headers['Content-Type'] == 'application/json'
    assert isinstance(response.json(), dict)


def test_xml_suffix_forces_xml(api, lab):
    response = api.get('/object/capacity.xml')
    assert ElementTree.fromstring(response.content).tag == 'cluster_capacity'


def test_errors_are_xml_without_json_accept(xml_api):
    response = xml_api.get('/object/namespaces/namespace/ghost')
    root = ElementTree.fromstring(response.content)
    assert response.status_code == 400
    assert root.tag == 'error'
    assert {child.tag: child.text for child in root} == {
        'code': '1004', 'description': 'Request parameter cannot be found',
        'details': 'Unable to find entity with the given id ghost', 'retryable': 'false'}


def test_unknown_route_is_404_code_2000(api):
    status, code, details, _retryable = ecs_error(api.get('/object/no/such/thing'))
    assert (status, code) == (404, 2000)
    assert '/object/no/such/thing' in details


@pytest.mark.parametrize('method, path', [('DELETE', '/object/namespaces/namespace/lab'),
                                          ('GET', '/object/billing/namespace/info'),
                                          ('PATCH', '/object/capacity')])
def test_wrong_method_is_405_code_1007(api, method, path):
    assert ecs_error(api.request(method, path))[:2] == (405, 1007)


def test_stats_count_unknown_and_wrong_method_routes(ecs_sim, api):
    api.get('/nope')
    api.delete('/object/namespaces/namespace/lab')
    requests_by_route = ecs_sim.stats()['requests']
    assert requests_by_route['GET (unmatched)'] == 1
    assert requests_by_route['DELETE /object/namespaces/namespace/{id}'] == 1


def test_emc_override_header_is_accepted_and_ignored(api, rg_ids):
    response = api.post('/object/namespaces/namespace', headers={'X-EMC-Override': 'true'},
                        json={'namespace': 'ovr', 'default_data_services_vpool': rg_ids['rg1']})
    assert response.status_code == 200


def test_xml_request_bodies_are_read(api, rg_ids):
    body = ('<namespace_create><namespace>xmlns</namespace><default_data_services_vpool>%s</default_data_services_vpool>'
            '<is_stale_allowed>true</is_stale_allowed><default_bucket_block_size>5</default_bucket_block_size>'
            '<user_mapping><domain>ad.example.org</domain><groups>g1</groups><groups>g2</groups></user_mapping>'
            '</namespace_create>' % rg_ids['rg1'])
    response = api.post('/object/namespaces/namespace', data=body, headers={'Content-Type': 'application/xml'})
    created = response.json()
    assert (created['is_stale_allowed'], created['default_bucket_block_size']) == (True, 5)
    assert created['user_mapping'] == [{'domain': 'ad.example.org', 'attributes': [], 'groups': ['g1', 'g2']}]


def test_chunked_request_bodies_are_read(api, rg_ids):
    parts = [b'{"namespace": "chunked", ', ('"default_data_services_vpool": "%s"}' % rg_ids['rg1']).encode()]
    response = api.post('/object/namespaces/namespace', data=iter(parts), headers={'Content-Type': 'application/json'})
    assert response.json()['name'] == 'chunked'
    assert api.get('/object/namespaces/namespace/chunked').status_code == 200  # same connection still in sync


@pytest.mark.parametrize('junk', ['"{}"', 'not json at all', '<xml', '[1, 2]'])
def test_deactivate_ignores_junk_bodies(api, ecs_sim, junk):
    ecs_sim.seed({'namespaces': {'gone': {}}})
    assert api.post('/object/namespaces/namespace/gone/deactivate', data=junk).status_code == 200


@pytest.mark.parametrize('junk', ['"{}"', 'not json', '<unclosed>', '[]'])
def test_bodies_that_are_not_objects_are_400_code_1013(api, junk):
    response = api.post('/object/namespaces/namespace', data=junk, headers={'Content-Type': 'application/json'})
    assert ecs_error(response)[:2] == (400, 1013)
