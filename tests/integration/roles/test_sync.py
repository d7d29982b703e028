"""playbooks/sync.yml end to end: ECS (simulator) -> ColdFront (real), through the inventory plugin."""

import json

import pytest

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

TB = 1024 ** 4
SMITH_NS, SMITH_BUCKET = 'smith-lab', 'lab-smith-lab-bucket'
USED_BYTES = 3 * TB + 123 * 1024 + 512          # not a whole number of KB on purpose


@pytest.fixture(autouse=True)
def no_token_left_live(ecs_world):
    """After every playbook run of these tests, no ECS token is left live on any simulator (docs/security.md)."""
    ecs_world.check_tokens = True


def provisioned(world, ref='smith-east', namespace=SMITH_NS, bucket=SMITH_BUCKET, quota_gb=10240, used=USED_BYTES,
                sim='ecs-east'):
    """An allocation as provision leaves it: Subdirectory recorded, namespace + bucket on ECS."""
    world.provisioned(ref, namespace, bucket, quota_gb=quota_gb, used=used, resource=sim)


def attrs(world, ref):
    return {name: (value, usage) for name, value, usage in world.site.allocation_attributes(ref)}


def test_sync_values_to_the_byte_and_unchanged_resync_writes_nothing(ecs_world):
    provisioned(ecs_world)
    ecs_world.east.seed({'namespaces': {'orphan-lab': {'vpool': 'rg1', 'quota': {'blockSize': 2048, 'notificationSize': 1843}},
                                        'open-lab': {'vpool': 'rg1'}}})
    result = ecs_world.run('playbooks/sync.yml', diff=True)
    assert result.rc == 0, result.output

    values = attrs(ecs_world, 'smith-east')
    assert values['Storage Quota (TB)'][0] == '10'
    assert values['Storage Quota (TB)'][1] == pytest.approx(USED_BYTES / TB, rel=1e-15)
    assert values['Quota_In_Bytes'] == (str(10 * TB), float(USED_BYTES))

    east = ecs_world.site.resource_attributes('ecs-east')
    capacity = ecs_world.east.state()['capacity']
    assert float(east['capacity_tb']) == capacity['totalProvisioned_gb'] / 1024
    assert float(east['used_tb']) == (capacity['totalProvisioned_gb'] - capacity['totalFree_gb']) / 1024
    assert float(east['allocated_tb']) == (10240 + 2048) / 1024          # open-lab has no quota: left out

    sync = result.results('Read ECS and write quota, usage and capacity into ColdFront', host='ecs-east')[0]
    assert sync['resource']['unlimited_namespaces'] == ['open-lab']
    assert sorted(sync['drift']['unclaimed_namespaces']) == ['open-lab', 'orphan-lab']
    assert result.custom_stats['_run']['ecs_sync_summary']['ecs-east']['counts']['synced'] == 1
    assert 'Storage Quota (TB)' in json.dumps(sync['diff'])            # --diff shows what was written

    before = ecs_world.site.history_counts()
    again = ecs_world.run('hpc.coldfront_ecs.sync')             # the collection playbook, by FQCN
    assert again.rc == 0, again.output
    assert again.changed == 0
    assert ecs_world.site.history_counts() == before
    assert 'diff' not in again.results('Read ECS and write quota, usage and capacity into ColdFront', host='ecs-east')[0]


def test_sync_pulls_ecs_quota_change_and_keeps_unpushed_coldfront_change(ecs_world):
    provisioned(ecs_world)
    provisioned(ecs_world, ref='jones-east', namespace='jones-genomics', bucket='lab-jones-genomics-bucket',
                quota_gb=20480, used=0)
    assert ecs_world.run('playbooks/sync.yml').rc == 0
    # ECS admin raises smith-lab to 15 TB; a ColdFront change request raises Jones to 30 TB (not pushed yet).
    ecs_world.east.seed({'namespaces': {SMITH_NS: {'quota': {'blockSize': 15360, 'notificationSize': 13824}}}})
    models = ecs_world.site.orm()
    models.AllocationAttribute.objects.filter(allocation_id=ecs_world.site.allocation_id('jones-east'),
                                              allocation_attribute_type__name='Storage Quota (TB)').update(value='30')
    result = ecs_world.run('playbooks/sync.yml')
    assert result.rc == 0, result.output                    # pending push is not a failure
    assert attrs(ecs_world, 'smith-east')['Storage Quota (TB)'][0] == '15'
    assert attrs(ecs_world, 'smith-east')['Quota_In_Bytes'][0] == str(15 * TB)
    assert attrs(ecs_world, 'jones-east')['Storage Quota (TB)'][0] == '30'       # not overwritten
    assert attrs(ecs_world, 'jones-east')['Quota_In_Bytes'][0] == str(20 * TB)
    entries = {e['allocation_id']: e for e in
               result.results('Read ECS and write quota, usage and capacity into ColdFront', host='ecs-east')[0]['allocations']}
    assert entries[ecs_world.site.allocation_id('jones-east')]['status'] == 'pending_push'

    # Now ECS changes Jones too, differently: a conflict, neither side changes, the play fails naming it.
    ecs_world.east.seed({'namespaces': {'jones-genomics': {'quota': {'blockSize': 25600, 'notificationSize': 23040}}}})
    result = ecs_world.run('playbooks/sync.yml')
    assert result.rc != 0
    assert 'changed on both sides' in result.output and 'allocation %d' % ecs_world.site.allocation_id('jones-east') in result.output
    assert attrs(ecs_world, 'jones-east')['Storage Quota (TB)'][0] == '30'
    assert ecs_world.east.state()['namespaces']['jones-genomics']['quota']['blockSize'] == 25600


def test_unreadable_namespace_and_unreachable_endpoint_are_reported_and_skipped(ecs_world):
    provisioned(ecs_world)
    provisioned(ecs_world, ref='jones-east', namespace='jones-genomics', bucket='lab-jones-genomics-bucket',
                quota_gb=20480, used=5 * TB)
    provisioned(ecs_world, ref='odd-west', namespace='chen-patel-ber-lab-2024', bucket='lab-chen-patel-ber-lab-2024-bucket',
                quota_gb=5120, used=TB, sim='ecs-west')
    # An older cluster (brief namespace list, no batch billing) reads quota and billing per namespace.
    ecs_world.east.config(namespace_list='brief', batch_billing='off')
    ecs_world.east.faults(error_rate=1.0, error_status=500, match='smith-lab', seed=1)
    ecs_world.west.faults(down=True)
    result = ecs_world.run('playbooks/sync.yml')
    assert result.rc != 0
    # Jones synced despite Smith's namespace failing, and despite ecs-west being down.
    assert attrs(ecs_world, 'jones-east')['Quota_In_Bytes'][1] == float(5 * TB)
    assert 'smith-lab' in result.output and 'could not read' in result.output
    # The whole resource failed: its error names how many provisioned allocations were not synced, and which.
    west = result.custom_stats['_run']['ecs_sync_summary']['ecs-west']['error']
    assert west.startswith('resource ecs-west (127.0.0.2) was not synced, 1 allocation(s) not synced (ids %d): '
                           'GET /login failed: ' % ecs_world.site.allocation_id('odd-west')), west
    assert 'resource ecs-west (127.0.0.2) was not synced, 1 allocation(s) not synced' in result.output
    for sim in ecs_world.simulators.values():
        sim.clear_faults()


def test_drift_is_reported_never_repaired(ecs_world):
    provisioned(ecs_world)
    ecs_world.site.add_allocation_attributes('jones-east', {'Subdirectory': 'jones-genomics:lab-jones-genomics-bucket'})
    result = ecs_world.run('playbooks/sync.yml')
    sync = result.results('Read ECS and write quota, usage and capacity into ColdFront', host='ecs-east')[0]
    assert sync['drift']['missing_namespaces'] == [{'allocation_id': ecs_world.site.allocation_id('jones-east'),
                                                   'project': 'Jones Genomics Lab', 'namespace': 'jones-genomics'}]
    assert 'missing on ECS' in result.output
    assert 'jones-genomics' not in ecs_world.east.state()['namespaces']      # nothing created by sync


def test_bucket_at_95_percent_raises_an_alert_everywhere_a_user_looks(ecs_world):
    provisioned(ecs_world, used=int(9.5 * TB))                                  # 95 % of 10 TB
    provisioned(ecs_world, ref='jones-east', namespace='jones-genomics', bucket='lab-jones-genomics-bucket',
                quota_gb=20480, used=2 * TB)                                    # 10 %: no alert
    result = ecs_world.run('playbooks/sync.yml')
    assert result.rc == 0, result.output                      # a warning is not a failure by default
    alerts = result.custom_stats['_run']['quota_alerts']['ecs-east']
    # The bucket has its namespace's quota (provision's default, coldfront_ecs_bucket_quota): both are at 95 %, one
    # alert per allocation (as the report counts it), the bucket as its detail.
    smith = ecs_world.site.allocation_id('smith-east')
    assert [(a['kind'], a['name'], a['namespace'], a['allocation_id'], a['level'], a['percent'], a['limit'])
            for a in alerts] == [('namespace', SMITH_NS, SMITH_NS, smith, 'warning', 95.0, 10.0)]
    assert [(b['name'], b['level'], b['percent']) for b in alerts[0]['buckets']] == [(SMITH_BUCKET, 'warning', 95.0)]
    assert 'ecs-east: namespace smith-lab' in result.output   # in the play output
    assert result.results('Read ECS and write quota, usage and capacity into ColdFront', host='ecs-east')[0]['alerts'] == alerts

    # A site whose buckets have no quota of their own (coldfront_ecs_bucket_quota: false): no bucket alert.
    result = ecs_world.run('playbooks/sync.yml', extra_vars={'coldfront_ecs_bucket_quota': False})
    assert [a['kind'] for a in result.custom_stats['_run']['quota_alerts']['ecs-east']] == ['namespace']

    # Per-resource threshold override, and failing the play on an exceeded hard limit.
    ecs_world.east.seed({'namespaces': {'jones-genomics': {'buckets': {
        'lab-jones-genomics-bucket': {'usage': {'bytes': 21 * TB, 'objects': 1}}}}}})
    overrides = {'ecs_sync_alert_thresholds': {'ecs-east': 0.99}, 'ecs_sync_fail_on_exceeded': True}
    result = ecs_world.run('playbooks/sync.yml', extra_vars=overrides)
    assert result.rc != 0
    alerts = result.custom_stats['_run']['quota_alerts']['ecs-east']
    assert [(a['name'], a['level']) for a in alerts] == [('jones-genomics', 'exceeded')]   # smith at 95 % < 99 %
    assert [b['name'] for b in alerts[0]['buckets']] == ['lab-jones-genomics-bucket']
    assert 'namespace jones-genomics' in result.output


def test_bucket_quotas_read_on_ecs_alert_on_their_own_and_unread_ones_fail_the_host(ecs_world):
    # Someone lowered the bucket's quota on ECS to 4 TB: the namespace is at 30 % of 10 TB, the bucket at 75 %.
    provisioned(ecs_world, used=3 * TB)
    ecs_world.east.seed({'namespaces': {SMITH_NS: {'buckets': {SMITH_BUCKET: {
        'quota': {'blockSize': 4096, 'notificationSize': 3072}}}}}})
    ecs_world.east.config(namespace_list='brief', batch_billing='off')      # an older cluster: 2 calls per namespace
    result = ecs_world.run('playbooks/sync.yml')
    assert result.rc == 0, result.output
    assert result.custom_stats['_run']['quota_alerts']['ecs-east'] == []    # namespace limit: 30 %
    assert result.results('Read ECS and write quota, usage and capacity into ColdFront', host='ecs-east')[0]['ecs']['bucket_quotas'] is False

    ecs_world.east.reset_stats()
    result = ecs_world.run('playbooks/sync.yml', extra_vars={'ecs_sync_bucket_limits': 'ecs', 'ecs_sync_alert_threshold': 0.7})
    assert result.rc == 0, result.output
    [alert] = result.custom_stats['_run']['quota_alerts']['ecs-east']
    assert (alert['kind'], alert['name'], alert['limit'], alert['percent']) == ('bucket', SMITH_BUCKET, 4.0, 75.0)
    assert result.results('Read ECS and write quota, usage and capacity into ColdFront', host='ecs-east')[0]['ecs']['bucket_quotas'] is True
    assert ecs_world.east.stats()['requests'].get('GET /object/bucket') == 1   # one bucket list per namespace

    # The bucket list cannot be read: usage and quota are still synced, the problem is named and the host fails.
    ecs_world.east.faults(error_rate=1.0, error_status=500, routes=['GET /object/bucket'], seed=1)
    result = ecs_world.run('playbooks/sync.yml', extra_vars={'ecs_sync_bucket_limits': 'ecs'})
    ecs_world.east.clear_faults()
    assert result.rc != 0
    sync = result.results('Read ECS and write quota, usage and capacity into ColdFront', host='ecs-east')[0]
    assert sync['resource']['unread_bucket_quota_namespaces'] == [SMITH_NS]
    assert sync['allocations'][0]['status'] == 'synced'
    assert 'the bucket quotas of 1 namespace(s) could not be read' in result.output
    assert 'GET /object/bucket failed' in result.output


def test_history_user_unread_quota_and_alerts_in_the_recap_next_to_the_report(ecs_world, tmp_path):
    provisioned(ecs_world, used=int(9.5 * TB))                                  # 95 % of 10 TB: a warning
    ecs_world.east.seed({'namespaces': {'orphan-lab': {'vpool': 'rg1', 'quota': {'blockSize': 2048, 'notificationSize': 1843}}}})
    first = ecs_world.run('playbooks/sync.yml', extra_vars={'coldfront_ecs_history_user': 'svc-ansible'})
    assert first.rc == 0, first.output
    written = [row for model in ('AllocationAttributeUsage', 'ResourceAttribute')
               for row in ecs_world.site.history(model, history_change_reason__contains='coldfront_ecs_sync')]
    assert len(written) >= 2 and {row.history_user.username for row in written} == {'svc-ansible'}
    assert float(ecs_world.site.resource_attributes('ecs-east')['allocated_tb']) == (10240 + 2048) / 1024
    line = first.results('Report the sync of this resource', host='ecs-east')[0]['msg']
    assert 'namespaces missing on ECS: none; buckets missing on ECS: none; namespaces unclaimed on ECS: orphan-lab' in line
    recap = first.stdout.split('CUSTOM STATS')[1]                              # show_custom_stats (ansible.cfg)
    assert 'quota_alerts' in recap and 'namespace smith-lab' in recap

    # orphan-lab's quota cannot be read (an older cluster reads quotas per namespace): allocated_tb keeps 12 TB
    # instead of dipping to 10, the problem names the resource, and the host fails after writing the rest.
    ecs_world.east.config(namespace_list='brief')
    ecs_world.east.faults(error_rate=1.0, error_status=500, match='orphan-lab', seed=1)
    plays = [{'import_playbook': 'hpc.coldfront_ecs.sync'}, {'import_playbook': 'hpc.coldfront_ecs.report'}]
    result = ecs_world.run(plays, extra_vars={'ecs_report_output_dir': str(tmp_path / 'reports')})
    ecs_world.east.clear_faults()
    assert result.rc != 0
    sync = result.results('Read ECS and write quota, usage and capacity into ColdFront', host='ecs-east')[0]
    assert sync['resource']['unread_quota_namespaces'] == ['orphan-lab'] and 'allocated_tb' not in sync['resource']
    assert sync['problems'][0].startswith('resource ecs-east: allocated_tb was not written, because the quota of 1 '
                                          'namespace(s) could not be read')
    assert 're-run sync when ECS answers' in result.output
    assert float(ecs_world.site.resource_attributes('ecs-east')['allocated_tb']) == 12
    assert sync['allocations'][0]['status'] == 'synced'                      # smith-lab itself was read

    # Sync and report publish quota_alerts in the same shape, so both survive aggregation (the report's lists win
    # for the resources both name, being later).
    report = result.results('Write the usage report')[0]
    stats = result.custom_stats['_run']
    assert stats['ecs_report_dir'] and stats['ecs_sync_summary']['ecs-east']['ok'] is True
    alerts = stats['quota_alerts']
    assert set(alerts) >= {'ecs-east', 'ecs-west'}
    assert alerts['ecs-east'] == [a for a in report['alerts'] if a['resource'] == 'ecs-east']
    assert [a['name'] for a in alerts['ecs-east']] == [SMITH_NS]
