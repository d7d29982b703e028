"""Summaries say what changed (playbooks provision, sync and adopt end to end: real ColdFront, ECS simulator).

Every quota push and pull shows old -> new in TB (and bytes in the results), namespaces unclaimed on ECS are named,
a conflict gives both values in TB and bytes and the exact value that settles it, an allocation asked for by id
that was not selected says why, and the summaries reach the play recap (custom stats).
"""

import pytest

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

TB = 1024 ** 4
PROVISION = 'Provision namespaces and buckets, push quota changes'
SYNC = 'Read ECS and write quota, usage and capacity into ColdFront'
EXPLAIN = 'Find out why the allocations asked for were not selected'
NOT_SELECTED = 'Fail when an allocation asked for was not selected'


@pytest.fixture
def world(ecs_world):
    ecs_world.site.add_attribute_type('allocation', 'automation_specifications', 'Text')
    ecs_world.check_tokens = True
    return ecs_world


def set_attribute(site, ref, name, value):
    models = site.orm()
    updated = models.AllocationAttribute.objects.filter(
        allocation_id=site.allocation_id(ref), allocation_attribute_type__name=name).update(value=value)
    assert updated == 1


def value(site, ref, name):
    return dict((key, val) for key, val, _usage in site.allocation_attributes(ref))[name]


def set_ecs_quota(world, namespace, gb):
    world.east.seed({'namespaces': {namespace: {'quota': {'blockSize': gb, 'notificationSize': gb * 9 // 10}}}})


def entry(result, task, host, allocation_id, key='results'):
    [module_result] = result.results(task, host)
    [found] = [item for item in module_result[key] if item['allocation_id'] == allocation_id]
    return found


def recap(result):
    """The custom stats of the play recap, as one line (the YAML callback folds long lines)."""
    return ' '.join(result.stdout.split('CUSTOM STATS')[1].split())


def explained(result):
    [why] = result.results(EXPLAIN)
    return dict((item['id'], item['reason']) for item in why['explained'])


def test_a_push_shows_old_and_new_in_the_result_the_summary_and_the_recap(world):
    site = world.site
    smith = site.allocation_id('smith-east')
    assert world.run('playbooks/provision.yml').rc == 0
    set_attribute(site, 'smith-east', 'Storage Quota (TB)', '12')
    result = world.run('hpc.coldfront_ecs.provision')
    assert result.rc == 0, result.output
    pushed = entry(result, PROVISION, 'ecs-east', smith)
    assert (pushed['action'], pushed['old_quota_bytes'], pushed['new_quota_bytes']) == ('quota_pushed', 10 * TB, 12 * TB)
    assert pushed['quota_change'] == '10 TB -> 12 TB'
    line = 'allocation %d (Smith Lab): smith-lab:lab-smith-lab-bucket: 10 TB -> 12 TB' % smith
    [summary] = result.results('Show the provisioning summary', 'ecs-east')
    assert summary['msg']['quota_pushed'] == [line]
    assert result.custom_stats['_run']['ecs_provision_summary']['ecs-east']['quota_pushed'] == [line]
    assert line in recap(result)                                   # the recap shows it (show_custom_stats)
    nothing = entry(result, PROVISION, 'ecs-west', site.allocation_id('odd-west'))
    assert nothing['old_quota_bytes'] is None and nothing['quota_change'] is None


def test_a_pull_shows_old_and_new_and_unclaimed_namespaces_are_named(world):
    site = world.site
    smith = site.allocation_id('smith-east')
    assert world.run('playbooks/provision.yml').rc == 0
    world.east.seed({'namespaces': {'orphan-lab': {'vpool': 'rg1'}, 'old-lab': {'vpool': 'rg1'}}})
    set_ecs_quota(world, 'smith-lab', 15360)                                # an ECS admin raised it to 15 TB
    result = world.run('hpc.coldfront_ecs.sync')
    assert result.rc == 0, result.output
    pulled = entry(result, SYNC, 'ecs-east', smith, key='allocations')
    assert (pulled['quota'], pulled['old_quota_bytes'], pulled['new_quota_bytes']) == ('pull', 10 * TB, 15 * TB)
    text = 'allocation %d (Smith Lab): namespace smith-lab 10 TB -> 15 TB (pulled from ECS)' % smith
    assert pulled['quota_change'] == text
    [module_result] = result.results(SYNC, 'ecs-east')
    assert [item['allocation_id'] for item in module_result['quota_pulled']] == [smith]
    assert module_result['report']['unclaimed_namespaces'] == 'old-lab, orphan-lab'
    [line] = result.results('Report the sync of this resource', 'ecs-east')
    assert 'namespaces unclaimed on ECS: old-lab, orphan-lab' in line['msg'] and text in line['msg']
    summary = result.custom_stats['_run']['ecs_sync_summary']['ecs-east']
    assert summary['report']['quota_pulled'] == [text] and summary['quota_pulled'][0]['new_quota_bytes'] == 15 * TB
    assert text in recap(result)
    assert value(site, 'smith-east', 'Storage Quota (TB)') == '15'
    again = world.run('playbooks/sync.yml')                                 # nothing more to pull: nothing said
    assert again.results(SYNC, 'ecs-east')[0]['quota_pulled'] == [] and again.changed == 0


def test_a_conflict_gives_both_values_and_the_exact_fix_either_way(world):
    site = world.site
    smith, jones = site.allocation_id('smith-east'), site.allocation_id('jones-east')
    assert world.run('playbooks/provision.yml').rc == 0
    for ref, namespace in (('smith-east', 'smith-lab'), ('jones-east', 'jones-genomics')):
        set_attribute(site, ref, 'Storage Quota (TB)', '25')                # changed on both sides, differently
        set_ecs_quota(world, namespace, 30720)
    result = world.run('playbooks/provision.yml')
    assert result.rc == 2, result.output
    conflict = entry(result, PROVISION, 'ecs-east', jones)
    assert (conflict['action'], conflict['kind']) == ('conflict', 'conflict')
    fix = conflict['resolve']
    assert (fix['coldfront_quota_bytes'], fix['ecs_quota_bytes']) == (25 * TB, 30 * TB)
    assert fix['keep_coldfront'] == {'Quota_In_Bytes': 30 * TB} and fix['keep_ecs'] == {'Storage Quota (TB)': '30'}
    for text in ('ColdFront 25 TB (%d bytes), ECS 30 TB (%d bytes)' % (25 * TB, 30 * TB),
                 'last agreed on 20 TB (%d bytes)' % (20 * TB), 'set Quota_In_Bytes to %d' % (30 * TB),
                 'set Storage Quota (TB) to 30'):
        assert text in conflict['error']
    sync = world.run('playbooks/sync.yml')
    assert sync.rc == 2
    assert entry(sync, SYNC, 'ecs-east', jones, key='allocations')['resolve'] == fix

    # Keep ColdFront's 25 TB for Jones (provision pushes it), ECS's 30 TB for Smith (sync records it).
    set_attribute(site, 'jones-east', 'Quota_In_Bytes', str(fix['keep_coldfront']['Quota_In_Bytes']))
    set_attribute(site, 'smith-east', 'Storage Quota (TB)', entry(result, PROVISION, 'ecs-east', smith)[
        'resolve']['keep_ecs']['Storage Quota (TB)'])
    settled = world.run('playbooks/provision.yml')
    assert settled.rc == 0, settled.output
    assert entry(settled, PROVISION, 'ecs-east', jones)['quota_change'] == '30 TB -> 25 TB'
    assert world.east.state()['namespaces']['jones-genomics']['quota']['blockSize'] == 25600
    assert world.run('playbooks/sync.yml').rc == 0
    assert value(site, 'smith-east', 'Quota_In_Bytes') == str(30 * TB)


def test_an_allocation_asked_for_says_why_it_was_not_selected(world):
    site = world.site
    cases = {99999: 'not_found', site.allocation_id('smith-cluster'): 'not_on_ecs_resource',
             site.allocation_id('patel-archive'): 'not_on_ecs_resource',            # ECS-Archive has no url
             site.allocation_id('jones-east-renewal'): 'not_in_status'}
    missing = world.run('playbooks/provision.yml', extra_vars={'allocation_id': 99999})
    assert missing.rc == 2 and missing.changed == 0, missing.output
    assert explained(missing) == {99999: 'not_found'}
    [failed] = missing.task(NOT_SELECTED)
    assert failed['status'] == 'failed' and len(failed['result']['msg']) == 1

    smith = site.allocation_id('smith-east')
    limited = world.run('playbooks/provision.yml', extra_vars={'allocation_id': smith}, limit='ecs-west')
    assert limited.rc == 2 and explained(limited) == {smith: 'not_in_run'}
    assert world.east.state()['namespaces'] == {}

    adopt = world.run('playbooks/adopt.yml', extra_vars={'allocation_ids': sorted(cases)})
    assert adopt.rc == 2 and adopt.changed == 0, adopt.output
    assert explained(adopt) == cases
    [failed] = adopt.task(NOT_SELECTED)
    messages = failed['result']['msg']
    assert len(messages) == 4 and 'allocation 99999 was not found in ColdFront' in messages[-1]
