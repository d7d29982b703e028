"""Writes through the access layer against a real ColdFront: validation, diff-only, history, transactions."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront import (
    access as cf, schema as cs, write as cw)

pytestmark = pytest.mark.coldfront

QUOTA = 'Storage Quota (TB)'


@pytest.fixture
def site(coldfront_site):
    coldfront_site.orm()
    cf.setup_django()
    return coldfront_site


def test_writes_only_differences_and_attributes_history(site):
    smith, jones = site.allocation_id('smith-east'), site.allocation_id('jones-east')
    items = [
        {'allocation_id': smith, 'name': QUOTA, 'value': 10.0, 'usage': '2.5'},  # same as stored ("10", 2.5)
        {'allocation_id': jones, 'name': QUOTA, 'value': 12, 'usage': 3},
        {'allocation_id': jones, 'name': 'Bucket', 'value': 'jones-b'},
    ]
    before = site.history_counts()
    results = cw.apply_allocation_attributes(items, reason='unit test', user='svc-ansible')
    assert [item['changed'] for item in results] == [False, True, True]
    assert results[1]['before'] == {'value': '20', 'usage': 0.0}
    assert results[1]['after'] == {'value': '12', 'usage': 3.0}
    assert results[2]['created'] and results[2]['before'] is None
    after = site.history_counts()
    assert after['allocation_historicalallocationattribute'] - before['allocation_historicalallocationattribute'] == 2
    assert after['allocation_historicalallocationattributeusage'] - \
        before['allocation_historicalallocationattributeusage'] == 1
    for row in site.history('AllocationAttribute')[:2] + site.history('AllocationAttributeUsage')[:1]:
        assert row.history_change_reason == 'hpc.coldfront_ecs: unit test'
        assert row.history_user.username == 'svc-ansible'
    # The same call again: nothing changes, no history row.
    again = cw.apply_allocation_attributes(items, reason='unit test', user='svc-ansible')
    assert not any(item['changed'] for item in again)
    assert site.history_counts() == after


def test_created_attribute_with_usage_writes_one_row_each(site):
    new = site.add_allocation('odd', ['ecs-east'])
    before = site.history_counts()
    [result] = cw.apply_allocation_attributes([{'allocation_id': new, 'name': QUOTA, 'value': '4', 'usage': 1.5}], 'x')
    assert result['created'] and result['after'] == {'value': '4', 'usage': 1.5}
    assert site.allocation_attributes(new, QUOTA) == [(QUOTA, '4', 1.5)]
    after = site.history_counts()
    assert after['allocation_historicalallocationattribute'] == before['allocation_historicalallocationattribute'] + 1
    assert after['allocation_historicalallocationattributeusage'] == \
        before['allocation_historicalallocationattributeusage'] + 1
    assert site.history('AllocationAttributeUsage')[0].history_change_reason == 'hpc.coldfront_ecs: x'


def test_created_without_usage_gets_colfront_zero_usage_row(site):
    new = site.add_allocation('odd', ['ecs-east'])
    [result] = cw.apply_allocation_attributes([{'allocation_id': new, 'name': QUOTA, 'value': '4'}], 'x')
    assert result['after'] == {'value': '4', 'usage': 0.0}
    assert site.allocation_attributes(new, QUOTA) == [(QUOTA, '4', 0.0)]


def test_check_mode_writes_nothing(site):
    smith = site.allocation_id('smith-east')
    before = site.history_counts()
    results = cw.apply_allocation_attributes(
        [{'allocation_id': smith, 'name': QUOTA, 'value': '11', 'usage': 3},
         {'allocation_id': smith, 'name': 'Namespace', 'value': 'smith-lab'}], 'x', check_mode=True)
    assert [(r['changed'], r['created'], r['attribute_id'] is None) for r in results] == \
        [(True, False, False), (True, True, True)]
    assert site.history_counts() == before
    assert site.allocation_attributes(smith, QUOTA) == [(QUOTA, '10', 2.5)]


BYTES = 'Quota_In_Bytes'
ATTRIBUTE_HISTORY = 'allocation_historicalallocationattribute'
USAGE_HISTORY = 'allocation_historicalallocationattributeusage'


def history_delta(site, before):
    after = site.history_counts()
    return dict((table, after[table] - before[table]) for table in after if after[table] != before[table])


def test_remove_deletes_attribute_and_usage_in_the_same_transaction_with_reason_and_user(site):
    smith, jones = site.allocation_id('smith-east'), site.allocation_id('jones-east')
    [attribute_id] = site.orm().AllocationAttribute.objects.filter(
        allocation_id=smith, allocation_attribute_type__name=BYTES).values_list('pk', flat=True)
    before = site.history_counts()
    result = cw.apply_changes(allocation_attributes=[{'allocation_id': smith, 'name': BYTES, 'remove': True},
                                                     {'allocation_id': jones, 'name': QUOTA, 'value': 30}],
                              reason='adopt', user='svc-ansible')
    removed, written = result['allocation_attributes']
    assert removed == {'allocation_id': smith, 'name': BYTES, 'attribute_id': attribute_id, 'created': False,
                       'removed': True, 'changed': True, 'after': None,
                       'before': {'value': '10995116277760', 'usage': 2748779069440.0}}
    assert written['changed'] and not written['removed'] and result['changed']
    assert site.allocation_attributes(smith, BYTES) == []
    assert site.allocation_attributes(smith, QUOTA) == [(QUOTA, '10', 2.5)]
    # one deletion row per table, the usage row's included, each with the reason and user of every other write
    assert history_delta(site, before) == {ATTRIBUTE_HISTORY: 2, USAGE_HISTORY: 1}
    [gone] = site.history('AllocationAttribute', id=attribute_id, history_type='-')
    [gone_usage] = site.history('AllocationAttributeUsage', allocation_attribute_id=attribute_id, history_type='-')
    for row in (gone, gone_usage):
        assert row.history_change_reason == 'hpc.coldfront_ecs: adopt'
        assert row.history_user.username == 'svc-ansible'
    assert cw.diff_of(result)['before']['allocation %d / %s' % (smith, BYTES)]['value'] == '10995116277760'
    assert cw.diff_of(result)['after']['allocation %d / %s' % (smith, BYTES)] is None


def test_remove_of_a_missing_attribute_is_no_change(site):
    odd = site.allocation_id('odd-west')
    before = site.history_counts()
    [result] = cw.apply_allocation_attributes([{'allocation_id': odd, 'name': BYTES, 'remove': True}], 'adopt')
    assert result == {'allocation_id': odd, 'name': BYTES, 'attribute_id': None, 'created': False, 'removed': True,
                      'changed': False, 'before': None, 'after': None}
    assert site.history_counts() == before
    assert cw.diff_of({'allocation_attributes': [result]}) == {'before': {}, 'after': {}}


def test_remove_in_check_mode_writes_nothing(site):
    smith = site.allocation_id('smith-east')
    before = site.history_counts()
    [result] = cw.apply_allocation_attributes([{'allocation_id': smith, 'name': BYTES, 'remove': True}], 'adopt',
                                              check_mode=True)
    assert result['changed'] and result['removed'] and result['after'] is None and result['attribute_id']
    assert site.history_counts() == before
    assert site.allocation_attributes(smith, BYTES) == [(BYTES, '10995116277760', 2748779069440.0)]


def test_remove_items_are_checked_with_the_others(site):
    smith, jones = site.allocation_id('smith-east'), site.allocation_id('jones-east')
    before = site.history_counts()
    with pytest.raises(cw.ValidationFailed) as info:
        cw.apply_allocation_attributes([
            {'allocation_id': jones, 'name': BYTES, 'remove': True},       # good, must not be written
            {'allocation_id': smith, 'name': BYTES, 'remove': True, 'value': 1},
            {'allocation_id': smith, 'name': QUOTA, 'remove': 'yes'},
            {'allocation_id': smith, 'name': 'No Such Type', 'remove': True},
            {'allocation_id': 99999, 'name': BYTES, 'remove': True},
            {'allocation_id': smith, 'name': 'Namespace', 'remove': False},
        ], 'x')
    assert info.value.errors == [
        "allocation %d 'Quota_In_Bytes': remove takes neither a value nor a usage" % smith,
        "allocation %d 'Storage Quota (TB)': remove 'yes' is not true or false" % smith,
        "allocation %d 'Namespace': give a value, a usage or both" % smith,
        "allocation %d 'No Such Type': allocation attribute type 'No Such Type' does not exist in ColdFront: create "
        "it first (hpc.coldfront_ecs.coldfront_attribute_type)" % smith,
        "allocation 99999 'Quota_In_Bytes': allocation 99999 does not exist",
    ]
    assert site.history_counts() == before
    assert site.allocation_attributes(jones, BYTES) == [(BYTES, '21990232555520', 0.0)]


def test_bad_items_are_all_reported_and_nothing_is_written(site):
    smith, jones, odd = (site.allocation_id(ref) for ref in ('smith-east', 'jones-east', 'odd-west'))
    before = site.history_counts()
    with pytest.raises(cw.ValidationFailed) as info:
        cw.apply_allocation_attributes([
            {'allocation_id': jones, 'name': QUOTA, 'value': '30'},  # good, must not be written
            {'allocation_id': smith, 'name': QUOTA, 'value': 'ten TB'},
            {'allocation_id': smith, 'name': 'Quota_In_Bytes', 'value': 'lots'},
            {'allocation_id': smith, 'name': 'Namespace', 'value': 'x', 'usage': 1},
            {'allocation_id': smith, 'name': 'No Such Type', 'value': 'x'},
            {'allocation_id': 99999, 'name': QUOTA, 'value': '1'},
            {'allocation_id': smith, 'name': 'Bucket', 'value': 'b' * 129},
            {'allocation_id': smith, 'name': 'Subdirectory', 'usage': 2},
            {'allocation_id': odd, 'name': QUOTA, 'usage': 'much'},
        ], 'x')
    assert info.value.errors == [
        "allocation %d 'Storage Quota (TB)': value 'ten TB' is not a Float (Float attribute)" % smith,
        "allocation %d 'Quota_In_Bytes': value 'lots' is not an Int (Int attribute)" % smith,
        "allocation %d 'Namespace': type 'Namespace' (id %d) has no usage (has_usage is false): a usage cannot be "
        "recorded for it" % (smith, site.orm().AllocationAttributeType.objects.get(name='Namespace').pk),
        "allocation %d 'No Such Type': allocation attribute type 'No Such Type' does not exist in ColdFront: create "
        "it first (hpc.coldfront_ecs.coldfront_attribute_type)" % smith,
        "allocation 99999 'Storage Quota (TB)': allocation 99999 does not exist",
        "allocation %d 'Bucket': value is 129 characters long; ColdFront allows at most 128 (Text attribute)" % smith,
        "allocation %d 'Subdirectory': type 'Subdirectory' (id %d) has no usage (has_usage is false): a usage cannot "
        "be recorded for it" % (smith, site.orm().AllocationAttributeType.objects.get(name='Subdirectory').pk),
        "allocation %d 'Storage Quota (TB)': usage 'much' is not a number" % odd,
    ]
    assert len(info.value.errors) == 8                                  # every problem, in one refusal
    assert site.history_counts() == before
    assert site.allocation_attributes(jones, QUOTA) == [(QUOTA, '20', 0.0)]


def test_item_shapes(site):
    smith = site.allocation_id('smith-east')
    with pytest.raises(cw.ValidationFailed) as info:
        cw.apply_allocation_attributes([
            {'allocation_id': smith, 'name': QUOTA},
            {'allocation_id': 'abc', 'name': QUOTA, 'value': 1},
            {'allocation_id': smith, 'name': 'Bucket', 'value': 'a'},
            {'allocation_id': smith, 'name': 'Bucket', 'value': 'b'},
            {'allocation_id': smith, 'name': 'Namespace', 'value': 'a', 'colour': 'red'},
            {'allocation_id': smith, 'name': 'Namespace', 'usage': 2},
        ], 'x', user='nobody')
    assert info.value.errors == [
        "history_user 'nobody' is not a ColdFront user name",
        "allocation %d 'Storage Quota (TB)': give a value, a usage or both" % smith,
        "item 1: allocation_id 'abc' is not an integer",
        "allocation %d 'Bucket': given twice with different values" % smith,
        'item 4: unknown key(s) colour',
        "allocation %d 'Namespace': type 'Namespace' (id %d) has no usage (has_usage is false): a usage cannot be "
        "recorded for it" % (smith, site.orm().AllocationAttributeType.objects.get(name='Namespace').pk),
    ]


def test_missing_attribute_rules(site):
    smith = site.allocation_id('smith-east')
    with pytest.raises(cw.ValidationFailed) as info:
        cw.apply_allocation_attributes([{'allocation_id': smith, 'name': 'Namespace', 'value': 'smith-lab'}], 'x',
                                       create_missing=False)
    assert info.value.errors == ["allocation %d 'Namespace': the allocation has no 'Namespace' attribute and "
                                 "create_missing is false" % smith]
    odd = site.allocation_id('odd-west')
    with pytest.raises(cw.ValidationFailed) as info:
        cw.apply_allocation_attributes([{'allocation_id': odd, 'name': 'Quota_In_Bytes', 'usage': 5}], 'x')
    assert info.value.errors == ["allocation %d 'Quota_In_Bytes': the allocation has no 'Quota_In_Bytes' attribute: "
                                 "give a value to create it" % odd]


def test_duplicate_types_and_attributes_are_refused_with_ids(site):
    smith = site.allocation_id('smith-east')
    first = site.orm().AllocationAttributeType.objects.get(name='Bucket').pk
    second = site.add_attribute_type('allocation', 'Bucket')
    with pytest.raises(cw.ValidationFailed) as info:
        cw.apply_allocation_attributes([{'allocation_id': smith, 'name': 'Bucket', 'value': 'x'}], 'x')
    assert info.value.errors == [
        "allocation %d 'Bucket': allocation attribute type name 'Bucket' is ambiguous: 2 types have it (ids %d, %d); "
        "merge or rename them in ColdFront before writing" % (smith, first, second)]

    ids = site.add_allocation_attributes(smith, {'Subdirectory': 'a:b'}) + \
        site.add_allocation_attributes(smith, {'Subdirectory': 'c:d'})
    with pytest.raises(cw.ValidationFailed) as info:
        cw.apply_allocation_attributes([{'allocation_id': smith, 'name': 'Subdirectory', 'value': 'a:b'}], 'x')
    assert info.value.errors == [
        "allocation %d 'Subdirectory': the allocation has 2 'Subdirectory' attributes (ids %d, %d); remove the "
        "duplicates in ColdFront before writing" % (smith, ids[0], ids[1])]


def test_resource_attributes(site):
    before = site.history_counts()
    items = [{'resource': 'ecs-east', 'name': 'capacity_tb', 'value': 500.0},  # stored "500": no change
             {'resource': 'ecs-east', 'name': 'used_tb', 'value': 12.5},
             {'resource': str(site.resource_id('ecs-west')), 'name': 'url', 'value': 'ecs2b.example.org'}]
    results = cw.apply_resource_attributes(items, 'unit test', user='cfadmin')
    assert [(r['resource'], r['changed'], r['created'], r['before'], r['after']) for r in results] == [
        ('ecs-east', False, False, '500', '500'), ('ecs-east', True, True, None, '12.5'),
        ('ecs-west', True, False, 'https://ecs2.example.org', 'ecs2b.example.org')]
    after = site.history_counts()
    assert after['resource_historicalresourceattribute'] == before['resource_historicalresourceattribute'] + 2
    assert site.history('ResourceAttribute')[0].history_user.username == 'cfadmin'
    assert not any(r['changed'] for r in cw.apply_resource_attributes(items, 'unit test'))
    assert site.history_counts() == after

    with pytest.raises(cw.ValidationFailed) as info:
        cw.apply_resource_attributes([{'resource': 'ecs-east', 'name': 'capacity_tb', 'value': 'big'},
                                      {'resource': 'nowhere', 'name': 'url', 'value': 'x'},
                                      {'resource': 'ecs-east', 'name': 'url'}], 'x')
    assert info.value.errors == [
        'item 2: missing value',
        "resource ecs-east 'capacity_tb': value 'big' is not a Float (Float attribute)",
        "resource nowhere 'url': resource nowhere does not exist"]


def test_apply_changes_is_one_transaction(site):
    jones = site.allocation_id('jones-east')
    before = site.history_counts()
    with pytest.raises(cw.ValidationFailed):
        cw.apply_changes(allocation_attributes=[{'allocation_id': jones, 'name': QUOTA, 'value': '30'}],
                         resource_attributes=[{'resource': 'ecs-east', 'name': 'capacity_tb', 'value': 'x'}])
    assert site.history_counts() == before
    result = cw.apply_changes(allocation_attributes=[{'allocation_id': jones, 'name': QUOTA, 'value': '30'}],
                              resource_attributes=[{'resource': 'ecs-east', 'name': 'used_tb', 'value': 1}],
                              reason='sync')
    assert result['changed'] and len(result['allocation_attributes']) == len(result['resource_attributes']) == 1
    diff = cw.diff_of(result)
    assert diff['before'] == {'allocation %d / %s' % (jones, QUOTA): {'value': '20', 'usage': 0.0},
                              'resource ecs-east / used_tb': None}
    assert diff['after']['resource ecs-east / used_tb'] == '1'


def test_attribute_type_creates_float_once_and_reports_duplicates(coldfront_site_factory):
    bare = coldfront_site_factory('bare')
    bare.orm()
    cf.setup_django()
    result = cs.ensure_attribute_type('resource', 'capacity_tb', 'Float', reason='setup')
    assert result['created'] and result['data_type_created'] and result['type']['data_type'] == 'Float'
    assert bare.orm().ResourceDataType.objects.filter(name='Float').count() == 1
    counts = bare.history_counts()
    again = cs.ensure_attribute_type('resource', 'capacity_tb', 'Float', reason='setup')
    assert not again['changed'] and again['before'] == again['after']
    assert bare.history_counts() == counts

    quota = cs.ensure_attribute_type('allocation', QUOTA, 'Float', {'has_usage': True, 'is_private': False},
                                     check_mode=True)
    assert quota['created'] and not bare.orm().AllocationAttributeType.objects.filter(name=QUOTA).exists()
    cs.ensure_attribute_type('allocation', QUOTA, 'Float', {'has_usage': True, 'is_private': False})
    flipped = cs.ensure_attribute_type('allocation', QUOTA, None, {'is_changeable': True})
    assert flipped['changed'] and flipped['before']['is_changeable'] is False and flipped['after']['is_changeable']
    assert flipped['type']['data_type'] == 'Float' and flipped['type']['has_usage'] is True

    bare.add_attribute_type('allocation', QUOTA, 'Float')
    dup = cs.ensure_attribute_type('allocation', QUOTA, 'Float', {'has_usage': True})
    assert not dup['changed'] and len(dup['duplicates']) == 2
    assert len(dup['warnings']) == 1 and QUOTA in dup['warnings'][0]     # one warning naming the type


def test_attribute_type_refusals(site):
    with pytest.raises(cw.ValidationFailed) as info:
        cs.ensure_attribute_type('resource', 'x', 'Money', {'has_usage': True})
    assert info.value.errors == [
        'resource attribute types have no has_usage (their flags: is_required, is_unique_per_resource, '
        'is_value_unique)', "data_type 'Money': use one of Text, Int, Float, Yes/No, Date"]
    with pytest.raises(cw.ValidationFailed) as info:
        cs.ensure_attribute_type('allocation', QUOTA, 'Int')
    assert 'attribute(s) use it: refusing to change its data type to Int' in info.value.errors[0]
    with pytest.raises(cw.ValidationFailed) as info:
        cs.remove_attribute_type('allocation', QUOTA)
    assert 'is used by' in info.value.errors[0]
    cs.ensure_attribute_type('allocation', 'Unused', 'Text')
    assert [t['name'] for t in cs.remove_attribute_type('allocation', 'Unused', check_mode=True)['removed']] == ['Unused']
    assert cs.remove_attribute_type('allocation', 'Unused')['changed']
    assert not cs.remove_attribute_type('allocation', 'Unused')['changed']


def test_ensure_resource(site):
    spec = dict(resource_type='Object Storage', create_resource_type=True, fields={'description': 'north'},
                attributes={'url': 'ecs3.example.org', 'capacity_tb': 100})
    checked = cs.ensure_resource('ecs-north', check_mode=True, **spec)
    assert checked['created'] and checked['resource_type_created']
    assert checked['after']['attributes'] == {'url': 'ecs3.example.org', 'capacity_tb': '100'}
    assert not site.orm().Resource.objects.filter(name='ecs-north').exists()
    created = cs.ensure_resource('ecs-north', reason='onboard', **spec)
    assert created['changed']
    assert site.resource_attributes('ecs-north') == {'url': 'ecs3.example.org', 'capacity_tb': '100'}
    counts = site.history_counts()
    assert not cs.ensure_resource('ecs-north', **spec)['changed']
    assert site.history_counts() == counts
    moved = cs.ensure_resource('ecs-north', resource_type='Storage', fields={'is_available': False})
    assert moved['changed'] and moved['before']['resource_type'] == 'Object Storage'
    assert moved['after']['resource_type'] == 'Storage' and moved['after']['is_available'] is False
    with pytest.raises(cw.ValidationFailed) as info:
        cs.ensure_resource('ecs-south', attributes={'capacity_tb': 'big'})
    assert info.value.errors == ["resource 'ecs-south' does not exist: resource_type is required to create it",
                                 "resource ecs-south 'capacity_tb': value 'big' is not a Float (Float attribute)"]
    with pytest.raises(cw.ValidationFailed) as info:
        cs.ensure_resource('ecs-south', resource_type='Tape')
    assert info.value.errors == ["resource type 'Tape' does not exist in ColdFront: set create_resource_type to create it"]
