"""Ownership you can prove: the scenarios in which guessing gave away another lab's storage, run as they were tried.

Each test runs the real playbooks against a real ColdFront and the ECS simulator and asserts the state of both
afterwards.  Default dataset (tests/coldfront/fixtures/default.yaml): Smith Lab (smith-east, 10 TB) and Jones
Genomics Lab (jones-east, 20 TB, Namespace jones-genomics) on ecs-east; the Chen & Patel lab on ecs-west.
"""

import os
import signal
import subprocess
import tempfile
import time

import pytest

from support.ansible_run import BIN, REPO, base_env

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

PROVISION = 'playbooks/provision.yml'
SYNC = 'playbooks/sync.yml'
ECS_TASK = 'Provision namespaces and buckets, push quota changes'
SYNC_TASK = 'Read ECS and write quota, usage and capacity into ColdFront'
TB = 1024 ** 4


def attributes(site, ref):
    return dict((name, value) for name, value, _usage in site.allocation_attributes(ref))


def provision_results(result, host):
    """``{allocation id: result entry}`` of the ecs_provision task on ``host``."""
    [module] = result.results(ECS_TASK, host)
    return dict((entry['allocation_id'], entry) for entry in module['results'])


def namespace_quota(sim, namespace):
    return sim.state()['namespaces'][namespace]['quota']['blockSize']


def add_lab(site, ref, title, resource, quota_tb, pi='achen', **values):
    project = site.add_project(title, pi=pi, ref=ref + '-project')
    attrs = {'Storage Quota (TB)': {'value': str(quota_tb), 'usage': 0}}
    attrs.update(values)
    return site.add_allocation(project, [resource], attributes=attrs, ref=ref)


def start_playbook(world, playbook, extra_vars):
    """``ansible-playbook`` started in its own process group (to be killed or waited for)."""
    command = [os.path.join(BIN, 'ansible-playbook'), playbook, '-i', world.inventory]
    for key, value in extra_vars.items():
        command += ['-e', '%s=%s' % (key, value)]
    log = tempfile.TemporaryFile(mode='w+')
    proc = subprocess.Popen(command, cwd=REPO, env=base_env(dict(world.env)), stdout=log, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    return proc, log


def descendants(pid):
    """Every live process below ``pid`` (ansible's workers call setsid(), so a process group does not hold them)."""
    children = {}
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as handle:
                    parent = int(handle.read().rsplit(')', 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


def kill_playbook(proc):
    """SIGKILL ``ansible-playbook`` and every process it started, the module included, as a crash would."""
    for pid in [proc.pid] + descendants(proc.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def output_of(proc, log, timeout=600):
    proc.wait(timeout)
    log.seek(0)
    return log.read()


def wait_for(condition, seconds, what):
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, 'waited %d s for %s' % (seconds, what)
        time.sleep(0.2)


def test_an_alias_resource_cannot_take_another_labs_namespace(ecs_world):
    """A second ColdFront resource reaches ecs-east's cluster as ``localhost``; a new project titled exactly like
    Smith Lab asks for 1 TB on it.  Provision refuses it (exit non-zero), Smith Lab keeps 10 TB on ECS and in
    ColdFront, and sync writes nothing of the look-alike into Smith Lab."""
    site, east = ecs_world.site, ecs_world.east
    assert ecs_world.run(PROVISION).rc == 0
    site.add_resource('ecs-east-alias', attributes={'url': 'localhost', 'replication_group': 'rg1',
                                                    'ldap_domain': 'ad.example.org'})
    add_lab(site, 'smith-alias', 'Smith Lab', 'ecs-east-alias', 1, pi='rpatel')

    result = ecs_world.run(PROVISION)
    assert result.rc != 0, result.output
    refused = provision_results(result, 'ecs-east-alias')[site.allocation_id('smith-alias')]
    assert (refused['action'], refused['kind'], refused['changes']) == ('failed', 'claimed_elsewhere', [])
    assert 'allocation %d' % site.allocation_id('smith-east') in refused['error']      # the holder
    assert namespace_quota(east, 'smith-lab') == 10240
    assert list(east.state()['namespaces']['smith-lab']['buckets']) == ['lab-smith-lab-bucket']
    assert not {'ECS_Claim', 'Subdirectory'} & set(attributes(site, 'smith-alias'))
    # Both resources now carry the federation read from ECS: the same one.
    federations = [dict(site.resource_attributes(name)).get('ecs_federation') for name in ('ecs-east', 'ecs-east-alias')]
    assert federations[0] and federations[0] == federations[1]

    ecs_world.run(SYNC)
    assert attributes(site, 'smith-east')['Storage Quota (TB)'] == '10'
    assert namespace_quota(east, 'smith-lab') == 10240


def test_a_matching_ldap_group_is_no_proof_of_ownership(ecs_world):
    """An ECS admin's own namespace hr-data (100 TB, group "HR Data", a bucket holding 50 TB) is not adopted by a
    new allocation whose project is titled "HR Data": refused, nothing changed on ECS."""
    site, east = ecs_world.site, ecs_world.east
    east.seed({'namespaces': {'hr-data': {
        'vpool': 'rg1', 'quota': {'blockSize': 102400, 'notificationSize': 92160},
        'user_mapping': [{'domain': 'ad.example.org', 'groups': ['HR Data'], 'attributes': []}],
        'buckets': {'payroll': {'usage': {'bytes': 50 * TB, 'objects': 9}}}}}})
    before = east.state()['namespaces']['hr-data']
    add_lab(site, 'hr', 'HR Data', 'ecs-east', 2)

    result = ecs_world.run(PROVISION, extra_vars={'allocation_id': site.allocation_id('hr')})
    assert result.rc != 0
    refused = provision_results(result, 'ecs-east')[site.allocation_id('hr')]
    assert (refused['action'], refused['kind']) == ('failed', 'not_claimed')
    assert 'hpc.coldfront_ecs.adopt' in refused['error']                # what to do
    assert east.state()['namespaces']['hr-data'] == before
    assert not {'ECS_Claim', 'Subdirectory', 'Quota_In_Bytes'} & set(attributes(site, 'hr'))


def test_two_runs_at_once_cannot_exceed_the_overcommit_limit(ecs_world):
    """Capacity 160 TB with overcommit 1.0; two approvals (80 and 90 TB) start provision at once, each for its own
    allocation, and the namespace create is slow.  One is created, the other refused: 170 TB never allocated."""
    site, east = ecs_world.site, ecs_world.east
    east.seed({'capacity': {'totalProvisioned_gb': 160 * 1024, 'totalFree_gb': 160 * 1024}})
    east.faults(latency_ms={'POST /object/namespaces/namespace': 4000})
    add_lab(site, 'big-a', 'Big A Lab', 'ecs-east', 80)
    add_lab(site, 'big-b', 'Big B Lab', 'ecs-east', 90)
    runs = [start_playbook(ecs_world, PROVISION, {'allocation_id': site.allocation_id(ref),
                                                  'coldfront_ecs_overcommit': 1.0})
            for ref in ('big-a', 'big-b')]
    outputs = [output_of(proc, log) for proc, log in runs]
    codes = sorted(proc.returncode for proc, _log in runs)
    east.clear_faults()

    assert codes[0] == 0 and codes[1] != 0, outputs
    created = [name for name in ('big-a-lab', 'big-b-lab') if name in east.state()['namespaces']]
    assert len(created) == 1, (created, outputs)
    total = sum(namespace_quota(east, name) for name in created)
    assert total <= 160 * 1024
    refused = [text for text in outputs if 'Refusing quota' in text]
    assert len(refused) == 1 and 'would need 170 TB' in refused[0], outputs
    claimed = [ref for ref in ('big-a', 'big-b') if 'ECS_Claim' in attributes(site, ref)]
    assert len(claimed) == 1


def test_an_allocation_made_before_the_collection_is_a_conflict_not_ecs_wins(ecs_world):
    """Subdirectory recorded by the old plugin, no Quota_In_Bytes; the quota was raised in ColdFront to 20 TB and never
    pushed.  Sync reports a conflict with both values and the fix, and writes neither side; provision pushes nothing."""
    site = ecs_world.site
    ecs_world.provisioned('odd-west', 'chen-lab', 'lab-chen-lab-bucket', quota_gb=10240, resource='ecs-west')
    site.orm().AllocationAttribute.objects.filter(
        allocation_id=site.allocation_id('odd-west'), allocation_attribute_type__name='Storage Quota (TB)').update(
        value='20')
    west = ecs_world.west
    result = ecs_world.run(SYNC)
    assert result.rc != 0
    [synced] = result.results(SYNC_TASK, 'ecs-west')
    assert 'allocations' in synced, synced
    [entry] = [item for item in synced['allocations'] if item['allocation_id'] == site.allocation_id('odd-west')]
    assert entry['status'] == 'conflict'
    assert 'has no agreed quota (Quota_In_Bytes) yet and the two sides differ: ColdFront 20 TB (21990232555520 ' \
        'bytes), ECS 10 TB (10995116277760 bytes)' in entry['reason']
    values = attributes(site, 'odd-west')
    assert values['Storage Quota (TB)'] == '20' and 'Quota_In_Bytes' not in values
    assert namespace_quota(west, 'chen-lab') == 10240

    again = ecs_world.run(PROVISION, extra_vars={'allocation_id': site.allocation_id('odd-west')})
    assert again.rc == 0 and namespace_quota(west, 'chen-lab') == 10240
    assert 'Quota_In_Bytes' not in attributes(site, 'odd-west')


@pytest.mark.parametrize('recorded_before', [True, False])
def test_the_bucket_quota_follows_a_namespace_quota_raised_on_ecs(ecs_world, recorded_before):
    """An ECS admin raises Smith Lab's namespace quota to 20 TB; sync brings ColdFront along; the next provision sets
    the bucket to 20 TB too, and says so.  Also for an allocation provisioned before the bucket quota was recorded."""
    site, east = ecs_world.site, ecs_world.east
    if recorded_before:
        assert ecs_world.run(PROVISION, extra_vars={'allocation_id': site.allocation_id('smith-east')}).rc == 0
    else:
        ecs_world.provisioned('smith-east', 'smith-lab', 'lab-smith-lab-bucket', quota_gb=10240)
        east.seed({'namespaces': {'smith-lab': {'buckets': {'lab-smith-lab-bucket': {
            'quota': {'blockSize': 10240, 'notificationSize': 9216}}}}}})
    east.seed({'namespaces': {'smith-lab': {'quota': {'blockSize': 20480, 'notificationSize': 18432}}}})
    synced = ecs_world.run(SYNC)
    assert synced.rc == 0, synced.output
    values = attributes(site, 'smith-east')
    assert values['Storage Quota (TB)'] == '20' and values['Quota_In_Bytes'] == str(20 * TB)

    def bucket():
        return east.state()['namespaces']['smith-lab']['buckets']['lab-smith-lab-bucket']['quota']

    assert bucket()['blockSize'] == 10240

    result = ecs_world.run(PROVISION)
    assert result.rc == 0, result.output
    entry = provision_results(result, 'ecs-east')[site.allocation_id('smith-east')]
    assert entry['action'] == 'bucket_quota_set'
    assert entry['changes'] == ['bucket lab-smith-lab-bucket: set quota 20480/18432 GB']
    assert bucket() == {'blockSize': 20480, 'notificationSize': 18432}
    assert attributes(site, 'smith-east')['Bucket_Quota_In_Bytes'] == str(20 * TB)
    [module] = result.results(ECS_TASK, 'ecs-east')
    said = ['allocation %d (Smith Lab): smith-lab:lab-smith-lab-bucket' % site.allocation_id('smith-east')]
    assert module['report']['bucket_quota_set'] == said
    assert result.custom_stats['_run']['ecs_provision_summary']['ecs-east']['bucket_quota_set'] == said
    assert ecs_world.run(PROVISION).changed == 0


def test_a_run_killed_between_claim_and_create_is_finished_by_the_next_and_no_one_else_takes_it(ecs_world):
    """provision is killed (SIGKILL) while its namespace create waits on ECS, after the claim was recorded.  Another
    lab asking for the same name is refused; the next run of the same allocation finishes the job."""
    site, east = ecs_world.site, ecs_world.east
    add_lab(site, 'lee', 'Lee Lab', 'ecs-east', 4)
    # The create hangs, then its connection closes unanswered: nothing of it reaches ECS, now or in a later test.
    east.faults(hang_rate=1.0, hang_seconds=20, hang_then='close', routes=['POST /object/namespaces/namespace'])
    proc, log = start_playbook(ecs_world, PROVISION, {'allocation_id': site.allocation_id('lee')})
    wait_for(lambda: 'ECS_Claim' in attributes(site, 'lee'), 120, 'the claim of allocation lee')
    time.sleep(1)
    kill_playbook(proc)
    killed = time.time()
    output_of(proc, log)
    east.clear_faults()
    assert attributes(site, 'lee')['ECS_Claim'] == 'lee-lab:lab-lee-lab-bucket'
    assert 'Subdirectory' not in attributes(site, 'lee')

    # Through a resource of unknown federation (a new alias of the cluster), so that only the claim can stop it.
    site.add_resource('ecs-east-alias', attributes={'url': 'localhost', 'replication_group': 'rg1',
                                                    'ldap_domain': 'ad.example.org'})
    add_lab(site, 'thief', 'Lee Lab', 'ecs-east-alias', 1, pi='rpatel')
    stolen = ecs_world.run(PROVISION, extra_vars={'allocation_id': site.allocation_id('thief')})
    assert stolen.rc != 0, stolen.output
    refused = provision_results(stolen, 'ecs-east-alias')[site.allocation_id('thief')]
    assert refused['kind'] == 'claimed_elsewhere' and 'allocation %d' % site.allocation_id('lee') in refused['error']

    finished = ecs_world.run(PROVISION, extra_vars={'allocation_id': site.allocation_id('lee')})
    assert finished.rc == 0, finished.output
    assert provision_results(finished, 'ecs-east')[site.allocation_id('lee')]['action'] in ('created', 'resumed')
    values = attributes(site, 'lee')
    assert values['Subdirectory'] == 'lee-lab:lab-lee-lab-bucket' and values['Quota_In_Bytes'] == str(4 * TB)
    assert namespace_quota(east, 'lee-lab') == 4096
    assert 'Subdirectory' not in attributes(site, 'thief')
    time.sleep(max(0, killed + 21 - time.time()))   # the hung create has closed before the next test


def test_one_federation_behind_two_resources_is_one_namespace_space(ecs_world, ecs_sim_factory):
    """ecs-east and ecs-west reach two VDCs of one ECS federation (two addresses of one simulator, one world of
    namespaces).  A new lab titled like Smith Lab on ecs-west is refused, in the same run that provisions Smith Lab on
    ecs-east (no federation recorded yet) and in later runs (federation recorded: the inventory sees it too)."""
    site = ecs_world.site
    federation = ecs_sim_factory(vdcs={'vdc-a': '127.0.0.3', 'vdc-b': '127.0.0.4'}, port=ecs_world.east.port)
    federation.seed({'replication_groups': {'rg1': {}, 'rg-west': {}}})
    models = site.orm()
    for resource, host in (('ecs-east', '127.0.0.3'), ('ecs-west', '127.0.0.4')):
        models.ResourceAttribute.objects.filter(resource__name=resource, resource_attribute_type__name='url').update(
            value=host)
    ecs_world.simulators = {'ecs-east': federation, 'ecs-west': federation}
    add_lab(site, 'smith-west', 'Smith Lab', 'ecs-west', 1, pi='rpatel')

    result = ecs_world.run(PROVISION)
    assert result.rc != 0
    actions = {**provision_results(result, 'ecs-east'), **provision_results(result, 'ecs-west')}
    smith, look_alike = actions[site.allocation_id('smith-east')], actions[site.allocation_id('smith-west')]
    assert sorted([smith['action'], look_alike['action']]) == ['created', 'failed'], (smith, look_alike)
    winner = smith if smith['action'] == 'created' else look_alike
    loser = look_alike if winner is smith else smith
    assert loser['kind'] == 'claimed_elsewhere' and 'allocation %d' % winner['allocation_id'] in loser['error']
    quota = federation.state()['namespaces']['smith-lab']['quota']['blockSize']
    assert quota == (10240 if winner is smith else 1024)
    ids = [vdc.id for vdc in federation.vdcs().values()]
    for resource in ('ecs-east', 'ecs-west'):
        assert dict(site.resource_attributes(resource))['ecs_federation'] == ','.join(sorted(ids))

    again = ecs_world.run(PROVISION)
    assert again.rc != 0
    assert federation.state()['namespaces']['smith-lab']['quota']['blockSize'] == quota
    assert 'Subdirectory' not in attributes(site, 'smith-west' if winner is smith else 'smith-east')
