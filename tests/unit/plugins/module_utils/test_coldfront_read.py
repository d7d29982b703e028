"""The read model (load_resources / load_allocations) against a real ColdFront database."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront import access as cf

pytestmark = pytest.mark.coldfront


@pytest.fixture
def site(coldfront_site):
    coldfront_site.orm()  # this process's Django now points at the test's database
    info = cf.setup_django()
    assert info['version'].startswith('1.1.') and info['warnings'] == []
    return coldfront_site


def by_name(records):
    return {record['name']: record for record in records}


def test_contract_records(site):
    records = by_name(cf.load_resources())
    assert sorted(records) == ['ECS-Archive', 'ecs-east', 'ecs-west']
    east = records['ecs-east']
    assert {key: east[key] for key in ('name', 'resource_type', 'is_available')} == \
        {'name': 'ecs-east', 'resource_type': 'Storage', 'is_available': True}
    assert east['attributes'] == {'url': 'ecs1.example.org', 'replication_group': 'rg1', 'ldap_domain': 'ad.example.org',
                                  'capacity_tb': '500'}
    smith = next(a for a in east['allocations'] if a['id'] == site.allocation_id('smith-east'))
    quota = smith['attributes']['Storage Quota (TB)']
    assert (quota['type'], quota['value'], quota['usage']) == ('Float', '10', 2.5)
    assert smith['project'] == {'id': site.project_id('smith'), 'title': 'Smith Lab', 'pi': 'jsmith', 'status': 'Active'}
    assert smith['resources'] == ['ecs-east'] and smith['status'] == 'Active'
    assert (smith['start_date'], smith['end_date'], smith['quantity']) == ('2025-01-01', '2099-12-31', 1)
    assert smith['duplicate_attributes'] == []
    jones = next(a for a in east['allocations'] if a['id'] == site.allocation_id('jones-east'))
    assert jones['attributes']['Namespace'] == {'id': jones['attributes']['Namespace']['id'], 'type': 'Text',
                                                'value': 'jones-genomics', 'usage': None}
    # Only Active by default: the Renewal Requested allocation on ecs-east is not there.
    assert {a['status'] for r in records.values() for a in r['allocations']} == {'Active'}


def test_statuses_ids_and_selection(site):
    west = by_name(cf.load_resources(allocation_statuses=None))['ecs-west']
    assert sorted(a['status'] for a in west['allocations']) == ['Active', 'Expired', 'New']
    expired = site.allocation_id('jones-west-expired')
    only = cf.load_resources({'names': ['ecs-west']}, allocation_statuses='Expired')
    assert [[a['id'] for a in r['allocations']] for r in only] == [[expired]]
    picked = cf.load_resources(allocation_statuses=None, allocation_ids=[expired])
    assert {r['name']: len(r['allocations']) for r in picked} == {'ECS-Archive': 0, 'ecs-east': 0, 'ecs-west': 1}
    assert cf.load_resources({'name_contains': 'nothing-matches'}) == []
    assert [r['name'] for r in cf.load_resources({'attribute': {'name': 'url'}})] == ['ecs-east', 'ecs-west']


def test_duplicate_attributes_first_wins(site):
    smith = site.allocation_id('smith-east')
    site.add_allocation_attributes(smith, {'Bucket': 'first-bucket'})
    site.add_allocation_attributes(smith, {'Bucket': 'second-bucket'})
    record = next(a for a in by_name(cf.load_resources())['ecs-east']['allocations'] if a['id'] == smith)
    assert record['attributes']['Bucket']['value'] == 'first-bucket'
    assert record['duplicate_attributes'] == ['Bucket']


def test_allocation_on_two_resources_is_listed_under_both(site):
    both = site.add_allocation('odd', ['ecs-east', 'ecs-west'])
    records = by_name(cf.load_resources())
    for name in ('ecs-east', 'ecs-west'):
        record = next(a for a in records[name]['allocations'] if a['id'] == both)
        assert record['resources'] == ['ecs-east', 'ecs-west']


def count_queries(function, *args, **kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as context:
        result = function(*args, **kwargs)
    return len(context.captured_queries), result


def test_constant_number_of_queries(site):
    """1 allocation or 50 more (with attributes, usage, several resources): the same number of queries."""
    few, records = count_queries(cf.load_resources, {'names': ['ECS-Archive']})
    assert sum(len(r['allocations']) for r in records) == 1
    site.generate(50, resources=3)
    for ref in ('smith-east', 'jones-east'):
        site.add_allocation_attributes(ref, {'Subdirectory': 'x:y'})
    many, records = count_queries(cf.load_resources)
    assert sum(len(r['allocations']) for r in records) >= 53
    assert few == many == 5


def test_load_allocations(site):
    allocations = cf.load_allocations(resource_names=['ecs-west'])
    assert [a['status'] for a in allocations] == ['Active', 'New', 'Expired']
    assert [a['id'] for a in cf.load_allocations(project='Smith Lab', allocation_statuses=['Active'])] == \
        [site.allocation_id('smith-east'), site.allocation_id('smith-cluster')]
    assert [a['id'] for a in cf.load_allocations(project=str(site.project_id('odd')))] == [site.allocation_id('odd-west')]
    count, allocations = count_queries(cf.load_allocations)
    assert count == 3 and len(allocations) == len(site.ids['allocation'])
