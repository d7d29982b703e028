"""Report forecast, alert state and digest (report.attach_forecast) on crafted history rows."""

import datetime

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import report as R
from integration.report.report_support import NOW, allocation, resource

DAY = datetime.timedelta(days=1)
SYNC = {'at': R.iso(NOW - datetime.timedelta(minutes=1)), 'user': 'sync', 'reason': 'r'}


def build(allocations, usage_rows, resource_rows=(), last_sync=None, used_tb=None, **options):
    options = R.report_options(**options)
    extra = {} if used_tb is None else {'used_tb': used_tb}
    report = R.summarize([resource(1, 'ecs-east', allocations, capacity_tb=100, **extra)], options, NOW)
    report['resources'][0]['last_sync'] = dict(SYNC) if last_sync is None else last_sync
    return R.attach_forecast(report, usage_rows, list(resource_rows), NOW, options)


def daily(attribute_id, values, last=NOW - datetime.timedelta(minutes=1)):
    return [(attribute_id, last - DAY * (len(values) - 1 - index), value) for index, value in enumerate(values)]


def by_kind(report):
    return dict(((alert['allocation_id'], alert['kind']), alert) for alert in report['alerts'])


def test_growth_days_and_full_soon_alert():
    report = build([allocation(1, 'Grow Lab', '30', 20.0)], daily(1001, [5 + 0.5 * day for day in range(31)]))
    row = report['allocations'][0]
    assert (row['growth_tb_per_day'], row['days_until_full']) == (0.5, 20.0)
    alert = by_kind(report)[(1, 'forecast')]
    # The day before, the same growth already gave full_soon: ongoing, not new.
    assert (alert['level'], alert['state'], alert['days_until_full']) == ('full_soon', 'ongoing', 20)
    assert report['totals']['full_soon'] == 1
    assert report['forecast'] == {'window_days': 30, 'forecast_days': 30}


def test_forecast_days_option_and_flat_usage():
    rows = daily(1001, [5 + 0.5 * day for day in range(31)]) + daily(1002, [3.0])
    report = build([allocation(1, 'Grow Lab', '30', 20.0), allocation(2, 'Flat Lab', '10', 3.0)], rows,
                   forecast_days=10)
    assert [alert['kind'] for alert in report['alerts']] == []
    flat = report['allocations'][1]
    assert flat['days_until_full'] is None


def test_state_new_ongoing_recovered_from_previous_row():
    rows = daily(1001, [5.0, 9.5]) + daily(1002, [9.5, 9.6]) + daily(1003, [9.5, 5.0])
    report = build([allocation(1, 'New Lab', '10', 9.5), allocation(2, 'Old Lab', '10', 9.6),
                    allocation(3, 'Back Lab', '10', 5.0)], rows)
    states = dict((alert['allocation_id'], alert['state']) for alert in report['alerts'] + report['recovered'])
    assert states == {1: 'new', 2: 'ongoing', 3: 'recovered'}
    assert report['totals']['recovered'] == 1


def test_recovery_listed_once_when_usage_unchanged_since():
    old = NOW - 3 * DAY  # the last change was before the last sync: already reported
    report = build([allocation(3, 'Back Lab', '10', 5.0), allocation(1, 'New Lab', '10', 9.5)],
                   daily(1003, [9.5, 5.0], last=old) + daily(1001, [5.0, 9.5], last=old))
    assert [(alert['allocation_id'], alert['state']) for alert in report['alerts']] == [(1, 'ongoing')]
    assert report['recovered'] == []


def test_digest_per_pi_and_project():
    rows = daily(1001, [5.0, 9.5]) + daily(1002, [9.5, 9.6])
    report = build([allocation(1, 'New Lab', '10', 9.5, pi='ann'), allocation(2, 'Old Lab', '10', 9.6, pi='bob')],
                   rows)
    digest = report['digest']
    assert (digest['pi']['ann']['changed'], digest['pi']['bob']['changed']) == (True, False)
    assert digest['project']['Old Lab']['counts'] == {'new': 0, 'ongoing': 1, 'recovered': 0}


def test_resource_forecast_from_used_history():
    used = [(1, 'used_tb', NOW - DAY * (30 - day), str(20 + 2 * day)) for day in range(31)]
    report = build([allocation(1, 'Lab', '10', 1.0)], [], resource_rows=used, used_tb=80)
    entry = report['resources'][0]
    assert (entry['growth_tb_per_day'], entry['days_until_full']) == (2, 10)
    assert [(alert['kind'], alert['quota'], alert['allocation_id']) for alert in report['alerts']] == [
        ('forecast', 'capacity', None)]


def test_full_soon_new_when_growth_starts():
    # 0.5 TB/day: 30.6 days left at the previous row, 29.6 now: crossed forecast_days 30 at the last sync.
    rows = daily(1001, [5 + 0.5 * day for day in range(31)])
    alert = by_kind(build([allocation(1, 'Grow Lab', '34.8', 20.0)], rows))[(1, 'forecast')]
    assert (alert['state'], alert['days_until_full']) == ('new', 29.6)


def test_bad_forecast_option():
    with pytest.raises(R.ReportError):
        build([], [], forecast_days=0)
