"""Client CPU per ECS call: the ``ecs_usage_info`` module alone, as processes, against the benchmark's simulators.

    .venv/bin/python tests/bench/client_probe.py --n 2000 --api-profile legacy [--repeat 3] [--cprofile DIR]

Starts R simulators (latency L, one CA) seeded as the benchmark world seeds them (N namespaces over R endpoints,
one bucket each), then runs the module once per endpoint, all endpoints at once as Ansible's forks run them, each
as ``python -m ...ecs_usage_info ARGS.json`` (the module's own process, without Ansible around it).  From each
process's resource usage (``wait4``): wall and CPU seconds.  Start-up is the CPU of a process that only imports the
module (interpreter, ``ansible.module_utils``, requests).  It prints, per endpoint and in total: ECS calls, wall,
CPU, start-up CPU and client CPU ms per ECS call = (CPU - start-up) / calls; and the floor, calls x L / workers.
With ``--cprofile DIR`` each module process also writes a cProfile file (CPU time of the main thread: use
``--workers 1`` to have every call there), and the top functions are printed.  ``--compare`` runs, in each
repeat, the module as it was (every call through ``requests.Session.request``) then as it is.
"""

import argparse
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
TESTS_DIR = os.path.dirname(BENCH_DIR)
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

# pylint: disable=wrong-import-position
from bench.world import (  # noqa: E402
    PROFILES, QUOTA_RAISED_EVERY, REPLICATION_GROUP, REPO, profile_args, quota_tb, used_bytes)
from support.simulator import start_simulator  # noqa: E402

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import units  # noqa: E402

MODULE = 'ansible_collections.hpc.coldfront_ecs.plugins.modules.ecs_usage_info'
COLLECTIONS = os.path.join(REPO, '.build', 'collections')
# The module's process: ``RUNNER MODE PROFILE ARGS.json``.  MODE ``session`` sends every call through
# ``requests.Session.request`` (what the transport did before it went to the session's adapter directly: the
# "before" of an A/B in one run); PROFILE ``-`` or a cProfile file (CPU time of the main thread: use --workers 1).
RUNNER = """import cProfile, runpy, sys, time
mode, out = sys.argv.pop(1), sys.argv.pop(1)
if mode == 'session':
    from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import EcsTransport

    def send(self, session, method, url_path, params, data, headers, auth):
        return session.request(method, self.base_url + url_path, params=params, data=data, headers=headers,
                               auth=auth, timeout=self.timeout, verify=self.verify, allow_redirects=False)
    EcsTransport._send = send
if out == '-':
    runpy.run_module(%r, run_name='__main__')
else:
    profile = cProfile.Profile(time.thread_time)
    try:
        profile.runcall(runpy.run_module, %r, run_name='__main__')
    finally:
        profile.dump_stats(out)
""" % (MODULE, MODULE)


def seed(simulator, names):
    """One namespace (quota) and one bucket (usage) per name, as world.BenchWorld.seed_ecs does."""
    namespaces = {}
    for index, name in names:
        hard_gb = units.tb_to_gb(quota_tb(index) + (1 if index % QUOTA_RAISED_EVERY == 0 else 0))
        quota = {'blockSize': hard_gb, 'notificationSize': units.soft_quota_gb(hard_gb)}
        namespaces[name] = {'vpool': REPLICATION_GROUP, 'quota': quota,
                            'buckets': {'lab-%s-bucket' % name: {'quota': quota, 'usage': {
                                'bytes': used_bytes(index), 'objects': index % 1000}}}}
    simulator.seed({'namespaces': namespaces})


def env():
    return dict(os.environ, PYTHONPATH=COLLECTIONS, PYTHONDONTWRITEBYTECODE='1')


def start(command, stdout):
    return subprocess.Popen(command, env=env(), cwd=REPO, stdout=stdout, stderr=subprocess.STDOUT)


def finish(process, started):
    """``(rc, wall s, CPU s)`` of a started process (its own usage, from wait4)."""
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, time.monotonic() - started, usage.ru_utime + usage.ru_stime


def startup_cpu():
    """CPU seconds of a process that only imports the module."""
    process = start([sys.executable, '-c', 'import %s' % MODULE], subprocess.DEVNULL)
    return finish(process, time.monotonic())[2]


def run_modules(simulators, names_by_endpoint, workers, scratch, cprofile=None, mode='adapter'):
    """Run the module for every endpoint at once; ``[{endpoint, rc, wall, cpu, ecs_calls}]``."""
    runs = []
    started = time.monotonic()
    for index, (simulator, names) in enumerate(zip(simulators, names_by_endpoint)):
        args = os.path.join(scratch, 'args%d.json' % index)
        with open(args, 'w') as stream:
            json.dump({'ANSIBLE_MODULE_ARGS': {
                'host': simulator.host, 'port': simulator.port, 'username': simulator.admin.username,
                'password': simulator.admin.password, 'ca_path': simulator.ca_path, 'max_workers': workers,
                'namespaces': names}}, stream)
        profile = os.path.join(cprofile, 'usage%d.prof' % index) if cprofile else '-'
        command = [sys.executable, '-c', RUNNER, mode, profile, args]
        output = open(os.path.join(scratch, 'out%d.json' % index), 'w+')
        runs.append((simulator, output, start(command, output)))
    results = []
    for simulator, output, process in runs:
        rc, wall, cpu = finish(process, started)
        output.seek(0)
        text = output.read()
        output.close()
        try:
            calls = json.loads(text[text.index('{'):])['ecs_calls']
        except ValueError:
            raise SystemExit('the module failed (rc %d): %s' % (rc, text[-2000:]))
        stats = simulator.stats()
        results.append({'endpoint': simulator.url, 'rc': rc, 'wall': wall, 'cpu': cpu, 'ecs_calls': calls,
                        'http_calls': stats['total']})
    return results


def top_functions(directory, count=25):
    files = sorted(os.path.join(directory, name) for name in os.listdir(directory) if name.endswith('.prof'))
    stats = pstats.Stats(*files)
    stats.sort_stats('tottime').print_stats(count)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--n', type=int, default=2000, help='namespaces over all endpoints (default %(default)s)')
    parser.add_argument('--resources', type=int, default=2, help='endpoints R (default %(default)s)')
    parser.add_argument('--latency-ms', type=int, default=20, help='latency per call (default %(default)s)')
    parser.add_argument('--api-profile', choices=sorted(PROFILES), default='legacy')
    parser.add_argument('--workers', type=int, default=4, help='max_workers (default %(default)s)')
    parser.add_argument('--repeat', type=int, default=3, help='runs (default %(default)s)')
    parser.add_argument('--cprofile', metavar='DIR', help='write cProfile files of the module processes here')
    parser.add_argument('--compare', action='store_true',
                        help='each repeat also runs the module with every call through Session.request (before/after)')
    parser.add_argument('--json', help='write the results here')
    args = parser.parse_args(argv)
    scratch = tempfile.mkdtemp(prefix='client-probe-')
    simulators = []
    try:
        for number in range(args.resources):
            simulators.append(start_simulator(
                host='127.0.0.%d' % (number + 1), port=simulators[0].port if simulators else 0,
                cert_dir=os.path.join(scratch, 'certs'), latency_ms=args.latency_ms,
                extra_args=profile_args(args.api_profile)))
        names = [[] for _simulator in simulators]
        for index in range(args.n):
            names[index % args.resources].append((index, 'bench-ns-%05d' % index))
        for simulator, items in zip(simulators, names):
            seed(simulator, items)
        names = [[name for _index, name in items] for items in names]
        rows = []
        for repeat in range(args.repeat):
            for mode in ('session', 'adapter') if args.compare else ('adapter',):
                for simulator in simulators:
                    simulator.reset_stats()
                rows.append({'mode': mode, 'startup_cpu': startup_cpu(), 'modules': run_modules(
                    simulators, names, args.workers, scratch, args.cprofile if repeat == 0 else None, mode)})
                report(rows[-1], args)
        if args.json:
            with open(args.json, 'w') as stream:
                json.dump({'settings': vars(args), 'runs': rows}, stream, indent=1)
        if args.cprofile:
            top_functions(args.cprofile)
    finally:
        for simulator in simulators:
            simulator.stop()
    return 0


def report(row, args):
    """One line per module process and the totals of the run."""
    startup = row['startup_cpu']
    calls = sum(item['http_calls'] for item in row['modules'])
    cpu = sum(item['cpu'] for item in row['modules'])
    wall = max(item['wall'] for item in row['modules'])
    floor = max(item['http_calls'] for item in row['modules']) * args.latency_ms / 1000.0 / args.workers
    for item in row['modules']:
        print('  %s: %d calls, wall %.2f s, CPU %.2f s' % (
            item['endpoint'], item['http_calls'], item['wall'], item['cpu']))
    per_call = (cpu - startup * len(row['modules'])) * 1000.0 / calls if calls else 0.0
    row.update(calls=calls, cpu=cpu, wall=wall, floor=floor, cpu_ms_per_call=per_call)
    print('%s: %d calls, wall %.2f s (ECS wait floor %.2f s), CPU %.2f s, start-up CPU %.3f s per process, '
          'client CPU %.2f ms per ECS call' % (row['mode'], calls, wall, floor, cpu, startup, per_call))
    sys.stdout.flush()


if __name__ == '__main__':
    sys.exit(main())
