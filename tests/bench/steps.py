"""The measured steps of one benchmark world (see run.py for the order and docs/performance.md for the numbers).

Each function returns a :class:`measure.Step` whose ``value`` is a small summary (never the whole play output):
``ok`` plus what proves the step did its job (hosts and allocations listed, allocations synced or provisioned...).
"""

import json
import os
import subprocess
import sys
import time

from bench.floor import bare_reading
from bench.measure import measure_step
from bench.report import ANSIBLE_FLOOR, ECS_FLOOR
from bench.world import BENCH_DIR, REPO
from support.ansible_run import BIN, base_env, run_inventory

SYNC, PROVISION = 'playbooks/sync.yml', 'playbooks/provision.yml'
TAIL = 3000  # characters of output kept from a failed run


def _summaries(result, key):
    """``{resource: summary}`` that the role handed to set_stats under ``key``."""
    return (result.custom_stats.get('_run') or {}).get(key) or {}


def _play_summary(result, key, count):
    summaries = _summaries(result, key)
    summary = {'ok': result.rc == 0, 'rc': result.rc, 'changed': result.changed, 'failed': result.failed,
               'done': sum(count(item) for item in summaries.values())}
    if result.rc:
        summary['output'] = result.output[-TAIL:]
    return summary


def _counts(item):
    return item.get('counts') or {}


def inventory_list(world, allocations, lean=False):
    """``ansible-inventory --list``: Ansible start, the plugin, and ansible-core's JSON of every host var.

    ``lean``: the inventory with ``allocation_vars: false`` (no allocation in the host vars; every resource listed).
    The JSON goes to a file and is checked after the measurement (reading 20 MB of it is not the inventory's cost).
    """
    output = os.path.join(world.site.directory, 'inventory.json')
    inventory = world.lean_inventory if lean else world.inventory

    def run():
        with open(output, 'w') as stream:
            proc = subprocess.run([os.path.join(BIN, 'ansible-inventory'), '-i', inventory, '--list'], cwd=REPO,
                                  env=base_env(world.env), stdout=stream, stderr=subprocess.PIPE, text=True, check=False)
        return {'ok': proc.returncode == 0, 'error': proc.stderr[-TAIL:] if proc.returncode else None}
    step = measure_step(world, 'inventory --list (lean)' if lean else 'inventory --list', run, allocations)
    if step.value['ok']:
        with open(output) as stream:
            hostvars = json.load(stream)['_meta']['hostvars']
        listed = sum(len(host.get('ecs_allocations') or ()) for host in hostvars.values())
        queries = [host.get('coldfront_allocation_query') for host in hostvars.values()]
        complete = all(queries) if lean else listed == allocations
        step.value.update(ok=complete and len(hostvars) == len(world.simulators), hosts=len(hostvars), listed=listed,
                          output_mb=round(os.path.getsize(output) / 1e6, 1))
    os.unlink(output)
    return step


def inventory_graph(world, allocations):
    """``ansible-inventory --graph``: the same parse without the JSON output (what a playbook run pays)."""
    def run():
        proc, _data = run_inventory(world.inventory, args=('--graph',), env=world.env)
        return {'ok': proc.returncode == 0, 'error': proc.stderr[-TAIL:] if proc.returncode else None}
    return measure_step(world, 'inventory --graph', run, allocations)


def inventory_probe(world, allocations):
    """Our part of the inventory, timed piece by piece, with the SQL query count (inventory_probe.py)."""
    def run():
        proc = subprocess.run([sys.executable, os.path.join(BENCH_DIR, 'inventory_probe.py'), '--name-contains',
                               'bench-ecs'], env=base_env(world.env), cwd=REPO, capture_output=True, text=True,
                              check=False)
        if proc.returncode:
            return {'ok': False, 'error': proc.stderr[-TAIL:]}
        probe = json.loads(proc.stdout)
        probe['ok'] = probe['allocations'] == allocations
        return probe
    return measure_step(world, 'inventory plugin work', run, allocations)


def timeline(result, started):
    """``[[task, seconds]]``: how long each task took, from the end of the one before (the first from the
    start of ``ansible-playbook``: Ansible's start, the inventory, the play's set-up); the hosts run in step."""
    ends = {}
    for event in result.events:
        ends[event['task']] = max(ends.get(event['task'], 0), event['time'] - started)
    phases, previous = [], 0.0
    for task, end in sorted(ends.items(), key=lambda item: item[1]):
        phases.append([task, round(end - previous, 2)])
        previous = end
    return phases


def sync(world, name, allocations, lean=False):
    """``playbooks/sync.yml`` through the inventory plugin (``lean``: the roles read the allocations themselves)."""
    def run():
        started = time.time()
        result = world.run(SYNC, inventory=world.lean_inventory if lean else world.inventory)
        summary = _play_summary(result, 'ecs_sync_summary', lambda item: _counts(item).get('synced', 0))
        summary['ok'] = summary['ok'] and summary['done'] == allocations
        summary['timeline'] = timeline(result, started)
        return summary
    return measure_step(world, name, run, allocations)


def ecs_floor(world, allocations):
    """The sync's ECS calls made by a bare client (floor.py): what this machine allows the ECS reading."""
    def run():
        seconds, calls = bare_reading(world)
        return {'ok': True, 'seconds': round(seconds, 3), 'calls': calls}
    return measure_step(world, ECS_FLOOR, run, allocations)


EMPTY_PLAY = [{'name': 'Nothing but Ansible', 'hosts': 'all', 'gather_facts': False,
               'tasks': [{'name': 'One task per resource', 'ansible.builtin.debug': {'msg': 'ok'}}]}]


def ansible_floor(world, allocations):
    """``ansible-playbook`` of one debug task on the resources of the lean inventory: Ansible's start, the
    inventory and one task, the part of any play that no collection code can remove."""
    def run():
        result = world.run(EMPTY_PLAY, inventory=world.lean_inventory)
        hosts = len(set(event['host'] for event in result.events if event.get('host')))
        return {'ok': result.rc == 0 and hosts == len(world.simulators), 'hosts': hosts}
    return measure_step(world, ANSIBLE_FLOOR, run, allocations)


def provision(world):
    """``playbooks/provision.yml`` after ``world.fresh`` allocations were approved (made Active)."""
    world.release_fresh()

    def run():
        result = world.run(PROVISION)
        summary = _play_summary(result, 'ecs_provision_summary', lambda item: _counts(item).get('created', 0))
        summary['ok'] = summary['ok'] and summary['done'] == len(world.fresh)
        return summary
    return measure_step(world, 'provision (new)', run, len(world.fresh))


def provision_available():
    """Whether the provision playbook and its module exist in this checkout."""
    return all(os.path.exists(os.path.join(REPO, path)) for path in (
        PROVISION, 'plugins/modules/ecs_provision.py', 'roles/ecs_provision/tasks/main.yml'))


BASELINE_STEPS = {'reference': 'baseline sync', 'design': 'baseline sync (design)'}


def baseline(world, allocations, variant='reference'):
    """The reference plugin's sync (baseline.py) in its own process, on the same simulators and database.

    ``variant``: ``reference`` (the plugin as it runs) or ``design`` (the first baseline, kept to compare).
    """
    def run():
        command = [os.path.join(BIN, 'python'), os.path.join(BENCH_DIR, 'baseline.py'), '--ca', world.east.ca_path,
                   '--variant', variant]
        for resource, simulator in world.simulators.items():
            command += ['--resource', '%s=%s' % (resource, simulator.url)]
        proc = subprocess.run(command, env=base_env(world.env), cwd=REPO, capture_output=True, text=True, check=False)
        if proc.returncode:
            return {'ok': False, 'error': proc.stderr[-TAIL:]}
        summary = json.loads(proc.stdout)
        summary['ok'] = summary['synced'] == allocations and not summary['errors']
        if not summary['ok']:
            summary['log'] = proc.stderr[-TAIL:]
        return summary
    return measure_step(world, BASELINE_STEPS[variant], run, allocations)
