"""Capacity, replication groups and storage pools."""

import re

import pytest

from support.simulator import ecs_error

pytestmark = pytest.mark.simulator

RG_ID = re.compile(r'urn:storageos:ReplicationGroupInfo:[0-9a-f-]{36}:global')


def test_cluster_capacity_in_integer_gb(api):
    body = api.get('/object/capacity').json()
    assert set(body) == {'totalProvisioned_gb', 'totalFree_gb'}
    assert all(isinstance(value, int) for value in body.values())
    assert body['totalFree_gb'] <= body['totalProvisioned_gb']


def test_capacity_per_storage_pool(api, ecs_sim):
    pools = api.get('/vdc/data-services/varrays').json()['varray']
    assert [pool['name'] for pool in pools] == ['sp1', 'sp2']
    figures = [api.get('/object/capacity/%s' % pool['id']).json() for pool in pools]
    total = api.get('/object/capacity').json()
    assert sum(f['totalProvisioned_gb'] for f in figures) == total['totalProvisioned_gb']
    assert ecs_error(api.get('/object/capacity/urn:storageos:VirtualArray:nope'))[:2] == (400, 1004)


def test_seeded_capacity(api, ecs_sim):
    ecs_sim.seed({'capacity': {'totalProvisioned_gb': 1000, 'totalFree_gb': 250}})
    assert api.get('/object/capacity').json() == {'totalProvisioned_gb': 1000, 'totalFree_gb': 250}


def test_replication_groups_list(api):
    groups = api.get('/vdc/data-service/vpools').json()['data_service_vpool']
    assert [group['name'] for group in groups] == ['rg1', 'rg2']
    for group in groups:
        assert RG_ID.fullmatch(group['id'])
        mapping = group['varrayMappings'][0]
        assert mapping['name'].startswith('urn:storageos:VirtualDataCenterData:')
        assert mapping['value'].startswith('urn:storageos:VirtualArray:')
        assert isinstance(group['creation_time'], int) and group['creation_time'] > 10 ** 12
        assert (group['global'], group['remote'], group['vdc']) == (None, None, None)
        assert set(group) >= {'description', 'isAllowAllNamespaces', 'enable_rebalancing', 'isFullRep', 'inactive'}


def test_replication_group_by_id(api, rg_ids):
    assert api.get('/vdc/data-service/vpools/%s' % rg_ids['rg2']).json()['name'] == 'rg2'
    assert ecs_error(api.get('/vdc/data-service/vpools/rg2'))[:2] == (400, 1004)


def test_replication_group_ids_are_stable_across_restarts(ecs_sim, ecs_sim_factory, rg_ids):
    other = ecs_sim_factory()
    assert {name: entry['id'] for name, entry in other.state()['replication_groups'].items()} == rg_ids


def test_seeded_replication_group(api, ecs_sim):
    ecs_sim.seed({'replication_groups': {'rg-archive': {'description': 'Archive', 'id':
                                                        'urn:storageos:ReplicationGroupInfo:archive:global'}}})
    groups = {g['name']: g for g in api.get('/vdc/data-service/vpools').json()['data_service_vpool']}
    assert groups['rg-archive']['id'] == 'urn:storageos:ReplicationGroupInfo:archive:global'
    assert groups['rg-archive']['description'] == 'Archive'
