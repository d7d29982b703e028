"""Billing: units, per-namespace and per-bucket records, bucket detail paging, samples, batch form."""

import re
from datetime import datetime, timezone

import pytest

from support.simulator import ecs_error

pytestmark = pytest.mark.simulator

GIB = 1024 ** 3
SAMPLE_TIME = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:00Z')


def ns_info(api, namespace='lab', **params):
    """GET /object/billing/namespace/{ns}/info."""
    return api.get('/object/billing/namespace/%s/info' % namespace, params=params)


@pytest.mark.parametrize('unit, size', [
    ('KB', 1572864), ('KiB', 1572864), ('MB', 1536), ('MiB', 1536), ('GB', 1.5), ('GiB', 1.5),
    ('BYTE', 1610612736)])
def test_sizes_in_every_unit_from_the_same_bytes(api, lab, unit, size):
    body = ns_info(api, sizeunit=unit).json()
    assert (body['total_size'], body['total_size_unit']) == (size, unit)
    assert type(body['total_size']) is type(size)  # integral values are JSON integers  # noqa: E721
    bucket = api.get('/object/billing/buckets/lab/b1/info', params={'sizeunit': unit}).json()
    assert (bucket['total_size'], bucket['total_size_unit']) == (size, unit)


def test_default_unit_is_gb(api, lab):
    body = ns_info(api).json()
    assert (body['total_size'], body['total_size_unit'], body['total_objects']) == (1.5, 'GB', 3)


def test_kb_is_bytes_over_1024_even_when_not_integral(api, ecs_sim):
    ecs_sim.seed({'namespaces': {'odd': {'vpool': 'rg1', 'buckets': {'b': {'usage': {'bytes': 1000, 'objects': 1}}}}}})
    assert ns_info(api, 'odd', sizeunit='KB').json()['total_size'] == 1000 / 1024


@pytest.mark.parametrize('unit', ['kb', 'TB', 'bytes'])
def test_unknown_units_are_400(api, lab, unit):
    assert ecs_error(ns_info(api, sizeunit=unit))[:2] == (400, 1008)


def test_namespace_record_fields(api, lab, rg_ids):
    body = ns_info(api, include_bucket_detail='true', sizeunit='KB').json()
    assert body['namespace'] == 'lab'
    assert SAMPLE_TIME.fullmatch(body['sample_time']) and body['uptodate_till'] == body['sample_time']
    assert int(body['sample_time'][14:16]) % 5 == 0
    assert 'next_marker' not in body
    assert body['bucket_billing_info'] == [
        {'name': 'b1', 'namespace': 'lab', 'vpool_id': rg_ids['rg1'], 'total_size': 1572864, 'total_size_unit': 'KB',
         'total_objects': 3, 'total_mpu_size': 0, 'total_mpu_parts': 0, 'sample_time': body['sample_time'],
         'uptodate_till': body['sample_time'], 'TagSet': []},
        {'name': 'b2', 'namespace': 'lab', 'vpool_id': rg_ids['rg1'], 'total_size': 0, 'total_size_unit': 'KB',
         'total_objects': 0, 'total_mpu_size': 0, 'total_mpu_parts': 0, 'sample_time': body['sample_time'],
         'uptodate_till': body['sample_time'], 'TagSet': []}]


@pytest.mark.parametrize('flag', ['false', 'False', None])
def test_no_bucket_detail_unless_asked(api, lab, flag):
    params = {'include_bucket_detail': flag} if flag else {}
    assert 'bucket_billing_info' not in ns_info(api, **params).json()


def test_bucket_detail_pages_with_next_marker(api, ecs_sim):
    buckets = {'b%d' % index: {'usage': {'bytes': 1024 * index, 'objects': index}} for index in range(5)}
    ecs_sim.seed({'namespaces': {'big': {'vpool': 'rg1', 'buckets': buckets}}})
    ecs_sim.config(page_size_default=2)
    names, params = [], {'include_bucket_detail': 'true', 'sizeunit': 'KB'}
    while True:
        body = ns_info(api, 'big', **params).json()
        assert (body['total_size'], body['total_objects']) == (10, 10)  # totals cover the whole namespace
        names += [record['name'] for record in body['bucket_billing_info']]
        if not body.get('next_marker'):
            break
        params['marker'] = body['next_marker']
    assert names == sorted(buckets)


def test_missing_namespace_or_bucket_is_400_code_1004(api, lab):
    assert ecs_error(ns_info(api, 'ghost'))[:2] == (400, 1004)
    assert ecs_error(api.get('/object/billing/buckets/lab/ghost/info')) == (
        400, 1004, 'Unable to find entity with the given id ghost', False)


def test_namespace_sample(api, lab):
    body = api.get('/object/billing/namespace/lab/sample', params={
        'start_time': '2024-01-01T00:00', 'end_time': '2024-01-01T01:00', 'include_bucket_detail': 'true',
        'sizeunit': 'MB'}).json()
    assert (body['sample_start_time'], body['sample_end_time']) == ('2024-01-01T00:00:00Z', '2024-01-01T01:00:00Z')
    assert (body['total_size'], body['total_size_unit'], body['total_objects']) == (1536, 'MB', 3)
    assert [record['name'] for record in body['bucket_billing_sample']] == ['b1', 'b2']
    assert set(body) >= {'objects_created', 'objects_deleted', 'bytes_delta', 'ingress', 'egress'}


def test_bucket_sample_accepts_hour_format(api, lab):
    params = {'start_time': '2024-01-01T00', 'end_time': '2024-01-01T02'}
    response = api.get('/object/billing/buckets/lab/b1/sample', params=params)
    assert response.json()['total_size'] == 1.5


@pytest.mark.parametrize('start, end, code', [
    ('2024-01-01T00:03', '2024-01-01T01:00', 1008),
    ('2024-01-01T00:00', '2024-01-01T00:59', 1008),
    ('2024-01-01T01:00', '2024-01-01T01:00', 1008),
    ('yesterday', '2024-01-01T01:00', 1008),
    (None, '2024-01-01T01:00', 1005),
])
def test_sample_windows_must_align_to_five_minutes(api, lab, start, end, code):
    params = {'end_time': end, **({'start_time': start} if start else {})}
    assert ecs_error(api.get('/object/billing/namespace/lab/sample', params=params))[:2] == (400, code)


def test_batch_namespace_billing(api, lab, ecs_sim):
    ecs_sim.seed({'namespaces': {'two': {'vpool': 'rg2', 'buckets': {'x': {'usage': {'bytes': GIB, 'objects': 1}}}}}})
    response = api.post('/object/billing/namespace/info', params={'sizeunit': 'GB', 'include_bucket_detail': 'true'},
                        json={'id': ['lab', 'two']})
    records = response.json()['namespace_billing_info']
    assert [(r['namespace'], r['total_size'], r['total_objects']) for r in records] == [('lab', 1.5, 3), ('two', 1, 1)]
    assert [b['name'] for b in records[1]['bucket_billing_info']] == ['x']
    plain = api.post('/object/billing/namespace/info', json={'id': ['two']}).json()['namespace_billing_info'][0]
    assert 'bucket_billing_info' not in plain and plain['total_size_unit'] == 'GB'


def test_batch_with_an_unknown_namespace_is_400_code_1004(api, lab):
    response = api.post('/object/billing/namespace/info', json={'id': ['lab', 'ghost']})
    assert ecs_error(response) == (400, 1004, 'Unable to find entity with the given id ghost', False)
    assert ecs_error(api.post('/object/billing/namespace/info', json={'id': []}))[:2] == (400, 1005)


def test_batch_bucket_billing(api, lab):
    body = api.post('/object/billing/buckets/lab/info', params={'sizeunit': 'KB'}, json={'id': ['b2', 'b1']}).json()
    assert [(r['name'], r['total_size']) for r in body['bucket_billing_info']] == [('b2', 0), ('b1', 1572864)]


def test_batch_billing_off_behaves_like_an_older_cluster(api, lab, ecs_sim):
    ecs_sim.config(batch_billing='off')
    assert ecs_error(api.post('/object/billing/namespace/info', json={'id': ['lab']}))[:2] == (404, 2000)
    assert ns_info(api).status_code == 200
    assert ecs_sim.stats()['requests']['POST /object/billing/namespace/info'] == 1


def test_batch_billing_off_from_the_command_line(ecs_sim_factory):
    sim = ecs_sim_factory(extra_args=('--batch-billing', 'off'))
    sim.seed({'namespaces': {'lab': {}}})
    assert sim.api().post('/object/billing/namespace/info', json={'id': ['lab']}).status_code == 404


def test_sample_time_is_recent(api, lab):
    stamp = datetime.strptime(ns_info(api).json()["sample_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - stamp).total_seconds()) < 600
