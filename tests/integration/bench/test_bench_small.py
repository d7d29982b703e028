"""The benchmark harness (tests/bench) at N=50: call counts and writes, never wall time.

Runs the harness's own steps (``run.world_steps``) on a real ColdFront and two simulators (no latency), so `make test`
proves that `make bench` works and that what it measures holds: ECS calls per allocation by API profile, nothing
written by an unchanged re-sync, the baseline's 4 history rows per allocation, a constant number of SQL queries.
"""

import math

import pytest

from bench import baseline, run, steps
from bench.world import BenchWorld

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

N, R, FRESH = 50, 2, 6
# Per resource and run, besides the per-namespace reads: login, logout, capacity, one page of namespaces, and one
# batch billing call (legacy: the probe that finds it missing).
PER_RESOURCE = 5
LEGACY_ROUTES = {'GET /object/namespaces/namespace/{id}/quota': N,
                 'GET /object/billing/namespace/{namespace}/info': N}


def test_reference_plugin_call_counts():
    """The reference plugin's calls as measured against the simulators (R=2): a whoami before every call but the
    run's first, one login per endpoint, no logout, and a quota read per namespace of the list's first page only."""
    at_200, at_2000 = baseline.expected_routes([100, 100]), baseline.expected_routes([1000, 1000])
    assert (sum(at_200.values()), at_200['GET /user/whoami'], at_200['GET /login']) == (1209, 603, 2)
    assert sum(at_2000.values()) == 8409
    assert at_2000['GET /object/namespaces/namespace/{id}/quota'] == 2 * (1000 + 100)


def test_harness_counts_calls_and_writes(tmp_path):
    """One world: the harness's steps on an older cluster, then the same sync after an API upgrade."""
    world = BenchWorld.build(str(tmp_path), N, resources=R, latency_ms=0, fresh=FRESH, profile='legacy')
    try:
        rows = {}
        for step in run.world_steps(world, N, with_baseline=True, design=True):  # a generator: runs when asked
            rows[step.name] = run.row_of(step, N, 'legacy')
            if step.name == 'sync (unchanged)':  # before provision adds allocations
                world.set_profile('modern')
                modern = run.row_of(steps.sync(world, 'sync (modern)', N), N, 'modern')
                world.set_profile('legacy')
    finally:
        world.stop()
    failed = dict((name, row['summary']) for name, row in list(rows.items()) + [('modern', modern)] if not row['ok'])
    assert not failed, failed

    cold, again, lean = rows['sync (cold)'], rows['sync (unchanged)'], rows['sync (unchanged, lean)']
    assert cold['summary']['done'] == N and cold['rows_written'] > 0 and cold['history_rows'] == cold['rows_written']
    for row in (again, modern, lean):
        assert (row['rows_written'], row['history_rows'], row['changed']) == (0, 0, 0)
    assert lean['summary']['done'] == N                             # the lean inventory's roles read every allocation

    # Legacy: one quota read and one billing read per namespace, plus O(1) per resource.
    for row in (cold, again, lean):
        assert dict((route, row['routes'].get(route)) for route in LEGACY_ROUTES) == LEGACY_ROUTES
        assert row['ecs_calls'] == 2 * N + PER_RESOURCE * R          # 2.2 per allocation at N=50, 2.005 at N=2000
    # Modern: quotas come with the namespace list, billing in batches of 100 namespaces.
    routes = modern['routes']
    assert routes.get('GET /object/namespaces/namespace/{id}/quota', 0) == 0
    assert routes.get('GET /object/billing/namespace/{namespace}/info', 0) == 0
    assert routes['POST /object/billing/namespace/info'] == R * math.ceil(N / R / 100.0)
    assert modern['ecs_calls'] == PER_RESOURCE * R

    # The baselines: 4 saves per allocation plus 3 per resource, a history row each, whether anything changed or
    # not.  The reference plugin: its calls route by route (a whoami before each, no logout); the first baseline:
    # quota read per namespace and per allocation, bucket billing per allocation, a login and a logout.
    base, design = rows['baseline sync'], rows['baseline sync (design)']
    assert base['routes'] == baseline.expected_routes([N // R] * R)
    assert base['summary']['ecs_calls'] == base['ecs_calls']
    assert design['routes']['GET /object/namespaces/namespace/{id}/quota'] == 2 * N
    assert design['routes']['GET /object/billing/buckets/{namespace}/{bucketName}/info'] == N
    assert design['routes']['GET /logout'] == design['routes']['GET /login'] == R
    for row in (base, design):
        assert row['rows_written'] == row['history_rows'] == 4 * N + 3 * R

    # The floors: the bare client makes the sync's very calls, route by route; the empty play writes nothing.
    floor = rows['ECS floor (bare client)']
    assert floor['routes'] == cold['routes'] and floor['summary']['calls'] == floor['ecs_calls'] == cold['ecs_calls']
    assert rows['Ansible floor (empty play)']['summary']['hosts'] == R
    for name in ('ECS floor (bare client)', 'Ansible floor (empty play)'):
        assert (rows[name]['rows_written'], rows[name]['history_rows']) == (0, 0)
    assert rows['Ansible floor (empty play)']['ecs_calls'] == 0

    assert rows['inventory --list']['summary']['listed'] == N
    assert (rows['inventory --list (lean)']['summary']['listed'], rows['inventory --list (lean)']['summary']['hosts']) == (0, R)
    assert (rows['inventory plugin work']['queries'], rows['inventory plugin work']['summary']['lean_queries']) == (6, 2)
    for name in ('inventory --list', 'inventory --list (lean)', 'inventory --graph', 'inventory plugin work'):
        assert (rows[name]['ecs_calls'], rows[name]['rows_written'], rows[name]['history_rows']) == (0, 0, 0)
    if steps.provision_available():
        provision = rows['provision (new)']
        assert provision['summary']['done'] == FRESH
        assert provision['history_rows'] == provision['rows_written'] > 0
        # Ownership costs one call per endpoint (the VDC list, read once per run) and no ECS call per allocation.
        assert provision['routes']['GET /object/vdcs/vdc/list'] == provision['routes']['GET /login'] == R
