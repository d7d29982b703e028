"""Report retention (``ecs_report_keep``) through playbooks/report.yml: failed runs never push a real report out.

A run makes its timestamped directory before it writes the report, so a run that fails leaves an empty directory.
Retention used to count those as reports: two reports, two failed runs and one more report with ``keep: 2`` left one
real report and one empty directory.  Now only directories holding a report count; the empty ones go once they are
older than the oldest report kept.
"""

import os
import time

import pytest

from support.ansible_run import run_playbook

pytestmark = pytest.mark.coldfront

KEEP = 2


def report_run(site, output, fail=False):
    """One run of report.yml keeping KEEP reports; ``fail``: a bad option makes the report module fail after the run's
    directory was made (a threshold in percent).  Returns the run's directory name."""
    time.sleep(1.1)                              # one directory per second (the default timestamp format)
    extra = {'ecs_report_output_dir': str(output), 'ecs_report_keep': KEEP, 'ecs_report_formats': ['json', 'csv']}
    if fail:
        extra['ecs_report_threshold'] = 90
    result = run_playbook('playbooks/report.yml', env=site.env, extra_vars=extra)
    assert (result.rc != 0) is fail, result.output
    [made] = result.results('Create the report directory')
    return os.path.basename(made['path'])


def listing(output):
    """``{name: [files]}`` of the report folder (``latest``: where it points)."""
    found = {}
    for name in sorted(os.listdir(str(output))):
        path = os.path.join(str(output), name)
        found[name] = os.readlink(path) if os.path.islink(path) else sorted(os.listdir(path))
    return found


def test_failed_runs_never_push_a_report_out(coldfront_site, tmp_path):
    output = tmp_path / 'reports'
    (output / 'notes').mkdir(parents=True)      # not made by the role: never touched
    report_run(coldfront_site, output)          # the first report: the one that goes
    second = report_run(coldfront_site, output)
    failed = [report_run(coldfront_site, output, fail=True) for _run in range(2)]
    assert [listing(output)[name] for name in failed] == [[], []]

    third = report_run(coldfront_site, output)

    # Reports: first, second, third. The oldest goes; the empty directories are newer than the oldest report kept
    # (second), so they stay for now (one of them could be a run still writing).
    report = ['report.csv', 'report.json']
    assert listing(output) == dict([(second, report), (failed[0], []), (failed[1], []), (third, report),
                                    ('latest', third), ('notes', [])])

    fourth = report_run(coldfront_site, output)

    # Kept: third and fourth; second goes, and so do the empty directories, older than third.
    assert listing(output) == {third: report, fourth: report, 'latest': fourth, 'notes': []}


def test_check_mode_deletes_nothing(coldfront_site, tmp_path):
    output = tmp_path / 'reports'
    runs = [report_run(coldfront_site, output) for _run in range(2)] + [report_run(coldfront_site, output, fail=True)]
    before = listing(output)

    result = run_playbook('playbooks/report.yml', env=coldfront_site.env, check=True,
                          extra_vars={'ecs_report_output_dir': str(output), 'ecs_report_keep': 1})

    assert result.rc == 0, result.output
    [deleted] = result.task('Delete the old report directories')
    assert sorted(item['item'] for item in deleted['result']['results']) == sorted(
        str(output / name) for name in runs[:1]), deleted
    assert listing(output) == before
