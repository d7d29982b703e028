"""The benchmark's reachability verdicts: the baseline over the sync's floor (ECS floor + Ansible floor)."""

from bench import report


def row(profile, step, wall, calls=0):
    return {'n': report.TARGET_N, 'profile': profile, 'step': step, 'wall_s': wall, 'ecs_calls': calls}


def world(profile, baseline, ecs_floor, ansible_floor):
    return [row(profile, report.BASELINE, baseline, 8409), row(profile, 'sync (cold)', 17.0, 4006),
            row(profile, report.ECS_FLOOR, ecs_floor, 4006), row(profile, report.ANSIBLE_FLOOR, ansible_floor)]


def test_a_target_beyond_the_floor_is_reported_out_of_reach_with_the_floors_named():
    [legacy, modern] = report.floor_verdicts(world('legacy', 258.0, 11.5, 1.5) + world('modern', 258.0, 0.4, 1.5),
                                             standard=True)
    assert (legacy['met'], legacy['measured']) == (False, '19.8x at most')
    assert 'ECS floor 11.50 s for the same 4006 calls (the sync made 4006)' in legacy['detail']
    assert (modern['met'], modern['measured']) == (True, '135.8x at most')


def test_no_verdict_without_both_floors_or_off_the_standard_settings():
    rows = world('legacy', 258.0, 11.4, 1.5)
    assert report.floor_verdicts([r for r in rows if r['step'] != report.ANSIBLE_FLOOR], standard=True) == []
    assert report.floor_verdicts(rows, standard=False) == []
