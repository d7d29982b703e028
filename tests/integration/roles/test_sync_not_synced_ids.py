"""The ecs_sync role's error for a resource that could not be synced at all names the allocations it left unsynced.

No ColdFront and no simulator: the sync task cannot read ColdFront, so it fails before any ECS call and the rescue
writes the error.  The allocations then come from the host var ``ecs_allocations`` (what the inventory plugin sets);
counted are the provisioned ones in ``ecs_sync_allocation_statuses``, the ones sync would write.  (When ColdFront
was read and ECS fails, the module names the allocations itself: tests/faults/test_credentials_tls.py.)
"""

from support.ansible_run import run_playbook

DEAD_PORT = 9          # discard: nothing listens, the connection is refused at once


def view(number, provisioned=True, status='Active'):
    """An allocation view as the inventory plugin gives it (only the keys the role reads)."""
    namespace = 'lab-%d' % number
    return {'id': number, 'status': status, 'provisioned': provisioned, 'namespace': namespace,
            'bucket': namespace + '-bucket', 'subdirectory': '%s:%s-bucket' % (namespace, namespace) if provisioned else None}


def sync_error(allocations):
    play = {'name': 'sync', 'hosts': 'localhost', 'gather_facts': False,
            'vars': {'coldfront_resource_name': 'ecs-big', 'ecs_host': '127.0.0.1', 'ecs_port': DEAD_PORT,
                     'ecs_username': 'svc-ansible', 'ecs_password': 'not-used', 'coldfront_ecs_timeout': 2,
                     'ecs_allocations': allocations},
            'roles': [{'role': 'hpc.coldfront_ecs.ecs_sync'}]}
    result = run_playbook([play])
    assert result.rc == 2, result.output
    summary = result.custom_stats['_run']['ecs_sync_summary']['ecs-big']
    assert summary['ok'] is False, summary
    return summary['error']


def test_the_error_counts_and_names_the_provisioned_allocations_in_the_synced_statuses():
    allocations = [view(12), view(3), view(7, provisioned=False), view(5, status='Expired'), view(9)]
    error = sync_error(allocations)
    assert error.startswith('resource ecs-big (127.0.0.1) was not synced, 3 allocation(s) not synced (ids 3, 9, 12): '
                            'the ColdFront SQLite database '), error


def test_the_id_list_stops_at_20_and_none_provisioned_names_none():
    error = sync_error([view(number) for number in range(101, 126)] + [view(99, provisioned=False)])
    ids = ', '.join(str(number) for number in range(101, 121))
    assert error.startswith('resource ecs-big (127.0.0.1) was not synced, 25 allocation(s) not synced (ids %s and 5 more): '
                            'the ColdFront SQLite database ' % ids), error

    error = sync_error([view(7, provisioned=False)])
    assert error.startswith('resource ecs-big (127.0.0.1) was not synced, 0 allocation(s) not synced: the ColdFront SQLite database '), error
