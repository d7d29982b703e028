"""The ColdFront modules through real ansible-playbook runs against a real ColdFront."""

import pytest

from support.ansible_run import run_playbook

pytestmark = pytest.mark.coldfront

QUOTA = 'Storage Quota (TB)'


def play(*tasks):
    return [{'hosts': 'localhost', 'gather_facts': False, 'tasks': list(tasks)}]


def task(title, module, check_mode=None, ignore_errors=None, **args):
    entry = {'name': title, 'hpc.coldfront_ecs.' + module: args}
    if check_mode is not None:
        entry['check_mode'] = check_mode
    if ignore_errors:
        entry['ignore_errors'] = True
    return entry


def only(result, name):
    [value] = result.results(name)
    return value


def test_allocation_attribute_idempotent_check_and_diff(coldfront_site):
    smith, jones = coldfront_site.allocation_id('smith-east'), coldfront_site.allocation_id('jones-east')
    items = [{'allocation_id': smith, 'name': QUOTA, 'value': 12, 'usage': 3.25},
             {'allocation_id': smith, 'name': 'Quota_In_Bytes', 'value': 13194139533312},
             {'allocation_id': jones, 'name': 'Bucket', 'value': 'jones-genomics-bucket'},
             {'allocation_id': jones, 'name': QUOTA, 'value': '20.0'}]  # already 20: unchanged
    args = dict(attributes=items, change_reason='nightly sync', history_user='svc-ansible')
    before = coldfront_site.history_counts()
    result = run_playbook(play(
        task('set', 'coldfront_allocation_attribute', **args),
        task('set again', 'coldfront_allocation_attribute', **args),
        task('check', 'coldfront_allocation_attribute', check_mode=True,
             attributes=[{'allocation_id': smith, 'name': QUOTA, 'usage': 9}]),
    ), env=coldfront_site.env, diff=True)
    assert result.rc == 0, result.output
    first, second, check = only(result, 'set'), only(result, 'set again'), only(result, 'check')
    assert first['changed'] and [item['changed'] for item in first['attributes']] == [True, True, True, False]
    assert first['attributes'][2]['created'] and first['attributes'][0]['before'] == {'value': '10', 'usage': 2.5}
    assert sorted(first['diff']['after']) == sorted(['allocation %d / Bucket' % jones,
                                                     'allocation %d / Quota_In_Bytes' % smith,
                                                     'allocation %d / Storage Quota (TB)' % smith])
    assert first['diff']['after']['allocation %d / Storage Quota (TB)' % smith] == {'value': '12', 'usage': 3.25}
    assert not second['changed'] and not any(item['changed'] for item in second['attributes'])
    assert check['changed'] and check['attributes'][0]['after']['usage'] == 9.0
    # Exactly the first task's writes: 3 attribute rows (2 changed, 1 created) and 1 usage row; nothing else.
    after = coldfront_site.history_counts()
    delta = {table: after[table] - before[table] for table in after if after[table] != before[table]}
    assert delta == {'allocation_historicalallocationattribute': 3, 'allocation_historicalallocationattributeusage': 1}
    assert coldfront_site.allocation_attributes(smith, QUOTA) == [(QUOTA, '12', 3.25)]
    newest = coldfront_site.history('AllocationAttribute')[0]
    assert newest.history_change_reason == 'hpc.coldfront_ecs: coldfront_allocation_attribute: nightly sync'
    assert newest.history_user.username == 'svc-ansible'


def test_allocation_attribute_remove(coldfront_site):
    smith, odd = coldfront_site.allocation_id('smith-east'), coldfront_site.allocation_id('odd-west')
    remove = [{'allocation_id': smith, 'name': 'Quota_In_Bytes', 'remove': True},
              {'allocation_id': odd, 'name': 'Quota_In_Bytes', 'remove': True}]     # odd-west has none
    before = coldfront_site.history_counts()
    result = run_playbook(play(
        task('check', 'coldfront_allocation_attribute', check_mode=True, attributes=remove),
        task('remove', 'coldfront_allocation_attribute', attributes=remove + [
            {'allocation_id': smith, 'name': QUOTA, 'value': 11}], change_reason='adopt', history_user='svc-ansible'),
        task('again', 'coldfront_allocation_attribute', attributes=remove),
        task('remove with a value', 'coldfront_allocation_attribute', ignore_errors=True,
             attributes=[{'allocation_id': smith, 'name': QUOTA, 'remove': True, 'value': 1}]),
    ), env=coldfront_site.env, diff=True)
    assert result.rc == 0, result.output
    check, done, again = only(result, 'check'), only(result, 'remove'), only(result, 'again')
    assert check['changed'] and [(item['removed'], item['changed']) for item in check['attributes']] == [
        (True, True), (True, False)]
    gone, missing, written = done['attributes']
    assert gone['removed'] and gone['changed'] and gone['after'] is None
    assert gone['before'] == {'value': '10995116277760', 'usage': 2748779069440.0}
    assert not missing['changed'] and missing['before'] is None and not written['removed']
    key = 'allocation %d / Quota_In_Bytes' % smith
    assert done['diff']['before'][key]['value'] == '10995116277760' and done['diff']['after'][key] is None
    assert not again['changed']
    assert 'remove takes neither a value nor a usage' in result.task('remove with a value')[0]['result']['msg']
    # Only the 'remove' task wrote: the attribute and its usage row deleted, the quota set, one transaction
    after = coldfront_site.history_counts()
    delta = {table: after[table] - before[table] for table in after if after[table] != before[table]}
    assert delta == {'allocation_historicalallocationattribute': 2, 'allocation_historicalallocationattributeusage': 1}
    assert coldfront_site.allocation_attributes(smith, 'Quota_In_Bytes') == []
    assert coldfront_site.allocation_attributes(smith, QUOTA) == [(QUOTA, '11', 2.5)]
    [deleted] = coldfront_site.history('AllocationAttribute', id=gone['attribute_id'], history_type='-')
    assert deleted.history_change_reason == 'hpc.coldfront_ecs: coldfront_allocation_attribute: adopt'
    assert deleted.history_user.username == 'svc-ansible'


def test_allocation_attribute_failures_write_nothing(coldfront_site):
    smith = coldfront_site.allocation_id('smith-east')
    coldfront_site.add_attribute_type('allocation', 'Bucket')  # now two types are named Bucket
    before = coldfront_site.history_counts()
    result = run_playbook(play(
        task('bad values', 'coldfront_allocation_attribute', ignore_errors=True, attributes=[
            {'allocation_id': smith, 'name': QUOTA, 'value': 'ten'},
            {'allocation_id': smith, 'name': 'Quota_In_Bytes', 'value': '1.5'},
            {'allocation_id': smith, 'name': 'Subdirectory', 'value': 'ok:fine'}]),
        task('ambiguous', 'coldfront_allocation_attribute', ignore_errors=True,
             attributes=[{'allocation_id': smith, 'name': 'Bucket', 'value': 'b'}]),
        task('missing type', 'coldfront_allocation_attribute', ignore_errors=True,
             attributes=[{'allocation_id': smith, 'name': 'Color', 'value': 'red'}]),
    ), env=coldfront_site.env)
    bad = result.task('bad values')[0]
    assert bad['status'] == 'ignored'  # failed, with ignore_errors
    assert bad['result']['msg'] == (
        "2 problem(s), nothing written: allocation %d 'Storage Quota (TB)': value 'ten' is not a Float (Float "
        "attribute); allocation %d 'Quota_In_Bytes': value '1.5' is not an Int (Int attribute)" % (smith, smith))
    assert len(bad['result']['errors']) == 2
    ambiguous = result.task('ambiguous')[0]['result']['msg']
    assert "allocation attribute type name 'Bucket' is ambiguous: 2 types have it (ids " in ambiguous
    assert "'Color' does not exist in ColdFront: create it first" in result.task('missing type')[0]['result']['msg']
    assert coldfront_site.history_counts() == before


def test_allocation_info(coldfront_site):
    ids = coldfront_site.ids['allocation']
    result = run_playbook(play(
        task('ecs active', 'coldfront_allocation_info', selection={'attribute': {'name': 'url'}}, statuses=['Active']),
        task('west any status', 'coldfront_allocation_info', resources=['ecs-west']),
        task('smith', 'coldfront_allocation_info', project='Smith Lab', statuses=['Active', 'New']),
        task('by id', 'coldfront_allocation_info', allocation_ids=[ids['jones-west-expired']]),
        task('bad selection', 'coldfront_allocation_info', ignore_errors=True, selection={'nme': 'x'}),
    ), env=coldfront_site.env)
    active = only(result, 'ecs active')
    assert [a['id'] for a in active['allocations']] == sorted([ids['smith-east'], ids['jones-east'], ids['odd-west']])
    assert active['allocations'][0]['attributes'][QUOTA] == {
        'id': active['allocations'][0]['attributes'][QUOTA]['id'], 'type': 'Float', 'value': '10', 'usage': 2.5}
    assert [a['status'] for a in only(result, 'west any status')['allocations']] == ['Active', 'New', 'Expired']
    assert [a['id'] for a in only(result, 'smith')['allocations']] == \
        [ids['smith-east'], ids['smith-west-new'], ids['smith-cluster']]
    by_id = only(result, 'by id')
    assert by_id['count'] == 1 and by_id['allocations'][0]['attributes']['Namespace']['value'] == 'jones-genomics-lab'
    assert result.task('bad selection')[0]['result']['msg'].startswith('unknown selection key(s) nme')


def test_attribute_types_on_a_bare_site(coldfront_site_factory):
    bare = coldfront_site_factory('bare')
    tasks = [
        task('quota type', 'coldfront_attribute_type', scope='allocation', name=QUOTA, data_type='Float',
             has_usage=True, is_private=False, is_changeable=True),
        task('capacity type', 'coldfront_attribute_type', scope='resource', name='capacity_tb', data_type='Float'),
    ]
    checked = run_playbook(play(*tasks), env=bare.env, check=True)
    assert checked.rc == 0 and only(checked, 'capacity type')['data_type_created']
    assert not bare.orm().ResourceDataType.objects.filter(name='Float').exists()
    first = run_playbook(play(*tasks), env=bare.env, diff=True)
    assert first.changed == 2 and only(first, 'capacity type')['data_type_created']
    assert only(first, 'quota type')['type']['has_usage'] is True
    assert only(first, 'quota type')['diff']['after']['data_type'] == 'Float'
    counts = bare.history_counts()
    again = run_playbook(play(*tasks), env=bare.env)
    assert again.rc == 0 and again.changed == 0 and bare.history_counts() == counts

    bare.add_attribute_type('allocation', QUOTA, 'Float', has_usage=True)
    duplicated = run_playbook(play(tasks[0], task('bad flag', 'coldfront_attribute_type', ignore_errors=True,
                                                  scope='resource', name='x', has_usage=True),
                                   task('remove unused', 'coldfront_attribute_type', scope='resource',
                                        name='capacity_tb', state='absent')), env=bare.env)
    dup = only(duplicated, 'quota type')
    assert not dup['changed'] and len(dup['duplicates']) == 2
    assert "2 allocation attribute types are named 'Storage Quota (TB)'" in dup['warnings'][0]
    assert 'resource attribute types have no has_usage' in duplicated.task('bad flag')[0]['result']['msg']
    assert only(duplicated, 'remove unused')['removed'][0]['name'] == 'capacity_tb'


def test_attribute_types_list_is_one_transaction(coldfront_site_factory):
    """A refused item of ``types`` leaves nothing written: not the items before it, not a data type they created."""
    bare = coldfront_site_factory('bare')
    first = {'scope': 'resource', 'name': 'used_tb', 'data_type': 'Float'}  # also creates the resource Float data type
    refused_flag = {'scope': 'resource', 'name': 'x', 'has_usage': True}  # refused before it reads the database
    bare.add_attribute_type('allocation', QUOTA, 'Float', has_usage=True)
    in_use = bare.orm().AllocationAttributeType.objects.get(name=QUOTA)
    bare.add_allocation_attributes('smith-east', {QUOTA: {'value': '10', 'usage': 2.5}})
    refused_in_use = {'scope': 'allocation', 'name': QUOTA, 'data_type': 'Int'}  # refused after reading it
    assert not bare.orm().ResourceDataType.objects.filter(name='Float').exists()
    before = bare.history_counts()
    result = run_playbook(play(
        task('second refused', 'coldfront_attribute_type', ignore_errors=True, types=[first, refused_flag]),
        task('second refused in the database', 'coldfront_attribute_type', ignore_errors=True,
             types=[first, refused_in_use]),
        task('both refused', 'coldfront_attribute_type', ignore_errors=True,
             types=[first, refused_flag, refused_in_use]),
    ), env=bare.env)
    for title in ('second refused', 'second refused in the database', 'both refused'):
        assert result.task(title)[0]['status'] == 'ignored', (title, result.output)  # failed, with ignore_errors
    flag_problem = ("types[1] (resource 'x'): resource attribute types have no has_usage (their flags: is_required, "
                    "is_unique_per_resource, is_value_unique)")
    in_use_problem = ("allocation attribute type 'Storage Quota (TB)' (id %d) is Float and 1 attribute(s) use it: "
                      "refusing to change its data type to Int" % in_use.pk)
    assert result.task('second refused')[0]['result']['msg'] == '1 problem(s), nothing written: ' + flag_problem
    assert result.task('second refused in the database')[0]['result']['msg'] == (
        "1 problem(s), nothing written: types[1] (allocation 'Storage Quota (TB)'): " + in_use_problem)
    both = result.task('both refused')[0]['result']
    assert both['msg'] == ("2 problem(s), nothing written: %s; types[2] (allocation 'Storage Quota (TB)'): %s"
                           % (flag_problem, in_use_problem))
    assert len(both['errors']) == 2
    # The first item was valid, and was handled first, yet nothing of it is left: no type, no data type, no history.
    models = bare.orm()
    assert not models.ResourceAttributeType.objects.filter(name='used_tb').exists()
    assert not models.ResourceDataType.objects.filter(name='Float').exists()
    assert models.AllocationAttributeType.objects.get(pk=in_use.pk).attribute_type.name == 'Float'
    assert bare.history_counts() == before

    # The same first item alone is written (so the rollback above was not a refusal of the first item itself).
    alone = run_playbook(play(task('first alone', 'coldfront_attribute_type', types=[first])), env=bare.env)
    assert alone.rc == 0, alone.output
    assert only(alone, 'first alone')['types'][0]['created'] and only(alone, 'first alone')['types'][0]['data_type_created']
    assert bare.orm().ResourceAttributeType.objects.get(name='used_tb').attribute_type.name == 'Float'


def test_resource_onboarding_and_resource_attributes(coldfront_site):
    onboard = task('onboard', 'coldfront_resource', name='ecs-north', resource_type='Object Storage',
                   create_resource_type=True, description='Dell ECS, north',
                   attributes={'url': 'ecs3.example.org', 'replication_group': 'rg-north', 'capacity_tb': 250})
    usage = task('usage', 'coldfront_resource_attribute', attributes=[
        {'resource': 'ecs-north', 'name': 'used_tb', 'value': 10.5},
        {'resource': 'ecs-east', 'name': 'used_tb', 'value': '100'}])
    first = run_playbook(play(onboard, usage), env=coldfront_site.env, diff=True)
    assert first.rc == 0, first.output
    created = only(first, 'onboard')
    assert created['created'] and created['resource_type_created']
    assert created['resource']['attributes'] == {'url': 'ecs3.example.org', 'replication_group': 'rg-north',
                                                 'capacity_tb': '250'}
    assert only(first, 'usage')['diff']['after'] == {'resource ecs-north / used_tb': '10.5',
                                                     'resource ecs-east / used_tb': '100'}
    counts = coldfront_site.history_counts()
    again = run_playbook(play(onboard, usage), env=coldfront_site.env)
    assert again.rc == 0 and again.changed == 0 and coldfront_site.history_counts() == counts
    bad = run_playbook(play(task('bad', 'coldfront_resource_attribute', ignore_errors=True, attributes=[
        {'resource': 'ecs-north', 'name': 'capacity_tb', 'value': 'huge'}])), env=coldfront_site.env)
    assert bad.task('bad')[0]['result']['msg'] == (
        "1 problem(s), nothing written: resource ecs-north 'capacity_tb': value 'huge' is not a Float (Float attribute)")
    assert coldfront_site.history_counts() == counts


def test_resource_attribute_check_mode_writes_nothing(coldfront_site):
    counts = coldfront_site.history_counts()
    result = run_playbook(play(task('check', 'coldfront_resource_attribute', check_mode=True, attributes=[
        {'resource': 'ecs-east', 'name': 'used_tb', 'value': 77.5}])), env=coldfront_site.env, diff=True)
    assert result.rc == 0, result.output
    check = only(result, 'check')
    assert check['changed'] and check['diff']['after'] == {'resource ecs-east / used_tb': '77.5'}
    assert coldfront_site.history_counts() == counts
    models = coldfront_site.orm()
    assert not models.ResourceAttribute.objects.filter(resource__name='ecs-east', value='77.5').exists()
