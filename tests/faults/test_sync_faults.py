"""playbooks/sync.yml under faults: ECS errors, timeouts, resets, token expiry, the token cap, an ECS outage and a
ColdFront database that is locked, fails mid-transaction or is unreachable.

What must hold after every faulty run (asserted in each test):

* the play runs to its end for every host (a summary per resource), without a traceback;
* every allocation the fault does not touch is synced (ColdFront holds ECS's quota and usage, to the byte);
* every affected allocation or resource is reported with a reason that names it and the failed call;
* ColdFront is never half-written: an allocation whose write failed holds exactly what it held before;
* a re-run without the fault syncs everything, and a second re-run changes nothing;
* no token is left live on any simulator (checked after every run by ``tests/faults/conftest.py``).
"""

import time

import pytest

from faults.helpers import (
    READ_TASK, SYNC_LABS, allow_writes, assert_converges, assert_finished, assert_synced, assert_untouched,
    coldfront_writes_locked, lab, locked_message, refuse_writes, seed_sync_world, snapshot, sync_entries)

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

SYNC = 'playbooks/sync.yml'
HOSTS = ('ecs-east', 'ecs-west')
SUMMARY = 'ecs_sync_summary'
# Sequential ECS calls make seeded random faults repeat exactly.
SEQUENTIAL = {'coldfront_ecs_max_workers': 1}


def refs(resource=None):
    return [item.ref for item in SYNC_LABS if resource is None or item.resource == resource]


def read_error(result, resource):
    """The structured ``error`` of the failed ECS read (ecs_usage_info) of ``resource``."""
    [event] = result.task(READ_TASK, host=resource)
    assert event['status'] == 'failed', result.output
    return event['result']['error']


def not_synced(world, resource):
    """How the error of a resource that was not synced at all begins: it names how many of its provisioned
    allocations were not synced, and their ids."""
    ids = sorted(world.site.allocation_id(ref) for ref in refs(resource))
    return 'resource %s (%s) was not synced, %d allocation(s) not synced (ids %s): ' % (
        resource, world.sim(resource).host, len(ids), ', '.join(str(number) for number in ids))


def test_persistent_ecs_faults_skip_only_what_they_touch(ecs_world):
    """ecs-east: every call about jones-genomics answers HTTP 500, every call about smith-lab hangs past the
    timeout; ecs-west is down (every connection reset).  lee-east is synced; smith-east and jones-east are
    reported with the failed call and left as they were; ecs-west is reported as not synced, its allocations
    untouched.  Without the faults a re-run syncs all five."""
    seed_sync_world(ecs_world)
    site = ecs_world.site
    before = snapshot(site, refs())
    ecs_world.east.faults(fail_next=[{'match': 'jones-genomics', 'status': 500, 'count': 1000}],
                          hang_rate=1.0, hang_seconds=3, match='smith-lab')
    ecs_world.west.faults(down=True)

    result = ecs_world.run(SYNC, extra_vars={'coldfront_ecs_timeout': 1})

    assert result.rc != 0
    summaries = assert_finished(result, SUMMARY, HOSTS)
    assert_synced(site, lab('lee-east'))
    entries = sync_entries(result, 'ecs-east')
    smith, jones = (entries[site.allocation_id(ref)] for ref in ('smith-east', 'jones-east'))
    assert smith['status'] == jones['status'] == 'skipped'
    assert smith['kind'] == jones['kind'] == 'unreadable'
    assert smith['reason'].startswith('allocation %d (project Smith Lab) on ecs-east: could not read the quota and '
                                      'billing of namespace smith-lab' % site.allocation_id('smith-east')), smith
    assert 'GET /object/namespaces/namespace/smith-lab/quota' in smith['reason']
    failed_reads = {(f['namespace'], f['status'], f['code']) for f in summaries['ecs-east']['ecs_failures']}
    assert ('jones-genomics', 500, 7000) in failed_reads and ('smith-lab', None, None) in failed_reads, failed_reads
    west = summaries['ecs-west']
    assert not west['ok'] and west['error'].startswith(not_synced(ecs_world, 'ecs-west')), west
    assert (read_error(result, 'ecs-west')['kind'], read_error(result, 'ecs-west')['path']) == ('connection', '/login')
    assert_untouched(site, {ref: before[ref] for ref in ('smith-east', 'jones-east', 'odd-west', 'kim-west')})
    # The failure message of the play names both skipped allocations and the unreachable resource.
    for text in ('namespace smith-lab', 'namespace jones-genomics', not_synced(ecs_world, 'ecs-west')):
        assert text in result.stdout

    for simulator in ecs_world.simulators.values():
        simulator.clear_faults()
    assert_converges(ecs_world, SYNC)


def test_transient_faults_are_absorbed(ecs_world):
    """ecs-east answers a seeded share of its calls (login and logout included) with HTTP 503 or a connection
    reset; on ecs-west the token idles out in the middle of the run and ECS redirects to /login (302).  Retries
    and one re-login per call absorb all of it: every allocation is synced, and a re-run changes nothing."""
    seed_sync_world(ecs_world)
    ecs_world.east.faults(seed=11, error_rate=0.3, error_status=503, reset_rate=0.2)
    # Three 503s on one call make the client wait at least 1 s before its fourth try, with no other call in flight
    # (sequential calls): longer than the idle timeout, which ordinary gaps between calls stay well under.
    ecs_world.west.config(token_idle_seconds=0.9, expired_token_response=302)
    ecs_world.west.faults(fail_next=[{'route': 'GET /object/namespaces/namespace/{id}/quota', 'match': 'kim-lab',
                                      'status': 503, 'count': 3}])

    result = ecs_world.run(SYNC, extra_vars=SEQUENTIAL)

    assert result.rc == 0, result.output
    assert_finished(result, SUMMARY, HOSTS)
    for item in SYNC_LABS:
        assert_synced(ecs_world.site, item)
    east, west = ecs_world.east.stats(), ecs_world.west.stats()
    assert east['by_status'].get('503') and east['by_status'].get('reset'), east
    assert west['logins'] >= 2 and west['by_status'].get('302'), west

    for simulator in ecs_world.simulators.values():
        simulator.clear_faults()
    again = ecs_world.run(SYNC)
    assert again.rc == 0 and again.changed == 0, again.output


def test_token_cap(ecs_world):
    """Both endpoints allow ONE live token per user.  On ecs-west the run works with that one token (four parallel
    calls share it).  On ecs-east someone else holds it: the login is refused (403, ECS error 1031), ecs-east is
    reported as not synced with ECS's reason and its allocations are untouched; ecs-west is synced.  Once the
    other token is logged out, a re-run syncs ecs-east."""
    seed_sync_world(ecs_world)
    site = ecs_world.site
    for simulator in ecs_world.simulators.values():
        simulator.config(token_cap=1)
    holder = ecs_world.east.api()
    ecs_world.tokens_held['ecs-east'] = 1
    before = snapshot(site, refs('ecs-east'))

    result = ecs_world.run(SYNC)

    assert result.rc != 0
    summaries = assert_finished(result, SUMMARY, HOSTS)
    for ref in refs('ecs-west'):
        assert_synced(site, lab(ref))
    assert_untouched(site, before)
    assert summaries['ecs-east']['error'].startswith(not_synced(ecs_world, 'ecs-east')), summaries['ecs-east']
    error = read_error(result, 'ecs-east')
    assert (error['path'], error['status'], error['code']) == ('/login', 403, 1031), error
    assert 'maximum of 1 authentication tokens' in error['details']      # ECS's own words, passed on

    holder.logout()
    ecs_world.tokens_held.clear()
    assert_converges(ecs_world, SYNC)


def wait_for(condition, seconds=10):
    """Poll ``condition()`` until it is true (the simulator finishes hung requests in the background)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, 'gave up waiting'
        time.sleep(0.1)


def test_login_hanging_past_the_timeout_is_tried_once(ecs_world):
    """ecs-east: GET /login hangs past the client's timeout, then ECS answers it and mints a token that nobody
    receives; ecs-west is down (every connection reset before ECS reads it).  The module tries the hanging login
    ONCE (a retry could leave one more unused token) and says that the login timed out and that ECS may hold one
    unused token until it expires; ecs-west's login, which never reached ECS, is tried retries + 1 = 4 times, not
    (retries + 1)^2.  Both resources are reported as not synced and left untouched.  The one token ECS minted for
    the lost login stays live until it expires; once it has, a re-run syncs everything."""
    seed_sync_world(ecs_world)
    site = ecs_world.site
    before = snapshot(site, refs())
    ecs_world.east.faults(hang_rate=1.0, hang_seconds=2.5, routes=['GET /login'])
    ecs_world.west.faults(down=True)

    result = ecs_world.run_unchecked(SYNC, extra_vars={'coldfront_ecs_timeout': 1})

    assert result.rc != 0
    summaries = assert_finished(result, SUMMARY, HOSTS)
    east = summaries['ecs-east']
    assert not east['ok'] and east['error'].startswith(not_synced(ecs_world, 'ecs-east')), east
    assert (read_error(result, 'ecs-east')['kind'], read_error(result, 'ecs-east')['path']) == ('timeout', '/login')
    assert 'ECS may hold one unused token' in east['error'], east        # the warning is the behaviour here
    west = summaries['ecs-west']
    assert not west['ok'] and west['error'].startswith(not_synced(ecs_world, 'ecs-west')), west
    assert read_error(result, 'ecs-west')['kind'] == 'connection'       # never reached ECS: no unused-token warning
    for resource, summary in summaries.items():                          # the endpoint read, no call counted
        assert (summary['endpoint'], summary['ecs_calls']) == (ecs_world.sim(resource).url, 0), summary
    assert_untouched(site, before)

    wait_for(lambda: ecs_world.east.stats()['requests'].get('GET /login'))
    east_stats, west_stats = ecs_world.east.stats(), ecs_world.west.stats()
    assert east_stats['requests'] == {'GET /login': 1}, east_stats
    assert (east_stats['logins'], east_stats['live_tokens_total']) == (1, 1), east_stats   # the one unused token
    assert west_stats['requests'] == {'GET /login': 4} and west_stats['logins'] == 0, west_stats
    # The unused token idles out on ECS (expired here at once); nothing else was left live.
    ecs_world.east.faults(expire_tokens=True)
    ecs_world.assert_no_live_tokens('the unused token expired')

    for simulator in ecs_world.simulators.values():
        simulator.clear_faults()
    assert_converges(ecs_world, SYNC)


def test_coldfront_locked_during_the_write(ecs_world):
    """ColdFront's database stays locked for writing while the sync writes.  ECS is read, then each resource's
    one write call fails on the lock: both resources are reported as not synced with the database's reason, and
    no allocation holds any part of the new values (on PostgreSQL the lock is hit after the allocation
    attributes were written in the transaction: they are rolled back).  Unlocked, a re-run syncs everything."""
    seed_sync_world(ecs_world, older_cluster=())
    site = ecs_world.site
    before = snapshot(site, refs())
    resources_before = {name: site.resource_attributes(name) for name in HOSTS}

    with coldfront_writes_locked(site, 'resource_resourceattribute') as extra_vars:
        result = ecs_world.run(SYNC, extra_vars=extra_vars)

    assert result.rc != 0
    summaries = assert_finished(result, SUMMARY, HOSTS)
    for name in HOSTS:
        error = summaries[name]['error']
        assert error.startswith(not_synced(ecs_world, name)), error
        assert locked_message(site) in error, error
    assert_untouched(site, before)
    assert {name: site.resource_attributes(name) for name in HOSTS} == resources_before

    assert_converges(ecs_world, SYNC)


def test_coldfront_fails_mid_transaction_or_is_unreachable(ecs_world):
    """ecs-east: the database refuses the resource attribute writes, which come after every allocation attribute
    of the resource in the same transaction; ecs-west: the write task gets a database URL where no server listens.
    Both resources are reported as not synced with the database's reason (the password of that URL masked), and
    none of the five allocations holds any new value: the allocation attributes written before the failure were
    rolled back with it.  Repaired, a re-run syncs everything."""
    seed_sync_world(ecs_world, older_cluster=())
    site = ecs_world.site
    before = snapshot(site, refs())
    message = refuse_writes(site, 'resource_resourceattribute', 'resource_id', site.resource_id('ecs-east'))
    dead = 'postgresql://coldfront:Dead-Db-Pw-93@127.0.0.1:9/coldfront'

    result = ecs_world.run(SYNC, extra_vars={
        'coldfront_ecs_db_url': "{{ %r if inventory_hostname == 'ecs-west' else %r }}" % (dead, site.db_url)})

    assert result.rc != 0
    summaries = assert_finished(result, SUMMARY, HOSTS)
    east, west = summaries['ecs-east']['error'], summaries['ecs-west']['error']
    assert east.startswith(not_synced(ecs_world, 'ecs-east')) and message in east, east
    assert west.startswith(not_synced(ecs_world, 'ecs-west') + 'cannot reach the ColdFront database '
                           '(postgresql coldfront@127.0.0.1:9/coldfront)'), west
    assert 'Dead-Db-Pw-93' not in result.output
    assert_untouched(site, before)

    allow_writes(site, 'resource_resourceattribute')
    assert_converges(ecs_world, SYNC)
