"""playbooks/setup.yml on a real ColdFront: attribute types on a bare site, report-only mode, onboarding a resource.

Also the ``types`` list option of hpc.coldfront_ecs.coldfront_attribute_type, which the role uses (one ColdFront start-up
for all the types instead of one per type).
"""

import pytest

from support.ansible_run import run_playbook

pytestmark = [pytest.mark.coldfront]

PLAYBOOK = 'playbooks/setup.yml'
TYPES = 'Create or update the attribute types'
SUMMARY = 'Show the setup summary'
FAIL = 'Fail when attribute types are missing or ambiguous'
OWNED = {('resource', 'url'): 'Text', ('resource', 'replication_group'): 'Text', ('resource', 'ldap_domain'): 'Text',
         ('allocation', 'Namespace'): 'Text', ('allocation', 'Bucket'): 'Text', ('allocation', 'Subdirectory'): 'Text',
         ('allocation', 'automation_specifications'): 'Text', ('allocation', 'ECS_Claim'): 'Text',
         ('allocation', 'Bucket_Quota_In_Bytes'): 'Int', ('resource', 'ecs_federation'): 'Text',
         ('allocation', 'ECS_Group'): 'Text'}
STORAGE = {('allocation', 'Storage Quota (TB)'): 'Float', ('allocation', 'Quota_In_Bytes'): 'Int',
           ('resource', 'capacity_tb'): 'Float', ('resource', 'used_tb'): 'Float', ('resource', 'allocated_tb'): 'Float'}


def types(site):
    """``{(scope, name): (data type, has_usage, is_private)}`` of the site's attribute types."""
    models = site.orm()
    found = {}
    for row in models.AllocationAttributeType.objects.select_related('attribute_type'):
        found[('allocation', row.name)] = (row.attribute_type.name, row.has_usage, row.is_private)
    for row in models.ResourceAttributeType.objects.select_related('attribute_type'):
        found[('resource', row.name)] = (row.attribute_type.name, None, None)
    return found


def summary(result):
    [event] = result.task(SUMMARY)
    return event['result']['msg']


def test_setup_creates_the_types_on_a_bare_site_and_reruns_clean(coldfront_site_factory):
    bare = coldfront_site_factory('bare')
    before, history = types(bare), bare.history_counts()
    assert not set(OWNED) & set(before) and not set(STORAGE) & set(before)

    check = run_playbook(PLAYBOOK, env=bare.env, check=True, diff=True)
    assert check.rc == 0, check.output
    assert types(bare) == before and bare.history_counts() == history
    assert sorted(summary(check)['created_types']) == sorted(name for _scope, name in list(OWNED) + list(STORAGE))

    done = run_playbook(PLAYBOOK, env=bare.env, diff=True)
    assert done.rc == 0, done.output
    found = types(bare)
    for key, data_type in OWNED.items():
        assert found[key][0] == data_type, key
    assert found[('allocation', 'automation_specifications')][2] is False
    for name in ('Namespace', 'Bucket', 'Subdirectory', 'ECS_Claim', 'Bucket_Quota_In_Bytes', 'Quota_In_Bytes',
                 'ECS_Group'):
        assert found[('allocation', name)][2] is True           # machine-written or overrides: hidden from PIs
        assert not bare.orm().AllocationAttributeType.objects.get(name=name).is_changeable
    assert found[('allocation', 'Storage Quota (TB)')] == ('Float', True, False)
    assert found[('allocation', 'Quota_In_Bytes')] == ('Int', True, True)
    for name in ('capacity_tb', 'used_tb', 'allocated_tb'):
        assert found[('resource', name)][0] == 'Float'
    assert bare.orm().AllocationAttributeType.objects.get(name='Storage Quota (TB)').is_changeable
    assert summary(done)['created_types'] == summary(check)['created_types']
    assert 'resource/capacity_tb' in done.stdout                 # --diff names what it created
    assert done.custom_stats['_run']['ecs_setup_summary']['problems'] == []

    history = bare.history_counts()
    again = run_playbook(PLAYBOOK, env=bare.env)
    assert again.rc == 0 and again.changed == 0, again.output
    assert bare.history_counts() == history
    assert summary(again)['created_types'] == [] and summary(again)['updated_types'] == []


def test_report_only_mode_changes_no_storage_type_and_fails(coldfront_site_factory):
    bare = coldfront_site_factory('bare')
    bare.add_attribute_type('allocation', 'Storage Quota (TB)', 'Float')     # exists, but without usage
    result = run_playbook(PLAYBOOK, env=bare.env, extra_vars={'ecs_setup_create_missing': False})
    assert result.rc == 2, result.output
    [line] = result.task(FAIL)[0]['result']['msg']
    assert 'missing: Quota_In_Bytes, capacity_tb, used_tb, allocated_tb' in line
    assert 'wrong data type or usage flag: Storage Quota (TB)' in line
    found = types(bare)
    assert found[('allocation', 'Storage Quota (TB)')][1] is False           # reported, not changed
    assert not set(STORAGE) - {('allocation', 'Storage Quota (TB)')} & set(found)
    assert set(OWNED) <= set(found)                                          # the collection's own types: always

    fixed = run_playbook(PLAYBOOK, env=bare.env)
    assert fixed.rc == 0, fixed.output
    assert types(bare)[('allocation', 'Storage Quota (TB)')][:2] == ('Float', True)
    assert summary(fixed)['updated_types'] == ['Storage Quota (TB)']

    bare.add_attribute_type('allocation', 'Bucket')                           # now two types are named Bucket
    ambiguous = run_playbook(PLAYBOOK, env=bare.env)
    assert ambiguous.rc == 2
    assert result.task(FAIL) and 'several attribute types are named Bucket' in ambiguous.task(FAIL)[0]['result']['msg'][0]


def test_onboarding_an_ecs_resource(coldfront_site):
    north = {'name': 'ecs-north', 'url': 'https://ecs3.example.org', 'replication_group': 'rg-north',
             'ldap_domain': 'ad.example.org', 'description': 'Dell ECS, north', 'attributes': {'capacity_tb': 250}}
    result = run_playbook(PLAYBOOK, env=coldfront_site.env, extra_vars={'ecs_setup_resources': [north]})
    assert result.rc == 0, result.output
    assert coldfront_site.resource_attributes('ecs-north') == {
        'url': 'https://ecs3.example.org', 'replication_group': 'rg-north', 'ldap_domain': 'ad.example.org',
        'capacity_tb': '250'}
    assert summary(result)['resources_created'] == ['ecs-north'] and summary(result)['created_types'] == [
        'automation_specifications', 'ECS_Group']

    history = coldfront_site.history_counts()
    again = run_playbook('hpc.coldfront_ecs.setup', env=coldfront_site.env, extra_vars={'ecs_setup_resources': [north]})
    assert again.rc == 0 and again.changed == 0 and coldfront_site.history_counts() == history

    bad = dict(north, name='ecs-south', url='https://ecs4.example.org:4443/api')
    refused = run_playbook(PLAYBOOK, env=coldfront_site.env, extra_vars={'ecs_setup_resources': [bad]})
    assert refused.rc == 2 and 'ECS resource ecs-south: url https://ecs4.example.org:4443/api must be' in refused.output
    assert not coldfront_site.orm().Resource.objects.filter(name='ecs-south').exists()


def test_attribute_type_module_takes_a_list(coldfront_site):
    play = [{'name': 'types', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'several', 'hpc.coldfront_ecs.coldfront_attribute_type': {'types': [
            {'scope': 'resource', 'name': 'url', 'data_type': 'Text'},
            {'scope': 'allocation', 'name': 'Quota_In_Bytes', 'data_type': 'Int', 'has_usage': True},
            {'scope': 'resource', 'name': 'storage_tier', 'data_type': 'Text'},
            {'scope': 'resource', 'name': 'unused_thing', 'state': 'absent'}]}},
        {'name': 'both forms', 'ignore_errors': True, 'hpc.coldfront_ecs.coldfront_attribute_type': {
            'scope': 'resource', 'name': 'x', 'types': [{'scope': 'resource', 'name': 'y'}]}}]}]
    result = run_playbook(play, env=coldfront_site.env, diff=True)
    assert result.rc == 0, result.output
    [several] = result.results('several')
    assert several['changed'] and [(item['name'], item['changed'], item['created']) for item in several['types']] == [
        ('url', False, False), ('Quota_In_Bytes', False, False), ('storage_tier', True, True), ('unused_thing', False, False)]
    assert several['types'][2]['type']['data_type'] == 'Text' and several['types'][3]['removed'] == []
    assert list(several['diff']['after']) == ['resource/storage_tier']
    assert 'mutually exclusive' in result.results('both forms')[0]['msg']
