"""Namespaces: create, get, list (paging, prefix, brief/full), update, deactivate, quota."""

import pytest

from support.simulator import ecs_error

pytestmark = pytest.mark.simulator

MAPPING = [{'domain': 'ad.example.org', 'attributes': [{'key': 'ou', 'value': ['eng']}], 'groups': ['smith-lab']}]


def create(api, name, **fields):
    """POST /object/namespaces/namespace."""
    return api.post('/object/namespaces/namespace', json={'namespace': name, **fields})


def test_create_returns_the_full_flat_namespace(api, rg_ids):
    response = create(api, 'smith-lab', default_data_services_vpool=rg_ids['rg1'], user_mapping=MAPPING,
                      namespace_admins='alice,bob', is_encryption_enabled=True, compliance_enabled=False)
    body = response.json()
    assert response.status_code == 200
    assert body['id'] == body['name'] == 'smith-lab'
    assert body['link'] == {'rel': 'self', 'href': '/object/namespaces/namespace/smith-lab'}
    assert body['default_data_services_vpool'] == rg_ids['rg1']
    assert body['is_encryption_enabled'] == 'true'  # a string, as ECS sends it
    assert (body['global'], body['remote'], body['vdc']) == (None, None, None)
    assert (body['blockSize'], body['notificationSize'], body['default_bucket_block_size']) == (-1, -1, -1)
    assert (body['is_compliance_enabled'], body['inactive'], body['namespace_admins']) == (False, False, 'alice,bob')
    assert body['user_mapping'] == MAPPING
    assert api.get('/object/namespaces/namespace/smith-lab').json() == body


def test_a_namespace_can_be_created_with_only_a_name(api):
    body = create(api, 'bare').json()
    assert body['default_data_services_vpool'] == ''


def test_missing_namespace_is_400_code_1004(api):
    assert ecs_error(api.get('/object/namespaces/namespace/ghost')) == (
        400, 1004, 'Unable to find entity with the given id ghost', False)


def test_duplicate_create_is_400_code_1008(api, rg_ids):
    assert create(api, 'dup', default_data_services_vpool=rg_ids['rg1']).status_code == 200
    status, code, details, retryable = ecs_error(create(api, 'dup'))
    assert (status, code, retryable) == (400, 1008, False)
    assert 'already exists' in details


@pytest.mark.parametrize('name', ['has space', 'dot.ted', 'slash/ed', 'x' * 256, 'ünï'])
def test_invalid_names_are_400_code_1008(api, name):
    assert ecs_error(create(api, name))[:2] == (400, 1008)


def test_missing_name_is_400_code_1005(api):
    assert ecs_error(api.post('/object/namespaces/namespace', json={'namespace': ''}))[:2] == (400, 1005)


@pytest.mark.parametrize('vpool', ['rg1', 'urn:storageos:ReplicationGroupInfo:nope:global'])
def test_default_vpool_must_be_an_existing_replication_group_id(api, vpool):
    status, code, details, _retryable = ecs_error(create(api, 'lab', default_data_services_vpool=vpool))
    assert (status, code) == (400, 1008)
    assert 'default_data_services_vpool' in details and vpool in details


def test_null_fields_from_clients_are_defaults(api):
    body = create(api, 'nulls', namespace_admins=None, default_bucket_block_size=None, default_object_project=None,
                  user_mapping=None).json()
    assert (body['namespace_admins'], body['default_bucket_block_size'], body['user_mapping']) == ('', -1, [])


@pytest.mark.parametrize('mapping', [
    [{'domain': 'd', 'attributes': {'attribute': [{'key': 'ou', 'value': 'eng'}]}}],  # XML-converted shape
    [{'domain': 'd', 'groups': {'group': 'g'}}],
    [{'groups': ['g']}],
    ['d'],
])
def test_malformed_user_mapping_is_refused(api, mapping):
    assert ecs_error(create(api, 'um', user_mapping=mapping))[0] == 400


def collect(api, path, params, key):
    """Follow NextMarker to the end: (items, pages)."""
    items, pages, params = [], 0, dict(params)
    while True:
        body = api.get(path, params=params).json()
        items += body[key]
        pages += 1
        if not body.get('NextMarker'):
            return items, pages
        params['marker'] = body['NextMarker']


def test_list_pages_with_limit_and_marker(ecs_sim, api):
    ecs_sim.seed({'namespaces': {'ns%02d' % index: {} for index in range(9)}})
    first = api.get('/object/namespaces', params={'limit': 4}).json()
    assert (len(first['namespace']), first['MaxNamespaces']) == (4, 4)
    assert first['NextMarker'] and first['NextPageLink'].startswith('/object/namespaces?marker=')
    items, pages = collect(api, '/object/namespaces', {'limit': 4}, 'namespace')
    assert [item['name'] for item in items] == ['ns%02d' % index for index in range(9)]
    assert pages == 3


def test_list_uses_the_configured_default_page_size_and_caps_limit(ecs_sim, api):
    ecs_sim.seed({'namespaces': {'ns%d' % index: {} for index in range(5)}})
    ecs_sim.config(page_size_default=2, page_size_max=3)
    assert len(api.get('/object/namespaces').json()['namespace']) == 2
    assert api.get('/object/namespaces', params={'limit': 100}).json()['MaxNamespaces'] == 3


def test_empty_list_has_an_empty_array_and_no_marker(api):
    body = api.get('/object/namespaces').json()
    assert body['namespace'] == []
    assert 'NextMarker' not in body


@pytest.mark.parametrize('params', [{'limit': 0}, {'limit': 'ten'}, {'marker': '!!!not-a-marker'}])
def test_bad_paging_parameters_are_400(api, params):
    assert ecs_error(api.get('/object/namespaces', params=params))[:2] == (400, 1008)


def test_list_filters_by_name_prefix(ecs_sim, api):
    ecs_sim.seed({'namespaces': {'prod-a': {}, 'prod-b': {}, 'dev-a': {}, 'Prod-c': {}}})
    body = api.get('/object/namespaces', params={'name': 'prod*'}).json()
    assert [item['name'] for item in body['namespace']] == ['prod-a', 'prod-b']
    assert body['Filter'] == 'name=prod*'
    assert [item['name'] for item in api.get('/object/namespaces', params={'name': 'dev-a'}).json()['namespace']] == [
        'dev-a']


def test_list_items_are_full_or_brief_by_configuration(ecs_sim, api, lab):
    full = api.get('/object/namespaces').json()['namespace'][0]
    assert (full['blockSize'], full['notificationSize']) == (10, 9)
    ecs_sim.config(namespace_list='brief')
    assert api.get('/object/namespaces').json()['namespace'] == [
        {'id': 'lab', 'name': 'lab', 'link': {'rel': 'self', 'href': '/object/namespaces/namespace/lab'}}]


def test_brief_list_from_the_command_line(ecs_sim_factory):
    sim = ecs_sim_factory(extra_args=('--namespace-list', 'brief'))
    sim.seed({'namespaces': {'lab': {}}})
    assert set(sim.api().get('/object/namespaces').json()['namespace'][0]) == {'id', 'name', 'link'}


def test_update_applies_fields_and_vpool_deltas(ecs_sim, api, rg_ids):
    ecs_sim.seed({'namespaces': {'lab': {'vpool': 'rg1', 'allowed_vpools_list': ['rg1'], 'user_mapping': MAPPING}}})
    response = api.put('/object/namespaces/namespace/lab', json={
        'vpools_added_to_allowed_vpools_list': [rg_ids['rg2']], 'vpools_removed_from_allowed_vpools_list': [rg_ids['rg1']],
        'vpools_added_to_disallowed_vpools_list': [rg_ids['rg1']], 'default_data_services_vpool': rg_ids['rg2'],
        'namespace_admins': 'carol', 'is_stale_allowed': True, 'user_mapping': MAPPING})
    assert (response.status_code, response.content) == (200, b'')
    body = api.get('/object/namespaces/namespace/lab').json()
    assert body['allowed_vpools_list'] == [rg_ids['rg2']]
    assert body['disallowed_vpools_list'] == [rg_ids['rg1']]
    assert (body['default_data_services_vpool'], body['namespace_admins']) == (rg_ids['rg2'], 'carol')
    assert body['is_stale_allowed'] is True
    assert body['user_mapping'] == MAPPING


@pytest.mark.parametrize('setting, expected', [(None, []), ('clear', []), ('keep', MAPPING)])
def test_update_without_user_mapping_clears_it_unless_configured(ecs_sim, api, setting, expected):
    ecs_sim.seed({'namespaces': {'lab': {'user_mapping': MAPPING}}})
    if setting:
        ecs_sim.config(put_without_user_mapping=setting)
    assert api.put('/object/namespaces/namespace/lab', json={'is_stale_allowed': True, 'user_mapping': None}).ok
    assert ecs_sim.state()['namespaces']['lab']['user_mapping'] == expected
    assert api.put('/object/namespaces/namespace/lab', json={'namespace_admins': 'x'}).ok
    assert ecs_sim.state()['namespaces']['lab']['user_mapping'] == expected


def test_update_replaces_the_user_mapping(ecs_sim, api):
    ecs_sim.seed({'namespaces': {'lab': {'user_mapping': MAPPING}}})
    new = [{'domain': 'ad.example.org', 'attributes': [], 'groups': ['other-lab']}]
    assert api.put('/object/namespaces/namespace/lab', json={'user_mapping': new}).status_code == 200
    assert ecs_sim.state()['namespaces']['lab']['user_mapping'] == new


def test_update_refuses_to_change_encryption_and_leaves_the_namespace_alone(ecs_sim, api, rg_ids):
    ecs_sim.seed({'namespaces': {'lab': {}}})
    response = api.put('/object/namespaces/namespace/lab', json={'is_encryption_enabled': True, 'namespace_admins': 'x'})
    assert ecs_error(response)[:2] == (400, 1008)
    assert ecs_sim.state()['namespaces']['lab']['namespace_admins'] == ''
    assert ecs_error(api.put('/object/namespaces/namespace/ghost', json={}))[:2] == (400, 1004)
    bad_vpool = api.put('/object/namespaces/namespace/lab', json={'vpools_added_to_allowed_vpools_list': ['rg1']})
    assert ecs_error(bad_vpool)[:2] == (400, 1008)


def test_deactivate_refuses_while_buckets_remain(api, ecs_sim, lab):
    status, code, details, retryable = ecs_error(api.post('/object/namespaces/namespace/lab/deactivate'))
    assert (status, retryable) == (400, False)
    assert code == 1020 and 'b1' in details
    ecs_sim.seed({'namespaces': {'lab': {'buckets': {'b1': None, 'b2': None}}}})
    response = api.post('/object/namespaces/namespace/lab/deactivate', data='"{}"')
    assert (response.status_code, response.content) == (200, b'')
    assert ecs_error(api.get('/object/namespaces/namespace/lab'))[:2] == (400, 1004)
    assert ecs_error(api.post('/object/namespaces/namespace/lab/deactivate'))[:2] == (400, 1004)


def test_quota_get_put_delete(api, ecs_sim):
    ecs_sim.seed({'namespaces': {'lab': {}}})
    assert api.get('/object/namespaces/namespace/lab/quota').json() == {
        'namespace': 'lab', 'blockSize': -1, 'notificationSize': -1, 'blockSizeInCount': -1,
        'notificationSizeInCount': -1}
    response = api.put('/object/namespaces/namespace/lab/quota', json={'blockSize': 10240, 'notificationSize': 9216})
    assert (response.status_code, response.content) == (200, b'')
    quota = api.get('/object/namespaces/namespace/lab/quota').json()
    assert (quota['blockSize'], quota['notificationSize']) == (10240, 9216)
    assert api.get('/object/namespaces/namespace/lab').json()['blockSize'] == 10240
    assert api.delete('/object/namespaces/namespace/lab/quota').status_code == 200
    assert api.get('/object/namespaces/namespace/lab/quota').json()['blockSize'] == -1
    assert ecs_error(api.get('/object/namespaces/namespace/ghost/quota'))[:2] == (400, 1004)


@pytest.mark.parametrize('body, code', [
    ({'blockSize': 0, 'notificationSize': -1}, 1014),
    ({'blockSize': -2, 'notificationSize': -1}, 1014),
    ({'blockSize': 10.5, 'notificationSize': 5}, 1008),
    ({'blockSize': 'ten', 'notificationSize': 5}, 1008),
    ({'blockSize': True, 'notificationSize': 5}, 1008),
    ({'blockSize': 10, 'notificationSize': 11}, 1008),
    ({'blockSize': 10}, 1005),
])
def test_quota_values_are_validated(api, ecs_sim, body, code):
    ecs_sim.seed({'namespaces': {'lab': {}}})
    assert ecs_error(api.put('/object/namespaces/namespace/lab/quota', json=body))[:2] == (400, code)
    assert ecs_sim.state()['namespaces']['lab']['quota'] == {'blockSize': -1, 'notificationSize': -1}


@pytest.mark.parametrize('body, expected', [
    ({'blockSize': '10', 'notificationSize': '8'}, (10, 8)),
    ({'blockSize': 10.0, 'notificationSize': 8}, (10, 8)),
    ({'blockSize': -1, 'notificationSize': 5}, (-1, 5)),
    ({'blockSize': -1, 'notificationSize': -1, 'namespace': 'lab'}, (-1, -1)),
])
def test_quota_values_ecs_accepts(api, ecs_sim, body, expected):
    ecs_sim.seed({'namespaces': {'lab': {}}})
    assert api.put('/object/namespaces/namespace/lab/quota', json=body).status_code == 200
    quota = ecs_sim.state()['namespaces']['lab']['quota']
    assert (quota['blockSize'], quota['notificationSize']) == expected
