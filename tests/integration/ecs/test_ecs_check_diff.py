"""Check mode changes nothing on ECS (state and write counters), and --diff shows what would change."""

import pytest

from integration.ecs.ecs_playbooks import failure, only, task

pytestmark = pytest.mark.simulator

SEED = {'namespaces': {'existing': {
    'vpool': 'rg1', 'quota': {'blockSize': 100, 'notificationSize': 90},
    'user_mapping': [{'domain': 'ad.example.org', 'groups': ['Old'], 'attributes': []}],
    'buckets': {'b1': {}, 'full': {'usage': {'bytes': 2048, 'objects': 2}}}}}}


def test_check_mode_changes_nothing_and_diff_shows_the_change(ecs_play, ecs_sim):
    ecs_sim.seed(SEED)
    before = ecs_sim.state()
    result = ecs_play([
        task('new namespace', 'ecs_namespace', name='new-lab', replication_group='rg2', quota_tb=1,
             user_mapping=[{'domain': 'ad.example.org', 'groups': ['New Lab']}]),
        task('bucket in the new namespace', 'ecs_bucket', namespace='new-lab', name='new-bucket', filesystem_enabled=True,
             quota_gb=10),
        task('raise quota', 'ecs_namespace', name='existing', quota_gb=200),
        task('new mapping', 'ecs_namespace', name='existing', user_mapping=[{'domain': 'ad.example.org', 'groups': ['New']}]),
        task('bucket quota', 'ecs_bucket_quota', namespace='existing', bucket='b1', quota_tb=0.5),
        task('remove namespace quota', 'ecs_namespace_quota', namespace='existing', state='absent'),
        task('delete empty bucket', 'ecs_bucket', namespace='existing', name='b1', state='absent'),
        task('delete full bucket', 'ecs_bucket', namespace='existing', name='full', state='absent', ignore_errors=True),
        task('delete full bucket forced', 'ecs_bucket', namespace='existing', name='full', state='absent', force=True),
        task('delete namespace with buckets', 'ecs_namespace', name='existing', state='absent', ignore_errors=True),
    ], check=True, diff=True)
    assert result.rc == 0, result.output

    assert ecs_sim.state() == before
    writes = {key: n for key, n in ecs_sim.stats()['requests'].items() if not key.startswith('GET ')}
    assert writes == {}, writes

    created = only(result, 'new namespace')
    assert created['changed'] and created['diff']['before'] == {'name': 'new-lab', 'exists': False}
    assert created['diff']['after']['replication_group'] == 'rg2' and created['diff']['after']['hard_quota_gb'] == 1024
    bucket = only(result, 'bucket in the new namespace')
    assert bucket['changed'] and any('check mode assumes' in w for w in bucket['warnings'])
    assert bucket['diff']['after']['hard_quota_gb'] == 10 and bucket['diff']['after']['filesystem_enabled']
    raised = only(result, 'raise quota')['diff']
    assert (raised['before']['hard_quota_gb'], raised['after']['hard_quota_gb']) == (100, 200)
    assert raised['after']['soft_quota_gb'] == 180
    mapping = only(result, 'new mapping')['diff']
    assert mapping['before']['user_mapping'][0]['groups'] == ['Old'] and mapping['after']['user_mapping'][0]['groups'] == ['New']
    assert only(result, 'bucket quota')['diff']['after'] == {'hard_gb': 512, 'soft_gb': 460, 'hard_tb': 0.5}
    assert only(result, 'remove namespace quota')['diff']['after']['hard_gb'] == -1
    assert only(result, 'delete empty bucket')['diff']['after']['exists'] is False
    assert 'holds 2 objects' in failure(result, 'delete full bucket')['msg']
    assert only(result, 'delete full bucket forced')['changed']
    assert failure(result, 'delete namespace with buckets')['buckets']        # the buckets that keep it
    # the diff reaches the screen too
    assert '"hard_quota_gb": 200' in result.stdout or 'hard_quota_gb: 200' in result.stdout, result.stdout
