"""The throwaway ColdFront itself: datasets, copies per test, in-process inspection, helpers."""

import subprocess
import sys

import pytest

from support.coldfront_site import REPO, ColdFrontSite

pytestmark = pytest.mark.coldfront


def test_default_dataset(coldfront_site):
    models = coldfront_site.orm()
    assert models.connection.vendor == ('postgresql' if coldfront_site.kind == 'postgresql' else 'sqlite')
    east = models.Resource.objects.get(name='ecs-east')
    assert coldfront_site.resource_attributes('ecs-east')['url'] == 'ecs1.example.org'
    assert east.resource_type.name == 'Storage'
    assert 'url' not in coldfront_site.resource_attributes('ECS-Archive')
    smith = coldfront_site.allocation_id('smith-east')
    assert coldfront_site.allocation_attributes(smith, 'Storage Quota (TB)') == [('Storage Quota (TB)', '10', 2.5)]
    statuses = set(models.Allocation.objects.values_list('status__name', flat=True))
    assert {'Active', 'New', 'Expired', 'Renewal Requested'} <= statuses
    assert models.ResourceDataType.objects.filter(name='Float').count() == 1
    assert models.User.objects.get(username='jsmith').has_usable_password() is False


def test_bare_dataset_lacks_the_collection_types(coldfront_site_factory):
    site = coldfront_site_factory('bare')
    models = site.orm()
    assert not models.AllocationAttributeType.objects.filter(name='Storage Quota (TB)').exists()
    assert not models.ResourceAttributeType.objects.filter(name='url').exists()
    assert not models.ResourceDataType.objects.filter(name='Float').exists()
    assert models.Allocation.objects.count() == len(site.ids['allocation'])


def test_each_test_gets_its_own_copy(coldfront_site_factory):
    first, second = coldfront_site_factory(), coldfront_site_factory()
    first.add_allocation('smith', ['ecs-east'], attributes={'Storage Quota (TB)': '4'})
    assert first.orm().Allocation.objects.count() == second.orm().Allocation.objects.count() + 1


def test_history_counts_and_helpers(coldfront_site):
    before = coldfront_site.history_counts()
    new_id = coldfront_site.add_allocation('jones', ['ecs-west'], attributes={'Bucket': 'b-one'})
    coldfront_site.add_allocation_attributes(new_id, {'Bucket': 'b-two'})
    after = coldfront_site.history_counts()
    assert after['allocation_historicalallocationattribute'] == before['allocation_historicalallocationattribute'] + 2
    assert [value for _name, value, _usage in coldfront_site.allocation_attributes(new_id, 'Bucket')] == ['b-one', 'b-two']
    type_id = coldfront_site.add_attribute_type('allocation', 'Bucket')
    assert coldfront_site.orm().AllocationAttributeType.objects.filter(name='Bucket').count() == 2
    assert type_id


def test_generate_bulk(coldfront_site):
    made = coldfront_site.generate(200, resources=3)
    models = coldfront_site.orm()
    assert len(made['allocations']) == 200 and len(made['resources']) == 3
    assert models.AllocationAttributeUsage.objects.filter(
        allocation_attribute__allocation_id__in=made['allocations']).count() == 200


def test_cli_create_prints_env(tmp_path):
    proc = subprocess.run([sys.executable, 'tests/support/coldfront_site.py', 'create', str(tmp_path / 's'),
                           '--fixture', 'default'], cwd=REPO, capture_output=True, text=True, check=True)
    assert 'export DB_URL=' in proc.stdout
    site = ColdFrontSite.open(str(tmp_path / 's'))
    try:
        assert site.orm().Resource.objects.filter(name='ecs-west').exists()
    finally:
        site.destroy()
