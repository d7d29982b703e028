"""The per-resource threshold and overcommit of ecs_common, end to end: provision, sync and report in real plays.

Default dataset: smith-east (10 TB) and jones-east (20 TB) on ecs-east, odd-west (5 TB) on ecs-west.
"""

import json

import pytest

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

TB = 1024 ** 4
PROVISION = 'Provision namespaces and buckets, push quota changes'
SYNC = 'Read ECS and write quota, usage and capacity into ColdFront'
REPORT = 'Write the usage report'
SHARED = {'coldfront_ecs_resource_threshold_percent': {'ecs-east': 80},
          'coldfront_ecs_resource_overcommit': {'ecs-west': 1.0}}


@pytest.fixture
def world(ecs_world):
    ecs_world.site.add_attribute_type('allocation', 'automation_specifications', 'Text')
    ecs_world.check_tokens = True
    return ecs_world


def test_one_threshold_per_resource_for_soft_quota_and_alerts_and_one_overcommit_for_provision(world, tmp_path):
    world.west.seed({'capacity': {'totalProvisioned_gb': 4 * 1024, 'totalFree_gb': 4 * 1024}})

    result = world.run('playbooks/provision.yml', extra_vars=SHARED)
    assert result.rc == 2, result.output                           # odd-west refused by ecs-west's overcommit
    east = world.east.state()['namespaces']
    assert east['smith-lab']['quota'] == {'blockSize': 10240, 'notificationSize': 8192}          # 80 %, not 90 %
    assert east['jones-genomics']['quota'] == {'blockSize': 20480, 'notificationSize': 16384}
    assert east['smith-lab']['buckets']['lab-smith-lab-bucket']['quota']['notificationSize'] == 8192
    [west] = result.results(PROVISION, 'ecs-west')
    assert [entry['action'] for entry in west['results']] == ['failed']
    [failed] = result.task('Fail when an allocation failed', 'ecs-west')
    [refused] = failed['result']['msg']
    assert 'Refusing quota 5 TB' in refused and 'capacity 4 TB x overcommit 1' in refused, refused
    assert world.west.state()['namespaces'] == {}
    assert result.task('Fail when an allocation failed', 'ecs-east')[0]['status'] == 'skipped'

    # smith-lab at 85 %: under the global 90 %, over ecs-east's 80 % - sync and report both alert at 80 %
    world.east.seed({'namespaces': {'smith-lab': {'buckets': {
        'lab-smith-lab-bucket': {'usage': {'bytes': int(8.5 * TB), 'objects': 1}}}}}})
    plays = [{'import_playbook': 'hpc.coldfront_ecs.sync'}, {'import_playbook': 'hpc.coldfront_ecs.report'}]
    result = world.run(plays, extra_vars=dict(SHARED, ecs_report_output_dir=str(tmp_path / 'reports')))
    assert result.rc == 0, result.output
    sync = result.results(SYNC, host='ecs-east')[0]
    # One alert per allocation, as the report counts them; the bucket (same quota) is its detail.
    assert [(a['name'], a['level'], a['threshold']) for a in sync['alerts']] == [('smith-lab', 'warning', 0.8)]
    assert [(b['name'], b['level']) for b in sync['alerts'][0]['buckets']] == [('lab-smith-lab-bucket', 'warning')]
    report = result.results(REPORT)[0]
    assert [(a['resource'], a['name'], a['threshold']) for a in report['alerts']] == [('ecs-east', 'smith-lab', 0.8)]
    with open(str(tmp_path / 'reports' / 'latest' / 'report.json')) as handle:
        written = json.load(handle)
    assert (written['threshold'], written['threshold_overrides']) == (0.9, {'ecs-east': 0.8})
    thresholds = dict((entry['name'], entry['threshold']) for entry in written['resources'])
    assert thresholds['ecs-east'] == 0.8 and thresholds['ecs-west'] == 0.9
