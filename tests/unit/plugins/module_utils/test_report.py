"""The usage report as data (plugins/module_utils/_rules/report.py): numbers, levels, history, JSON and CSV."""

import csv
import datetime
import io
import json

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import report as R
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.quota import evaluate_thresholds
from integration.report.report_support import NOW, allocation, resource, sample_resources


def build(resources=None, **options):
    return R.summarize(sample_resources() if resources is None else resources, R.report_options(**options), NOW)


def rows_by_id(report):
    return dict((row['id'], row) for row in report['allocations'])


def test_options_defaults_and_checks():
    options = R.report_options()
    assert (options['threshold'], options['history_days'], options['top'], options['max_points']) == (0.9, 90, 10, 500)
    assert options['attributes']['quota_tb'] == 'Storage Quota (TB)'
    assert R.report_options(attributes={'quota_tb': 'Storage Quota (TiB)', 'used': None})['attributes'] == dict(
        R.DEFAULT_ATTRIBUTES, quota_tb='Storage Quota (TiB)')
    assert R.report_options(threshold_overrides={'ecs-west': '0.8'})['threshold_overrides'] == {'ecs-west': 0.8}
    for bad in ({'threshold': 90}, {'threshold_overrides': {'ecs-west': 0}}, {'history_days': -1}, {'top': 1.5},
                {'max_points': 1}, {'overcommit': 0}, {'colour': 'red'}, {'attributes': {'quota': 'x'}}):
        with pytest.raises(R.ReportError):
            R.report_options(**bad)


def test_resource_numbers_and_overcommit():
    east, west = build()['resources']
    assert (east['capacity'], east['used'], east['used_source'], east['allocated'], east['allocated_source']) == (
        50, 40.25, 'attribute', 65, 'allocations')
    assert (east['used_percent'], east['overcommit_percent'], east['overcommitted']) == (80.5, 130, True)
    assert (east['allocation_count'], east['unlimited_allocations'], east['level']) == (7, 1, None)
    # No used_tb attribute: the sum of the allocations' usage (missing usage counts as 0).
    assert (west['capacity'], west['used'], west['used_source'], west['allocated']) == (8, 2.2346, 'allocations', 4)
    assert (west['used_percent'], west['overcommit_percent'], west['overcommitted']) == (27.93, 50, False)


def test_resource_attributes_win_and_bad_values_are_reported():
    report = build([resource(1, 'ecs-x', [allocation(1, 'A', '10', 2)], capacity_tb='lots', allocated_tb=99)])
    entry = report['resources'][0]
    assert (entry['capacity'], entry['used'], entry['allocated'], entry['allocated_source']) == (None, 2, 99, 'attribute')
    assert entry['overcommit_percent'] is None and entry['used_percent'] is None
    assert report['warnings'] == ["resource ecs-x: attribute capacity_tb is 'lots', not a number; ignored"]


def test_allocation_levels_percentages_and_limits():
    rows = rows_by_id(build())
    expect = {  # id: (limit, usage, percent, level)
        1: (10, 9, 90, 'warning'),
        2: (20, 25, 125, 'exceeded'),
        3: (-1, 12, None, None),
        4: (0, 1, None, 'exceeded'),
        5: (0, 0, 0, None),
        6: (30, 3.25, 10.83, None),
        7: (5, None, None, None),
        8: (4, 1.2346, 30.86, None),
        9: (None, None, None, 'invalid'),   # no quota: a data problem, never unlimited
        10: (None, 1, None, 'invalid'),
    }
    assert dict((pk, (row['limit'], row['usage'], row['percent'], row['level'])) for pk, row in rows.items()) == expect
    assert (rows[6]['namespace'], rows[6]['namespace_source']) == ('jones-genomics', 'attribute')
    assert (rows[1]['namespace'], rows[1]['namespace_source']) == ('smith-lab', 'project title')
    assert rows[2]['project'] == '<script>alert("x")</script> Lab'  # kept as is: escaping is the renderer's job


def test_alerts_are_the_quota_librarys():
    report = build()
    messages = [alert['message'] for alert in report['alerts']]
    assert messages == [
        'namespace zero-lab on resource ecs-east: storage usage 1 TB exceeds limit 0 TB',
        'namespace script-alert-x-script-lab on resource ecs-east: storage usage 25 TB exceeds limit 20 TB (125%)',
        'namespace smith-lab on resource ecs-east: storage usage 9 TB is at 90% of limit 10 TB (threshold 90%)',
    ]
    tree = {'name': 'ecs-east', 'capacity': 50, 'used': 40.25, 'namespaces': [
        {'name': 'smith-lab', 'allocation_id': 1, 'limit': 10, 'usage': 9}]}
    assert evaluate_thresholds(tree, 0.9, unit='TB')[0]['message'] == messages[2]
    assert report['totals'] == {'resources': 2, 'allocations': 10, 'alerts': 3, 'exceeded': 2, 'warning': 1,
                                'invalid': 2, 'pending_push': 0, 'stale': 0}


def test_threshold_overrides_and_overcommit_allowance():
    report = build(threshold_overrides={'ecs-west': 0.3}, overcommit=1.2)
    rows = rows_by_id(report)
    assert (rows[8]['level'], rows[8]['threshold']) == ('warning', 0.3)
    east = report['resources'][0]
    assert east['threshold'] == 0.9
    # allocated 65 > capacity 50 x 1.2: the allocated quota is exceeded and alerted.
    assert [(a['quota'], a['level']) for a in report['alerts'] if a['scope'] == 'resource ecs-east'] == [
        ('allocated', 'exceeded')]
    # West: used 2.23 of capacity 8 is 27.9 %, at or over 0.3? no; allocated 4 of 9.6 is 41.7 %: warning.
    assert [(a['resource'], a['quota'], a['level']) for a in report['alerts'] if a['resource'] == 'ecs-west'] == [
        ('ecs-west', 'allocated', 'warning'), ('ecs-west', 'storage', 'warning')]


def test_problems_are_reported_per_allocation_and_never_stop_the_report():
    bad = allocation(11, 'Dup Lab', '3', 1.0, namespace='Not A Valid Name!', duplicates=['Storage Quota (TB)'])
    report = build([resource(1, 'ecs-east', [bad]), resource(2, 'ecs-west', sample_resources()[1]['allocations'])])
    assert report['warnings'] == [
        "allocation 11 (Dup Lab) on resource ecs-east: Namespace attribute 'Not A Valid Name!' is not a valid namespace "
        'name: use 1-63 characters from a-z, 0-9 and inner "-"; Storage Quota (TB) occurs more than once; the first '
        '(id 1011) is reported',
        'allocation 9 (No Quota Lab) on resource ecs-west: no Storage Quota (TB) attribute',
        "allocation 10 (Bad Quota Lab) on resource ecs-west: Storage Quota (TB) value 'ten' is not a number",
    ]
    row = report['allocations'][0]
    assert (row['namespace'], row['namespace_source'], row['limit']) == ('Not A Valid Name!', 'invalid', 3)
    assert [row['problems'] for row in report['allocations'][1:]] == [
        [], ['no Storage Quota (TB) attribute'], ["Storage Quota (TB) value 'ten' is not a number"]]


def test_empty_report():
    report = build([])
    assert report['resources'] == [] and report['allocations'] == [] and report['alerts'] == []
    assert report['totals'] == {'resources': 0, 'allocations': 0, 'alerts': 0, 'exceeded': 0, 'warning': 0,
                                'invalid': 0, 'pending_push': 0, 'stale': 0}
    R.attach_history(report, [], [])
    assert report['charts'] == []
    assert R.to_csv(report) == ','.join(R.CSV_COLUMNS) + '\n'
    assert report['window'] == {'days': 90, 'start': '2025-12-01T12:00:00Z', 'end': '2026-03-01T12:00:00Z'}


def test_rounding():
    assert [R.tb(v) for v in (None, -1, 10.0, 2.5, 1.23456789, 0.00005)] == [None, -1, 10, 2.5, 1.2346, 0.0001]
    assert [R.percent(v) for v in (None, 30.864197, 100.0)] == [None, 30.86, 100]
    assert R.number_text(10) == '10' and R.number_text(None, none='-') == '-'


def test_chart_candidates_top_by_usage_once_per_allocation():
    shared = allocation(20, 'Shared Lab', '100', 50.0)
    report = build([resource(1, 'ecs-a', [shared, allocation(21, 'A', '9', 8)]), resource(2, 'ecs-b', [shared])], top=5)
    assert [(row['id'], row['resource']) for row in R.chart_candidates(report)] == [(20, 'ecs-a'), (21, 'ecs-a')]
    assert [row['id'] for row in R.chart_candidates(build(top=3))] == [2, 3, 1]
    assert R.chart_candidates(build(top=0)) == []


def _at(days):
    return NOW - datetime.timedelta(days=days)


def test_history_becomes_chart_series():
    report = build(top=2)
    resource_rows = [(1, 'used_tb', _at(3), '38'), (1, 'used_tb', _at(1), '40.25'), (1, 'capacity_tb', _at(5), '50'),
                     (1, 'url', _at(2), 'ecs1'), (2, 'allocated_tb', _at(1), 'n/a')]
    usage_rows = [(1002, _at(2), 20.0), (1002, _at(4), 10.0), (1003, _at(1), 12.0), (1001, _at(1), 9.0)]
    R.attach_history(report, resource_rows, usage_rows)
    east, west = report['resources']
    assert east['history']['used'] == {'rows': 2, 'start_value': None,
                                       'points': [['2026-02-26T12:00:00Z', 38], ['2026-02-28T12:00:00Z', 40.25]]}
    assert east['history']['capacity']['rows'] == 1
    assert east['history']['allocated'] == {'rows': 0, 'points': [], 'start_value': None}
    assert west['history']['allocated']['rows'] == 0
    assert report['warnings'][-1] == "resource id 2: history value 'n/a' of allocated_tb is not a number; not charted"
    charts = report['charts']
    assert [(chart['id'], chart['rows']) for chart in charts] == [(2, 2), (3, 1)]  # top 2; allocation 1 not charted
    assert charts[0]['points'] == [['2026-02-25T12:00:00Z', 10], ['2026-02-27T12:00:00Z', 20]]  # oldest first
    assert (charts[0]['limit'], charts[0]['usage'], charts[0]['level']) == (20, 25, 'exceeded')


def test_long_histories_are_thinned_to_each_stretchs_extremes():
    points = [(index, index) for index in range(12)]
    assert R.downsample(points, 5) == [(0, 0), (1, 1), (11, 11)] and R.downsample(points, 12) == points
    report = build(top=1, max_points=5)
    R.attach_history(report, [], [(1002, _at(day), float(day)) for day in range(12)])
    assert (report['charts'][0]['rows'], len(report['charts'][0]['points'])) == (12, 3)
    assert report['charts'][0]['points'][0][1] == 11 and report['charts'][0]['points'][-1][1] == 0


def test_json_and_csv_carry_the_same_numbers():
    report = R.attach_history(build(), [], [])
    assert json.loads(R.to_json(report)) == report
    rows = list(csv.DictReader(io.StringIO(R.to_csv(report))))
    assert [row['kind'] for row in rows] == ['resource'] * 2 + ['allocation'] * 10
    east = rows[0]
    assert (east['capacity_tb'], east['used_tb'], east['allocated_tb'], east['overcommit_percent'], east['percent']) == (
        '50', '40.25', '65', '130', '80.5')
    by_id = dict((row['allocation_id'], row) for row in rows[2:])
    for entry in report['allocations']:
        row = by_id[str(entry['id'])]
        for column, key in (('limit_tb', 'limit'), ('usage_tb', 'usage'), ('percent', 'percent')):
            assert row[column] == ('' if entry[key] is None else R.number_text(entry[key])), (entry['id'], column)
        assert row['level'] == (entry['level'] or '')
    assert by_id['8']['usage_tb'] == '1.2346' and by_id['3']['limit_tb'] == '-1' and by_id['9']['limit_tb'] == ''


def test_csv_defuses_spreadsheet_formulas():
    rows = list(csv.DictReader(io.StringIO(R.to_csv(build()))))
    assert [row['project'] for row in rows if row['allocation_id'] == '7'] == ['\'=HYPERLINK("http://x")']
    assert R._cell('-1 Lab') == "'-1 Lab" and R._cell(-1) == '-1' and R._cell(True) == 'true'  # pylint: disable=protected-access


def test_overcommit_overrides_per_resource():
    assert R.report_options(overcommit_overrides={'ecs-east': '1.5'})['overcommit_overrides'] == {'ecs-east': 1.5}
    with pytest.raises(R.ReportError):
        R.report_options(overcommit_overrides={'ecs-east': 0})
    # East is allowed 1.5 x capacity (65 of 75: no alert), west keeps the global 1.2; a null override is no limit.
    report = build(threshold_overrides={'ecs-west': 0.3}, overcommit=1.2, overcommit_overrides={'ecs-east': 1.5})
    assert report['overcommit_overrides'] == {'ecs-east': 1.5}
    assert [a for a in report['alerts'] if a['scope'] == 'resource ecs-east' and a['quota'] == 'allocated'] == []
    assert ('ecs-west', 'allocated', 'warning') in [(a['resource'], a['quota'], a['level']) for a in report['alerts']]
    unlimited = build(overcommit=1.2, overcommit_overrides={'ecs-east': None})
    assert not [a for a in unlimited['alerts'] if a['scope'] == 'resource ecs-east' and a['quota'] == 'allocated']
