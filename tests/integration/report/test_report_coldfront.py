"""The usage report (playbooks/report.yml, role ecs_report, module coldfront_usage_report) against a real
ColdFront, opened in headless Chromium: the numbers shown are ColdFront's, the charts have one point per
history row in the window, the table sorts, and a screenshot is produced.
"""

import csv
import datetime
import json
import os
import re
import shutil
import subprocess

import pytest

from integration.report.report_support import parse_html, table_rows
from support.ansible_run import BIN, REPO, base_env, run_playbook

pytestmark = pytest.mark.coldfront

QUOTA = 'Storage Quota (TB)'
HOSTILE = '<script>alert("pwned")</script> & <b>Lab</b>'
SMITH_SYNCS = [(30, 3.0), (20, 4.5), (10, 6.25), (1, 9.5)]  # (days ago, usage): four syncs in the window
EAST_USED_SYNCS = [(5, '10'), (3, '11.5'), (1, '12.25')]
SCREENSHOTS = os.path.join(REPO, 'tests', 'output', 'report')


def _number(value):
    value = round(float(value), 4)
    return str(int(value)) if value.is_integer() else repr(value)


def _backdate(history, rows, ages):
    now = datetime.datetime.now(datetime.timezone.utc)
    for row, age in zip(rows, ages):
        history.objects.filter(history_id=row.history_id).update(history_date=now - datetime.timedelta(days=age))


def simulate_syncs(site):
    """Usage and resource values saved several times, as repeated syncs do (each save = one history row),
    dated over the last month; older rows are pushed out of the 90-day window.  Plus one exceeded
    allocation and one whose project title is hostile markup."""
    models = site.orm()
    smith = models.AllocationAttribute.objects.get(allocation_id=site.allocation_id('smith-east'),
                                                   allocation_attribute_type__name=QUOTA)
    usage = smith.allocationattributeusage
    for _age, value in SMITH_SYNCS:
        usage.value = value
        usage.save()
    history = models.AllocationAttributeUsage.history.model
    rows = list(history.objects.filter(allocation_attribute_id=smith.pk).order_by('history_id'))
    older = len(rows) - len(SMITH_SYNCS)
    _backdate(history, rows, [200 + index for index in range(older)] + [age for age, _value in SMITH_SYNCS])

    odd = models.AllocationAttribute.objects.get(allocation_id=site.allocation_id('odd-west'),
                                                 allocation_attribute_type__name=QUOTA).allocationattributeusage
    odd.value = 6.0  # limit 5: exceeded
    odd.save()

    site.add_resource_attributes('ecs-east', {'used_tb': EAST_USED_SYNCS[0][1]})
    used = models.ResourceAttribute.objects.get(resource__name='ecs-east', resource_attribute_type__name='used_tb')
    for _age, value in EAST_USED_SYNCS[1:]:
        used.value = value
        used.save()
    history = models.ResourceAttribute.history.model
    _backdate(history, history.objects.filter(id=used.pk).order_by('history_id'), [age for age, _v in EAST_USED_SYNCS])

    project = site.add_project(HOSTILE, pi='achen')
    return site.add_allocation(project, ['ecs-west'], attributes={QUOTA: {'value': '8', 'usage': 7.5}})


def coldfront_truth(site):
    """``{allocation id: (resource, limit, usage)}`` of the Active allocations on ECS resources, and
    ``{resource: {attribute: value}}``, read straight from ColdFront's models (not through the collection)."""
    models = site.orm()
    allocations = {}
    for attribute in (models.AllocationAttribute.objects
                      .filter(allocation_attribute_type__name=QUOTA, allocation__status__name='Active',
                              allocation__resources__name__icontains='ecs')
                      .select_related('allocationattributeusage').prefetch_related('allocation__resources')):
        resource = [r.name for r in attribute.allocation.resources.all() if 'ecs' in r.name.lower()][0]
        allocations[attribute.allocation_id] = (resource, float(attribute.value),
                                                float(attribute.allocationattributeusage.value))
    resources = dict((name, site.resource_attributes(name)) for name in ('ecs-east', 'ecs-west', 'ECS-Archive'))
    return allocations, resources


def history_rows_in_window(site, allocation_id, start):
    models = site.orm()
    return (models.AllocationAttributeUsage.history
            .filter(allocation_attribute__allocation_id=allocation_id, history_date__gte=start,
                    allocation_attribute__allocation_attribute_type__name=QUOTA)
            .exclude(history_type='-').count())


def expected_order(rows, key, descending):
    """Stable sort like the page's script: missing values last in either direction."""
    present = [row for row in rows if row[key] is not None]
    missing = [row for row in rows if row[key] is None]
    return [row['id'] for row in sorted(present, key=lambda row: row[key], reverse=descending)] + [row['id'] for row in missing]


def check_clicks_and_policy(chromium, html_path, tmp_path, data):
    """Header clicks sort (first click largest first, second click reverses); an injected script is blocked."""
    with open(html_path) as handle:
        page = handle.read()
    policy = re.search(r'<meta http-equiv="Content-Security-Policy"[^>]*>', page).group(0)
    clicks = ("<script>var b = document.querySelector('th[data-sort=\"percent\"] button'); b.click(); "
              "document.body.setAttribute('data-first', document.getElementById('allocation-table')"
              ".getAttribute('data-sorted-by')); b.click();</script></body>")
    injected = page.replace('</body>', clicks)
    blocked = tmp_path / 'with-policy.html'
    blocked.write_text(injected)
    body = parse_html(chromium.dump_dom('file://%s' % blocked)).find('body')
    assert 'data-first' not in body.attrs  # the policy stops any script but the page's own
    allowed = tmp_path / 'without-policy.html'
    allowed.write_text(injected.replace(policy, ''))
    dom = parse_html(chromium.dump_dom('file://%s' % allowed))
    assert dom.find('body').attrs['data-first'] == 'percent:desc'
    assert dom.find('table', id='allocation-table').attrs['data-sorted-by'] == 'percent:asc'
    shown = [int(row.attrs['data-id']) for row, _cells in table_rows(dom, 'allocation-table')]
    assert shown == expected_order(data['allocations'], 'percent', False)


def test_report_shows_coldfront_numbers_and_history(coldfront_site, chromium, tmp_path):
    site = coldfront_site
    hostile_id = simulate_syncs(site)
    before = site.history_counts()
    output = tmp_path / 'reports'

    result = run_playbook('playbooks/report.yml', env=site.env, extra_vars={'ecs_report_output_dir': str(output)})
    assert result.rc == 0, result.output
    assert site.history_counts() == before  # read-only: not one history row written
    written = result.results('Write the usage report')[0]
    assert written['changed'] is True
    html_path = written['files']['html']
    report_dir = os.path.dirname(html_path)
    assert os.path.realpath(str(output / 'latest')) == report_dir
    assert sorted(os.listdir(report_dir)) == ['report.csv', 'report.html', 'report.json']
    assert oct(os.stat(html_path).st_mode & 0o777) == '0o640'
    assert result.custom_stats['_run']['ecs_report_dir'] == report_dir

    with open(os.path.join(report_dir, 'report.json')) as handle:
        data = json.load(handle)
    page = parse_html(chromium.dump_dom('file://' + html_path))
    allocations, resources = coldfront_truth(site)

    # Only the page's own script exists: the hostile title is text.
    assert len(page.find_all('script')) == 1
    rows = dict((row.attrs['data-id'], (row, cells)) for row, cells in table_rows(page, 'allocation-table'))
    assert sorted(rows) == sorted(str(pk) for pk in allocations)
    for pk, (resource, limit, usage) in allocations.items():
        row, cells = rows[str(pk)]
        assert cells[0] == resource and cells[4] == _number(usage) and cells[5] == _number(limit)
        assert cells[6] == _number(limit)                      # whole-GB limits: enforced as requested
        assert cells[8] == _number(round(usage / limit * 100, 2)) + '%'
    assert rows[str(hostile_id)][1][2] == HOSTILE
    assert rows[str(site.allocation_id('smith-east'))][0].classes == ['level-warning']      # 9.5 of 10
    assert rows[str(site.allocation_id('odd-west'))][0].classes == ['level-exceeded']       # 6 of 5
    assert rows[str(hostile_id)][0].classes == ['level-warning']                            # 7.5 of 8
    assert rows[str(site.allocation_id('jones-east'))][0].classes == []

    # Resources: capacity and used from the resource attributes, allocated = sum of the Active limits.
    resource_cells = dict((cells[0], cells) for _row, cells in table_rows(page, 'resource-table'))
    assert resources['ecs-east']['capacity_tb'] == '500' and resources['ecs-east']['used_tb'] == '12.25'
    east_allocated = sum(limit for resource, limit, _u in allocations.values() if resource == 'ecs-east')
    assert resource_cells['ecs-east'][1:6] == ['500', '12.25', '2.45%', _number(east_allocated),
                                               _number(east_allocated / 500 * 100) + '%']
    west_used = sum(usage for resource, _l, usage in allocations.values() if resource == 'ecs-west')
    assert resource_cells['ecs-west'][1:4] == ['\u2014', _number(west_used), '\u2014']

    # Charts: one point per history row in the window.
    smith = page.find('figure', cls='allocation-chart', data_allocation_id=str(site.allocation_id('smith-east')))
    assert [circle.attrs['data-value'] for circle in smith.find_all('circle', cls='pt')] == [
        _number(value) for _age, value in SMITH_SYNCS]
    start = datetime.datetime.strptime(data['window']['start'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    charts = page.find_all('figure', cls='allocation-chart')
    assert len(charts) == len([pk for pk, (_r, _l, usage) in allocations.items() if usage])  # zero usage: no chart
    for figure in charts:
        assert len(figure.find_all('circle', cls='pt')) == history_rows_in_window(
            site, int(figure.attrs['data-allocation-id']), start), figure.attrs
    east = page.find('figure', cls='resource-chart', data_resource='ecs-east')
    assert [circle.attrs['data-value'] for circle in east.find_all('circle', data_series='used')] == [
        value for _age, value in EAST_USED_SYNCS]

    # The JSON and CSV exports hold the numbers the page shows.
    for entry in data['allocations']:
        cells = rows[str(entry['id'])][1]
        assert [cells[4], cells[5]] == [_number(entry['usage']), _number(entry['limit'])]
    with open(os.path.join(report_dir, 'report.csv')) as handle:
        exported = [row for row in csv.DictReader(handle) if row['kind'] == 'allocation']
    assert sorted((row['allocation_id'], row['usage_tb'], row['limit_tb'], row['percent']) for row in exported) == sorted(
        (key, cells[4], cells[5], cells[8].rstrip('%')) for key, (_row, cells) in rows.items())

    # Sorting, done by the page's script in Chromium.
    for key, direction in (('percent', 'desc'), ('usage', 'asc'), ('limit', 'desc')):
        sorted_page = parse_html(chromium.dump_dom('file://%s#sort=%s:%s' % (html_path, key, direction)))
        assert sorted_page.find('table', id='allocation-table').attrs['data-sorted-by'] == '%s:%s' % (key, direction)
        shown = [int(row.attrs['data-id']) for row, _cells in table_rows(sorted_page, 'allocation-table')]
        assert shown == expected_order(data['allocations'], key, direction == 'desc'), key
        header = sorted_page.find('th', data_sort=key)
        assert header.attrs['aria-sort'] == ('descending' if direction == 'desc' else 'ascending')

    check_clicks_and_policy(chromium, html_path, tmp_path, data)

    # A screenshot of the page (kept in tests/output/report for people to look at).
    png = chromium.screenshot('file://' + html_path, str(tmp_path / 'report.png'))
    with open(png, 'rb') as handle:
        content = handle.read()
    assert content.startswith(b'\x89PNG\r\n\x1a\n') and len(content) > 20000
    os.makedirs(SCREENSHOTS, exist_ok=True)
    shutil.copyfile(png, os.path.join(SCREENSHOTS, 'report-%s.png' % site.kind))


def test_check_mode_writes_nothing(coldfront_site, tmp_path):
    output = tmp_path / 'reports'
    result = run_playbook('playbooks/report.yml', env=coldfront_site.env, check=True,
                          extra_vars={'ecs_report_output_dir': str(output)})
    assert result.rc == 0, result.output
    written = result.results('Write the usage report')[0]
    assert written['changed'] is True and written['summary']['totals']['allocations'] == 4
    assert not output.exists()


def test_collection_playbook_by_name_and_options(coldfront_site, tmp_path):
    """``ansible-playbook hpc.coldfront_ecs.report`` with an env file, one resource, JSON only, keeping 2 reports."""
    output = tmp_path / 'reports'
    for name in ('20000101T000000Z', '20000102T000000Z', 'notes'):
        (output / name).mkdir(parents=True)
    for name in ('20000101T000000Z', '20000102T000000Z'):     # reports (empty directories do not count as reports)
        (output / name / 'report.json').write_text('{}')
    env = base_env()
    for name in ('DB_URL', 'COLDFRONT_ENV', 'SECRET_KEY'):
        env.pop(name, None)
    proc = subprocess.run(
        [os.path.join(BIN, 'ansible-playbook'), 'hpc.coldfront_ecs.report', '-e', json.dumps({
            'ecs_report_output_dir': str(output), 'ecs_report_formats': ['json'], 'ecs_report_keep': 2,
            'ecs_report_selection': {'names': ['ecs-east']}, 'coldfront_ecs_env_file': coldfront_site.env_file})],
        cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    latest = os.path.basename(os.path.realpath(str(output / 'latest')))
    # The oldest report directory went; the other one, the new one and what the role did not make stay.
    assert sorted(os.listdir(str(output))) == sorted(['20000102T000000Z', latest, 'latest', 'notes'])
    assert os.listdir(str(output / 'latest')) == ['report.json']
    with open(str(output / 'latest' / 'report.json')) as handle:
        data = json.load(handle)
    assert [entry['name'] for entry in data['resources']] == ['ecs-east']
    assert data['coldfront'] == {'version': '1.1.10'}


def test_constant_number_of_queries(coldfront_site):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report import report_options
    from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.report_data import collect_report

    site = coldfront_site
    models = site.orm()

    def count():
        with CaptureQueriesContext(connection) as queries:
            report = collect_report(report_options(top=50), selection={'name_contains': 'ecs'})
        return len(queries), report

    small, report = count()
    made = site.generate(120, resources=2)
    for usage in models.AllocationAttributeUsage.objects.filter(
            allocation_attribute__allocation_id__in=made['allocations'][:30]):
        for value in (1000.0, 1001.0):  # the largest usage: these are charted
            usage.value = value
            usage.save()
    large, big = count()
    assert small == large == 9  # read model 5, resource history, usage history, limit history, last sync
    assert big['totals']['allocations'] == report['totals']['allocations'] + 120
    assert len(big['charts']) == 50 and sum(chart['rows'] for chart in big['charts']) >= 60


def test_bad_options_fail_clearly(coldfront_site, tmp_path):
    tasks = [
        {'name': 'Percent instead of a fraction', 'ignore_errors': True,
         'hpc.coldfront_ecs.coldfront_usage_report': {'threshold': 90, 'dest': str(tmp_path / 'r')}},
        {'name': 'Unknown selection key', 'ignore_errors': True,
         'hpc.coldfront_ecs.coldfront_usage_report': {'selection': {'nmae': 'ecs'}}},
        {'name': 'Data only', 'hpc.coldfront_ecs.coldfront_usage_report': {'top': 0}},
    ]
    result = run_playbook([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}], env=coldfront_site.env)
    assert result.rc == 0, result.output
    assert [event['status'] for event in result.events] == ['ignored', 'ignored', 'ok']
    percent, unknown = result.results('Percent instead of a fraction')[0], result.results('Unknown selection key')[0]
    assert percent['msg'] == 'invalid report option: default threshold must be a fraction in (0, 1] (0.9 = 90 %), got 90.0'
    assert 'unknown selection key(s) nmae' in unknown['msg']
    data = result.results('Data only')[0]
    assert data['changed'] is False and data['dest'] is None and 'files' not in data
    assert data['report']['charts'] == [] and len(data['report']['allocations']) == 4
    assert not (tmp_path / 'r').exists()
