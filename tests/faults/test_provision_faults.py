"""playbooks/provision.yml under faults: ECS errors, timeouts (also on creates that land late), resets, token
expiry, the token cap, an ECS outage, and a ColdFront database that is locked, fails mid-transaction or is
unreachable while the run records what it created.

What must hold after every faulty run (asserted in each test):

* the play runs to its end for every host, without a traceback;
* every allocation the fault does not touch is provisioned (namespace, quota, bucket on ECS) and recorded;
* every affected allocation or resource is reported with a reason that names it and the failed step or call;
* ColdFront is never half-written: an allocation has all of Namespace, Bucket, Subdirectory or none of them;
* nothing is created twice; a re-run without the fault provisions and records everything (resuming what was
  created but not recorded), and a second re-run changes nothing;
* no token is left live on any simulator (checked after every run by ``tests/faults/conftest.py``).
"""

import pytest

from faults.helpers import (
    PROVISION_LABS, PROVISION_TASK, allow_writes, assert_finished, assert_provision_converges,
    assert_provisioned, assert_untouched, coldfront_writes_locked, locked_message, provision_entries, provision_lab,
    refuse_writes, seed_provision_world, snapshot)

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

PROVISION = 'playbooks/provision.yml'
HOSTS = ('ecs-east', 'ecs-west')
SUMMARY = 'ecs_provision_summary'
ALLOCATION_ATTRIBUTES = 'allocation_allocationattribute'


def assert_endpoint_reported(summaries, host, call):
    """A resource whose endpoint failed still has a summary (and set_stats for AWX): one line naming the resource,
    its endpoint, that provisioning failed and nothing was recorded, and the failed ECS call."""
    failed = summaries[host]['failed']
    assert len(failed) == 1, failed
    assert failed[0].startswith('resource %s (127.0.0.' % host), failed
    count = len([item for item in PROVISION_LABS if item.resource == host])
    assert ('provisioning failed for %d allocation(s), none recorded in ColdFront; a re-run resumes: %s'
            % (count, call)) in failed[0], failed
    assert summaries[host]['counts'] == {'total': 0}, summaries[host]


def all_refs():
    return [item.ref for item in PROVISION_LABS]


def created_on_ecs(world):
    return {name: sorted(world.sim(name).state()['namespaces']) for name in HOSTS}


ALL_CREATED = {'ecs-east': ['jones-genomics', 'lee-lab', 'smith-lab'], 'ecs-west': ['chen-patel-ber-lab-2024', 'kim-lab']}


def test_persistent_ecs_faults_fail_only_what_they_touch(ecs_world):
    """ecs-east: reading namespace jones-genomics answers HTTP 500, reading smith-lab hangs past the timeout;
    ecs-west is down.  lee-east is provisioned and recorded; smith-east and jones-east are reported with the
    failed step and call, nothing created or recorded for them; ecs-west is reported as unreachable.  Without
    the faults a re-run provisions all five."""
    seed_provision_world(ecs_world)
    site = ecs_world.site
    before = snapshot(site, [item.ref for item in PROVISION_LABS if item.ref != 'lee-east'])
    ecs_world.east.faults(fail_next=[{'match': 'jones-genomics', 'status': 500, 'count': 1000}],
                          hang_rate=1.0, hang_seconds=3, match='smith-lab')
    ecs_world.west.faults(down=True)

    result = ecs_world.run(PROVISION, extra_vars={'coldfront_ecs_timeout': 1})

    assert result.rc != 0
    assert_endpoint_reported(assert_finished(result, SUMMARY, HOSTS), 'ecs-west', 'GET /login failed')
    assert_provisioned(ecs_world, provision_lab('lee-east'))
    entries = provision_entries(result, 'ecs-east')
    smith, jones = (entries[site.allocation_id(ref)] for ref in ('smith-east', 'jones-east'))
    assert smith['action'] == jones['action'] == 'failed'
    assert smith['error'].startswith("allocation %d (project 'Smith Lab', resource 'ecs-east'): read namespace "
                                     "smith-lab: GET /object/namespaces/namespace/smith-lab failed: ReadTimeoutError"
                                     % site.allocation_id('smith-east')), smith
    assert 'read namespace jones-genomics: GET /object/namespaces/namespace/jones-genomics failed (HTTP 500, ECS ' \
        'error 7000)' in jones['error'], jones
    assert sorted(ecs_world.east.state()['namespaces']) == ['lee-lab']
    assert ecs_world.west.state()['namespaces'] == {}
    assert_untouched(site, before)
    west = result.task(PROVISION_TASK, host='ecs-west')
    assert west[0]['status'] == 'failed', result.output
    error = west[0]['result']['error']
    assert (error['method'], error['path'], error['status']) == ('GET', '/login', None), error    # no answer at all

    for simulator in ecs_world.simulators.values():
        simulator.clear_faults()
    assert_provision_converges(ecs_world, PROVISION)


def test_transient_faults_and_late_creates_are_absorbed(ecs_world):
    """ecs-east answers a seeded share of its calls (creates, login and logout included) with HTTP 503 or a
    connection reset; on ecs-west every namespace create hangs past the client's timeout and then takes effect.
    Retries absorb the first (a reset or 503 create never reached ECS, so it is sent again); the second is read
    back before any retry, so nothing is created twice and no "already exists" comes back.  Every allocation is
    provisioned and recorded; a re-run changes nothing."""
    seed_provision_world(ecs_world)
    ecs_world.east.faults(seed=5, error_rate=0.3, error_status=503, reset_rate=0.2)
    ecs_world.west.faults(hang_rate=1.0, hang_seconds=1.5, routes=['POST /object/namespaces/namespace'])

    result = ecs_world.run(PROVISION, extra_vars={'coldfront_ecs_max_workers': 1, 'coldfront_ecs_timeout': 1})

    assert result.rc == 0, result.output
    assert_finished(result, SUMMARY, HOSTS)
    for item in PROVISION_LABS:
        assert_provisioned(ecs_world, item)
    east, west = ecs_world.east.stats(), ecs_world.west.stats()
    assert east['by_status'].get('503') and east['by_status'].get('reset'), east
    assert west['requests']['POST /object/namespaces/namespace'] >= 2, west
    assert [entry['action'] for entry in provision_entries(result, 'ecs-west').values()] == ['created', 'created']

    for simulator in ecs_world.simulators.values():
        simulator.clear_faults()
    again = ecs_world.run(PROVISION)
    assert again.rc == 0 and again.changed == 0, again.output


def test_token_cap_and_expiry(ecs_world):
    """Both endpoints allow ONE live token per user.  On ecs-east someone else holds it: the login is refused (403,
    ECS error 1031) with ECS's reason and nothing is created or recorded there.  On ecs-west the token idles out in
    the middle of the run: the module renews it (one new token, within the cap of one; test_sync_faults shows four
    parallel workers sharing one token) and provisions both allocations.  Once the other token is logged out, a
    re-run provisions ecs-east."""
    seed_provision_world(ecs_world)
    site = ecs_world.site
    before = snapshot(site, [item.ref for item in PROVISION_LABS if item.resource == 'ecs-east'])
    for simulator in ecs_world.simulators.values():
        simulator.config(token_cap=1)
    holder = ecs_world.east.api()
    ecs_world.tokens_held['ecs-east'] = 1
    # Three 503s on one call make the client wait at least 1 s before its fourth try, with no other call in flight
    # (sequential calls): longer than the idle timeout, which ordinary gaps between calls stay well under.
    ecs_world.west.config(token_idle_seconds=0.9)
    ecs_world.west.faults(fail_next=[{'route': 'GET /object/namespaces/namespace/{id}', 'match': 'kim-lab',
                                      'status': 503, 'count': 3}])

    result = ecs_world.run(PROVISION, extra_vars={'coldfront_ecs_max_workers': 1})

    assert result.rc != 0
    summaries = assert_finished(result, SUMMARY, HOSTS)
    assert_endpoint_reported(summaries, 'ecs-east', 'GET /login failed (HTTP 403, ECS error 1031)')
    assert 'maximum of live tokens' in summaries['ecs-east']['failed'][0]
    for ref in ('odd-west', 'kim-west'):
        assert_provisioned(ecs_world, provision_lab(ref))
    assert ecs_world.west.stats()['logins'] >= 2
    east = result.task(PROVISION_TASK, host='ecs-east')[0]
    assert east['status'] == 'failed', result.output
    error = east['result']['error']
    assert (error['path'], error['status'], error['code']) == ('/login', 403, 1031), error
    assert 'maximum of 1 authentication tokens' in error['details']     # ECS's own words, passed on
    assert ecs_world.east.state()['namespaces'] == {}
    assert_untouched(site, before)

    holder.logout()
    ecs_world.tokens_held.clear()
    ecs_world.west.clear_faults()
    assert_provision_converges(ecs_world, PROVISION)


def assert_recording_failed(result, world, host, reason):
    """The summary of ``host`` reports that recording failed after the ECS changes, with ``reason``."""
    failed = assert_finished(result, SUMMARY, HOSTS)[host]['failed']
    assert len(failed) == 1, failed
    ids = ', '.join(str(world.site.allocation_id(item.ref)) for item in PROVISION_LABS if item.resource == host)
    expected = ' attribute(s) of allocation(s) %s on %s in ColdFront failed after the ECS changes: ' % (ids, host)
    assert failed[0].startswith('recording ') and expected in failed[0], failed
    assert reason in failed[0], failed
    assert failed[0].endswith('fix ColdFront and re-run: the next run finds the namespaces it created and records them')


def test_coldfront_locked_before_the_claims_changes_nothing_on_ecs(ecs_world):
    """ColdFront's database stays locked for writing during the run.  The claims cannot be recorded, so nothing is
    created on ECS: every new allocation is reported with the database's reason, and no allocation holds any part of
    a record.  Unlocked, a re-run creates and records everything, and a second re-run changes nothing."""
    seed_provision_world(ecs_world)
    site = ecs_world.site
    before = snapshot(site, all_refs())

    with coldfront_writes_locked(site, ALLOCATION_ATTRIBUTES) as extra_vars:
        result = ecs_world.run(PROVISION, extra_vars=extra_vars)

    assert result.rc != 0
    summaries = assert_finished(result, SUMMARY, HOSTS)
    for host in HOSTS:
        failed = summaries[host]['failed']
        assert failed and all('record the claim in ColdFront (nothing was changed on ECS)' in line
                              and locked_message(site) in line for line in failed), failed
    assert created_on_ecs(ecs_world) == {'ecs-east': [], 'ecs-west': []}
    assert_untouched(site, before)

    created = assert_provision_converges(ecs_world, PROVISION)
    for host in HOSTS:
        assert {entry['action'] for entry in provision_entries(created, host).values()} == {'created'}
    assert created_on_ecs(ecs_world) == ALL_CREATED


def subdirectory_type(site):
    return site.orm().AllocationAttributeType.objects.get(name='Subdirectory').pk


def test_coldfront_fails_mid_record_or_is_unreachable(ecs_world):
    """ecs-east: the database refuses the Subdirectory rows, which come after the other attributes in the same record
    transaction (the claims, another attribute, went through before ECS was changed); ecs-west: the record task gets a
    database URL where no server listens.  Both are reported with the database's reason (that URL's password masked)
    and no allocation holds any part of its record: what was written before the refusal was rolled back with it.
    Repaired, a re-run records everything."""
    seed_provision_world(ecs_world)
    site = ecs_world.site
    before = snapshot(site, all_refs())
    message = refuse_writes(site, ALLOCATION_ATTRIBUTES, 'allocation_attribute_type_id', subdirectory_type(site))
    dead = 'postgresql://coldfront:Dead-Db-Pw-93@127.0.0.1:9/coldfront'

    result = ecs_world.run(PROVISION, extra_vars={
        'coldfront_ecs_db_url': "{{ %r if inventory_hostname == 'ecs-west' else %r }}" % (dead, site.db_url)})

    assert result.rc != 0
    assert_recording_failed(result, ecs_world, 'ecs-east', message)
    # ecs-west cannot even read its allocations: nothing is created there.
    west = assert_finished(result, SUMMARY, HOSTS)['ecs-west']['failed']
    assert west and all('its allocations could not be read from ColdFront (nothing was changed on ECS)' in line and
                        'cannot reach the ColdFront database (postgresql coldfront@127.0.0.1:9/coldfront)' in line
                        for line in west), west
    assert 'Dead-Db-Pw-93' not in result.output
    assert created_on_ecs(ecs_world) == dict(ALL_CREATED, **{'ecs-west': []})
    claims = dict((ref, site.allocation_attributes(ref, 'ECS_Claim')) for ref in all_refs())
    assert sorted(ref for ref, rows in claims.items() if rows) == ['jones-east', 'lee-east', 'smith-east'], claims
    assert_untouched(site, dict((ref, sorted(before[ref] + claims[ref], key=repr)) for ref in before))

    allow_writes(site, ALLOCATION_ATTRIBUTES)
    assert_provision_converges(ecs_world, PROVISION)
