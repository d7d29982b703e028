"""Turn measured steps into the benchmark's table, growth exponents and target verdicts (pure functions)."""

import math
import statistics

SYNC_STEPS = ('sync (cold)', 'sync (unchanged)')
LEAN_SYNC = 'sync (unchanged, lean)'
# Steps shown against the baseline; the targets judge SYNC_STEPS only (the lean row is the large-portal setting).
RATIO_STEPS = SYNC_STEPS + (LEAN_SYNC,)
BASELINE = 'baseline sync'
DESIGN_BASELINE = 'baseline sync (design)'
CALL_LIMITS = {'legacy': 2.05, 'modern': 1.05}
TARGET_N = 2000
TARGET_SPEEDUP = {'legacy': 20.0, 'modern': 40.0}
ECS_FLOOR, ANSIBLE_FLOOR = 'ECS floor (bare client)', 'Ansible floor (empty play)'
TARGET_SYNC_S = 30.0
TARGET_INVENTORY_N = 10000
TARGET_INVENTORY_S = 5.0
COLUMNS = (('N', 'n', '%d'), ('API', 'profile', '%s'), ('step', 'step', '%s'), ('wall s', 'wall_s', '%.2f'),
           ('CPU s', 'cpu_s', '%.1f'),
           ('ECS calls', 'ecs_calls', '%d'), ('calls/alloc', 'calls_per_allocation', '%.3f'),
           ('rows written', 'rows_written', '%d'), ('history rows', 'history_rows', '%d'), ('peak MB', 'peak_mb', '%.0f'),
           ('baseline/ours', 'speedup', '%.1fx'), ('design/ours', 'speedup_design', '%.1fx'))


def merge_repeats(rows):
    """One row per (N, profile, step): medians of the repeated runs, with the spread of the wall time."""
    groups = {}
    for row in rows:
        groups.setdefault((row['n'], row['profile'], row['step']), []).append(row)
    merged = []
    for runs in groups.values():
        row = dict(runs[0])
        for key in ('wall_s', 'cpu_s', 'peak_mb', 'ecs_calls', 'rows_written', 'history_rows', 'calls_per_allocation'):
            values = [run[key] for run in runs if run.get(key) is not None]
            row[key] = statistics.median(values) if values else None
        row['runs'] = len(runs)
        row['wall_all_s'] = sorted(run['wall_s'] for run in runs)
        row['ok'] = all(run['ok'] for run in runs)
        merged.append(row)
    return merged


def _ratios(runs, baseline_step):
    """``{(n, profile, step): [baseline wall / our wall per repeat]}``: each sync against the baseline of the same
    repeat, same N, and the same world (else, for the design baseline, the same N's first world)."""
    walls = dict(((run['n'], run['profile'], run.get('repeat', 0)), run['wall_s']) for run in runs
                 if run['step'] == baseline_step)
    by_n = dict(((n, repeat), wall) for (n, _profile, repeat), wall in walls.items())
    ratios = {}
    for run in runs:
        if run['step'] not in RATIO_STEPS or not run['wall_s']:
            continue
        repeat = run.get('repeat', 0)
        base = walls.get((run['n'], run['profile'], repeat)) or by_n.get((run['n'], repeat))
        if base:
            ratios.setdefault((run['n'], run['profile'], run['step']), []).append(base / run['wall_s'])
    return ratios


def add_speedups(rows, runs=None):
    """``speedup`` = baseline wall / our wall for the sync steps (``speedup_design``: the first baseline's), the
    median of the per-repeat ratios of ``runs`` (the unmerged rows; ``rows`` when not given)."""
    for key, step in (('speedup', BASELINE), ('speedup_design', DESIGN_BASELINE)):
        ratios = _ratios(runs or rows, step)
        for row in rows:
            values = ratios.get((row['n'], row['profile'], row['step']))
            row[key] = statistics.median(values) if values else None
            if key == 'speedup' and values:
                row['speedups_all'] = sorted(round(value, 2) for value in values)
    return rows


def _slope(points):
    """Least-squares slope of ln(y) over ln(x)."""
    points = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y and y > 0]
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _y in points) / len(points)
    mean_y = sum(y for _x, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _y in points)
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else None


def exponents(rows):
    """How each step's cost grows: ``cost ~ N^k`` over all scales and between the two largest ones."""
    series = {}
    for row in rows:
        series.setdefault((row['profile'], row['step']), []).append(row)
    result = []
    for (profile, step), items in sorted(series.items()):
        items.sort(key=lambda row: row['n'])
        if len(items) < 2:
            continue
        entry = {'profile': profile, 'step': step, 'scales': [row['n'] for row in items]}
        for key in ('wall_s', 'ecs_calls', 'rows_written'):
            points = [(row['n'], row[key]) for row in items]
            entry[key] = {'all': _slope(points), 'largest_two': _slope(points[-2:])}
        result.append(entry)
    return result


def _find(rows, n, profile, step):
    return next((row for row in rows if row['n'] == n and row['profile'] == profile and row['step'] == step), None)


def _verdict(name, measured, passed, detail=''):
    return {'target': name, 'measured': measured, 'met': bool(passed), 'detail': detail}


def targets(rows, settings):
    """The issue's targets, checked on the measured rows (only those the run measured)."""
    verdicts = []
    standard = settings['resources'] == 2 and settings['latency_ms'] == 20
    for profile in sorted(set(row['profile'] for row in rows)):
        for step in SYNC_STEPS:
            row = _find(rows, TARGET_N, profile, step)
            if row is None:
                continue
            where = 'N=%d %s, %s' % (TARGET_N, profile, step)
            if row.get('speedup') is not None and standard:
                verdicts.append(_verdict('%s: >= %gx faster than the baseline' % (where, TARGET_SPEEDUP[profile]),
                                         '%.1fx' % row['speedup'], row['speedup'] >= TARGET_SPEEDUP[profile]))
            if standard:
                verdicts.append(_verdict('%s: under %g s end to end' % (where, TARGET_SYNC_S), '%.1f s' % row['wall_s'],
                                         row['wall_s'] < TARGET_SYNC_S))
            verdicts.append(_verdict('%s: <= %g ECS calls per allocation' % (where, CALL_LIMITS[profile]),
                                     '%.3f' % row['calls_per_allocation'],
                                     row['calls_per_allocation'] <= CALL_LIMITS[profile]))
    verdicts += floor_verdicts(rows, standard)
    for row in rows:
        if row['step'] in ('sync (unchanged)', LEAN_SYNC):
            verdicts.append(_verdict('N=%d %s, %s: 0 rows, 0 history rows, changed=0'
                                     % (row['n'], row['profile'], row['step']),
                                     '%d rows, %d history, changed=%s' % (row['rows_written'], row['history_rows'],
                                                                          row.get('changed')),
                                     row['rows_written'] == 0 and row['history_rows'] == 0 and row.get('changed') == 0))
    for profile in sorted(set(row['profile'] for row in rows)):
        for step, how in (('inventory --list', ''), ('inventory --list (lean)', ' (allocation_vars: false)')):
            row = _find(rows, TARGET_INVENTORY_N, profile, step)
            if row is not None:
                verdicts.append(_verdict('N=%d %s: ansible-inventory --list under %g s%s'
                                         % (TARGET_INVENTORY_N, profile, TARGET_INVENTORY_S, how),
                                         '%.2f s' % row['wall_s'], row['wall_s'] < TARGET_INVENTORY_S))
    queries = sorted(set(row['queries'] for row in rows if row.get('queries') is not None))
    if queries:
        scales = sorted(set(row['n'] for row in rows))
        verdicts.append(_verdict('inventory: constant number of SQL queries over N = %s' % ', '.join(map(str, scales)),
                                 ', '.join(map(str, queries)), len(queries) == 1))
    return verdicts


def floor_verdicts(rows, standard):
    """Whether the speed-up targets can be reached on this machine at all: the baseline over the sync's floor, the
    bare client's ECS reading plus an empty play (a sync can only be slower than both together)."""
    verdicts = []
    for profile in sorted(set(row['profile'] for row in rows)):
        floors = [_find(rows, TARGET_N, profile, step) for step in (ECS_FLOOR, ANSIBLE_FLOOR)]
        baseline, sync = _find(rows, TARGET_N, profile, BASELINE), _find(rows, TARGET_N, profile, 'sync (cold)')
        if not standard or None in floors or baseline is None or sync is None:
            continue
        floor = sum(row['wall_s'] for row in floors)
        best = baseline['wall_s'] / floor
        verdicts.append(_verdict(
            'N=%d %s: %gx is within reach of this machine (baseline / (ECS floor + Ansible floor))'
            % (TARGET_N, profile, TARGET_SPEEDUP[profile]), '%.1fx at most' % best, best >= TARGET_SPEEDUP[profile],
            'ECS floor %.2f s for the same %d calls (the sync made %d), Ansible floor %.2f s, baseline %.1f s'
            % (floors[0]['wall_s'], floors[0]['ecs_calls'], sync['ecs_calls'], floors[1]['wall_s'], baseline['wall_s'])))
    return verdicts


def _cell(fmt, value):
    return '-' if value is None else fmt % value


def table(rows):
    """The fixed-width text table (one line per step)."""
    header = [title for title, _key, _fmt in COLUMNS]
    lines = [[_cell(fmt, row.get(key)) for _title, key, fmt in COLUMNS] + ([] if row['ok'] else ['FAILED'])
             for row in rows]
    widths = [max(len(line[index]) for line in [header] + lines) for index in range(len(header))]

    def render(cells):
        text = []
        for index, cell in enumerate(cells):
            width = widths[index] if index < len(widths) else 0
            text.append(cell.ljust(width) if index in (1, 2) or index >= len(widths) else cell.rjust(width))
        return '  '.join(text).rstrip()
    return '\n'.join([render(header), render(['-' * width for width in widths])] + [render(line) for line in lines])


def markdown(rows):
    """The same table as Markdown (for docs/performance.md)."""
    header = [title for title, _key, _fmt in COLUMNS]
    lines = ['| %s |' % ' | '.join(header), '|%s|' % '|'.join('---' for _title in header)]
    for row in rows:
        lines.append('| %s |' % ' | '.join(_cell(fmt, row.get(key)) for _title, key, fmt in COLUMNS))
    return '\n'.join(lines)


def exponent_lines(entries):
    lines = []
    for entry in entries:
        parts = []
        for key, label in (('wall_s', 'wall'), ('ecs_calls', 'ECS calls'), ('rows_written', 'rows')):
            value = entry[key]
            if value['all'] is not None:
                parts.append('%s N^%.2f (N^%.2f between the two largest)' % (label, value['all'], value['largest_two']))
        if parts:
            lines.append('%-8s %-22s %s' % (entry['profile'], entry['step'], '; '.join(parts)))
    return lines
