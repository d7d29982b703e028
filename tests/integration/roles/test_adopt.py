"""playbooks/adopt.yml end to end: a site moving from the old ColdFront plugin, on a real ColdFront and the ECS simulator.

The world is built the way the old plugin left it (default dataset, tests/coldfront/fixtures/default.yaml):

* smith-east (Smith Lab, 10 TB): Subdirectory and Quota_In_Bytes recorded, smith-lab on ECS with 10 TB;
* jones-east (Jones Genomics Lab, 20 TB, Namespace jones-genomics): recorded, Quota_In_Bytes the old plugin's copy of
  the 20 TB, but raised to 30 TB on ECS by hand;
* a lab with a 74-character title on ecs-east, 2 TB, from a plugin version that predates Subdirectory: nothing
  recorded but the quota, and the old plugin's names - cut at 63 characters, so they end in "-" - on ECS;
* odd-west (the Chen & Patel lab, 5 TB) on ecs-west: Subdirectory recorded, no Quota_In_Bytes.
"""

import pytest

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

PLAYBOOK = 'playbooks/adopt.yml'
ADOPT = 'Find, claim and read the existing namespaces and buckets (ECS is only read)'
RECORD = 'Record the adopted names and quotas in ColdFront'
FAIL = 'Fail when an allocation was not adopted'
PROVISION_TASK = 'Provision namespaces and buckets, push quota changes'
SYNC_TASK = 'Read ECS and write quota, usage and capacity into ColdFront'
TB = 1024 ** 4
LONG_TITLE = 'Center for Integrative Computational Biology and Data Gene Lab of Genomics'
LONG_NS = 'center-for-integrative-computational-biology-and-data-gene-lab-'
LONG_BUCKET = 'lab-center-for-integrative-computational-biology-and-data-gene-'


# ---- helpers ------------------------------------------------------------------------------------------------

def attributes(site, allocation):
    return dict((name, value) for name, value, _usage in site.allocation_attributes(allocation))


def by_id(result, host):
    [module] = result.results(ADOPT, host)
    return dict((entry['allocation_id'], entry) for entry in module['results'])


def failure_lines(result, host):
    events = result.task(FAIL, host)
    assert len(events) == 1 and events[0]['status'] == 'failed', result.output
    return events[0]['result']['msg']


def ecs_writes(sim):
    """ECS calls that could change something (login and logout aside)."""
    return dict((route, count) for route, count in sim.stats()['requests'].items()
                if route.split()[0] in ('POST', 'PUT', 'DELETE') and 'login' not in route and 'logout' not in route)


def seed_old_plugin(sim, namespace, bucket, quota_gb, group='rg1'):
    """A namespace and bucket as the old plugin made them: the same hard quota on both, soft at 90 %."""
    quota = {'blockSize': quota_gb, 'notificationSize': quota_gb * 9 // 10}
    sim.seed({'namespaces': {namespace: {
        'vpool': group, 'quota': quota,
        'user_mapping': [{'domain': 'ad.example.org', 'attributes': [], 'groups': ['lab']}],
        'buckets': {bucket: {'quota': quota, 'usage': {'bytes': 1024, 'objects': 1}}}}}})


@pytest.fixture
def world(ecs_world):
    """The default world as the old plugin left it; every run is checked to leave no ECS token live."""
    site = ecs_world.site
    site.add_allocation_attributes('smith-east', {'Subdirectory': 'smith-lab:lab-smith-lab-bucket'})
    seed_old_plugin(ecs_world.east, 'smith-lab', 'lab-smith-lab-bucket', 10240)
    site.add_allocation_attributes('jones-east', {'Subdirectory': 'jones-genomics:lab-jones-genomics-bucket'})
    seed_old_plugin(ecs_world.east, 'jones-genomics', 'lab-jones-genomics-bucket', 30720)      # raised on ECS by hand
    site.add_project(LONG_TITLE, pi='achen', ref='long')
    site.add_allocation('long', ['ecs-east'], ref='long-east',
                        attributes={'Storage Quota (TB)': '2', 'Quota_In_Bytes': str(2 * TB)})
    seed_old_plugin(ecs_world.east, LONG_NS, LONG_BUCKET, 2048)
    odd_names = ('chen-patel-ber-lab-2024', 'lab-chen-patel-ber-lab-2024-bucket')
    site.add_allocation_attributes('odd-west', {'Subdirectory': '%s:%s' % odd_names})
    seed_old_plugin(ecs_world.west, odd_names[0], odd_names[1], 5120, group='rg-west')
    ecs_world.check_tokens = True
    return ecs_world


def ecs_states(world):
    return world.east.state(), world.west.state()


# ---- tests --------------------------------------------------------------------------------------------------

def test_adopt_the_old_plugins_namespaces(world):
    site = world.site
    smith, jones, long_, odd = (site.allocation_id(ref) for ref in ('smith-east', 'jones-east', 'long-east', 'odd-west'))
    before = dict((ref, attributes(site, ref)) for ref in (smith, jones, long_, odd))
    history = site.history_counts()
    ecs_before = ecs_states(world)

    # Check mode first: what would be recorded, and nothing written anywhere
    check = world.run(PLAYBOOK, check=True, diff=True)
    assert check.rc == 2, check.output
    assert site.history_counts() == history
    assert dict((ref, attributes(site, ref)) for ref in before) == before
    assert 'ecs_federation' not in site.resource_attributes('ecs-east')
    assert ecs_states(world) == ecs_before
    predicted = dict((host, check.results(ADOPT, host)[0]) for host in ('ecs-east', 'ecs-west'))
    assert "+        ECS_Claim: smith-lab:lab-smith-lab-bucket" in check.stdout

    # The real run: claims, names and agreed quotas recorded; ECS only read; the conflict fails the play
    world.east.reset_stats()
    world.west.reset_stats()
    real = world.run(PLAYBOOK)
    assert real.rc == 2, real.output
    assert ecs_states(world) == ecs_before
    assert ecs_writes(world.east) == {} and ecs_writes(world.west) == {}
    for host, expected in predicted.items():
        done = real.results(ADOPT, host)[0]
        assert done['results'] == expected['results'] and done['records'] == expected['records']

    assert attributes(site, smith) == {
        'Storage Quota (TB)': '10', 'Quota_In_Bytes': str(10 * TB), 'Subdirectory': 'smith-lab:lab-smith-lab-bucket',
        'ECS_Claim': 'smith-lab:lab-smith-lab-bucket', 'Namespace': 'smith-lab', 'Bucket': 'lab-smith-lab-bucket',
        'Bucket_Quota_In_Bytes': str(10 * TB)}
    long_names = '%s:%s' % (LONG_NS, LONG_BUCKET)
    assert attributes(site, long_)['ECS_Claim'] == long_names
    assert attributes(site, long_)['Subdirectory'] == long_names
    assert attributes(site, long_)['Quota_In_Bytes'] == str(2 * TB)
    assert attributes(site, odd)['Quota_In_Bytes'] == str(5 * TB)
    assert attributes(site, odd)['ECS_Claim'] == 'chen-patel-ber-lab-2024:lab-chen-patel-ber-lab-2024-bucket'
    # the conflict: claim and names recorded, the old plugin's Quota_In_Bytes (a copy of ColdFront's 20 TB) removed,
    # so that no value counts as agreed; ECS untouched
    assert before[jones]['Quota_In_Bytes'] == str(20 * TB) and before[jones]['Storage Quota (TB)'] == '20'
    jones_now = attributes(site, jones)
    assert jones_now['ECS_Claim'] == 'jones-genomics:lab-jones-genomics-bucket'
    assert 'Quota_In_Bytes' not in jones_now and jones_now['Storage Quota (TB)'] == '20'
    [removal] = site.history('AllocationAttribute', allocation_id=jones, history_type='-')
    assert removal.value == str(20 * TB)
    assert removal.history_change_reason.startswith('hpc.coldfront_ecs: coldfront_allocation_attribute')
    assert {'allocation_id': jones, 'name': 'Quota_In_Bytes', 'remove': True} in predicted['ecs-east']['records']
    assert world.east.state()['namespaces']['jones-genomics']['quota']['blockSize'] == 30720
    assert site.resource_attributes('ecs-east')['ecs_federation'].startswith('urn:storageos:VirtualDataCenterData:')

    east = by_id(real, 'ecs-east')
    assert [east[i]['action'] for i in (smith, long_, jones)] == ['adopted', 'adopted', 'conflict']
    assert [east[i]['kind'] for i in (smith, long_, jones)] == [None, None, 'conflict']
    assert (east[smith]['found_by'], east[long_]['found_by']) == ('subdirectory', 'old plugin')
    assert by_id(real, 'ecs-west')[odd]['action'] == 'adopted'
    [line] = failure_lines(real, 'ecs-east')
    for text in ("allocation %d (project 'Jones Genomics Lab', resource 'ecs-east')" % jones,
                 'ColdFront Storage Quota (TB) 20 TB (%d bytes), ECS 30 TB (%d bytes)' % (20 * TB, 30 * TB),
                 'Quota_In_Bytes value %d' % (20 * TB),
                 'set Storage Quota (TB) to 30', 'set Quota_In_Bytes to %d' % (30 * TB)):
        assert text in line, line
    assert real.task(FAIL, 'ecs-west')[0]['status'] == 'skipped'
    summary = real.custom_stats['_run']['ecs_provision_adopt_summary']
    assert summary['ecs-east']['counts']['adopted'] == 2 and summary['ecs-east']['conflict'] == [line]
    assert summary['ecs-east']['coldfront_changes'] == 10           # Jones's removal included
    assert 'allocation %d (%s): %s (old plugin)' % (long_, LONG_TITLE, long_names) in summary['ecs-east']['adopted']

    # Again: by default the claimed allocations are left out; named, the adopted ones are already adopted
    history = site.history_counts()
    again = world.run(PLAYBOOK)
    assert again.rc == 0 and again.changed == 0, again.output
    assert again.task(ADOPT, 'ecs-east')[0]['status'] == 'skipped'
    named = world.run(PLAYBOOK, args=('-e', 'allocation_ids=[%d,%d,%d,%d]' % (smith, jones, long_, odd)))
    assert named.rc == 2 and named.changed == 0, named.output
    assert [by_id(named, 'ecs-east')[i]['action'] for i in (smith, long_, jones)] == [
        'already_adopted', 'already_adopted', 'conflict']
    assert by_id(named, 'ecs-west')[odd]['action'] == 'already_adopted'
    assert named.task(RECORD, 'ecs-east')[0]['status'] == 'skipped'
    assert site.history_counts() == history and ecs_states(world) == ecs_before

    # Sync after adoption: with no agreed value, the conflict is reported and neither side is written
    sync = world.run('playbooks/sync.yml')
    assert sync.rc == 2, sync.output
    [synced] = sync.results(SYNC_TASK, 'ecs-east')
    statuses = dict((entry['allocation_id'], entry['status']) for entry in synced['allocations'])
    assert statuses[jones] == 'conflict' and statuses[smith] == statuses[long_] == 'synced'
    assert 'allocation %d on ecs-east: namespace jones-genomics has no agreed quota' % jones in sync.output
    jones_synced = attributes(site, jones)
    assert jones_synced['Storage Quota (TB)'] == '20' and 'Quota_In_Bytes' not in jones_synced
    assert ecs_states(world) == ecs_before

    # Provisioning after adoption: the adopted allocations are provisioned ones; nothing is written on ECS, the
    # conflict's quota is not pushed
    world.east.reset_stats()
    world.west.reset_stats()
    provision = world.run('playbooks/provision.yml')
    assert provision.rc == 0, provision.output
    assert ecs_writes(world.east) == {} and ecs_writes(world.west) == {}
    assert ecs_states(world) == ecs_before
    [module] = provision.results(PROVISION_TASK, 'ecs-east')
    actions = dict((entry['allocation_id'], entry['action']) for entry in module['results'])
    assert actions[smith] == actions[long_] == actions[jones] == 'unchanged'
    assert 'Quota_In_Bytes' not in attributes(site, jones)


def test_a_namespace_claimed_by_another_allocation_is_refused(world):
    site = world.site
    smith = site.allocation_id('smith-east')
    assert world.run(PLAYBOOK, args=('-e', 'allocation_ids=%d' % smith)).rc == 0
    lee = site.add_allocation(site.add_project('Lee Lab', ref='lee'), ['ecs-east'], ref='lee-east',
                              attributes={'Storage Quota (TB)': '10'})
    history = site.history_counts()

    # key=value with spaces: Ansible cuts it, and the play says how to write it
    cut = world.run(PLAYBOOK, args=('-e', 'adopt_namespaces=[{"allocation_id": %d, "namespace": "smith-lab"}]' % lee))
    assert cut.rc == 2 and 'an extra variable was cut at a space' in cut.output, cut.output
    assert all(event['status'] == 'skipped' for event in cut.task(ADOPT))

    result = world.run(PLAYBOOK, args=('-e', 'adopt_namespaces=[{"allocation_id":%d,"namespace":"smith-lab"}]' % lee))
    assert result.rc == 2, result.output
    assert list(by_id(result, 'ecs-east')) == [lee]              # only the allocation named
    assert by_id(result, 'ecs-east')[lee]['kind'] == 'claimed_elsewhere'
    [line] = failure_lines(result, 'ecs-east')
    assert "allocation %d (project 'Lee Lab', resource 'ecs-east')" % lee in line
    assert "allocation %d (project 'Smith Lab', status Active, resource 'ecs-east')" % smith in line   # the holder
    assert attributes(site, lee) == {'Storage Quota (TB)': '10'}
    assert site.history_counts() == history
    assert result.task(ADOPT, 'ecs-west')[0]['status'] == 'skipped'      # nothing to adopt there: not even a login
    assert world.west.stats()['logins'] == 0


def test_nothing_to_adopt_and_unknown_allocations(world):
    site = world.site
    new = site.add_allocation(site.add_project('Kim Lab', ref='kim'), ['ecs-east'], ref='kim-east',
                              attributes={'Storage Quota (TB)': '1'})
    result = world.run(PLAYBOOK, extra_vars={'allocation_ids': [new]})
    assert result.rc == 2, result.output
    assert by_id(result, 'ecs-east')[new]['kind'] == 'namespace_missing'
    [line] = failure_lines(result, 'ecs-east')
    assert 'kim-lab (derived)' in line and 'https://127.0.0.1:%d' % world.east.port in line   # looked for, where
    assert 'kim-lab' not in world.east.state()['namespaces']
    assert 'ECS_Claim' not in attributes(site, new)

    unknown = world.run(PLAYBOOK, extra_vars={'allocation_ids': [site.allocation_id('jones-east-renewal')]})
    assert unknown.rc == 2 and unknown.changed == 0
    [why] = unknown.results('Find out why the allocations asked for were not selected')
    assert [entry['reason'] for entry in why['explained']] == ['not_in_status']      # Renewal Requested, not Active
