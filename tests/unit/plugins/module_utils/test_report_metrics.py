"""The report as Prometheus metrics (_rules/metrics.py), the showback totals and TB-months (_rules/report.py), and
the Grafana dashboard in docs/grafana that queries them."""

import datetime
import json
import os
import re

from prometheus_client.parser import text_string_to_metric_families

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import metrics as M
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import report as R
from integration.report.report_support import NOW, allocation, resource, sample_resources

TB = 1024 ** 4
DAY = datetime.timedelta(days=1)
DASHBOARD = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'docs', 'grafana', 'coldfront-ecs.json')


def build(resources=None, usage_rows=()):
    report = R.summarize(sample_resources() if resources is None else resources, R.report_options(), NOW)
    report['resources'][0]['last_sync'] = {'at': '2026-03-01T11:00:00Z', 'user': 'svc', 'reason': 'sync'}
    return R.attach_showback(report, usage_rows)


def samples(text):
    """``{(sample name, frozenset of label items): value}`` as prometheus_client parses the text."""
    return dict(((sample.name, frozenset(sample.labels.items())), sample.value)
                for family in text_string_to_metric_families(text) for sample in family.samples)


def test_escape_label_and_help():
    assert M.escape_label('a\\b"c"\nd') == 'a\\\\b\\"c\\"\\nd'
    assert M.escape_label(None) == ''
    assert M.escape_help('x\\y\nz') == 'x\\\\y\\nz'
    assert [M.format_value(value) for value in (1.0, 0.95, 10 * TB, True, 1.5e20)] == [
        '1', '0.95', str(10 * TB), '1', '1.5e+20']


def test_hostile_title_round_trips_through_the_parser():
    title = 'Lab "x"\\ \n} # HELP evil 1'
    report = build([resource(1, 'ecs-east', [allocation(1, title, '10', 9.0, pi='o\'neil')], capacity_tb=50)])
    text = M.render_metrics(report)
    assert len([line for line in text.splitlines() if line.startswith('# HELP coldfront_ecs_allocation_usage')]) == 1
    labels = frozenset({'resource': 'ecs-east', 'allocation_id': '1', 'project': title, 'pi': 'o\'neil',
                        'namespace': report['allocations'][0]['namespace']}.items())
    assert samples(text)[('coldfront_ecs_allocation_usage_bytes', labels)] == 9 * TB


def test_names_units_and_values():
    report = build()
    parsed = samples(M.render_metrics(report))
    by_name = {}
    for (name, labels), value in parsed.items():
        by_name.setdefault(name, {})[dict(labels).get('allocation_id') or dict(labels).get('resource')] = value
    east = by_name['coldfront_ecs_resource_capacity_bytes']['ecs-east']
    assert east == 50 * TB and by_name['coldfront_ecs_resource_used_ratio']['ecs-east'] == 0.805
    assert by_name['coldfront_ecs_resource_overcommit_ratio']['ecs-east'] == 1.3
    assert by_name['coldfront_ecs_resource_last_sync_timestamp_seconds'] == {'ecs-east': NOW.timestamp() - 3600}
    assert by_name['coldfront_ecs_resource_stale'] == {'ecs-east': 0, 'ecs-west': 0}
    limits = by_name['coldfront_ecs_allocation_limit_bytes']
    assert limits['1'] == 10 * TB and '3' not in limits  # unlimited: no finite limit sample
    assert '9' not in limits and '10' not in limits  # no quota / invalid quota: no sample
    assert by_name['coldfront_ecs_allocation_used_ratio']['1'] == 0.9
    assert by_name['coldfront_ecs_allocation_usage_bytes']['8'] == round(1.2346 * TB)
    assert '7' not in by_name['coldfront_ecs_allocation_usage_bytes']  # no usage recorded
    assert by_name['coldfront_ecs_report_timestamp_seconds'] == {None: NOW.timestamp()}
    assert 'coldfront_ecs_allocation_time_to_full_seconds' not in by_name  # no forecast yet: no sample
    assert set(M.metric_names(report)) >= set(by_name)
    assert all(re.match(r'^coldfront_ecs_[a-z_]+(_bytes|_ratio|_seconds|_stale|_push|_per_second)$', name)
               for name in M.metric_names(report))


def test_forecast_fields_when_present():
    report = build()
    report['allocations'][0].update(growth_tb_per_day=0.5, days_until_full=2)
    report['allocations'][1]['forecast'] = {'growth_tb_per_day': 1, 'days_until_full': None}
    parsed = dict((dict(labels)['allocation_id'], value) for (name, labels), value in samples(
        M.render_metrics(report)).items() if name == 'coldfront_ecs_allocation_time_to_full_seconds')
    assert parsed == {'1': 2 * 86400}
    growth = [value for (name, _labels), value in samples(M.render_metrics(report)).items()
              if name == 'coldfront_ecs_allocation_growth_bytes_per_second']
    assert sorted(growth) == [round(0.5 * TB / 86400, 3), round(TB / 86400, 3)]


def test_tb_months_known_answers():
    start, end = NOW - 90 * DAY, NOW
    assert R.tb_months([], start, end, current=2) == 6  # 2 TB for 90 days = 6 TB-months
    assert R.tb_months([], start, end) == 0
    # in force before the window (3 TB), 6 TB from day 30 on: 3 x 30 + 6 x 60 = 450 TB-days = 15 TB-months
    assert R.tb_months([(start - 5 * DAY, 3), (start + 30 * DAY, 6)], start, end, current=6) == 15
    # created 15 days before the end with 4 TB: nothing before it
    assert R.tb_months([(end - 15 * DAY, 4)], start, end, current=4) == 2


def test_showback_totals_by_project_and_pi():
    east = resource(1, 'ecs-east', [allocation(1, 'Smith Lab', '10', 3.0, pi='smith'),
                                    allocation(2, 'Big Lab', '-1', 12.0, pi='smith')], capacity_tb=50)
    west_row = allocation(1, 'Smith Lab', '5', 1.0, pi='smith')
    west_row['attributes']['Storage Quota (TB)']['id'] = 3001
    west = resource(2, 'ecs-west', [west_row, allocation(4, 'Jones Lab', '8', 2.0, pi='jones')], capacity_tb=8)
    # allocation 1 on ecs-east: 1 TB in force at the window start, 3 TB for the last 30 days: 60 + 90 TB-days = 5
    rows = [(1001, NOW - 100 * DAY, 1.0), (1001, NOW - 30 * DAY, 3.0)]
    report = build([east, west], usage_rows=rows)
    projects = dict((item['project_id'], item) for item in report['showback']['projects'])
    smith = projects[101]
    assert (smith['resources'], smith['allocations'], smith['usage'], smith['limit'], smith['tb_months']) == (
        ['ecs-east', 'ecs-west'], 2, 4, 15, 8)  # 5 (history) + 1 TB x 3 months (no history on ecs-west)
    assert projects[102]['unlimited_allocations'] == 1 and projects[102]['tb_months'] == 36
    pis = dict((item['pi'], item) for item in report['showback']['pis'])
    assert (pis['smith']['projects'], pis['smith']['tb_months'], pis['jones']['tb_months']) == (2, 44, 6)
    assert report['showback']['month_days'] == 30
    lines = R.to_showback_csv(report).splitlines()
    assert lines[0].split(',') == list(R.SHOWBACK_COLUMNS)
    assert [line.split(',')[0] for line in lines[1:]] == ['project'] * 3 + ['pi'] * 2
    parsed = samples(M.render_metrics(report))
    assert parsed[('coldfront_ecs_pi_usage_bytes', frozenset({'pi': 'smith'}.items()))] == 16 * TB


def test_showback_csv_neutralises_formulas():
    report = build([resource(1, 'ecs-east', [allocation(1, '=cmd|x', '10', 1.0, pi='@pi')])])
    assert "'=cmd|x" in R.to_showback_csv(report) and "'@pi" in R.to_showback_csv(report)


def test_grafana_dashboard_queries_only_emitted_metrics():
    with open(DASHBOARD) as handle:
        dashboard = json.load(handle)
    emitted = set(M.metric_names(build()))
    queried = set()
    for panel in dashboard['panels']:
        for target in panel.get('targets', []):
            assert target['datasource'] == {'type': 'prometheus', 'uid': '${datasource}'}
            queried |= set(re.findall(r'\bcoldfront_ecs_[a-z_]+', target['expr']))
    assert queried and queried <= emitted, queried - emitted
    assert [item['name'] for item in dashboard['templating']['list'] if item['type'] == 'datasource'] == ['datasource']
    titles = ' '.join(panel['title'] for panel in dashboard['panels']).lower()
    for words in ('usage vs limit', 'top allocations', 'until full', 'last sync'):
        assert words in titles
