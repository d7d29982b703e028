"""Quotas issue, end to end: several syncs, then the report charts the usage history ColdFront kept."""

import json
import os

import pytest

TB = 1024 ** 4
pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]


def test_report_shows_the_history_written_by_several_syncs(ecs_world, tmp_path):
    ecs_world.provisioned('smith-east', 'smith-lab', 'lab-smith-lab-bucket')
    for used in (1 * TB, 4 * TB, 9.5 * TB):
        ecs_world.set_bucket_usage('smith-lab', 'lab-smith-lab-bucket', used)
        result = ecs_world.run('playbooks/sync.yml')
        assert result.rc == 0, result.output

    out = str(tmp_path / 'report')
    result = ecs_world.run('playbooks/report.yml', extra_vars={'ecs_report_output_dir': out})
    assert result.rc == 0, result.output
    with open(os.path.join(out, 'latest', 'report.json')) as handle:
        report = json.load(handle)
    smith = ecs_world.site.allocation_id('smith-east')
    chart = [c for c in report['charts'] if c['id'] == smith][0]
    # The dataset's own usage row (2.5 TB) and one row per sync that changed the usage: 1, 4, 9.5 TB.
    assert [point[1] for point in chart['points']][-3:] == [1, 4, 9.5]
    assert chart['level'] == 'warning' and chart['percent'] == 95
    alert = [a for a in report['alerts'] if a.get('allocation_id') == smith][0]
    assert alert['level'] == 'warning'
