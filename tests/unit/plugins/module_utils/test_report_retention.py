"""Report retention: only run directories holding a report count towards ``ecs_report_keep``."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.coldfront_ecs.plugins.filter.report_retention import report_retention
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report_retention import expired_runs

BASE = '/srv/reports/ecs'


def run(day):
    return '%s/202603%02dT020000Z' % (BASE, day)


def found(*paths):
    """What ansible.builtin.find returns: dicts with a path, among other keys."""
    return [{'path': path, 'mode': '0750'} for path in paths]


def test_empty_run_directories_never_push_a_report_out():
    """Reports on days 1 and 2, then three failed runs (days 3-5, empty): with keep 2 both reports stay, and the
    empty directories newer than the oldest kept report stay too (one of them may be a run still writing)."""
    directories = [run(day) for day in range(1, 6)]
    assert expired_runs(directories, [run(1) + '/report.html', run(2) + '/report.json'], 2) == []


def test_old_reports_and_old_empty_directories_go():
    directories = found(*([run(day) for day in range(1, 8)] + [BASE + '/latest', BASE + '/notes']))
    files = found(run(2) + '/report.html', run(2) + '/report.json', run(4) + '/report.csv', run(6) + '/report.html',
                  run(7) + '/report.json', run(3) + '/.report.html.x1y2', BASE + '/notes/report.json')
    # Reports: days 2, 4, 6, 7. Keep 2 -> 6 and 7 stay; 2 and 4 go, with the empty (or unfinished) 1, 3 and 5.
    assert expired_runs(directories, files, 2) == [run(day) for day in (1, 2, 3, 4, 5)]
    assert report_retention(directories, files, 3) == [run(1), run(2), run(3)]


@pytest.mark.parametrize('keep, expired', [(0, []), (-1, []), (5, [run(1)])])
def test_no_report_goes_when_keeping_more_than_there_are(keep, expired):
    """0 (or less) keeps everything; with more to keep than there are reports, only the empty directory older than
    every report goes."""
    directories = [run(1), run(2), run(3)]
    assert expired_runs(directories, [run(2) + '/report.html', run(3) + '/report.html'], keep) == expired


def test_no_report_at_all_deletes_nothing():
    assert expired_runs([run(1), run(2)], [], 1) == []


def test_trailing_slashes_and_other_names_are_left_alone():
    directories = [run(1) + '/', run(2), BASE + '/2026-03-01', BASE + '/20260301T020000Z.old']
    files = [run(1) + '/report.json', run(2) + '/report.json', BASE + '/2026-03-01/report.json']
    assert expired_runs(directories, files, 1) == [run(1)]


def test_bad_input_is_a_filter_error():
    with pytest.raises(AnsibleFilterError, match='report_retention: expected paths or find results'):
        report_retention([{'name': 'x'}], [], 1)
