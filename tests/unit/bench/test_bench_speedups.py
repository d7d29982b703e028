"""The benchmark's ratios to the baseline: every sync row gets one, only the full-inventory rows are judged."""

from bench import report


def run(step, wall, profile='modern'):
    return {'n': report.TARGET_N, 'profile': profile, 'step': step, 'wall_s': wall, 'repeat': 0, 'ecs_calls': 28,
            'calls_per_allocation': 0.014, 'rows_written': 0, 'history_rows': 0, 'changed': 0, 'ok': True}


def test_the_lean_sync_gets_a_ratio_but_no_speed_target():
    rows = report.add_speedups([run(report.BASELINE, 262.0), run('sync (unchanged)', 6.55), run(report.LEAN_SYNC, 5.24)])
    assert [round(row['speedup'] or 0, 1) for row in rows] == [0, 40.0, 50.0]
    verdicts = report.targets(rows, {'resources': 2, 'latency_ms': 20})
    speed = [verdict['target'] for verdict in verdicts if 'faster than the baseline' in verdict['target']]
    assert speed == ['N=2000 modern, sync (unchanged): >= 40x faster than the baseline']
