"""playbooks/provision.yml end to end: a real ColdFront, one ECS simulator per ECS resource, the real inventory.

Default dataset (tests/coldfront/fixtures/default.yaml): Active allocations smith-east (Smith Lab, 10 TB) and
jones-east (Jones Genomics Lab, 20 TB, Namespace override jones-genomics) on ecs-east (rg1), odd-west (the oddly
named Chen & Patel lab, 5 TB) on ecs-west (rg-west); none provisioned yet.
"""

import pytest

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

PLAYBOOK = 'playbooks/provision.yml'
PROVISION = 'Provision namespaces and buckets, push quota changes'
RECORD = 'Record the provisioned allocations in ColdFront'
SUMMARY = 'Show the provisioning summary'
FAIL = 'Fail when an allocation failed'
TB = 1024 ** 4
OPTIONS = 'automation_specifications'


# ---- helpers ------------------------------------------------------------------------------------------------

def ecs_result(result, host):
    """The ecs_provision module result of ``host``."""
    results = result.results(PROVISION, host)
    assert len(results) == 1, result.output
    return results[0]


def by_id(module_result):
    return dict((entry['allocation_id'], entry) for entry in module_result['results'])


def attributes(site, allocation):
    """``{name: value}`` of an allocation."""
    return dict((name, value) for name, value, _usage in site.allocation_attributes(allocation))


def set_attribute(site, allocation, name, value):
    models = site.orm()
    updated = models.AllocationAttribute.objects.filter(
        allocation_id=site.allocation_id(allocation), allocation_attribute_type__name=name).update(value=value)
    assert updated == 1


def namespaces(sim):
    return sim.state()['namespaces']


def group_id(sim, name):
    return sim.state()['replication_groups'][name]['id']


def assert_no_secret(world, result):
    assert world.env['ECS_PASS'] not in result.output


def failure_lines(result, host):
    events = result.task(FAIL, host)
    assert len(events) == 1 and events[0]['status'] == 'failed', result.output
    return events[0]['result']['msg']


def add_lab(world, title, resource, quota_tb, options=None, ref=None):
    """A new project with one Active allocation on ``resource``; ``options`` goes into automation_specifications."""
    site = world.site
    site.add_project(title, ref=ref)
    attrs = {'Storage Quota (TB)': str(quota_tb)}
    if options is not None:
        attrs[OPTIONS] = options
    return site.add_allocation(ref or title, [resource], attributes=attrs, ref=ref)


@pytest.fixture
def world(ecs_world):
    """The default world plus the automation-options attribute type (not in upstream ColdFront); every run is
    checked to leave no ECS token live on any simulator (docs/security.md)."""
    ecs_world.site.add_attribute_type('allocation', OPTIONS, 'Text')
    ecs_world.check_tokens = True
    return ecs_world


# ---- tests --------------------------------------------------------------------------------------------------

def test_provision_creates_everything_records_it_and_reruns_clean(world):
    site = world.site
    nfs = add_lab(world, 'Lee Lab', 'ecs-east', 1, options='nfs_share', ref='lee')
    bad = add_lab(world, 'Kim Lab', 'ecs-west', 2, options='nfs_share, snapshots, cifs_share', ref='kim')
    smith, jones, odd = (site.allocation_id(ref) for ref in ('smith-east', 'jones-east', 'odd-west'))

    result = world.run(PLAYBOOK, diff=True)
    assert result.rc == 2, result.output
    assert_no_secret(world, result)

    # ECS: namespaces with replication group, group mapping, hard + 90 % soft quota; buckets with the same quota
    east = namespaces(world.east)
    assert sorted(east) == ['jones-genomics', 'lee-lab', 'smith-lab']
    smith_ns = east['smith-lab']
    assert smith_ns['default_data_services_vpool'] == group_id(world.east, 'rg1')
    assert smith_ns['user_mapping'] == [{'domain': 'ad.example.org', 'attributes': [], 'groups': ['Smith Lab']}]
    assert smith_ns['quota'] == {'blockSize': 10240, 'notificationSize': 9216}
    bucket = smith_ns['buckets']['lab-smith-lab-bucket']
    assert bucket['quota'] == {'blockSize': 10240, 'notificationSize': 9216}
    assert bucket['filesystem_enabled'] is False
    assert east['jones-genomics']['quota'] == {'blockSize': 20480, 'notificationSize': 18432}
    assert east['lee-lab']['buckets']['lab-lee-lab-bucket']['filesystem_enabled'] is True
    west = namespaces(world.west)
    assert sorted(west) == ['chen-patel-ber-lab-2024']        # Kim Lab refused, the others went on
    odd_ns = west['chen-patel-ber-lab-2024']
    assert odd_ns['default_data_services_vpool'] == group_id(world.west, 'rg-west')
    assert odd_ns['user_mapping'][0]['groups'] == ['  Chen & Patel: Über-Lab (2024)!! ']

    # ColdFront: Namespace, Bucket, Subdirectory and the agreed Quota_In_Bytes; nothing for the refused allocation
    assert attributes(site, smith) == {
        'Storage Quota (TB)': '10', 'Quota_In_Bytes': str(10 * TB), 'Namespace': 'smith-lab',
        'Bucket': 'lab-smith-lab-bucket', 'Subdirectory': 'smith-lab:lab-smith-lab-bucket',
        'ECS_Claim': 'smith-lab:lab-smith-lab-bucket', 'Bucket_Quota_In_Bytes': str(10 * TB)}
    assert attributes(site, jones)['Subdirectory'] == 'jones-genomics:lab-jones-genomics-bucket'
    assert attributes(site, nfs)['Quota_In_Bytes'] == str(TB)
    assert attributes(site, odd)['Subdirectory'] == 'chen-patel-ber-lab-2024:lab-chen-patel-ber-lab-2024-bucket'
    assert attributes(site, bad) == {'Storage Quota (TB)': '2', OPTIONS: 'nfs_share, snapshots, cifs_share'}

    # The module said what it did; the refused one names its options, allocation, project and resource
    east_result = by_id(ecs_result(result, 'ecs-east'))
    assert [east_result[i]['action'] for i in (smith, jones, nfs)] == ['created'] * 3
    assert east_result[nfs]['filesystem_enabled'] is True
    assert 'namespace smith-lab: create namespace' in east_result[smith]['changes']
    west_result = by_id(ecs_result(result, 'ecs-west'))
    assert (west_result[bad]['action'], west_result[bad]['kind'], west_result[bad]['record']) == (
        'failed', 'invalid_data', {})                                  # the inventory's view has the error
    [line] = failure_lines(result, 'ecs-west')
    for text in ("allocation %d" % bad, "'Kim Lab'", "'ecs-west'", "'snapshots'", "'cifs_share'"):
        assert text in line, line
    assert "'nfs_share'" not in line.split('not supported')[0]
    assert result.task(FAIL, 'ecs-east')[0]['status'] == 'skipped'

    # Summary in the output and for AWX; --diff shows the namespace before and after
    summary = result.custom_stats['_run']['ecs_provision_summary']
    assert summary['ecs-east']['counts']['created'] == 3 and summary['ecs-west']['counts']['failed'] == 1
    assert summary['ecs-west']['failed'] == [line]
    assert 'allocation %d (Smith Lab): smith-lab:lab-smith-lab-bucket' % smith in summary['ecs-east']['created']
    assert "allocation %d smith-lab:" % smith in result.stdout
    assert "-            exists: false" in result.stdout and "+            hard_quota_gb: 10240" in result.stdout

    # Re-run: nothing changes on either side, no history row, the refused allocation is still reported
    ecs_before = (world.east.state(), world.west.state())
    history = site.history_counts()
    world.east.reset_stats()
    again = world.run(PLAYBOOK)
    assert again.rc == 2 and again.changed == 0, again.output
    assert site.history_counts() == history
    assert (world.east.state(), world.west.state()) == ecs_before
    assert world.east.stats()['logins'] == 0           # nothing to do on ecs-east: not even a login
    assert by_id(ecs_result(again, 'ecs-east'))[smith]['action'] == 'unchanged'
    assert again.task(RECORD, 'ecs-east')[0]['status'] == 'skipped'


def test_check_mode_predicts_exactly_and_changes_nothing(world):
    site = world.site
    history = site.history_counts()
    ecs_before = (world.east.state(), world.west.state())

    check = world.run(PLAYBOOK, check=True, diff=True)
    assert check.rc == 0, check.output
    assert site.history_counts() == history
    assert (world.east.state(), world.west.state()) == ecs_before
    assert world.east.stats()['requests'].get('POST /object/namespaces/namespace', 0) == 0
    predicted = dict((host, ecs_result(check, host)) for host in ('ecs-east', 'ecs-west'))
    records = check.results(RECORD, 'ecs-east')[0]
    assert [item['changed'] for item in records['attributes'] if item['name'] == 'Subdirectory'] == [True, True]
    assert "allocation %d smith-lab" % site.allocation_id('smith-east') in check.stdout

    real = world.run(PLAYBOOK)
    assert real.rc == 0, real.output
    for host, expected in predicted.items():
        done = ecs_result(real, host)
        assert done['results'] == expected['results']
        assert done['records'] == expected['records']
    assert len(namespaces(world.east)) == 2


def test_one_allocation_with_the_fqcn_playbook(world):
    site = world.site
    smith = site.allocation_id('smith-east')
    one = world.run('hpc.coldfront_ecs.provision', args=('-e', 'allocation_id=%d' % smith))   # as typed on a shell
    assert one.rc == 0, one.output
    assert [entry['allocation_id'] for entry in ecs_result(one, 'ecs-east')['results']] == [smith]
    assert sorted(namespaces(world.east)) == ['smith-lab']
    assert namespaces(world.west) == {}
    assert 'Subdirectory' not in attributes(site, 'jones-east')
    assert attributes(site, smith)['Subdirectory'] == 'smith-lab:lab-smith-lab-bucket'
    assert world.west.stats()['logins'] == 0

    unknown = world.run(PLAYBOOK, extra_vars={'allocation_id': site.allocation_id('jones-east-renewal')})
    assert unknown.rc == 2 and unknown.changed == 0
    [why] = unknown.results('Find out why the allocations asked for were not selected')
    assert [entry['reason'] for entry in why['explained']] == ['not_in_status']      # Renewal Requested, not Active
    assert sorted(namespaces(world.east)) == ['smith-lab']


def test_refusals_foreign_namespace_and_overcommit(world):
    """An existing namespace not ours: "already exists"; a quota beyond capacity x overcommit: refused; others go on."""
    site = world.site
    smith, jones, odd = (site.allocation_id(ref) for ref in ('smith-east', 'jones-east', 'odd-west'))
    foreign = {'vpool': 'rg1', 'user_mapping': [{'domain': 'ad.example.org', 'attributes': [], 'groups': ['Other Lab']}]}
    # ecs-east: 25 TB capacity, 4 TB allocated already; overcommit 1.0 leaves room for 21 TB (jones asks for 20)
    world.east.seed({'capacity': {'totalProvisioned_gb': 25 * 1024, 'totalFree_gb': 20 * 1024},
                     'namespaces': {'smith-lab': foreign, 'legacy': {'vpool': 'rg1', 'quota': {'blockSize': 4096,
                                                                                               'notificationSize': 3686}}}})
    world.west.seed({'capacity': {'totalProvisioned_gb': 4 * 1024, 'totalFree_gb': 4 * 1024}})
    before = world.east.state()['namespaces']['smith-lab']

    result = world.run(PLAYBOOK, extra_vars={'ecs_provision_overcommit': 1.0})
    assert result.rc == 2, result.output
    east = by_id(ecs_result(result, 'ecs-east'))
    assert (east[smith]['action'], east[smith]['kind']) == ('failed', 'not_claimed')
    assert east[jones]['action'] == 'created'
    [line] = failure_lines(result, 'ecs-east')
    assert 'smith-lab' in line and 'https://127.0.0.1:%d' % world.east.port in line     # the namespace, the endpoint
    assert 'hpc.coldfront_ecs.adopt' in line                            # what to do
    assert "project 'Smith Lab'" in line and "resource 'ecs-east'" in line
    assert world.east.state()['namespaces']['smith-lab'] == before          # untouched, no bucket
    assert 'Subdirectory' not in attributes(site, smith)
    # ecs-west: 5 TB asked, 4 TB capacity
    [refused] = failure_lines(result, 'ecs-west')
    assert by_id(ecs_result(result, 'ecs-west'))[odd]['kind'] == 'overcommitted'
    assert 'allocation %d' % odd in refused and '5 TB' in refused and '4 TB' in refused   # who, asked, capacity
    assert namespaces(world.west) == {} and 'Subdirectory' not in attributes(site, odd)


def test_resume_after_half_way_failure(world):
    """Buckets fail to create (HTTP 500): the namespaces stay, nothing is recorded; the next run completes them."""
    site = world.site
    smith, jones = site.allocation_id('smith-east'), site.allocation_id('jones-east')
    world.east.faults(fail_next=[{'route': 'POST /object/bucket', 'status': 500, 'count': 2}])

    broken = world.run(PLAYBOOK, verbosity=2)
    assert broken.rc == 2, broken.output
    assert_no_secret(world, broken)
    east = namespaces(world.east)
    assert sorted(east) == ['jones-genomics', 'smith-lab']
    assert all(not namespace['buckets'] for namespace in east.values())
    assert 'Subdirectory' not in attributes(site, smith) and 'Subdirectory' not in attributes(site, jones)
    results = by_id(ecs_result(broken, 'ecs-east'))
    assert results[smith]['kind'] == 'ecs_error'
    assert results[smith]['changes'] == ['namespace smith-lab: create namespace',    # the bucket was not created
                                         'namespace smith-lab: set quota 10240/9216 GB']
    lines = failure_lines(broken, 'ecs-east')
    assert len(lines) == 2
    line = [text for text in lines if 'allocation %d' % smith in text][0]
    assert "'Smith Lab'" in line and "'ecs-east'" in line and 'create bucket lab-smith-lab-bucket' in line
    assert 'POST /object/bucket failed (HTTP 500' in line
    assert attributes(site, 'odd-west')['Subdirectory']            # ecs-west was not affected

    resumed = world.run(PLAYBOOK)
    assert resumed.rc == 0, resumed.output
    results = by_id(ecs_result(resumed, 'ecs-east'))
    assert results[smith]['action'] == 'resumed'
    assert results[smith]['changes'] == ['bucket lab-smith-lab-bucket: create bucket',
                                         'bucket lab-smith-lab-bucket: set quota 10240/9216 GB']
    assert namespaces(world.east)['smith-lab']['buckets']['lab-smith-lab-bucket']['quota']['blockSize'] == 10240
    assert attributes(site, smith)['Subdirectory'] == 'smith-lab:lab-smith-lab-bucket'
    assert attributes(site, jones)['Subdirectory'] == 'jones-genomics:lab-jones-genomics-bucket'


def test_quota_push_record_and_conflict(world):
    """After provisioning: a ColdFront change is pushed; ECS already equal is only recorded; both changed is a conflict."""
    site = world.site
    smith, jones, odd = (site.allocation_id(ref) for ref in ('smith-east', 'jones-east', 'odd-west'))
    assert world.run(PLAYBOOK).rc == 0
    set_attribute(site, 'smith-east', 'Storage Quota (TB)', '12')           # approved change request: push
    set_attribute(site, 'jones-east', 'Storage Quota (TB)', '25')           # changed on both sides: conflict
    world.east.seed({'namespaces': {'jones-genomics': {'quota': {'blockSize': 30720, 'notificationSize': 27648}}}})
    set_attribute(site, 'odd-west', 'Storage Quota (TB)', '6')              # ECS set by hand to the same: record
    world.west.seed({'namespaces': {'chen-patel-ber-lab-2024': {'quota': {'blockSize': 6144, 'notificationSize': 5529}}}})

    result = world.run(PLAYBOOK, diff=True)
    assert result.rc == 2, result.output
    east = namespaces(world.east)
    assert east['smith-lab']['quota'] == {'blockSize': 12288, 'notificationSize': 11059}
    assert east['smith-lab']['buckets']['lab-smith-lab-bucket']['quota'] == {'blockSize': 12288, 'notificationSize': 11059}
    assert attributes(site, smith)['Quota_In_Bytes'] == str(12 * TB)
    assert by_id(ecs_result(result, 'ecs-east'))[smith]['action'] == 'quota_pushed'

    assert east['jones-genomics']['quota']['blockSize'] == 30720                # conflict: neither side touched
    assert attributes(site, jones)['Quota_In_Bytes'] == str(20 * TB)
    [line] = failure_lines(result, 'ecs-east')
    assert 'allocation %d' % jones in line and 'ecs-east' in line and 'jones-genomics' in line
    conflict = by_id(ecs_result(result, 'ecs-east'))[jones]
    assert (conflict['action'], conflict['kind']) == ('conflict', 'conflict')

    west = by_id(ecs_result(result, 'ecs-west'))
    assert west[odd]['action'] == 'recorded' and west[odd]['changes'] == [
        'bucket lab-chen-patel-ber-lab-2024-bucket: set quota 6144/5529 GB']      # the bucket follows its namespace
    assert attributes(site, odd)['Quota_In_Bytes'] == str(6 * TB)
    assert "namespace_quota_gb: 10240" in result.stdout and "+        namespace_quota_gb: 12288" in result.stdout
