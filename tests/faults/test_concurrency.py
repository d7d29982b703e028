"""Two runs at once: provision twice for the same allocations, sync twice for the same resources.

What must hold: every namespace is created once and its allocation is recorded once (never two rows of one
attribute), the run that loses a race says so clearly, the values are right, a later run changes nothing, and no
token is left live.
"""

import threading
import time

import pytest

from faults.helpers import (
    PROVISION_LABS, SYNC_LABS, assert_finished, assert_provisioned, assert_synced, coldfront_writes_locked,
    provision_entries, seed_provision_world, seed_sync_world)

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

HOSTS = ('ecs-east', 'ecs-west')


def run_together(world, playbook, count=2, **kwargs):
    """Start ``count`` runs of ``playbook`` at once; returns ``(threads, results)`` (join the threads first)."""
    results = [None] * count

    def run(index):
        results[index] = world.run_unchecked(playbook, **kwargs)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    return threads, results


def join(world, threads, results):
    for thread in threads:
        thread.join(600)
    assert all(result is not None for result in results)
    world.assert_no_live_tokens('the parallel runs')
    return results


def wait_until(condition, seconds, what):
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, 'waited %d s for %s' % (seconds, what)
        time.sleep(0.1)


def duplicate_attributes(site):
    """``[(allocation id, attribute type id, rows)]`` for every attribute that has more than one row."""
    return site.query('SELECT allocation_id, allocation_attribute_type_id, COUNT(*) FROM allocation_allocationattribute '
                      'GROUP BY allocation_id, allocation_attribute_type_id HAVING COUNT(*) > 1')


def test_two_provisions_at_once_create_each_namespace_once(ecs_world):
    """Namespace creates take 5 s on ECS before they take effect, so both runs find no namespace and both try to
    create each one.  ECS takes the first create; for every allocation exactly one run reports it ``created`` and
    records it, the other reports ECS's "already exists" for that allocation (and records nothing for it).
    Each allocation ends up provisioned and recorded once; a third run changes nothing."""
    seed_provision_world(ecs_world)
    for simulator in ecs_world.simulators.values():
        simulator.faults(latency_ms={'POST /object/namespaces/namespace': 5000})

    threads, results = run_together(ecs_world, 'playbooks/provision.yml')
    results = join(ecs_world, threads, results)

    for result in results:
        assert_finished(result, 'ecs_provision_summary', HOSTS)
    for item in PROVISION_LABS:
        allocation_id = ecs_world.site.allocation_id(item.ref)
        entries = [provision_entries(result, item.resource)[allocation_id] for result in results]
        actions = sorted(entry['action'] for entry in entries)
        assert actions == ['created', 'failed'], (item.ref, entries)
        loser = [entry for entry in entries if entry['action'] == 'failed'][0]
        assert loser['error'].startswith("allocation %d (project " % allocation_id), loser
        assert 'create namespace %s' % item.namespace in loser['error'], loser
        assert 'Namespace %s already exists' % item.namespace in loser['error'], loser
        assert_provisioned(ecs_world, item)
    assert duplicate_attributes(ecs_world.site) == []

    for simulator in ecs_world.simulators.values():
        simulator.clear_faults()
    again = ecs_world.run('playbooks/provision.yml')
    assert again.rc == 0 and again.changed == 0, again.output


def waiting_on_locks(site):
    """PostgreSQL backends of the site's database waiting for a lock."""
    return site.query("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                      "AND wait_event_type = 'Lock'")[0][0]


def test_two_syncs_at_once_write_correct_values_once(ecs_world):
    """Both runs read ECS, then write the same values into ColdFront at the same moment: ColdFront's writes are
    held until the write tasks of both runs have planned their changes and wait, then let go together.  Every value is
    right, every attribute has one row (odd-west's Quota_In_Bytes, missing before, is created once), both runs
    succeed and a third run changes nothing."""
    seed_sync_world(ecs_world, older_cluster=())
    site = ecs_world.site

    with coldfront_writes_locked(site, 'allocation_allocationattribute'):
        threads, results = run_together(ecs_world, 'playbooks/sync.yml')
        wait_until(lambda: all(sim.stats()['logouts'] >= 2 for sim in ecs_world.simulators.values()), 300,
                   'both runs to read ECS')
        if site.kind == 'postgresql':
            # ecs-west's two write tasks both create odd-west's missing Quota_In_Bytes: both wait to insert it.
            wait_until(lambda: waiting_on_locks(site) >= 2, 120, "both runs' ecs-west write tasks waiting for the lock")
        else:
            time.sleep(2)       # the write tasks start and wait for SQLite's write lock (up to 60 s)
    results = join(ecs_world, threads, results)

    for result in results:
        assert result.rc == 0, result.output
        assert_finished(result, 'ecs_sync_summary', HOSTS)
    for item in SYNC_LABS:
        assert_synced(site, item)
    assert duplicate_attributes(site) == []
    again = ecs_world.run('playbooks/sync.yml')
    assert again.rc == 0 and again.changed == 0, again.output
