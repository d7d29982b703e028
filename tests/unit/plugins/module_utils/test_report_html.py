"""The usage report page (plugins/module_utils/_rules/report_html.py): self-contained, escaped, sortable, highlighted."""

import base64
import datetime
import hashlib
import re

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import report as R, report_html as H
from integration.report.report_support import NOW, parse_html, sample_resources, table_rows


def make_report(resources=None, resource_rows=(), usage_rows=(), **options):
    report = R.summarize(sample_resources() if resources is None else resources, R.report_options(**options), NOW)
    return R.attach_history(report, list(resource_rows), list(usage_rows))


def render(report):
    text = H.render_html(report)
    return text, parse_html(text)


def _at(days):
    return NOW - datetime.timedelta(days=days)


def test_untrusted_text_is_escaped_and_only_our_script_exists():
    text, page = render(make_report())
    assert '<script>alert' not in text
    scripts = page.find_all('script')
    assert len(scripts) == 1 and scripts[0].text() == ' '.join(H.SCRIPT.split())
    row = page.find('tr', data_id='2')
    assert row.attrs['data-project'] == '<script>alert("x")</script> Lab'  # an attribute value, parsed back intact
    assert '<script>alert("x")</script> Lab' in [cell.text() for cell in row.find_all('td')]
    # The alert message names the namespace (a slug); the title shows in the chart caption, escaped too.
    assert page.find('figure', data_allocation_id='2').find('figcaption').text().startswith('<script>alert("x")</script> Lab')


def test_self_contained_with_a_strict_content_security_policy():
    text, page = render(make_report())
    for node in page.iter():
        assert not set(node.attrs) & {'src', 'href', 'srcset', 'action', 'poster', 'data'}, node
        assert node.tag not in ('link', 'img', 'iframe', 'object', 'embed', 'base')
    # The only URLs: the SVG namespace and the hostile project title's (escaped text, not a link).
    assert set(re.findall(r'https?://[a-z0-9./]+', text)) == {'http://www.w3.org/2000/svg', 'http://x'}
    assert 'url(' not in text and '@import' not in text and '@font-face' not in text
    policy = page.find('meta', http_equiv='Content-Security-Policy').attrs['content']
    assert policy.startswith("default-src 'none';")

    def digest(body):
        return "'sha256-%s'" % base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
    style, script = page.find('style').children[0], page.find('script').children[0]
    assert "style-src %s;" % digest(style) in policy and "script-src %s;" % digest(script) in policy


def test_resource_table_shows_capacity_used_allocated_and_overcommit():
    _text, page = render(make_report())
    rows = table_rows(page, 'resource-table')
    east, west = [cells for _row, cells in rows]
    assert east[:6] == ['ecs-east', '50', '40.25', '80.5%', '65', '130% overcommitted']
    assert west[:6] == ['ecs-west', '8', '2.2346', '27.93%', '4', '50%']
    assert rows[0][0].find('svg', cls='bar')  # used / allocated against capacity


def fields(row, *names):
    """The text of the cells with these ``data-field`` names."""
    return [row.find('td', data_field=name).text() for name in names]


def test_allocation_rows_carry_sort_keys_and_levels():
    _text, page = render(make_report())
    rows = dict((row.attrs['data-id'], (row, cells)) for row, cells in table_rows(page, 'allocation-table'))
    row, cells = rows['1']
    assert (row.attrs['data-usage'], row.attrs['data-limit'], row.attrs['data-percent']) == ('9', '10', '90')
    assert row.classes == ['level-warning']
    assert fields(row, 'usage', 'limit', 'enforced', 'agreed', 'percent') == ['9', '10', '10', '\u2014', '90%']
    assert row.find('span', cls='warning').text() == 'over threshold'
    assert row.find('td', data_field='status').attrs['data-quota-state'] == 'not_agreed'  # no Quota_In_Bytes here
    row, cells = rows['2']
    assert row.classes == ['level-exceeded'] and fields(row, 'usage', 'limit', 'percent') == ['25', '20', '125%']
    row, cells = rows['3']  # unlimited: largest limit when sorting, no percentage
    assert (row.attrs['data-limit'], row.attrs['data-percent']) == ('Infinity', '')
    assert fields(row, 'limit', 'enforced', 'percent') == ['unlimited', 'unlimited', '\u2014']
    row, cells = rows['4']  # limit 0 with usage: infinitely over
    assert (row.attrs['data-percent'], row.classes, fields(row, 'percent')) == ('Infinity', ['level-exceeded'], ['\u2014'])
    row, cells = rows['5']
    assert (row.attrs['data-percent'], fields(row, 'percent'), row.classes) == ('0', ['0%'], [])
    row, cells = rows['7']  # no usage recorded
    assert (row.attrs['data-usage'], fields(row, 'usage')) == ('', ['\u2014'])
    row, cells = rows['9']  # no quota attribute: invalid data, flagged, never unlimited
    assert fields(row, 'limit', 'enforced') == ['\u2014', '\u2014'] and row.classes == ['level-invalid']
    assert row.find('span', cls='badge', title='no Storage Quota (TB) attribute')
    assert fields(rows['8'][0], 'usage') == ['1.2346']


def test_headers_sort_by_usage_limit_and_percent():
    text, page = render(make_report())
    headers = dict((th.attrs['data-sort'], th) for th in page.find('table', id='allocation-table').find_all('th')
                   if 'data-sort' in th.attrs)
    for key in ('usage', 'limit', 'percent'):
        assert (headers[key].attrs['data-type'], headers[key].attrs['data-first']) == ('number', 'desc')
        assert headers[key].find('button')
    assert headers['project'].attrs['data-type'] == 'text'
    assert "#sort=" in H.SCRIPT and 'addEventListener(\'click\'' in H.SCRIPT
    assert not page.find_all('table', data_sorted_by='usage:desc')  # only the script sets it
    assert 'aria-sort="none"' in text


def test_charts_have_one_point_per_history_row():
    resource_rows = [(1, 'used_tb', _at(3), '38'), (1, 'used_tb', _at(1), '40.25'), (1, 'allocated_tb', _at(2), '65')]
    usage_rows = [(1002, _at(day), float(day)) for day in range(1, 8)] + [(1003, _at(1), 12.0)]
    _text, page = render(make_report(resource_rows=resource_rows, usage_rows=usage_rows, top=3))
    east = page.find('figure', cls='resource-chart', data_resource='ecs-east')
    assert len(east.find_all('circle', cls='pt', data_series='used')) == 2
    assert len(east.find_all('circle', cls='pt', data_series='allocated')) == 1
    assert [c.attrs['data-value'] for c in east.find_all('circle', data_series='used')] == ['38', '40.25']
    assert east.find('line', cls='ref-capacity') and '(3 history rows)' in east.find('figcaption').text()
    west = page.find('figure', cls='resource-chart', data_resource='ecs-west')
    assert west.find('p', cls='empty').text() == 'No history of capacity, used, allocated in the last 90 days.'
    charts = page.find_all('figure', cls='allocation-chart')
    assert [figure.attrs['data-allocation-id'] for figure in charts] == ['2', '3', '1']
    assert len(charts[0].find_all('circle', cls='pt')) == 7 and charts[0].find('path', cls='s-usage')
    assert charts[0].find('path', cls='ref-limit') and charts[0].find('text', cls='ref-label').text() == 'limit 20 TB'
    assert len(charts[1].find_all('circle', cls='pt')) == 1 and not charts[1].find_all('path', cls='ref-limit')  # unlimited
    assert charts[2].find('p', cls='empty').text() == 'No usage history in the last 90 days.'
    assert page.find('section', id='top-charts').find('h2').text() == 'Top 3 allocations by usage'


def test_points_stay_inside_the_plot_area():
    usage_rows = [(1002, _at(day), value) for day, value in ((9, 0.0), (5, 31.7), (1, 25.0))]
    _text, page = render(make_report(usage_rows=usage_rows, top=1))
    for circle in page.find('figure', cls='allocation-chart').find_all('circle', cls='pt'):
        x, y = float(circle.attrs['cx']), float(circle.attrs['cy'])
        assert H.MARGIN['left'] <= x <= H.CHART_WIDTH - H.MARGIN['right']
        assert H.MARGIN['top'] <= y <= H.CHART_HEIGHT - H.MARGIN['bottom']
    assert [H.nice_ceiling(v) for v in (0, 0.3, 1, 7, 31.7, 120, 2500)] == [1, 0.5, 1, 10, 50, 200, 2500]


def test_alerts_warnings_and_header():
    report = make_report(threshold_overrides={'ecs-west': 0.8})
    report['coldfront'] = {'version': '1.1.10'}
    _text, page = render(report)
    items = page.find('ul', cls='alerts').find_all('li')
    assert [item.classes for item in items] == [['exceeded'], ['exceeded'], ['warning']]
    assert items[2].text() == report['alerts'][2]['message']
    assert len(page.find('ul', cls='warnings').find_all('li')) == 2
    meta = page.find('p', cls='meta').text()
    assert 'from ColdFront 1.1.10' in meta and 'threshold 90% (ecs-west: 80%)' in meta and '3 alerts (2 exceeded)' in meta


def test_empty_report_renders():
    _text, page = render(make_report([]))
    assert page.find('section', id='resources').find('p', cls='empty').text() == 'No resource matched the selection.'
    assert page.find('table', id='allocation-table').find('td', cls='empty')
    assert page.find('section', id='alerts').find('p', cls='empty')
    assert not page.find_all('ul', cls='warnings')
