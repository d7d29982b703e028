"""Event-Driven Ansible benchmark: ColdFront approval -> namespace on ECS, with ansible-rulebook (docs/performance.md).

    .venv/bin/python tests/bench/eda_latency.py                          # 20 approvals one by one, then 200 at once
    .venv/bin/python tests/bench/eda_latency.py --approvals 40 --burst 500 --latency-ms 20 --out .bench/eda.json

It builds a throwaway ColdFront (SQLite, ``default`` dataset) and the two ECS simulators of the end-to-end tests
(tests/support: ``ColdFrontSite``, ``start_simulator``, ``EcsWorld``), provisions what the dataset already holds
once (so that every namespace created later belongs to an approval of this run), and starts ansible-rulebook with
``hpc.coldfront_ecs.provision_on_change`` exactly as tests/integration/eda does, but with the source's DEFAULT
``poll_interval`` (2 s) and ``coalesce_seconds`` (5 s): only ``coldfront_state_file`` is set.

(a) Sequential: ``--approvals`` allocations are approved one at a time (New -> Active through ColdFront's models,
    with a history user, as the portal does). Each approval waits a random 0..poll_interval first, so approvals land
    at every phase of the source's poll cycle. The clock stops when the namespace appears on the simulator (its
    state polled every 0.1 s); the run is then awaited (untimed) before the next approval.
(b) Burst: ``--burst`` allocations are approved back to back; the clock stops when every one of their namespaces is
    on the simulator.

Playbook runs are counted from the test-only ``json_events`` callback (tests/support/callback), which every
``ansible-playbook`` the rulebook starts loads from ``ANSIBLE_CALLBACK_PLUGINS`` and which appends one ``stats`` line
to ``$HPC_TEST_EVENTS`` at the end of each run, failed runs included; the number of ``PLAY RECAP`` blocks in the
rulebook's output is reported next to it as a cross-check. The moment the source handed an event to the rulebook is
read from the position file, which the source rewrites right after the hand-off.

Everything it starts (rulebook and its playbooks, simulators, ColdFront copy, temporary directory) is stopped and
removed on the way out, failures included. Exit status 1 when a namespace did not appear within the deadline.
"""

import argparse
import datetime
import importlib.util
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time

import pytest

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(BENCH_DIR)
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

# pylint: disable=wrong-import-position
from support.ansible_run import REPO  # noqa: E402
from support.coldfront_site import ColdFrontSite  # noqa: E402
from support.e2e_fixtures import EcsWorld, point_resources_at  # noqa: E402
from support.simulator import start_simulator  # noqa: E402

EDA_TEST = os.path.join(TESTS_DIR, 'integration', 'eda', 'test_provision_on_change.py')
SOURCE_DEFAULT_POLL = 2.0        # coldfront_changes DEFAULTS / the rulebook's defaults (not passed: documented only)
SOURCE_DEFAULT_COALESCE = 5.0
POLL_EVERY = 0.1                 # seconds between looks at the simulator's state


class BenchFailure(RuntimeError):
    """A namespace (or the rulebook) did not come within the deadline."""


def eda_helpers():
    """tests/integration/eda/test_provision_on_change.py as a module: its Rulebook, new_allocation and approve."""
    spec = importlib.util.spec_from_file_location('eda_provision_on_change', EDA_TEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def percentile(values, fraction):
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values):
    if not values:
        return {}
    return {'n': len(values), 'p50': round(statistics.median(values), 2), 'p95': round(percentile(values, 0.95), 2),
            'max': round(max(values), 2), 'min': round(min(values), 2), 'mean': round(statistics.mean(values), 2)}


class Bench:
    """World (ColdFront + simulators), rulebook and the counters; :meth:`close` undoes everything."""

    def __init__(self, workdir, latency_ms, say, poll=None, coalesce=None):
        self.workdir = workdir
        given = (('coldfront_poll_interval', poll), ('coldfront_coalesce_seconds', coalesce))
        self.overrides = dict((key, value) for key, value in given if value is not None)
        self.poll = SOURCE_DEFAULT_POLL if poll is None else poll
        self.coalesce = SOURCE_DEFAULT_COALESCE if coalesce is None else coalesce
        self.latency_ms = latency_ms
        self.say = say
        self.helpers = eda_helpers()
        self.simulators = {}
        self.site = None
        self.world = None
        self.rulebook = None
        self.events_file = os.path.join(workdir, 'playbook-events.jsonl')

    # ---- set up --------------------------------------------------------------------------------------------------
    def build(self):
        """ColdFront copy + ecs-east/ecs-west simulators (as the ecs_world fixture) + inventory; dataset provisioned."""
        cert_dir = os.path.join(self.workdir, 'certs')
        self.simulators['ecs-east'] = start_simulator(cert_dir=cert_dir, latency_ms=self.latency_ms)
        self.simulators['ecs-west'] = start_simulator(host='127.0.0.2', port=self.simulators['ecs-east'].port,
                                                      cert_dir=cert_dir, latency_ms=self.latency_ms)
        self.site = ColdFrontSite.create(os.path.join(self.workdir, 'coldfront'), db='sqlite')
        point_resources_at(self.site, self.simulators)
        east = self.simulators['ecs-east']
        env = dict(self.site.env, ECS_USER=east.admin.username, ECS_PASS=east.admin.password, ECS_CA_PATH=east.ca_path)
        self.world = EcsWorld(self.site, self.simulators, None, env)
        self.world.inventory = self.world.write_inventory(os.path.join(self.workdir, 'ecs.coldfront.yml'))
        result = self.world.run('playbooks/provision.yml')  # steady state: what the dataset holds is on ECS already
        if result.rc != 0:
            raise BenchFailure('provisioning the dataset failed (rc %s):\n%s' % (result.rc, result.output[-3000:]))

    def new_allocations(self, count, prefix):
        """``count`` allocations in status New on ecs-east, one project each (what the request form creates)."""
        return [self.helpers.new_allocation(self.site, '%s %04d' % (prefix, index), 1) for index in range(count)]

    def start_rulebook(self):
        """ansible-rulebook as the EDA integration test starts it, with the source's default timings."""
        directory = os.path.join(self.workdir, 'rulebook')
        os.makedirs(directory)
        rulebook = self.helpers.Rulebook(self.world, directory)  # pylint: disable=no-member
        with open(rulebook.vars_file, 'w') as handle:  # drop the test's 0.5 s / 2 s: the rulebook's defaults
            json.dump(dict(self.overrides, coldfront_state_file=rulebook.state_file), handle)
        rulebook.env['HPC_TEST_EVENTS'] = self.events_file  # every playbook run appends its stats line here
        self.rulebook = rulebook
        started = time.monotonic()
        rulebook.start()
        self.say('rulebook up in %.1f s (source polling, position saved)' % (time.monotonic() - started))

    # ---- observations --------------------------------------------------------------------------------------------
    def namespaces(self):
        return set(self.simulators['ecs-east'].state()['namespaces'])

    def playbook_runs(self):
        """``[end time]`` of each finished playbook run (json_events ``stats`` lines)."""
        if not os.path.exists(self.events_file):
            return []
        with open(self.events_file) as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        return [record['time'] for record in records if record['kind'] == 'stats']

    def first_task_after(self, moment):
        """Wall time of the first task result written after ``moment`` (a playbook's first task done)."""
        if not os.path.exists(self.events_file):
            return None
        with open(self.events_file) as handle:
            times = [json.loads(line)['time'] for line in handle if line.strip()]
        later = [value for value in times if value > moment]
        return min(later) if later else None

    def recaps(self):
        with open(self.rulebook.log_path, errors='replace') as handle:
            return handle.read().count('PLAY RECAP')

    def position_mtime(self):
        try:
            return os.stat(self.rulebook.state_file).st_mtime
        except FileNotFoundError:
            return 0.0

    def subdirectory(self, allocation_id):
        recorded = self.site.allocation_attributes(allocation_id, 'Subdirectory')
        return recorded[0][1].split(':')[0] if recorded else None

    def wait(self, what, predicate, deadline):
        """Call ``predicate`` every 0.1 s until truthy; BenchFailure with the rulebook's log after ``deadline``."""
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            if self.rulebook.process is not None and self.rulebook.process.poll() is not None:
                raise BenchFailure('ansible-rulebook exited (%s) while waiting for %s\n%s' % (
                    self.rulebook.process.returncode, what, self.rulebook.log()))
            time.sleep(POLL_EVERY)
        raise BenchFailure('%s: not within the deadline\n%s' % (what, self.rulebook.log()))

    # ---- (a) one approval at a time -------------------------------------------------------------------------------
    def sequential(self, count, deadline_s, rng):
        allocations = self.new_allocations(count, 'EDA seq')
        rows = []
        for index, allocation in enumerate(allocations):
            time.sleep(rng.uniform(0, self.poll))  # any phase of the source's poll cycle
            before, runs_before, position_before = self.namespaces(), len(self.playbook_runs()), self.position_mtime()
            approved_wall, approved = time.time(), time.monotonic()
            self.helpers.approve(self.site, allocation)
            saves = []  # position file rewrites seen while waiting: the first is the hand-off of this approval's event

            def namespace_seen():
                mtime = self.position_mtime()
                if mtime > position_before and not saves:
                    saves.append(mtime)
                return self.namespaces() - before
            new = self.wait('namespace of allocation %d' % allocation, namespace_seen, approved + deadline_s)
            latency = time.monotonic() - approved

            def run_ended():
                ends = self.playbook_runs()
                return ends if len(ends) > runs_before else None

            runs = self.wait('end of the playbook run for allocation %d' % allocation, run_ended, approved + deadline_s)
            emitted = saves[0] if saves else None
            first_task = self.first_task_after(emitted) if emitted else None
            namespace = self.subdirectory(allocation)
            if namespace not in new:
                raise BenchFailure('allocation %d: new namespace(s) %s, ColdFront recorded %r' % (
                    allocation, sorted(new), namespace))
            row = {'allocation_id': allocation, 'namespace': namespace, 'latency_s': round(latency, 3),
                   'event_s': round(emitted - approved_wall, 3) if emitted else None,
                   'first_task_s': round(first_task - approved_wall, 3) if first_task else None,
                   'run_end_s': round(runs[-1] - approved_wall, 3), 'runs': len(runs) - runs_before}
            rows.append(row)
            self.say('  %2d/%d allocation %d: namespace after %5.2f s (event %s s, first task %s s, run ended %s s)' % (
                index + 1, count, allocation, latency, row['event_s'], row['first_task_s'], row['run_end_s']))
        return rows

    # ---- (b) a burst ----------------------------------------------------------------------------------------------
    def burst(self, count, deadline_s):
        allocations = self.new_allocations(count, 'EDA burst')
        before, runs_before, recaps_before = self.namespaces(), len(self.playbook_runs()), self.recaps()
        started = time.monotonic()
        for allocation in allocations:
            self.helpers.approve(self.site, allocation)
        approving = time.monotonic() - started
        self.say('  %d approvals saved in %.1f s' % (count, approving))
        self.wait('%d new namespaces' % count, lambda: len(self.namespaces() - before) >= count, started + deadline_s)
        wall = time.monotonic() - started
        # Let the runs finish, then one more poll and window pass: a late extra run counts against the bound too.
        quiet = time.monotonic() + self.poll + self.coalesce + 5
        while (time.monotonic() < quiet or self.playbook_running()) and time.monotonic() < started + deadline_s:
            time.sleep(1)
        on_ecs = self.namespaces()  # each allocation's own namespace (ColdFront records it after the create)
        missing = [allocation for allocation in allocations if self.subdirectory(allocation) not in on_ecs]
        if missing:
            raise BenchFailure('burst: %d allocation(s) without their namespace on ECS: %s' % (len(missing), missing[:20]))
        runs = len(self.playbook_runs()) - runs_before
        return {'approvals': count, 'approve_s': round(approving, 2), 'wall_s': round(wall, 2),
                'after_last_approval_s': round(wall - approving, 2), 'playbook_runs': runs,
                'play_recaps': self.recaps() - recaps_before}

    def playbook_running(self):
        """An ansible-playbook process is alive in the rulebook's process group."""
        group = self.rulebook.process.pid
        for pid in filter(str.isdigit, os.listdir('/proc')):
            try:
                with open('/proc/%s/stat' % pid) as handle:
                    fields = handle.read().rsplit(')', 1)[1].split()
                with open('/proc/%s/cmdline' % pid, 'rb') as handle:
                    command = handle.read()
            except OSError:
                continue
            if int(fields[2]) == group and b'ansible-playbook' in command:
                return True
        return False

    # ---- tear down -----------------------------------------------------------------------------------------------
    def close(self):
        for step in (lambda: self.rulebook and self.rulebook.stop(),
                     lambda: [simulator.stop() for simulator in self.simulators.values()],
                     lambda: self.site and self.site.destroy()):
            try:
                step()
            except BaseException as exc:  # pylint: disable=broad-except
                self.say('cleanup: %s: %s' % (exc.__class__.__name__, exc))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--approvals', type=int, default=20, help='approvals one at a time (default %(default)s)')
    parser.add_argument('--burst', type=int, default=200, help='approvals at once (default %(default)s; 0 skips)')
    parser.add_argument('--latency-ms', type=int, default=0, help='simulated ECS latency per call (default %(default)s)')
    parser.add_argument('--poll-interval', type=float, help='override the source default (5 s); for comparisons only')
    parser.add_argument('--coalesce-seconds', type=float, help='override the source default (10 s); for comparisons only')
    parser.add_argument('--deadline', type=float, default=300, help='seconds an approval may take (default %(default)s)')
    parser.add_argument('--burst-deadline', type=float, default=1800, help='seconds the burst may take (default %(default)s)')
    parser.add_argument('--seed', type=int, default=15, help='random seed of the approval phases')
    parser.add_argument('--out', help='write the results as JSON to this file')
    parser.add_argument('--keep', action='store_true', help='keep the scratch directory (logs) after the run')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)

    def say(text):
        sys.stderr.write(text + '\n')
        sys.stderr.flush()

    def terminate(signum, _frame):
        raise SystemExit(128 + signum)  # run the finally blocks: stop what was started
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)

    link = os.path.join(REPO, '.build', 'collections', 'ansible_collections', 'hpc', 'coldfront_ecs')
    if not os.path.exists(link):
        say('%s is missing: run `make link` (or `make venv`) first' % link)
        return 2
    workdir = tempfile.mkdtemp(prefix='eda-bench-')
    bench = Bench(workdir, args.latency_ms, say, args.poll_interval, args.coalesce_seconds)
    result = {'date': datetime.date.today().isoformat(), 'settings': vars(args),
              'source': {'poll_interval': bench.poll, 'coalesce_seconds': bench.coalesce},
              'load_average_at_start': os.getloadavg(), 'cores': os.cpu_count()}
    status = 0
    try:
        started = time.monotonic()
        bench.build()
        say('world built in %.1f s (load %.2f)' % (time.monotonic() - started, os.getloadavg()[0]))
        bench.start_rulebook()
        if args.approvals:
            say('(a) %d approvals, one at a time' % args.approvals)
            rows = bench.sequential(args.approvals, args.deadline, random.Random(args.seed))
            result['sequential'] = {'rows': rows, 'latency_s': summary([row['latency_s'] for row in rows]),
                                    'event_s': summary([row['event_s'] for row in rows if row['event_s'] is not None]),
                                    'playbook_runs': sum(row['runs'] for row in rows)}
        if args.burst:
            say('(b) %d approvals at once' % args.burst)
            result['burst'] = bench.burst(args.burst, args.burst_deadline)
    except (BenchFailure, pytest.fail.Exception) as exc:  # the EDA test's helpers fail the pytest way
        say('FAILED: %s' % exc)
        result['failure'] = str(exc)[:4000]
        status = 1
    finally:
        result['load_average_at_end'] = os.getloadavg()
        bench.close()
        if args.keep:
            say('scratch directory kept: %s' % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    sequential, burst = result.get('sequential'), result.get('burst')
    print('hpc.coldfront_ecs EDA benchmark - %s, poll_interval %g s, coalesce_seconds %g s, ECS latency %d ms, '
          '%d core(s), load %.2f at start' % (result['date'], bench.poll, bench.coalesce,
                                              args.latency_ms, result['cores'], result['load_average_at_start'][0]))
    if sequential:
        lat, event = sequential['latency_s'], sequential['event_s']
        print('approval -> namespace, %d approvals one at a time: p50 %.2f s, p95 %.2f s, max %.2f s (min %.2f s); '
              '%d playbook runs' % (lat['n'], lat['p50'], lat['p95'], lat['max'], lat['min'], sequential['playbook_runs']))
        if event:
            print('  of which approval -> event handed to the rulebook: p50 %.2f s, p95 %.2f s, max %.2f s' % (
                event['p50'], event['p95'], event['max']))
        print('  target p95 < 15 s: %s' % ('met' if lat['p95'] < 15 else 'NOT MET'))
    if burst:
        print('burst of %d approvals: all namespaces on ECS %.1f s after the first approval (%.1f s after the last; '
              'approving took %.1f s), %d playbook runs (%d PLAY RECAPs in the rulebook output)' % (
                  burst['approvals'], burst['wall_s'], burst['after_last_approval_s'], burst['approve_s'],
                  burst['playbook_runs'], burst['play_recaps']))
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as stream:
            json.dump(result, stream, indent=1, default=str)
        print('JSON: %s' % args.out)
    return status


if __name__ == '__main__':
    sys.exit(main())
