"""The report's charts against a real ColdFront with crafted history rows, drawn by headless Chromium: the SVG step
paths (usage and limit) are checked point by point against the history rows, on the chart's own scale.

Crafted: an allocation unchanged for 120 days (its value in force is carried into the 90-day window), a peak that
exceeded last week's lower limit (the limit drawn from its history, not today's), and a one-reading peak among many
readings thinned to a few points.
"""

import datetime
import json
import os
import re
import shutil

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import report_html as H
from integration.report.report_support import parse_html
from support.ansible_run import REPO, run_playbook

pytestmark = pytest.mark.coldfront

QUOTA = 'Storage Quota (TB)'
MAX_POINTS = 8
# (days ago, usage) and (days ago, limit) of the allocation whose peak went over last week's limit.
PEAK_USAGE = [(30, 2.0), (7, 10.5), (6, 8.0)]
PEAK_LIMITS = [(30, '10'), (3, '20')]
SPIKY = [(40 - index, 9.0 if index == 23 else 1.0 + (index % 2) / 2) for index in range(40)]  # one peak of 9
SHOTS = os.path.join(REPO, 'tests', 'output', 'report')


class Crafter:
    """Saves a ColdFront row and dates the history row the save wrote ``days`` ago (whole seconds)."""

    def __init__(self, site):
        self.models = site.orm()
        self.now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)

    def allocation(self, site, title, limit, usage):
        project = site.add_project(title, pi='achen')
        pk = site.add_allocation(project, ['ecs-east'], attributes={QUOTA: {'value': limit, 'usage': usage}})
        attribute = self.models.AllocationAttribute.objects.get(allocation_id=pk, allocation_attribute_type__name=QUOTA)
        return pk, attribute

    def date_all(self, row, key, days):
        """Date every history row of ``row`` so far (its creation) ``days`` ago."""
        when = self.now - datetime.timedelta(days=days)
        type(row).history.model.objects.filter(**{key: row.pk}).update(history_date=when)

    def save(self, row, key, field, value, days):
        setattr(row, field, value)
        row.save()
        newest = type(row).history.model.objects.filter(**{key: row.pk}).order_by('-history_id')[0]
        type(row).history.model.objects.filter(history_id=newest.history_id).update(
            history_date=self.now - datetime.timedelta(days=days))


def craft(site):
    """The three allocations; returns their ids and quota attribute ids."""
    crafter = Crafter(site)
    steady, steady_attribute = crafter.allocation(site, 'Steady Lab', '5', 2.5)
    crafter.date_all(steady_attribute, 'id', 120)
    crafter.date_all(steady_attribute.allocationattributeusage, 'allocation_attribute_id', 120)

    peak, peak_attribute = crafter.allocation(site, 'Peak Lab', PEAK_LIMITS[0][1], PEAK_USAGE[0][1])
    crafter.date_all(peak_attribute, 'id', PEAK_LIMITS[0][0])
    usage = peak_attribute.allocationattributeusage
    crafter.date_all(usage, 'allocation_attribute_id', PEAK_USAGE[0][0])
    for days, value in PEAK_USAGE[1:]:
        crafter.save(usage, 'allocation_attribute_id', 'value', value, days)
    for days, value in PEAK_LIMITS[1:]:
        crafter.save(peak_attribute, 'id', 'value', value, days)

    spiky, spiky_attribute = crafter.allocation(site, 'Spiky Lab', '12', SPIKY[0][1])
    crafter.date_all(spiky_attribute, 'id', 41)
    usage = spiky_attribute.allocationattributeusage
    crafter.date_all(usage, 'allocation_attribute_id', SPIKY[0][0])
    for days, value in SPIKY[1:]:
        crafter.save(usage, 'allocation_attribute_id', 'value', value, days)
    return {'steady': (steady, steady_attribute.pk), 'peak': (peak, peak_attribute.pk),
            'spiky': (spiky, spiky_attribute.pk)}


def history_steps(site, model, key, pk, start):
    """``(value in force at start or None, [(epoch, value)] in the window)`` read straight from ColdFront."""
    history = getattr(site.orm(), model).history.model
    rows = [(row.history_date, float(row.value)) for row in
            history.objects.filter(**{key: pk}).exclude(history_type='-').order_by('history_date', 'history_id')]
    before = [value for moment, value in rows if moment < start]
    return (before[-1] if before else None), [(moment.timestamp(), value) for moment, value in rows if moment >= start]


def expected_path(frame, start_value, readings):
    """``[(command, numbers)]`` the chart should draw: the same step rule, computed here from the scale constants."""
    left = H.MARGIN['left']
    width = H.CHART_WIDTH - H.MARGIN['left'] - H.MARGIN['right']
    height = H.CHART_HEIGHT - H.MARGIN['top'] - H.MARGIN['bottom']

    def x(seconds):
        return left + (seconds - frame[0]) / (frame[1] - frame[0]) * width

    def y(value):
        return H.MARGIN['top'] + height - value / frame[2] * height
    steps = ([(frame[0], start_value)] if start_value is not None else []) + list(readings)
    commands, last = [('M', [x(steps[0][0]), y(steps[0][1])])], steps[0][1]
    for seconds, value in steps[1:]:
        commands.append(('H', [x(seconds)]))
        if value != last:
            commands.append(('V', [y(value)]))
        last = value
    return commands + [('H', [x(frame[1])])]


def drawn_path(figure, series):
    d = figure.find('path', data_series=series).attrs['d']
    return [(command, [float(n) for n in numbers.split()]) for command, numbers in re.findall(r'([MHV])([^MHV]*)', d)]


def assert_same_path(drawn, expected):
    assert [command for command, _n in drawn] == [command for command, _n in expected], (drawn, expected)
    for (_c, got), (_e, want) in zip(drawn, expected):
        assert all(abs(a - b) <= 0.06 for a, b in zip(got, want)), (drawn, expected)


def test_charts_are_steps_drawn_from_the_history_rows(coldfront_site, chromium, tmp_path):
    site = coldfront_site
    ids = craft(site)
    output = tmp_path / 'reports'
    result = run_playbook('playbooks/report.yml', env=site.env, extra_vars={
        'ecs_report_output_dir': str(output), 'ecs_report_max_points': MAX_POINTS})
    assert result.rc == 0, result.output
    html_path = result.results('Write the usage report')[0]['files']['html']
    with open(os.path.join(os.path.dirname(html_path), 'report.json')) as handle:
        data = json.load(handle)
    page = parse_html(chromium.dump_dom('file://' + html_path))
    start = datetime.datetime.strptime(data['window']['start'], '%Y-%m-%dT%H:%M:%SZ').replace(
        tzinfo=datetime.timezone.utc)
    end = datetime.datetime.strptime(data['generated_at'], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)

    def figure(name):
        return page.find('figure', cls='allocation-chart', data_allocation_id=str(ids[name][0]))

    def check(name, series, model, key, pk, top):
        start_value, readings = history_steps(site, model, key, pk, start)
        drawn = drawn_path(figure(name), series)
        assert_same_path(drawn, expected_path((start.timestamp(), end.timestamp(), top), start_value, readings))
        return start_value, readings

    # Unchanged for 120 days: a flat line over the whole window at the value in force, the limit beside it.
    steady = figure('steady')
    assert not steady.find_all('p', cls='empty') and '2.5 of 5 TB (0 history rows)' in steady.find('figcaption').text()
    assert check('steady', 'usage', 'AllocationAttributeUsage', 'allocation_attribute_id', ids['steady'][1], 5) == (
        2.5, [])
    check('steady', 'limit', 'AllocationAttribute', 'id', ids['steady'][1], 5)
    assert not steady.find_all('circle', cls='pt')

    # Last week's 10.5 over the 10 TB limit of then: the limit line steps up to 20 only 3 days ago.
    _none, usage = check('peak', 'usage', 'AllocationAttributeUsage', 'allocation_attribute_id', ids['peak'][1], 20)
    _none, limits = check('peak', 'limit', 'AllocationAttribute', 'id', ids['peak'][1], 20)
    # (ColdFront writes a 0 usage row, then the usage, when the attribute is created: the same moment.)
    assert sorted(dict(usage).values(), key=[v for _d, v in PEAK_USAGE].index) == [v for _d, v in PEAK_USAGE]
    assert list(dict(limits).values()) == [float(value) for _d, value in PEAK_LIMITS]
    over = [(seconds, value) for seconds, value in usage if value > max(v for s, v in limits if s <= seconds)]
    assert [value for _s, value in over] == [10.5]
    assert figure('peak').find('text', cls='limit').text() == 'limit 20 TB'

    # 40 readings thinned to at most MAX_POINTS: the one-reading peak of 9 is drawn.
    spiky = figure('spiky')
    circles = spiky.find_all('circle', cls='pt')
    assert len(circles) <= MAX_POINTS and '9' in [circle.attrs['data-value'] for circle in circles]
    chart = [chart for chart in data['charts'] if chart['id'] == ids['spiky'][0]][0]
    assert chart['rows'] == len(SPIKY) + 1 and len(chart['points']) <= MAX_POINTS  # + the creation's 0 row
    thinned = [(datetime.datetime.strptime(moment, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
                .timestamp(), value) for moment, value in chart['points']]
    _none, readings = history_steps(site, 'AllocationAttributeUsage', 'allocation_attribute_id', ids['spiky'][1], start)
    assert set(thinned) <= set(readings) and max(readings, key=lambda r: r[1]) in thinned
    assert_same_path(drawn_path(spiky, 'usage'), expected_path((start.timestamp(), end.timestamp(), 20), None, thinned))

    # Time labels: distinct, and the x axis ends at the report time (the last tick at or before it).
    labels = [text.text() for text in steady.find_all('text', cls='tick')]
    assert len(labels) == len(set(labels)) >= 3
    # Top N by usage: the zero-usage allocations of the default site are not charted.
    charted = set(int(f.attrs['data-allocation-id']) for f in page.find_all('figure', cls='allocation-chart'))
    assert charted == set(row['id'] for row in data['allocations'] if row['usage'])

    shoot(chromium, html_path, tmp_path, site.kind)


def shoot(chromium, html_path, tmp_path, kind):
    """A small screenshot of the top allocation charts alone (the page's head, so its style and policy)."""
    with open(html_path) as handle:
        page = handle.read()
    section = re.search(r'<section id="top-charts">.*?</section>', page, re.S).group(0)
    small = tmp_path / 'charts.html'
    small.write_text(page[:page.index('<body>') + len('<body>')] + section + '</body></html>\n')
    png = chromium.screenshot('file://%s' % small, str(tmp_path / 'charts.png'), width=1100, height=680)
    with open(png, 'rb') as handle:
        assert handle.read(8) == b'\x89PNG\r\n\x1a\n'
    os.makedirs(SHOTS, exist_ok=True)
    shutil.copyfile(png, os.path.join(SHOTS, 'report-charts-%s.png' % kind))
