"""main() of coldfront_attribute_type against a real ColdFront (in this process): options in, result and rows out.

The module is a spec and one call into ``_coldfront.schema.AttributeTypesTask``; these tests check that the options
reach it (check mode, diff, change reason, history user, access, keep_existing_flags) and that its results and
refusals come back as the module's result.
"""

import json

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.modules import coldfront_attribute_type
from support import module_main

pytestmark = pytest.mark.coldfront

TYPE_HISTORY = 'allocation_historicalallocationattributetype'
QUOTA = 'Storage Quota (TB)'


def run_main(monkeypatch, capsys, site, check=False, diff=False, **args):
    """main() with ``args`` on ``site``; returns the module's JSON result (exit or fail)."""
    site.orm()
    return module_main.run_main(coldfront_attribute_type, monkeypatch, capsys, check=check, diff=diff,
                                db_url=site.db_url, **args)


def flags(site, name):
    row = site.orm().AllocationAttributeType.objects.get(name=name)
    return {'is_private': row.is_private, 'is_changeable': row.is_changeable, 'has_usage': row.has_usage}


def test_a_new_type_gets_its_access_with_reason_user_and_diff(coldfront_site_factory, monkeypatch, capsys):
    bare = coldfront_site_factory('bare')
    checked = run_main(monkeypatch, capsys, bare, check=True, scope='allocation', name='Quota_In_Bytes',
                       data_type='Int', has_usage=True, access='private')
    assert checked['changed'] and checked['created'] and checked['type']['is_private'] is True
    assert not bare.orm().AllocationAttributeType.objects.filter(name='Quota_In_Bytes').exists()

    result = run_main(monkeypatch, capsys, bare, diff=True, scope='allocation', name='Quota_In_Bytes', data_type='Int',
                      has_usage=True, access='private', change_reason='setup', history_user='svc-ansible',
                      keep_existing_flags=['is_private', 'is_changeable'])
    assert result['changed'] and result['created'] and result['kept_flags'] == {}
    assert flags(bare, 'Quota_In_Bytes') == {'is_private': True, 'is_changeable': False, 'has_usage': True}
    assert result['diff']['before'] == {} and result['diff']['after']['is_private'] is True
    [row] = bare.history('AllocationAttributeType', name='Quota_In_Bytes')
    assert row.history_change_reason == 'hpc.coldfront_ecs: coldfront_attribute_type: setup'
    assert row.history_user.username == 'svc-ansible'
    assert result['coldfront']['version'] == '1.1.10'

    changeable = run_main(monkeypatch, capsys, bare, scope='allocation', name=QUOTA, data_type='Float',
                          has_usage=True, access='changeable')
    assert changeable['created']
    assert flags(bare, QUOTA) == {'is_private': False, 'is_changeable': True, 'has_usage': True}


def test_kept_flags_are_reported_and_not_written_until_asked(coldfront_site, monkeypatch, capsys):
    types = [{'scope': 'allocation', 'name': 'Subdirectory', 'data_type': 'Text', 'access': 'private'},
             {'scope': 'allocation', 'name': QUOTA, 'data_type': 'Float', 'has_usage': True, 'access': 'changeable'},
             {'scope': 'resource', 'name': 'capacity_tb', 'data_type': 'Float'}]
    history = coldfront_site.history_counts()
    kept = run_main(monkeypatch, capsys, coldfront_site, diff=True, types=types,
                    keep_existing_flags=['is_private', 'is_changeable'])
    assert not kept['changed'] and kept['diff'] == {'before': {}, 'after': {}}
    assert [item['kept_flags'] for item in kept['types']] == [
        {'is_private': {'current': False, 'wanted': True}}, {}, {}]
    assert kept['types'][0]['type']['is_private'] is False            # what the type is, and stays
    assert coldfront_site.history_counts() == history and flags(coldfront_site, 'Subdirectory')['is_private'] is False

    checked = run_main(monkeypatch, capsys, coldfront_site, check=True, types=types)
    assert checked['changed'] and [item['changed'] for item in checked['types']] == [True, False, False]
    assert coldfront_site.history_counts() == history

    updated = run_main(monkeypatch, capsys, coldfront_site, diff=True, types=types)
    assert [item['changed'] for item in updated['types']] == [True, False, False]
    assert updated['diff']['before']['allocation/Subdirectory']['is_private'] is False
    assert updated['diff']['after']['allocation/Subdirectory']['is_private'] is True
    assert flags(coldfront_site, 'Subdirectory') == {'is_private': True, 'is_changeable': False, 'has_usage': False}
    after = coldfront_site.history_counts()
    assert after[TYPE_HISTORY] == history[TYPE_HISTORY] + 1

    again = run_main(monkeypatch, capsys, coldfront_site, types=types)
    assert not again['changed'] and coldfront_site.history_counts() == after


def test_refusals_fail_the_task_with_every_problem_and_write_nothing(coldfront_site, monkeypatch, capsys):
    history = coldfront_site.history_counts()
    refused = run_main(monkeypatch, capsys, coldfront_site, types=[
        {'scope': 'allocation', 'name': 'New_Type', 'access': 'public'},
        {'scope': 'resource', 'name': 'capacity_tb', 'access': 'private'},
        {'scope': 'allocation', 'name': QUOTA, 'data_type': 'Int'}])
    assert refused['failed'] and len(refused['errors']) == 2
    assert refused['errors'][0].startswith("types[1] (resource 'capacity_tb'): access applies to allocation")
    assert refused['errors'][1].startswith("types[2] (allocation 'Storage Quota (TB)'): ")
    assert not coldfront_site.orm().AllocationAttributeType.objects.filter(name='New_Type').exists()
    assert coldfront_site.history_counts() == history

    both = run_main(monkeypatch, capsys, coldfront_site, scope='allocation', name='Bucket', access='private',
                    is_private=True)
    assert both['failed'] and 'mutually exclusive' in both['msg']
    forms = run_main(monkeypatch, capsys, coldfront_site, scope='allocation', name='Bucket', types=[])
    assert forms['failed'] and 'mutually exclusive' in forms['msg']


def test_duplicates_warn_and_removal_reports(coldfront_site, monkeypatch, capsys):
    coldfront_site.add_attribute_type('allocation', 'Bucket')
    dup = run_main(monkeypatch, capsys, coldfront_site, scope='allocation', name='Bucket', access='private')
    assert not dup['changed'] and len(dup['duplicates']) == 2 and dup['type'] is None
    assert "2 allocation attribute types are named 'Bucket'" in json.dumps(dup['warnings'])   # a real warning

    coldfront_site.add_attribute_type('resource', 'unused_thing')
    removed = run_main(monkeypatch, capsys, coldfront_site, diff=True, scope='resource', name='unused_thing',
                       state='absent')
    assert removed['changed'] and [item['name'] for item in removed['removed']] == ['unused_thing']
    assert removed['diff']['after'] == {'types': []}
    assert not coldfront_site.orm().ResourceAttributeType.objects.filter(name='unused_thing').exists()
