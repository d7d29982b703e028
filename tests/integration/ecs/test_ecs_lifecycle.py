"""ECS modules in real playbooks against the simulator: create, re-run unchanged, update, info, delete."""

import pytest

from integration.ecs.ecs_playbooks import failure, only, task

pytestmark = pytest.mark.simulator

NS = 'smith-lab'
BUCKET = 'lab-smith-lab-bucket'
MAPPING = [{'domain': 'ad.example.org', 'groups': ['Smith Lab']}]


def test_create_rerun_update_and_read(ecs_play, ecs_sim):
    rg_ids = {name: rg['id'] for name, rg in ecs_sim.state()['replication_groups'].items()}
    bucket = dict(namespace=NS, name=BUCKET, filesystem_enabled=True, quota_gb=100)
    result = ecs_play([
        task('rg1', 'ecs_replication_group_info', register='rg1', name='rg1'),
        task('create namespace', 'ecs_namespace', name=NS, replication_group='rg1', user_mapping=MAPPING, quota_tb=1),
        task('namespace again', 'ecs_namespace', name=NS, replication_group=rg_ids['rg1'], user_mapping=MAPPING, quota_tb=1),
        task('create bucket', 'ecs_bucket', **bucket),
        task('bucket again', 'ecs_bucket', **bucket),
        task('bucket immutable differs', 'ecs_bucket', namespace=NS, name=BUCKET, filesystem_enabled=False, encryption=True),
        task('second bucket', 'ecs_bucket', namespace=NS, name='scratch', replication_group='rg2', encryption=True),
        task('namespace quota', 'ecs_namespace_quota', namespace=NS, quota_gb=2048, soft_quota_percent=80),
        task('namespace quota again', 'ecs_namespace_quota', namespace=NS, quota_gb=2048, soft_quota_percent=80),
        task('bucket quota', 'ecs_bucket_quota', namespace=NS, bucket=BUCKET, quota_gb=50, soft_quota_gb=40),
        task('no quota on scratch', 'ecs_bucket_quota', namespace=NS, bucket='scratch', state='absent'),
        task('new mapping', 'ecs_namespace', name=NS, user_mapping=MAPPING + [{'domain': 'ad.example.org', 'groups': ['HPC'],
                                                                               'attributes': [{'key': 'ou', 'value': ['x']}]}]),
        task('namespace info', 'ecs_namespace_info', names=[NS, 'ghost']),
        task('all namespaces', 'ecs_namespace_info'),
        task('bucket info', 'ecs_bucket_info', namespace=NS),
        task('one bucket', 'ecs_bucket_info', namespace=NS, name='scratch'),
        task('bucket of a missing namespace', 'ecs_bucket_info', namespace='ghost'),
    ])
    assert result.rc == 0, result.output

    assert only(result, 'rg1')['replication_groups'] == [dict(
        only(result, 'rg1')['replication_groups'][0], id=rg_ids['rg1'], name='rg1')]
    created = only(result, 'create namespace')
    assert created['changed'] and created['changes'] == ['create namespace', 'set quota 1024/921 GB']
    assert created['state']['replication_group'] == 'rg1' and created['state']['hard_quota_gb'] == 1024
    assert not only(result, 'namespace again')['changed']
    assert only(result, 'create bucket')['changes'] == ['create bucket', 'set quota 100/90 GB']
    assert not only(result, 'bucket again')['changed']
    mismatch = only(result, 'bucket immutable differs')
    assert not mismatch['changed']
    assert mismatch['immutable_mismatches'] == [{'property': 'filesystem_enabled', 'current': True, 'wanted': False},
                                                {'property': 'encryption', 'current': False, 'wanted': True}]
    assert any('cannot change after creation' in w for w in mismatch['warnings'])
    assert only(result, 'second bucket')['state']['replication_group_id'] == rg_ids['rg2']
    assert only(result, 'namespace quota')['quota'] == {'hard_gb': 2048, 'soft_gb': 1638, 'hard_tb': 2.0}
    assert only(result, 'namespace quota')['changed'] and not only(result, 'namespace quota again')['changed']
    assert only(result, 'bucket quota')['changed']
    assert not only(result, 'no quota on scratch')['changed']
    assert only(result, 'new mapping')['changes'] == ['set user mapping']

    info = only(result, 'namespace info')
    assert info['missing'] == ['ghost'] and [n['name'] for n in info['namespaces']] == [NS]
    assert info['namespaces'][0]['hard_quota_gb'] == 2048 and info['namespaces'][0]['replication_group'] == 'rg1'
    assert [n['name'] for n in only(result, 'all namespaces')['namespaces']] == [NS]
    buckets = only(result, 'bucket info')['buckets']
    assert [(b['name'], b['filesystem_enabled'], b['hard_quota_gb'], b['soft_quota_gb']) for b in buckets] == [
        (BUCKET, True, 50, 40), ('scratch', False, -1, -1)]
    assert [b['name'] for b in only(result, 'one bucket')['buckets']] == ['scratch']
    assert only(result, 'bucket of a missing namespace') == dict(
        only(result, 'bucket of a missing namespace'), buckets=[], namespace_exists=False)

    state = ecs_sim.state()['namespaces'][NS]
    assert state['default_data_services_vpool'] == rg_ids['rg1']
    assert state['quota'] == {'blockSize': 2048, 'notificationSize': 1638}
    assert sorted(m['groups'][0] for m in state['user_mapping']) == ['HPC', 'Smith Lab']
    assert state['buckets'][BUCKET]['filesystem_enabled'] and state['buckets'][BUCKET]['quota'] == {
        'blockSize': 50, 'notificationSize': 40}
    assert state['buckets']['scratch']['vpool'] == rg_ids['rg2'] and state['buckets']['scratch']['is_encryption_enabled']

    # Re-running the whole create part changes nothing and writes nothing.
    requests_before = ecs_sim.stats()['requests']
    again = ecs_play([
        task('namespace', 'ecs_namespace', name=NS, replication_group='rg1', quota_gb=2048, soft_quota_percent=80),
        task('bucket', 'ecs_bucket', namespace=NS, name=BUCKET, filesystem_enabled=True, quota_gb=50, soft_quota_gb=40),
    ])
    assert again.rc == 0 and again.changed == 0, again.output
    writes = {key: count for key, count in ecs_sim.stats()['requests'].items()
              if not key.startswith('GET ') and count != requests_before.get(key)}
    assert writes == {}


def test_delete_is_safe(ecs_play, ecs_sim):
    ecs_sim.seed({'namespaces': {NS: {'vpool': 'rg1', 'buckets': {
        'empty': {}, 'full': {'usage': {'bytes': 4096, 'objects': 3}}, 'other': {'usage': {'bytes': 1, 'objects': 1}}}}}})
    ecs_sim.config(empty_bucket_seconds=60)
    result = ecs_play([
        task('namespace with buckets', 'ecs_namespace', name=NS, state='absent', ignore_errors=True),
        task('empty bucket', 'ecs_bucket', namespace=NS, name='empty', state='absent'),
        task('empty bucket again', 'ecs_bucket', namespace=NS, name='empty', state='absent'),
        task('full bucket', 'ecs_bucket', namespace=NS, name='full', state='absent', ignore_errors=True),
        task('full bucket forced', 'ecs_bucket', namespace=NS, name='other', state='absent', force=True),
        task('missing namespace', 'ecs_namespace', name='ghost', state='absent'),
    ])
    assert result.rc == 0, result.output
    refused = failure(result, 'namespace with buckets')
    assert refused['buckets'] == ['empty', 'full', 'other'], refused
    assert 'hpc.coldfront_ecs.ecs_bucket' in refused['msg']             # what to do first
    assert only(result, 'empty bucket')['changed'] and not only(result, 'empty bucket again')['changed']
    full = failure(result, 'full bucket')
    assert (full['error']['path'], full['error']['status'], full['error']['code']) == \
        ('/object/bucket/full/deactivate', 400, 1025), full
    assert 'force: true' in full['msg']                                  # what to do
    forced = only(result, 'full bucket forced')
    assert forced['changed'] and forced['empty_bucket_task']['status'] in ('PENDING', 'IN_PROGRESS')
    assert forced['state']['exists']
    assert not only(result, 'missing namespace')['changed']

    buckets = ecs_sim.state()['namespaces'][NS]['buckets']
    assert set(buckets) == {'full', 'other'} and buckets['other'].get('emptying')
    assert buckets['full']['usage'] == {'bytes': 4096, 'objects': 3}

    ecs_sim.seed({'namespaces': {NS: {'buckets': {'full': None, 'other': None}}}})
    result = ecs_play([task('namespace', 'ecs_namespace', name=NS, state='absent'),
                       task('namespace again', 'ecs_namespace', name=NS, state='absent')])
    assert result.rc == 0, result.output
    assert only(result, 'namespace')['changed'] and not only(result, 'namespace again')['changed']
    assert NS not in ecs_sim.state()['namespaces']
