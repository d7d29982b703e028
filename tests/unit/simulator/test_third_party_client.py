"""python-ecsclient (Dell EMC's own Python client, unchanged) against the simulator.

It shows the simulator speaks the real API rather than our client's idea of it: the library's quirks (whoami
before every call, `'{}'` string bodies, `force=True`, hand-built query strings, no Accept on DELETE) all work,
and its own JSON schemas (ecsclient.schemas) accept what the simulator returns.
"""

import pytest
from ecsclient import schemas
from ecsclient.client import Client
from ecsclient.common.exceptions import ECSClientException
from ecsclient.common.util import is_valid_response

pytestmark = pytest.mark.simulator


@pytest.fixture
def client(ecs_sim):
    """An ecsclient v3 client: no token cache file, TLS verified against the simulator's CA."""
    return Client('3', username=ecs_sim.admin.username, password=ecs_sim.admin.password,
                  token_endpoint=ecs_sim.url + '/login', ecs_endpoint=ecs_sim.url, verify_ssl=ecs_sim.ca_path,
                  cache_token=False, request_timeout=10)


def test_replication_groups_and_capacity(client):
    groups = client.replication_group.list()
    assert is_valid_response(groups, schemas.REPLICATION_GROUPS)
    first = groups['data_service_vpool'][0]
    assert is_valid_response(client.replication_group.get(first['id']), schemas.REPLICATION_GROUP)
    assert is_valid_response(client.capacity.get_cluster_capacity(), schemas.CAPACITY)
    pool = client.storage_pool.list()['varray'][0]['id']
    assert is_valid_response(client.capacity.get_cluster_capacity(pool), schemas.CAPACITY)
    assert is_valid_response(client.user_info.whoami(), schemas.WHOAMI)


def test_namespace_lifecycle_and_quota(client):
    rg_id = client.replication_group.list()['data_service_vpool'][0]['id']
    created = client.namespace.create('tp-lab', default_data_services_vpool=rg_id)
    assert is_valid_response(created, schemas.NAMESPACE) and created['name'] == 'tp-lab'
    assert is_valid_response(client.namespace.list(), schemas.NAMESPACES)
    assert is_valid_response(client.namespace.get('tp-lab'), schemas.NAMESPACE)
    client.namespace.update('tp-lab', is_stale_allowed=True)
    assert client.namespace.get('tp-lab')['is_stale_allowed'] is True
    client.namespace.update_namespace_quota(block_size=100, notification_size=90, namespace='tp-lab')
    quota = client.namespace.get_namespace_quota('tp-lab')
    assert (quota['blockSize'], quota['notificationSize']) == (100, 90)
    client.namespace.delete('tp-lab')
    with pytest.raises(ECSClientException) as error:
        client.namespace.get('tp-lab')
    assert (error.value.http_status, error.value.ecs_code) == (400, 1004)
    assert error.value.ecs_details == 'Unable to find entity with the given id tp-lab'


def test_bucket_lifecycle_quota_and_billing(client, ecs_sim):
    rg_id = client.replication_group.list()['data_service_vpool'][0]['id']
    client.namespace.create('tp-ns', default_data_services_vpool=rg_id)
    created = client.bucket.create('tp-bucket', namespace='tp-ns', replication_group=rg_id, filesystem_enabled=True,
                                   head_type='s3', stale_allowed=True)
    assert is_valid_response(created, schemas.BUCKET_SHORT)
    bucket = client.bucket.get('tp-bucket', namespace='tp-ns')
    assert is_valid_response(bucket, schemas.BUCKET) and bucket['fs_access_enabled'] is True
    assert is_valid_response(client.bucket.list('tp-ns'), schemas.BUCKET_LIST)
    client.bucket.set_quota('tp-bucket', block_size=10, notification_size=1, namespace='tp-ns')
    quota = client.bucket.get_quota('tp-bucket', namespace='tp-ns')
    assert (quota['blockSize'], quota['notificationSize']) == (10, 1)
    client.bucket.delete_quota('tp-bucket', namespace='tp-ns')
    assert client.bucket.get_quota('tp-bucket', namespace='tp-ns')['blockSize'] == -1

    ecs_sim.seed({'namespaces': {'tp-ns': {'buckets': {'tp-bucket': {'usage': {'bytes': 5 * 1024 ** 2, 'objects': 2}}}}}})
    usage = client.billing.get_namespace_billing_info('tp-ns', sizeunit='KB', include_bucket_detail=True)
    assert (usage['total_size'], usage['total_objects']) == (5120, 2)
    assert usage['bucket_billing_info'][0]['name'] == 'tp-bucket'
    assert client.billing.get_bucket_billing_info('tp-bucket', 'tp-ns', sizeunit='MB')['total_size'] == 5
    sample = client.billing.get_namespace_billing_sample('tp-ns', '2024-01-01T00:00', '2024-01-01T01:00')
    assert sample['total_objects'] == 2

    with pytest.raises(ECSClientException) as error:
        client.bucket.delete('tp-bucket', namespace='tp-ns')  # not empty
    assert error.value.http_status == 400
    ecs_sim.seed({'namespaces': {'tp-ns': {'buckets': {'tp-bucket': {'usage': {'bytes': 0, 'objects': 0}}}}}})
    client.bucket.delete('tp-bucket', namespace='tp-ns')
    client.namespace.delete('tp-ns')
    assert ecs_sim.state()['namespaces'] == {}


def test_login_token_check_and_forced_logout(client, ecs_sim):
    client.namespace.list()
    client.capacity.get_cluster_capacity()
    stats = ecs_sim.stats()
    assert stats['logins'] == 1  # one token, checked with whoami before every call
    assert stats['requests']['GET /user/whoami'] == 1
    assert client.authentication.logout(force=True) == {'user': 'root'}
    assert ecs_sim.stats()['live_tokens_total'] == 0


def test_bad_password_surfaces_as_401(ecs_sim):
    bad = Client('3', username='root', password='nope', token_endpoint=ecs_sim.url + '/login',
                 ecs_endpoint=ecs_sim.url, verify_ssl=ecs_sim.ca_path, cache_token=False)
    with pytest.raises(ECSClientException) as error:
        bad.namespace.list()
    assert error.value.http_status == 401
