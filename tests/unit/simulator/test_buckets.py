"""Buckets: create, info, list, quota, deactivate (with background emptying)."""

import re
import time

import pytest

from support.simulator import ecs_error

pytestmark = pytest.mark.simulator

ISO_MS = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z')


def create(api, name, namespace='lab', **fields):
    """POST /object/bucket."""
    return api.post('/object/bucket', json={'name': name, 'namespace': namespace, **fields})


def info(api, name, namespace='lab'):
    """GET /object/bucket/{name}/info?namespace=."""
    return api.get('/object/bucket/%s/info' % name, params={'namespace': namespace})


def test_create_uses_the_namespace_default_vpool(api, lab, rg_ids):
    response = create(api, 'new', filesystem_enabled=True)
    body = response.json()
    assert response.status_code == 200
    assert (body['name'], body['id'], body['inactive']) == ('new', 'lab.new', False)
    bucket = info(api, 'new').json()
    assert bucket['vpool'] == rg_ids['rg1']
    assert (bucket['fs_access_enabled'], bucket['owner'], bucket['namespace']) == (True, 'root', 'lab')
    assert (bucket['block_size'], bucket['notification_size'], bucket['softquota']) == (-1, -1, '-1')
    assert ISO_MS.fullmatch(bucket['created'])
    assert (bucket['global'], bucket['remote'], bucket['vdc']) == (None, None, None)


def test_create_with_explicit_vpool_and_quota(api, lab, rg_ids):
    assert create(api, 'q', vpool=rg_ids['rg2'], blockSize=20, notificationSize=18, owner='smith').status_code == 200
    bucket = info(api, 'q').json()
    assert (bucket['vpool'], bucket['block_size'], bucket['notification_size']) == (rg_ids['rg2'], 20, 18)
    assert (bucket['softquota'], bucket['owner']) == ('18', 'smith')


def test_create_takes_the_namespace_default_bucket_block_size(api, ecs_sim):
    ecs_sim.seed({'namespaces': {'lab': {'vpool': 'rg1', 'default_bucket_block_size': 7}}})
    assert create(api, 'dflt').status_code == 200
    assert info(api, 'dflt').json()['block_size'] == 7


def test_create_without_any_vpool_is_refused(api, ecs_sim):
    ecs_sim.seed({'namespaces': {'novpool': {}}})
    status, code, details, _retryable = ecs_error(create(api, 'b', namespace='novpool', vpool=''))
    assert (status, code) == (400, 1005)
    assert 'vpool' in details


@pytest.mark.parametrize('vpool', ['rg1', 'urn:storageos:ReplicationGroupInfo:nope:global'])
def test_create_with_an_unknown_vpool_is_refused(api, lab, vpool):
    assert ecs_error(create(api, 'b', vpool=vpool))[:2] == (400, 1008)


def test_create_with_a_disallowed_vpool_is_refused(api, ecs_sim, rg_ids):
    ecs_sim.seed({'namespaces': {'lab': {'vpool': 'rg1', 'allowed_vpools_list': ['rg1']}}})
    assert ecs_error(create(api, 'b', vpool=rg_ids['rg2']))[:2] == (400, 1011)


def test_create_in_a_missing_namespace_is_400_code_1004(api):
    assert ecs_error(create(api, 'b', namespace='ghost')) == (400, 1004, 'Unable to find entity with the given id ghost',
                                                              False)


def test_duplicate_bucket_is_400_code_40008(api, lab):
    assert ecs_error(create(api, 'b1'))[:2] == (400, 40008)


@pytest.mark.parametrize('name', ['.lead', 'trail.', 'dou..ble', '192.168.1.1', 'sp ace', 'x' * 256, '_under'])
def test_invalid_bucket_names_are_400_code_40009(api, lab, name):
    assert ecs_error(create(api, name))[:2] == (400, 40009)


@pytest.mark.parametrize('name', ['-dash', 'Mixed.Case_9', 'a'])
def test_valid_unusual_bucket_names(api, lab, name):
    assert create(api, name).status_code == 200


def test_bucket_calls_need_a_namespace_for_system_admins(api, lab):
    assert ecs_error(api.get('/object/bucket/b1/info'))[:2] == (400, 1005)
    assert ecs_error(api.post('/object/bucket', json={'name': 'x'}))[:2] == (400, 1005)


def test_missing_bucket_is_400_code_1004(api, lab):
    assert ecs_error(info(api, 'ghost')) == (400, 1004, 'Unable to find entity with the given id ghost', False)


def test_info_reports_seeded_quota(api, lab):
    bucket = info(api, 'b1').json()
    assert (bucket['id'], bucket['block_size'], bucket['notification_size'], bucket['softquota']) == (
        'lab.b1', 5, 4, '4')


def test_list_pages_through_all_buckets(api, ecs_sim):
    ecs_sim.seed({'namespaces': {'lab': {'vpool': 'rg1', 'buckets': {'b%d' % index: {} for index in range(7)}}}})
    names, params = [], {'namespace': 'lab', 'limit': 3}
    while True:
        body = api.get('/object/bucket', params=params).json()
        assert body['MaxBuckets'] == 3 and body['Filter'] == 'namespace=lab&name=*'
        names += [bucket['name'] for bucket in body['object_bucket']]
        if 'NextMarker' not in body:
            break
        params['marker'] = body['NextMarker']
    assert names == ['b%d' % index for index in range(7)]


def test_list_accepts_an_empty_marker_and_filters_by_prefix(api, ecs_sim):
    ecs_sim.seed({'namespaces': {'lab': {'vpool': 'rg1', 'buckets': {'data-1': {}, 'data-2': {}, 'logs': {}}}}})
    body = api.get('/object/bucket?namespace=lab&marker=&limit=100&name=data*').json()
    assert [bucket['name'] for bucket in body['object_bucket']] == ['data-1', 'data-2']
    assert body['object_bucket'][0]['id'] == 'lab.data-1'


def test_quota_get_put_delete(api, lab):
    assert api.get('/object/bucket/b2/quota', params={'namespace': 'lab'}).json() == {
        'bucketname': 'b2', 'namespace': 'lab', 'blockSize': -1, 'notificationSize': -1,
        'blockSizeInCount': -1, 'notificationSizeInCount': -1}
    response = api.put('/object/bucket/b2/quota', json={'namespace': 'lab', 'blockSize': 10, 'notificationSize': 8})
    assert (response.status_code, response.content) == (200, b'')
    quota = api.get('/object/bucket/b2/quota', params={'namespace': 'lab'}).json()
    assert (quota['blockSize'], quota['notificationSize']) == (10, 8)
    assert api.delete('/object/bucket/b2/quota', params={'namespace': 'lab'}).status_code == 200
    quota = api.get('/object/bucket/b2/quota', params={'namespace': 'lab'}).json()
    assert (quota['blockSize'], quota['notificationSize']) == (-1, -1)


@pytest.mark.parametrize('body, code', [
    ({'blockSize': -1, 'notificationSize': -1}, 1008),
    ({'blockSize': 10}, 1005),
    ({'notificationSize': 10}, 1005),
    ({'blockSize': 0, 'notificationSize': 0}, 1014),
    ({'blockSize': 5, 'notificationSize': 6}, 1008),
    ({'blockSize': 2.5, 'notificationSize': 1}, 1008),
])
def test_bucket_quota_rules(api, lab, ecs_sim, body, code):
    response = api.put('/object/bucket/b1/quota', json={'namespace': 'lab', **body})
    assert ecs_error(response)[:2] == (400, code)
    assert ecs_sim.state()['namespaces']['lab']['buckets']['b1']['quota'] == {'blockSize': 5, 'notificationSize': 4}


@pytest.mark.parametrize('block, notification', [(-1, 5), (5, -1)])
def test_bucket_quota_one_side_unset_is_allowed(api, lab, block, notification):
    body = {'namespace': 'lab', 'blockSize': block, 'notificationSize': notification}
    assert api.put('/object/bucket/b1/quota', json=body).status_code == 200


def test_quota_namespace_may_come_from_the_query(api, lab):
    response = api.put('/object/bucket/b2/quota?namespace=lab', json={'blockSize': 3, 'notificationSize': 2})
    assert response.status_code == 200


def test_deactivate_an_empty_bucket(api, lab):
    response = api.post('/object/bucket/b2/deactivate', params={'namespace': 'lab'}, data='"{}"')
    assert (response.status_code, response.content) == (200, b'')
    assert ecs_error(info(api, 'b2'))[:2] == (400, 1004)


@pytest.mark.parametrize('params', [{}, {'emptyBucket': 'false'}])
def test_deactivate_a_non_empty_bucket_is_refused(api, lab, ecs_sim, params):
    response = api.post('/object/bucket/b1/deactivate', params={'namespace': 'lab', **params})
    status, code, details, retryable = ecs_error(response)
    assert (status, code, retryable) == (400, 1025, False)
    assert 'not empty' in details
    assert 'b1' in ecs_sim.state()['namespaces']['lab']['buckets']


def test_empty_bucket_status_without_a_task(api, lab):
    assert api.get('/object/bucket/b1/empty-bucket-status', params={'namespace': 'lab'}).json()['status'] == 'NOT_FOUND'


def test_deactivate_with_empty_bucket_runs_in_the_background(api, lab, ecs_sim):
    ecs_sim.config(empty_bucket_seconds=0.5)
    response = api.post('/object/bucket/b1/deactivate', params={'namespace': 'lab', 'emptyBucket': 'true'})
    assert (response.status_code, response.content) == (202, b'')
    assert info(api, 'b1').json()['is_empty_bucket_in_progress'] is True
    assert ecs_error(api.post('/object/bucket/b1/deactivate', params={'namespace': 'lab', 'emptyBucket': 'true'}))[0] == 400
    assert ecs_error(api.post('/object/namespaces/namespace/lab/deactivate'))[:2] == (400, 1020)
    seen = []
    for _attempt in range(100):
        status = api.get('/object/bucket/b1/empty-bucket-status', params={'namespace': 'lab'}).json()
        seen.append(status['status'])
        if status['status'] == 'DONE':
            break
        time.sleep(0.05)
    assert seen[-1] == 'DONE'
    assert set(seen) <= {'PENDING', 'IN_PROGRESS', 'POST_PROCESSING', 'DONE'}
    assert status['entries_deleted'] == 3 and status['approx_object_count'] == 0
    assert ecs_error(info(api, 'b1'))[:2] == (400, 1004)
    assert 'b1' not in ecs_sim.state()['namespaces']['lab']['buckets']


def test_seed_may_remove_a_bucket_that_is_being_emptied(api, lab, ecs_sim):
    assert api.post('/object/bucket/b1/deactivate', params={'namespace': 'lab', 'emptyBucket': 'true'}).status_code == 202
    ecs_sim.seed({'namespaces': {'lab': None}})
    assert ecs_error(api.get('/object/namespaces/namespace/lab'))[:2] == (400, 1004)


def test_deactivate_needs_a_system_admin(ecs_sim, lab):
    ecs_sim.seed({'users': {'nsadmin': {'password': 'pw', 'roles': ['NAMESPACE_ADMIN'], 'namespace': 'lab'}}})
    nsadmin = ecs_sim.api('nsadmin', 'pw')
    assert ecs_error(nsadmin.post('/object/bucket/b2/deactivate', params={'namespace': 'lab'}))[:2] == (403, 3000)
