"""``make bench``: the collection against the reference plugin's algorithm, at scale (docs/performance.md).

    make bench                                            # N = 200, 2000; R = 2; L = 20 ms; SQLite; both API profiles
    make bench BENCH_ARGS='--scales 200,2000,10000 --baseline-up-to 2000 --json .bench/full.json'
    .venv/bin/python tests/bench/run.py --n 2000 --db postgresql --api-profile legacy

For each N and API profile it builds a world (world.py: a real ColdFront with N provisioned allocations over R ECS
resources, one simulator per resource with latency L per call), then measures, each in one run: the inventory
(``ansible-inventory --list``, ``--graph``, and the plugin's own work), ``sync.yml`` cold then unchanged, the
baseline (the reference plugin as it runs, right after our syncs in the same world, so that every ratio compares
runs minutes apart; ``--design-baseline`` adds the first baseline in the first profile's world), and
``provision.yml`` for the ``--fresh`` newly approved allocations.  With ``--repeat`` each ratio is the median of
the ratios of each repeat (each pairs a sync with the baseline of the same world).  It prints one table, the growth exponents and the targets, and
writes everything as JSON.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time

TESTS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

# pylint: disable=wrong-import-position
from bench import report, steps  # noqa: E402
from bench.world import PROFILES, REPO, BenchWorld  # noqa: E402
from support.coldfront_site import DB_KINDS, default_db_kind  # noqa: E402

DEFAULT_SCALES = (200, 2000)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--scales', default=','.join(map(str, DEFAULT_SCALES)),
                        help='comma-separated numbers of allocations (default %(default)s; add 10000 for the full run)')
    parser.add_argument('--n', type=int, help='one scale only (same as --scales N)')
    parser.add_argument('--resources', type=int, default=2, help='ECS resources R (default %(default)s)')
    parser.add_argument('--latency-ms', type=int, default=20, help='simulated ECS latency per call (default %(default)s)')
    parser.add_argument('--db', choices=DB_KINDS, default=None,
                        help='ColdFront database (default: $COLDFRONT_TEST_DB or sqlite; postgresql runs '
                             'tools/postgres.sh start first)')
    parser.add_argument('--api-profile', choices=('legacy', 'modern', 'both'), default='both',
                        help='legacy: brief namespace list, no batch billing; modern: full list + batch billing')
    parser.add_argument('--fresh', type=int, default=200, help='newly approved allocations for provision (default %(default)s)')
    parser.add_argument('--repeat', type=int, default=1, help='run everything this many times, report medians')
    parser.add_argument('--repeat-up-to', type=int, default=None, metavar='N',
                        help='repeat only the scales up to N (larger ones run once: the 10000 baseline takes 15 min)')
    parser.add_argument('--no-baseline', action='store_true', help='skip the baseline (it is the slow part)')
    parser.add_argument('--baseline-up-to', type=int, default=None, metavar='N',
                        help='run the baseline only at scales up to N (at 10000 it takes about 25 min)')
    parser.add_argument('--design-baseline', action='store_true',
                        help='also run the first baseline (a sketch, not the plugin as it runs), once per N')
    parser.add_argument('--json', default=os.path.join(REPO, '.bench', 'results.json'), help='JSON output (default %(default)s)')
    parser.add_argument('--workdir', default=os.path.join(REPO, '.bench', 'work'), help='scratch directory')
    args = parser.parse_args(argv)
    args.scales = [args.n] if args.n else [int(item) for item in args.scales.split(',') if item.strip()]
    args.profiles = list(PROFILES) if args.api_profile == 'both' else [args.api_profile]
    args.db = args.db or default_db_kind()
    return args


def machine():
    """What the numbers were measured on."""
    cpu = platform.processor() or ''
    try:
        with open('/proc/cpuinfo') as stream:
            cpu = next((line.split(':', 1)[1].strip() for line in stream if line.startswith('model name')), cpu)
    except OSError:
        pass
    with open('/proc/meminfo') as stream:
        memory_kb = int(next(line.split()[1] for line in stream if line.startswith('MemTotal')))
    import ansible  # pylint: disable=import-outside-toplevel
    import coldfront  # pylint: disable=import-outside-toplevel
    import django  # pylint: disable=import-outside-toplevel
    return {'cpu': cpu, 'cores': os.cpu_count(), 'memory_gb': round(memory_kb / 1024.0 / 1024.0, 1),
            'os': platform.platform(), 'python': platform.python_version(), 'ansible_core': ansible.__version__,
            'coldfront': coldfront.VERSION, 'django': django.get_version(), 'load_average_at_start': os.getloadavg()}


def row_of(step, n, profile):
    row = step.as_dict()
    value = step.value if isinstance(step.value, dict) else {}
    row.update(n=n, profile=profile, ok=bool(value.get('ok')), changed=value.get('changed'),
               queries=value.get('queries'), summary=value)
    return row


def world_steps(world, n, with_baseline, design=False):
    """Every measured step of one world, in order (the baselines before provision: same allocations as sync)."""
    yield steps.inventory_list(world, n)
    yield steps.inventory_list(world, n, lean=True)
    yield steps.inventory_graph(world, n)
    yield steps.inventory_probe(world, n)
    yield steps.sync(world, 'sync (cold)', n)
    yield steps.sync(world, 'sync (unchanged)', n)
    yield steps.sync(world, report.LEAN_SYNC, n, lean=True)
    yield steps.ecs_floor(world, n)
    yield steps.ansible_floor(world, n)
    if with_baseline:
        yield steps.baseline(world, n)
    if design:
        yield steps.baseline(world, n, variant='design')
    if world.fresh and steps.provision_available():
        yield steps.provision(world)


def run_world(args, n, profile, with_baseline, say, design=False):
    directory = os.path.join(args.workdir, 'n%d-%s' % (n, profile))
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    started = time.monotonic()
    world = BenchWorld.build(directory, n, resources=args.resources, latency_ms=args.latency_ms, db=args.db,
                             profile=profile, fresh=args.fresh)
    say('N=%d %s: world built in %.1f s (load %.2f)' % (n, profile, time.monotonic() - started, os.getloadavg()[0]))
    rows = []
    try:
        for step in world_steps(world, n, with_baseline, design):
            row = row_of(step, n, profile)
            rows.append(row)
            say('  %-22s %7.2f s  %6.1f cpu s  %6d calls  %6d rows  %6d history  %s' % (
                row['step'], row['wall_s'], row['cpu_s'], row['ecs_calls'], row['rows_written'], row['history_rows'],
                'ok' if row['ok'] else 'FAILED: %s' % json.dumps(row['summary'])[:2000]))
    finally:
        world.stop()
        shutil.rmtree(directory, ignore_errors=True)
    return rows


def main(argv=None):
    args = parse_args(argv)

    def say(text):
        sys.stderr.write(text + '\n')
        sys.stderr.flush()

    if args.db == 'postgresql':
        subprocess.run([os.path.join(REPO, 'tools', 'postgres.sh'), 'start'], check=True, stdout=sys.stderr)
    if not steps.provision_available():
        say('provision: playbooks/provision.yml or its module/role is not in this checkout: not measured')
    settings = {'scales': args.scales, 'resources': args.resources, 'latency_ms': args.latency_ms, 'db': args.db,
                'profiles': args.profiles, 'fresh': args.fresh, 'repeat': args.repeat,
                'repeat_up_to': args.repeat_up_to, 'baseline': not args.no_baseline,
                'baseline_up_to': args.baseline_up_to, 'design_baseline': args.design_baseline}
    info = machine()
    rows = []
    for repeat in range(args.repeat):
        for n in args.scales:
            if repeat and args.repeat_up_to is not None and n > args.repeat_up_to:
                continue
            baseline = not args.no_baseline and (args.baseline_up_to is None or n <= args.baseline_up_to)
            for index, profile in enumerate(args.profiles):
                for row in run_world(args, n, profile, baseline, say, index == 0 and baseline and args.design_baseline):
                    row['repeat'] = repeat
                    rows.append(row)
    merged = report.add_speedups(report.merge_repeats(rows), rows)
    growth = report.exponents(merged)
    verdicts = report.targets(merged, settings)

    print('hpc.coldfront_ecs benchmark - %s, R=%d ECS resources, L=%d ms per ECS call, %s, %d core(s), %s' % (
        datetime.date.today().isoformat(), args.resources, args.latency_ms, args.db, info['cores'], info['cpu']))
    print(report.table(merged))
    if growth:
        print('\nGrowth with N (cost ~ N^k):')
        print('\n'.join(report.exponent_lines(growth)))
    if verdicts:
        print('\nTargets:')
        for verdict in verdicts:
            print('  [%s] %s: %s%s' % ('met' if verdict['met'] else 'NOT MET', verdict['target'], verdict['measured'],
                                       ' (%s)' % verdict['detail'] if verdict['detail'] else ''))
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    with open(args.json, 'w') as stream:
        json.dump({'machine': info, 'settings': settings, 'rows': merged, 'runs': rows, 'growth': growth,
                   'targets': verdicts, 'markdown': report.markdown(merged)}, stream, indent=1, default=str)
    print('\nJSON: %s' % args.json)
    return 0 if all(row['ok'] for row in merged) else 1


if __name__ == '__main__':
    sys.exit(main())
