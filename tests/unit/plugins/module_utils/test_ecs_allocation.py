"""The ECS view of an allocation: names, quotas, options, per-allocation errors and namespace collisions."""

import json

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import allocation as allocation_rules
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import outcomes, units
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import (
    allocation_view, mark_collisions, resource_views)

RESOURCE = {'id': 3, 'name': 'ecs-east', 'resource_type': 'Storage', 'attributes': {'url': 'ecs1.example.org'}}


def allocation(alloc_id=12, title='Smith Lab', project_id=4, status='Active', duplicates=(), **attributes):
    """An allocation record (contract shape); attributes as name=value or name=(value, usage)."""
    attrs = {}
    for name, value in attributes.items():
        value, usage = value if isinstance(value, tuple) else (value, None)
        attrs[name.replace('_TB', ' (TB)').replace('Storage_Quota', 'Storage Quota')] = {
            'id': len(attrs) + 100, 'type': 'Text', 'value': value, 'usage': usage}
    return {'id': alloc_id, 'status': status, 'project': {'id': project_id, 'title': title, 'pi': 'pi%d' % project_id},
            'resources': ['ecs-east'], 'start_date': '2026-01-01', 'end_date': '2027-01-01', 'quantity': 1,
            'attributes': attrs, 'duplicate_attributes': list(duplicates)}


def view_of(**kwargs):
    settings = kwargs.pop('settings', None)
    return allocation_view(RESOURCE, allocation(**kwargs), settings)


def only_error(view):
    assert len(view['errors']) == 1 and len(view['error_kinds']) == 1, view['errors']
    return view['errors'][0]


def only_kind(view):
    """The kind of the view's one error."""
    only_error(view)
    assert view['error_kinds'][0] in allocation_rules.ERROR_KINDS
    return view['error_kinds'][0]


def test_full_view_of_a_new_allocation():
    view = view_of(Storage_Quota_TB=('10', 2.5), Quota_In_Bytes=(str(10 * 1024 ** 4), 2.5 * 1024 ** 4))
    assert view == {
        'id': 12, 'project': 'Smith Lab', 'project_id': 4, 'pi': 'pi4', 'status': 'Active', 'resource': 'ecs-east',
        'namespace': 'smith-lab', 'bucket': 'lab-smith-lab-bucket',
        'namespace_recorded': None, 'bucket_recorded': None, 'subdirectory': None, 'provisioned': False,
        'quota_tb': 10.0, 'usage_tb': 2.5, 'quota_bytes': 10 * 1024 ** 4, 'usage_bytes': int(2.5 * 1024 ** 4),
        'claim': None, 'bucket_quota_bytes': None,
        'options': [], 'options_source': 'default', 'filesystem_enabled': False, 'ldap_group': 'Smith Lab', 'errors': [],
        'error_kinds': []}
    json.dumps(view)  # plain JSON for host vars and caches


def test_overrides_are_used():
    view = view_of(Namespace='smith-ns', Bucket='smith-data')
    assert (view['namespace'], view['bucket']) == ('smith-ns', 'smith-data')
    assert (view['namespace_recorded'], view['bucket_recorded']) == ('smith-ns', 'smith-data')
    assert not view['errors'] and not view['provisioned']


def test_bucket_derives_from_namespace_override():
    assert view_of(Namespace='smith-ns')['bucket'] == 'lab-smith-ns-bucket'


def test_empty_override_means_unset():
    view = view_of(Namespace='', Bucket='')
    assert (view['namespace'], view['bucket'], view['namespace_recorded']) == ('smith-lab', 'lab-smith-lab-bucket', None)


@pytest.mark.parametrize('bad', ['UPPER', '../etc', 'a%2Fb', 'with space', 'ünïcode', 'a' * 64, '-lead', 'x/y', ' '])
def test_bad_namespace_override_is_an_error_not_an_exception(bad):
    view = view_of(Namespace=bad)
    assert view['namespace'] is None and view['bucket'] is None
    assert only_kind(view) == outcomes.INVALID_NAME
    message = only_error(view)
    assert message.startswith("allocation 12 (project 'Smith Lab', resource 'ecs-east'): ")
    assert "'Namespace'" in message                                     # names the attribute to fix


@pytest.mark.parametrize('bad', ['UPPER', '../x', 'a%2Fb', 'two words', 'ünï', 'b' * 64, 'ab', 'a.b.c'])
def test_bad_bucket_override(bad):
    view = view_of(Bucket=bad)
    assert view['namespace'] == 'smith-lab' and view['bucket'] is None
    assert only_kind(view) == outcomes.INVALID_NAME and "'Bucket'" in only_error(view)  # names the attribute to fix


def test_bad_namespace_and_bad_bucket_both_reported():
    view = view_of(Namespace='../x', Bucket='A B')
    assert view['error_kinds'] == [outcomes.INVALID_NAME, outcomes.INVALID_NAME] and len(view['errors']) == 2


def test_title_slugs():
    assert view_of(title='  Lab__of  Dr. Müller!! ')['namespace'] == 'lab-of-dr-m-ller'
    long_view = view_of(title='x' * 100)
    assert long_view['namespace'] == 'x' * 63 and len(long_view['bucket']) <= 63 and not long_view['errors']


@pytest.mark.parametrize('title', ['!!!', '', 'ñññ', None])
def test_title_empty_after_slug_is_an_error(title):
    view = view_of(title=title)
    assert view['namespace'] is None and view['bucket'] is None
    # An empty title is no LDAP group either (the default group_template is {title}); '!!!' and 'ñññ' are.
    kinds = [outcomes.INVALID_NAME] + ([outcomes.NO_LDAP_GROUP] if not title else [])
    assert view['error_kinds'] == kinds and len(view['errors']) == len(kinds), view['errors']


def test_title_empty_after_slug_with_namespace_override_is_fine():
    view = view_of(title='!!!', Namespace='bang-lab')
    assert (view['namespace'], view['bucket'], view['errors']) == ('bang-lab', 'lab-bang-lab-bucket', [])


def test_recorded_subdirectory_is_the_truth_after_a_rename():
    view = view_of(title='Renamed Lab', Subdirectory='smith-lab:lab-smith-lab-bucket')
    assert view['provisioned'] is True
    assert (view['namespace'], view['bucket']) == ('smith-lab', 'lab-smith-lab-bucket')
    assert view['subdirectory'] == 'smith-lab:lab-smith-lab-bucket' and not view['errors']


def test_recorded_names_that_agree_with_subdirectory():
    view = view_of(Namespace='smith-lab', Bucket='smith-data', Subdirectory='smith-lab:smith-data')
    assert (view['namespace'], view['bucket'], view['errors']) == ('smith-lab', 'smith-data', [])


def test_recorded_names_that_disagree_with_subdirectory_are_refused():
    view = view_of(Namespace='other', Subdirectory='smith-lab:lab-smith-lab-bucket')
    assert view['namespace'] is None and view['provisioned'] is True
    assert only_kind(view) == outcomes.RECORD_MISMATCH


@pytest.mark.parametrize('bad', ['no-colon', 'UP:lab-x-bucket', 'ns:B', '../x:y', 'ns:', ':bucket'])
def test_bad_subdirectory(bad):
    view = view_of(Subdirectory=bad)
    assert view['namespace'] is None and view['bucket'] is None and view['provisioned'] is True
    assert only_kind(view) == outcomes.INVALID_RECORD


@pytest.mark.parametrize('text, expected', [
    ('10', 10.0), ('0.5', 0.5), (' 2.25 ', 2.25), ('1e3', 1000.0), ('-1', -1.0), ('-1.0', -1.0), ('', None), (None, None),
    ('8388607', 8388607.0)])
def test_quota_tb_parsing(text, expected):
    view = view_of(Storage_Quota_TB=text)
    assert view['quota_tb'] == expected and not view['errors']


@pytest.mark.parametrize('text', ['ten', 'nan', 'inf', '-2', '-0.5', '0', '0.0', '1e30', '8388608'])
def test_quota_tb_refused(text):
    view = view_of(Storage_Quota_TB=text)
    assert view['quota_tb'] is None and only_kind(view) == outcomes.INVALID_QUOTA
    assert "'Storage Quota (TB)'" in only_error(view)                   # names the attribute to fix


@pytest.mark.parametrize('text, expected', [
    ('1099511627776', units.BYTES_PER_TB), ('1099511627776.0', units.BYTES_PER_TB), ('-1', -1), ('5', 5)])
def test_quota_bytes_parsing(text, expected):
    view = view_of(Quota_In_Bytes=text)
    assert view['quota_bytes'] == expected and isinstance(view['quota_bytes'], int) and not view['errors']


@pytest.mark.parametrize('text', ['1.5', 'lots', '0', str(2 ** 63), '-7'])
def test_quota_bytes_refused(text):
    view = view_of(Quota_In_Bytes=text)
    assert view['quota_bytes'] is None and only_kind(view) == outcomes.INVALID_QUOTA


def test_usage_is_carried_and_junk_usage_ignored():
    view = view_of(Storage_Quota_TB=('4', float('nan')), Quota_In_Bytes=('4398046511104', 1536.4))
    assert view['usage_tb'] is None and view['usage_bytes'] == 1536


@pytest.mark.parametrize('value, options', [
    ('nfs_share', ['nfs_share']), ('NFS_Share, nfs_share', ['nfs_share']), (' ', []), ("['nfs_share']", ['nfs_share'])])
def test_supported_options(value, options):
    view = view_of(automation_specifications=value)
    assert view['options'] == options and view['filesystem_enabled'] == bool(options) and not view['errors']


@pytest.mark.parametrize('value, refused', [
    ('snapshots', "'snapshots'"), ('nfs_share cifs_share', "'cifs_share'"),
    ('snapshots,cifs_share;bogus', "'snapshots', 'cifs_share', 'bogus'")])
def test_unsupported_options_are_refused_by_name(value, refused):
    view = view_of(automation_specifications=value)
    assert only_kind(view) == outcomes.UNSUPPORTED_OPTION
    message = only_error(view)
    assert refused in message and "'automation_specifications'" in message    # names the options and the attribute


def test_default_options_apply_only_without_the_attribute():
    settings = {'default_automation_options': ['nfs_share']}
    defaulted = view_of(settings=settings)
    assert (defaulted['options'], defaulted['options_source']) == (['nfs_share'], 'default')
    empty = view_of(settings=settings, automation_specifications='')
    assert (empty['options'], empty['options_source']) == ([], 'attribute')
    assert view_of()['options_source'] == 'default'
    view = view_of(settings={'default_automation_options': 'snapshots'})
    assert only_kind(view) == outcomes.UNSUPPORTED_OPTION
    assert 'default_automation_options' in only_error(view)               # names where the option came from


def test_attribute_names_are_configurable():
    settings = {'namespace_attribute': 'ECS Namespace', 'quota_tb_attribute': 'Cloud Storage Quota (TB)',
                'automation_options_attribute': 'ecs_options', 'subdirectory_attribute': 'ECS Path',
                'bucket_attribute': 'ECS Bucket', 'quota_bytes_attribute': 'Bytes'}
    record = allocation()
    record['attributes'] = {name: {'value': value, 'usage': None} for name, value in (
        ('ECS Namespace', 'ns-a'), ('ECS Bucket', 'bucket-a'), ('ECS Path', 'ns-a:bucket-a'),
        ('Cloud Storage Quota (TB)', '3'), ('Bytes', '7'), ('ecs_options', 'nfs_share'),
        ('Namespace', 'IGNORED'), ('Storage Quota (TB)', 'ignored'))}
    view = allocation_view(RESOURCE, record, settings)
    assert (view['namespace'], view['bucket'], view['quota_tb'], view['quota_bytes'], view['options'], view['errors']) == (
        'ns-a', 'bucket-a', 3.0, 7, ['nfs_share'], [])


def test_unknown_setting_is_refused():
    with pytest.raises(ValueError, match="unknown ECS allocation setting 'namespace_attr'"):
        allocation_view(RESOURCE, allocation(), {'namespace_attr': 'x'})


def test_duplicate_attributes_are_reported():
    view = view_of(Namespace='smith-lab', duplicates=['Namespace', 'Unrelated'])
    assert only_kind(view) == outcomes.DUPLICATE_ATTRIBUTE and "'Namespace'" in only_error(view)


# --- collisions -------------------------------------------------------------------------------------------


def views(*records):
    return resource_views(dict(RESOURCE, allocations=list(records)))


def test_two_projects_deriving_the_same_namespace_are_both_refused():
    first, second = views(allocation(12, 'Smith Lab', 4), allocation(13, 'Smith-Lab', 5))
    for view, other in ((first, 'allocation 13'), (second, 'allocation 12')):
        assert view['namespace'] is None and view['bucket'] is None
        assert only_kind(view) == outcomes.SHARED_NAMESPACE and other in only_error(view)   # names the other one


def test_override_pointing_at_another_labs_derived_namespace_is_refused():
    owner, intruder = views(allocation(12, 'Smith Lab', 4), allocation(13, 'Jones Lab', 5, Namespace='smith-lab'))
    assert owner['namespace'] == 'smith-lab' and not owner['errors']
    assert intruder['namespace'] is None and only_kind(intruder) == outcomes.CLAIMED_ELSEWHERE
    message = only_error(intruder)
    assert message.startswith("allocation 13 (project 'Jones Lab', resource 'ecs-east'): ")
    assert "allocation 12 (project 'Smith Lab', resource 'ecs-east')" in message       # the holder


def test_override_pointing_at_another_labs_recorded_namespace_is_refused():
    owner, intruder = views(allocation(12, 'Renamed', 4, Subdirectory='old-ns:lab-old-ns-bucket'),
                            allocation(13, 'Jones Lab', 5, Namespace='old-ns'))
    assert owner['namespace'] == 'old-ns' and not owner['errors']
    assert only_kind(intruder) == outcomes.CLAIMED_ELSEWHERE and 'allocation 12' in only_error(intruder)


def test_recorded_namespace_wins_over_a_new_lab_deriving_it():
    owner, newcomer = views(allocation(12, 'Smith Lab', 4, Subdirectory='smith-lab:lab-smith-lab-bucket'),
                            allocation(13, 'Smith  Lab!', 5))
    assert not owner['errors'] and only_kind(newcomer) == outcomes.CLAIMED_ELSEWHERE


def test_two_overrides_of_different_labs_are_both_refused():
    first, second = views(allocation(12, 'A', 4, Namespace='shared'), allocation(13, 'B', 5, Namespace='shared'))
    assert only_kind(first) == only_kind(second) == outcomes.SHARED_NAMESPACE
    assert 'allocation 13' in only_error(first) and 'allocation 12' in only_error(second)   # names the other one


def test_same_project_twice_on_one_resource_lowest_id_keeps_the_namespace():
    second, first = views(allocation(20, 'Smith Lab', 4), allocation(12, 'Smith Lab', 4))
    assert first['namespace'] == 'smith-lab' and not first['errors']
    assert second['namespace'] is None and only_kind(second) == outcomes.CLAIMED_ELSEWHERE
    assert "allocation 12 (project 'Smith Lab', resource 'ecs-east')" in only_error(second)   # the holder


def test_same_project_second_allocation_with_its_own_namespace_is_fine():
    first, second = views(allocation(12, 'Smith Lab', 4), allocation(13, 'Smith Lab', 4, Namespace='smith-lab-2'))
    assert (first['errors'], second['errors'], second['bucket']) == ([], [], 'lab-smith-lab-2-bucket')


def test_same_project_provisioned_one_keeps_it_even_with_a_higher_id():
    recorded = allocation(30, 'Smith Lab', 4, Subdirectory='smith-lab:lab-smith-lab-bucket')
    new, provisioned = views(allocation(12, 'Smith Lab', 4), recorded)
    assert not provisioned['errors'] and only_kind(new) == outcomes.CLAIMED_ELSEWHERE
    assert 'allocation 30' in only_error(new)                           # the holder


def test_same_allocation_seen_through_two_resources_is_no_collision():
    record = allocation(12, 'Smith Lab', 4)
    east = allocation_view(RESOURCE, record)
    west = allocation_view(dict(RESOURCE, name='ecs-west'), record)
    mark_collisions([east, west])
    assert east['errors'] == west['errors'] == []


def test_collision_across_resources_of_one_system():
    east = allocation_view(RESOURCE, allocation(12, 'Smith Lab', 4))
    west = allocation_view(dict(RESOURCE, name='ecs-west'), allocation(13, 'Jones', 5, Namespace='smith-lab'))
    mark_collisions([east, west])
    assert not east['errors'] and only_kind(west) == outcomes.CLAIMED_ELSEWHERE
    assert "resource 'ecs-west'" in only_error(west)                    # names the resource


def test_refused_namespace_messages_use_the_configured_attribute():
    first, second = resource_views(dict(RESOURCE, allocations=[allocation(12, 'X', 4), allocation(13, 'X', 4)]),
                                   {'namespace_attribute': 'ECS Namespace'})
    assert only_kind(second) == outcomes.CLAIMED_ELSEWHERE and "'ECS Namespace'" in only_error(second)


def test_bad_records_do_not_break_collision_checks():
    good, bad = views(allocation(12, 'Smith Lab', 4), allocation(13, 'Jones', 5, Subdirectory='broken'))
    assert not good['errors'] and only_kind(bad) == outcomes.INVALID_RECORD


def test_merge_settings_keeps_defaults_for_none():
    merged = allocation_rules.merge_settings({'namespace_attribute': None, 'bucket_attribute': 'B'})
    assert merged['namespace_attribute'] == 'Namespace' and merged['bucket_attribute'] == 'B'


EXPIRED = {'id': 7, 'status': 'Expired', 'project_id': 4, 'project': 'Smith Lab', 'subdirectory': 'smith-lab:lab-smith-lab-bucket'}


def test_a_namespace_recorded_by_an_expired_allocation_is_not_taken_over_by_a_title_match():
    new = mark_collisions([allocation_view(RESOURCE, allocation(12, 'Smith Lab', 4))], other_claims=[EXPIRED])[0]
    override = mark_collisions([allocation_view(RESOURCE, allocation(13, 'Jones', 5, Namespace='smith-lab'))],
                               other_claims=[EXPIRED])[0]
    for view in (new, override):
        assert view['namespace'] is None and view['bucket'] is None and only_kind(view) == outcomes.CLAIMED_ELSEWHERE
        assert "allocation 7 (project 'Smith Lab', status Expired)" in only_error(view)   # the holder


def test_an_allocation_that_recorded_the_namespace_itself_keeps_it_beside_an_expired_one():
    successor = allocation_view(RESOURCE, allocation(12, 'Smith Lab', 4, Subdirectory='smith-lab:lab-smith-lab-bucket'))
    unrelated = allocation_view(RESOURCE, allocation(13, 'Jones Lab', 5))
    mark_collisions([successor, unrelated], other_claims=[EXPIRED, dict(EXPIRED, id=8, subdirectory='broken')])
    assert (successor['namespace'], successor['errors']) == ('smith-lab', [])
    assert (unrelated['namespace'], unrelated['errors']) == ('jones-lab', [])


def test_resource_views_use_the_other_claims_of_the_record():
    record = dict(RESOURCE, allocations=[allocation(12, 'Smith Lab', 4)], other_claims=[EXPIRED])
    view, = resource_views(record, {'namespace_attribute': 'ECS Namespace'})
    assert only_kind(view) == outcomes.CLAIMED_ELSEWHERE and "'ECS Namespace'" in only_error(view)


def test_settings_from_attribute_names_keep_defaults_for_missing_keys():
    settings = allocation_rules.settings_from_names({'namespace': 'NS', 'options': 'opts', 'url': 'ignored'}, ['nfs_share'])
    assert settings == dict(allocation_rules.DEFAULT_SETTINGS, namespace_attribute='NS', automation_options_attribute='opts',
                            default_automation_options=['nfs_share'])
    assert allocation_rules.settings_from_names({}) == allocation_rules.DEFAULT_SETTINGS
