# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The usage report (:mod:`report`) as ONE self-contained HTML page.

Inline CSS, inline JavaScript (table sorting) and inline SVG charts: the page fetches nothing when it
is opened, and its Content-Security-Policy forbids it to (``default-src 'none'``; the one script and
the one style sheet are allowed by their SHA-256 hashes, so injected markup could not run either).
Every ColdFront string is escaped.  Numbers are the report's (already rounded), printed without
trailing zeros, so the page shows exactly what the JSON and CSV exports hold.

Sorting: click a column header (first click: largest first), or open the page with
``#sort=<key>:<asc|desc>`` (``usage``, ``limit``, ``percent``, ``resource``, ``id``, ``project``,
``namespace``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import hashlib
import math

from html import escape

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report import SERIES, number_text, parse_iso
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.units import UNLIMITED

CHART_WIDTH, CHART_HEIGHT = 640, 240
MARGIN = {'left': 56, 'right': 40, 'top': 14, 'bottom': 34}
SERIES_LABELS = {'capacity': 'capacity', 'used': 'used', 'allocated': 'allocated', 'usage': 'usage', 'limit': 'limit'}
LEVEL_TEXT = {'warning': 'over threshold', 'exceeded': 'exceeded', 'invalid': 'invalid data'}
STATE_TEXT = {'agreed': 'agreed', 'pending_push': 'pending push', 'not_agreed': 'not agreed'}
DASH = '\u2014'

STYLE = '''
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dee7;--bg:#fff;--head:#f4f6f9;--warn:#fff1c2;--warn-b:#c99400;
--bad:#fddcdc;--bad-b:#c62828;--used:#1f6feb;--allocated:#8250df;--capacity:#2da44e;--usage:#1f6feb;--limit:#c62828}
*{box-sizing:border-box}
body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:var(--fg);background:var(--bg)}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
.meta{color:var(--muted);margin:0}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--head);font-weight:600;white-space:nowrap}
td.num,th.num{text-align:right}
th button{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer}
th button::after{content:" \\2195";color:var(--muted)}
th[aria-sort=ascending] button::after{content:" \\2191";color:var(--fg)}
th[aria-sort=descending] button::after{content:" \\2193";color:var(--fg)}
tr.level-warning td{background:var(--warn)}
tr.level-warning td:first-child{box-shadow:inset 4px 0 var(--warn-b)}
tr.level-exceeded td{background:var(--bad);font-weight:600}
tr.level-exceeded td:first-child{box-shadow:inset 6px 0 var(--bad-b)}
.badge{display:inline-block;white-space:nowrap;padding:0 6px;border-radius:8px;font-size:12px;font-weight:600}
.badge.warning{background:var(--warn-b);color:#fff}.badge.exceeded{background:var(--bad-b);color:#fff}
.badge.over{background:var(--allocated);color:#fff}.badge.invalid{background:#6e7781;color:#fff}
.badge.pending_push,.badge.not_agreed{background:var(--warn);color:var(--fg);border:1px solid var(--warn-b)}
tr.level-invalid td{background:#eef0f3;font-style:italic}.stale{color:var(--bad-b);font-weight:600}
.who{display:block;color:var(--muted);font-size:12px}
.alerts li.exceeded{color:var(--bad-b);font-weight:600}
.notes{color:var(--muted)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px}
figcaption{font-weight:600;margin-bottom:4px}figcaption span{font-weight:400;color:var(--muted)}
svg.chart{width:100%;height:auto;display:block}
svg text{font-size:11px;fill:var(--muted)}
.axis{stroke:#9aa3b2;stroke-width:1}.grid{stroke:var(--line);stroke-width:1}
.series{fill:none;stroke-width:2}
.s-used,.s-usage{stroke:var(--used);fill:var(--used)}.s-allocated{stroke:var(--allocated);fill:var(--allocated)}
.s-capacity{stroke:var(--capacity);fill:var(--capacity)}
path.series{fill:none}.s-limit{stroke:var(--limit)}
.ref{stroke-dasharray:6 4;stroke-width:1.5}.ref-limit{stroke:var(--limit)}.ref-capacity{stroke:var(--capacity)}
text.ref-label{fill:var(--limit)}text.ref-label.capacity{fill:var(--capacity)}
.legend{display:flex;gap:14px;font-size:12px;color:var(--muted);margin-top:2px}
.legend i{display:inline-block;width:12px;height:3px;margin-right:4px;vertical-align:middle}
.legend .used i,.legend .usage i{background:var(--used)}.legend .allocated i{background:var(--allocated)}
.legend .capacity i{background:var(--capacity)}.legend .limit i{background:var(--limit)}
.empty{color:var(--muted);font-style:italic}
svg.bar{vertical-align:middle;margin-left:6px}
.bar-bg{fill:#e8ebf0}.bar-used{fill:var(--used)}.bar-over{fill:var(--bad-b)}.bar-alloc{stroke:var(--allocated);stroke-width:2}
footer{margin-top:32px;color:var(--muted);font-size:12px}
@media print{body{padding:0}.charts{display:block}figure{break-inside:avoid;margin-bottom:8px}}
'''

SCRIPT = '''
(function () {
  'use strict';
  var table = document.getElementById('allocation-table');
  if (!table || !table.tBodies.length) { return; }
  var body = table.tBodies[0];
  function read(row, key, type) {
    var raw = row.getAttribute('data-' + key);
    if (raw === null || raw === '') { return null; }
    if (type === 'number') { var n = Number(raw); return isNaN(n) ? null : n; }
    return raw.toLowerCase();
  }
  function sortBy(key, direction) {
    var header = table.querySelector('th[data-sort="' + key + '"]');
    if (!header || (direction !== 'asc' && direction !== 'desc')) { return false; }
    var type = header.getAttribute('data-type');
    var sign = direction === 'asc' ? 1 : -1;
    var rows = Array.prototype.slice.call(body.rows).filter(function (row) { return row.hasAttribute('data-id'); });
    rows.sort(function (a, b) {
      var x = read(a, key, type), y = read(b, key, type);
      if (x === null || y === null) { return x === y ? 0 : (x === null ? 1 : -1); }
      return x < y ? -sign : (x > y ? sign : 0);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.querySelectorAll('th[data-sort]'), function (th) {
      th.setAttribute('aria-sort', th === header ? (direction === 'asc' ? 'ascending' : 'descending') : 'none');
    });
    table.setAttribute('data-sorted-by', key + ':' + direction);
    return true;
  }
  Array.prototype.forEach.call(table.querySelectorAll('th[data-sort] button'), function (button) {
    button.addEventListener('click', function () {
      var th = button.parentNode, state = th.getAttribute('aria-sort');
      var direction = state === 'descending' ? 'asc' : (state === 'ascending' ? 'desc' : th.getAttribute('data-first'));
      var key = th.getAttribute('data-sort');
      sortBy(key, direction);
      try { history.replaceState(null, '', '#sort=' + key + ':' + direction); } catch (ignore) { /* file: URLs */ }
    });
  });
  function fromHash() {
    var match = /^#sort=([a-z_]+):(asc|desc)$/.exec(window.location.hash);
    if (match) { sortBy(match[1], match[2]); }
  }
  window.addEventListener('hashchange', fromHash);
  fromHash();
}());
'''

# (key, header, type, first direction, numeric column)
COLUMNS = (
    ('resource', 'Resource', 'text', 'asc', False),
    ('id', 'Allocation', 'number', 'asc', True),
    ('project', 'Project', 'text', 'asc', False),
    ('namespace', 'Namespace', 'text', 'asc', False),
    ('usage', 'Usage (TB)', 'number', 'desc', True),
    ('limit', 'Requested (TB)', 'number', 'desc', True),
    ('enforced', 'Enforced (TB)', 'number', 'desc', True),
    ('agreed', 'Agreed (TB)', 'number', 'desc', True),
    ('percent', 'Used % of enforced', 'number', 'desc', True),
)


def _hash(text):
    return "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode('ascii')


CSP = "default-src 'none'; style-src %s; script-src %s; img-src data:; base-uri 'none'; form-action 'none'" % (
    _hash(STYLE), _hash(SCRIPT))


def esc(value):
    """Text for HTML content and attribute values (quotes escaped too)."""
    return escape('' if value is None else str(value), quote=True)


def _attrs(**attributes):
    """`` key="value"`` pairs (``data_x`` -> ``data-x``; None values left out), escaped."""
    return ''.join(' %s="%s"' % (key.rstrip('_').replace('_', '-'), esc(value))
                   for key, value in sorted(attributes.items()) if value is not None)


def tb_text(value, unlimited='unlimited'):
    """A report TB number for people: ``unlimited`` for -1, a dash for None."""
    if value == UNLIMITED:
        return unlimited
    return number_text(value, none=DASH)


def percent_text(value):
    return DASH if value is None else number_text(value) + '%'


# ---- SVG charts ----------------------------------------------------------------------------------
def nice_ceiling(value):
    """The smallest of 1, 2, 2.5, 5 x 10^k that is >= ``value`` (1 for nothing to show)."""
    if value is None or value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10 * power


MINUTE, HOUR, DAY = 60, 3600, 86400
# Tick spacings, finest first: seconds (minutes to weeks) or ('months', n).
TICK_STEPS = tuple(n * MINUTE for n in (1, 2, 5, 10, 15, 30)) + tuple(n * HOUR for n in (1, 2, 3, 6, 12)) + tuple(
    n * DAY for n in (1, 2, 7, 14)) + tuple(('months', n) for n in (1, 2, 3, 6, 12, 24, 60, 120))
MAX_TICKS = 7


def _month_ticks(start, end, months):
    """Epoch seconds of the first days of every ``months``-th month (UTC, counted from year 0) in [start, end]."""
    moment = _from_epoch(start)
    index = moment.year * 12 + moment.month - 1
    index += -index % months
    ticks = []
    while True:
        tick = datetime.datetime(index // 12, index % 12 + 1, 1, tzinfo=datetime.timezone.utc).timestamp()
        if tick < start:
            index += months
            continue
        if tick > end:
            return ticks
        ticks.append(tick)
        index += months


def _tick_format(step, ticks):
    """The strftime format for labels ``step`` apart: fine enough to tell them apart, no finer."""
    if isinstance(step, tuple):
        return '%Y' if step[1] % 12 == 0 else '%Y-%m'
    if step >= DAY:
        return '%Y-%m-%d'
    days = set(_from_epoch(tick).date() for tick in ticks)
    return '%H:%M' if len(days) == 1 else '%m-%d %H:%M'


def time_ticks(start, end, most=MAX_TICKS):
    """``[(epoch seconds, label)]``: ticks between ``start`` and ``end`` (epoch seconds) at the finest spacing of
    :data:`TICK_STEPS` giving at most ``most`` of them, aligned to whole minutes/hours/days/months in UTC, each
    label distinct."""
    if end <= start:
        return [(start, _from_epoch(start).strftime('%Y-%m-%d %H:%M'))]
    for step in TICK_STEPS:
        if isinstance(step, tuple):
            ticks = _month_ticks(start, end, step[1])
        else:
            ticks = [tick * step for tick in range(int(math.ceil(start / step)), int(math.floor(end / step)) + 1)]
        if len(ticks) <= most:
            break
    fmt = _tick_format(step, ticks)
    return [(tick, _from_epoch(tick).strftime(fmt)) for tick in ticks]


def _coordinate(number):
    return ('%.1f' % number).rstrip('0').rstrip('.')


class Frame:
    """Scales from (epoch seconds, value) to SVG coordinates for one chart: x from ``start`` to ``end``, y from 0
    to the :func:`nice_ceiling` of the largest value."""

    def __init__(self, start, end, values):
        self.left, self.top = MARGIN['left'], MARGIN['top']
        self.width = CHART_WIDTH - MARGIN['left'] - MARGIN['right']
        self.height = CHART_HEIGHT - MARGIN['top'] - MARGIN['bottom']
        self.start, self.end = start, end
        self.top_value = nice_ceiling(max(values) if values else 0)

    def x(self, seconds):
        if self.end <= self.start:
            return self.left + self.width
        return self.left + (seconds - self.start) / (self.end - self.start) * self.width

    def y(self, value):
        return self.top + self.height - value / self.top_value * self.height

    def axes(self):
        parts = []
        for index in range(5):
            value = self.top_value * index / 4
            y = _coordinate(self.y(value))
            parts.append('<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s"/>' % (
                self.left, self.left + self.width, y, y))
            parts.append('<text x="%s" y="%s" text-anchor="end">%s</text>' % (
                self.left - 6, _coordinate(self.y(value) + 4), esc(number_text(round(value, 4)))))
        bottom = self.top + self.height
        parts.append('<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s"/>' % (
            self.left, self.left + self.width, bottom, bottom))
        for seconds, label in time_ticks(self.start, self.end):
            x = _coordinate(self.x(seconds))
            parts.append('<line class="axis tick" x1="%s" x2="%s" y1="%s" y2="%s"/>' % (x, x, bottom, bottom + 4))
            parts.append('<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>' % (
                x, bottom + 18, esc(label)))
        parts.append('<text x="12" y="%s" transform="rotate(-90 12 %s)" text-anchor="middle">TB</text>' % (
            self.top + self.height / 2, self.top + self.height / 2))
        return parts


def _epoch(text):
    return parse_iso(text).timestamp()


def _from_epoch(seconds):
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)


def step_path(frame, series):
    """The SVG path ``d`` of a step series (:func:`report.step_series`): from the window start at the value in
    force (or from the first reading), each value held (``H``) until the next reading changes it (``V``), to the
    frame's end.  A None value (no limit, unlimited) breaks the line; '' when nothing is drawn."""
    steps = [(frame.start, series.get('start_value'))] + [(_epoch(moment), value) for moment, value in series['points']]
    commands, last = [], None
    for seconds, value in steps:
        x = _coordinate(frame.x(seconds))
        if last is not None:
            commands.append('H%s' % x)
        if value is None:
            last = None
        elif last is None:
            commands.append('M%s %s' % (x, _coordinate(frame.y(value))))
        elif value != last:
            commands.append('V%s' % _coordinate(frame.y(value)))
        last = value if value is not None else None
    if last is not None:
        commands.append('H%s' % _coordinate(frame.x(frame.end)))
    return ' '.join(commands)


def _series_values(series):
    return [value for value in [series.get('start_value')] + [value for _m, value in series['points']]
            if value is not None]


def line_chart(label, window, series, references=(), **attributes):
    """An SVG step chart over ``window`` (``(start, end)`` epoch seconds).  ``series``: ``[(name, step series)]``
    (:func:`report.step_series`), each a ``path.series``, its readings ``circle.pt`` with a tooltip (the ``limit``
    series a dashed path, no dots); ``references``: ``[(name, value, text)]`` horizontal dashed lines (a capacity
    known only now)."""
    values = [value for _name, data in series for value in _series_values(data)]
    values += [value for _name, value, _text in references if value is not None and value != UNLIMITED]
    frame = Frame(window[0], window[1], values)
    parts = ['<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" '
             'role="img"%s>' % (CHART_WIDTH, CHART_HEIGHT, CHART_WIDTH, CHART_HEIGHT, _attrs(aria_label=label, **attributes)),
             '<title>%s</title>' % esc(label)]
    parts += frame.axes()
    for name, value, text in references:
        if value is None or value == UNLIMITED:
            continue
        y = _coordinate(frame.y(value))
        parts.append('<line class="ref ref-%s" x1="%s" x2="%s" y1="%s" y2="%s"/>' % (
            name, frame.left, frame.left + frame.width, y, y))
        parts.append('<text class="ref-label %s" x="%s" y="%s" text-anchor="end">%s</text>' % (
            name, frame.left + frame.width - 2, _coordinate(frame.y(value) - 4), esc(text)))
    for name, data in series:
        path = step_path(frame, data)
        if path:
            parts.append('<path class="series s-%s%s" data-series="%s" d="%s"/>' % (
                name, ' ref ref-limit' if name == 'limit' else '', name, path))
        if name == 'limit':
            parts.append(_limit_label(frame, data))
            continue
        for moment, value in data['points']:
            parts.append('<circle class="pt s-%s" data-series="%s" data-value="%s" data-time="%s" cx="%s" cy="%s" r="3">'
                         '<title>%s %s: %s TB</title></circle>' % (
                             name, name, esc(number_text(value)), esc(moment), _coordinate(frame.x(_epoch(moment))),
                             _coordinate(frame.y(value)), esc(moment.replace('T', ' ').replace('Z', ' UTC')),
                             esc(SERIES_LABELS[name]), esc(number_text(value))))
    parts.append('</svg>')
    return ''.join(parts)


def _limit_label(frame, series):
    """``limit N TB`` above the right end of the limit line (the limit in force at the report time)."""
    value = ([series.get('start_value')] + [value for _moment, value in series['points']])[-1]
    if value is None:
        return ''
    return '<text class="ref-label limit" x="%s" y="%s" text-anchor="end">limit %s TB</text>' % (
        frame.left + frame.width - 2, _coordinate(frame.y(value) - 4), esc(number_text(value)))


def _drawn(series):
    """Whether a step series has anything to draw (a reading in the window or a value in force at its start)."""
    return bool(series['points']) or series.get('start_value') is not None


def _window(report):
    return _epoch(report['window']['start']), _epoch(report['generated_at'])


def _legend(names):
    return '<div class="legend">%s</div>' % ''.join(
        '<span class="%s"><i></i>%s</span>' % (name, esc(SERIES_LABELS.get(name, name))) for name in names)


def _resource_chart(resource, report):
    series = [(name, resource['history'][name]) for name in SERIES if _drawn(resource['history'][name])]
    rows = sum(resource['history'][name]['rows'] for name in SERIES)
    caption = '<figcaption>%s <span>(%d history rows)</span></figcaption>' % (esc(resource['name']), rows)
    if not series:
        body = '<p class="empty">No history of %s in the last %d days.</p>' % (
            esc(', '.join(SERIES)), report['window']['days'])
    else:
        references = []
        if resource['capacity'] is not None and 'capacity' not in dict(series):
            references.append(('capacity', resource['capacity'], 'capacity now %s TB' % number_text(resource['capacity'])))
        body = line_chart('Usage over time of resource %s' % resource['name'], _window(report), series, references,
                          data_chart='resource', data_resource=resource['name'])
        body += _legend([name for name, _points in series] + [name for name, _v, _t in references])
    return '<figure class="resource-chart"%s>%s%s</figure>' % (_attrs(data_resource=resource['name']), caption, body)


def _allocation_chart(chart, report):
    caption = '<figcaption>%s <span>allocation %s on %s, namespace %s, %s of %s TB (%d history rows)</span></figcaption>' % (
        esc(chart['project']), esc(chart['id']), esc(chart['resource']), esc(chart['namespace']),
        esc(tb_text(chart['usage'])), esc(tb_text(chart['limit'])), chart['rows'])
    if not _drawn(chart):
        body = '<p class="empty">No usage history in the last %d days.</p>' % report['window']['days']
    else:
        limits = chart.get('limit_history') or {'points': [], 'start_value': None}
        if not _drawn(limits) and chart['limit'] not in (None, UNLIMITED):
            limits = {'points': [], 'start_value': chart['limit']}  # no history row: the limit known now
        series = [('usage', chart)] + ([('limit', limits)] if _drawn(limits) else [])
        body = line_chart('Usage over time of allocation %s (%s)' % (chart['id'], chart['project']), _window(report),
                          series, data_chart='allocation', data_allocation_id=chart['id'])
        body += _legend([name for name, _series in series])
    return '<figure class="allocation-chart"%s>%s%s</figure>' % (
        _attrs(data_allocation_id=chart['id'], data_resource=chart['resource']), caption, body)


# ---- tables --------------------------------------------------------------------------------------
def _badge(level):
    return '' if not level else ' <span class="badge %s">%s</span>' % (level, LEVEL_TEXT[level])


def _bar(resource):
    """A small bar on a scale of 0-150 % of capacity: used (red beyond capacity), a marker at allocated."""
    capacity = resource['capacity']
    if not capacity:
        return ''
    width, height, scale = 120, 10, 1.5

    def position(value):
        return _coordinate(min(value / capacity, scale) / scale * width)
    return ('<svg class="bar" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img"'
            ' aria-label="used and allocated against capacity"><rect class="bar-bg" width="%s" height="%d"/>'
            '<rect class="%s" width="%s" height="%d"/><line class="bar-alloc" x1="%s" x2="%s" y1="0" y2="%d"/></svg>' % (
                width, height, width, height, position(capacity), height,
                'bar-over' if resource['used'] > capacity else 'bar-used', position(resource['used']), height,
                position(resource['allocated']), position(resource['allocated']), height))


def _resources_table(report):
    if not report['resources']:
        return '<p class="empty">No resource matched the selection.</p>'
    rows = []
    for resource in report['resources']:
        over = ' <span class="badge over">overcommitted</span>' if resource['overcommitted'] else ''
        rows.append(
            '<tr%s><th scope="row">%s</th><td class="num" data-field="capacity">%s</td>'
            '<td class="num" data-field="used">%s</td><td class="num" data-field="used-percent">%s%s</td>'
            '<td class="num" data-field="allocated">%s</td><td class="num" data-field="overcommit">%s%s</td>'
            '<td class="num" data-field="allocations">%d</td><td class="num">%s</td>'
            '<td data-field="last-sync">%s</td></tr>' % (
                _attrs(class_='level-%s' % resource['level'] if resource['level'] else None,
                       data_resource=resource['name']),
                esc(resource['name']), esc(tb_text(resource['capacity'], unlimited=DASH)),
                esc(tb_text(resource['used'])), esc(percent_text(resource['used_percent'])),
                _badge(resource['level']) + _bar(resource), esc(tb_text(resource['allocated'])),
                esc(percent_text(resource['overcommit_percent'])), over, resource['allocation_count'],
                esc(percent_text(resource['threshold'] * 100)), _last_sync(resource)))
    return ('<table id="resource-table"><thead><tr><th>Resource</th><th class="num">Capacity (TB)</th>'
            '<th class="num">Used (TB)</th><th class="num">Used %% of capacity</th><th class="num">Allocated (TB)</th>'
            '<th class="num">Overcommit (allocated / capacity)</th><th class="num">Allocations</th>'
            '<th class="num">Threshold</th><th>Last sync</th></tr></thead><tbody>%s</tbody></table>' % ''.join(rows))


def _sort_value(row, key):
    """The ``data-*`` value the script sorts on: unlimited limits are Infinity; limit 0 with usage too."""
    value = row[key]
    if key in ('limit', 'enforced', 'agreed') and value == UNLIMITED:
        return 'Infinity'
    if key == 'percent' and value is None and row['level'] == 'exceeded':
        return 'Infinity'  # limit 0 with usage: infinitely over
    return '' if value is None else (number_text(value) if isinstance(value, (int, float)) else value)


def _state_badge(state):
    """A badge when requested and agreed differ (pending push) or nothing was agreed yet."""
    if state not in ('pending_push', 'not_agreed'):
        return ''
    title = ('requested in ColdFront, not pushed to ECS yet: ECS enforces the agreed value; if provision ran and it '
             'is still pending, provision reports a conflict' if state == 'pending_push' else
             'no agreed value (Quota_In_Bytes) recorded: what ECS holds is not confirmed; sync reports a difference '
             'from ECS as a conflict')
    return ' <span class="badge %s" title="%s">%s</span>' % (state, esc(title), STATE_TEXT[state])


def _allocation_row(row):
    problems = ' <span class="badge warning" title="%s">!</span>' % esc('; '.join(row['problems'])) if row['problems'] else ''
    data = dict(('data_%s' % key, _sort_value(row, key)) for key, _h, _t, _f, _n in COLUMNS)
    cells = ''.join('<td class="num" data-field="%s">%s</td>' % (key, esc(tb_text(row[key])))
                    for key in ('usage', 'limit', 'enforced', 'agreed'))
    return ('<tr%s><td>%s</td><td class="num">%s</td><td>%s</td><td>%s</td>%s<td class="num" data-field="percent">%s'
            '</td><td data-field="status" data-quota-state="%s">%s%s%s</td></tr>' % (
                _attrs(class_='level-%s' % row['level'] if row['level'] else None, **data),
                esc(row['resource']), esc(row['id']), esc(row['project']), esc(row['namespace']), cells,
                esc(percent_text(row['percent'])), esc(row['quota_state']), _badge(row['level']).strip(),
                _state_badge(row['quota_state']), problems))


def _allocations_table(report):
    headers = ''.join('<th%s><button type="button">%s</button></th>' % (
        _attrs(class_='num' if numeric else None, data_sort=key, data_type=kind, data_first=first, aria_sort='none'),
        esc(label)) for key, label, kind, first, numeric in COLUMNS)
    rows = ''.join(_allocation_row(row) for row in report['allocations'])
    if not rows:
        rows = '<tr><td colspan="%d" class="empty">No allocations on the selected resources.</td></tr>' % (len(COLUMNS) + 1)
    return ('<table id="allocation-table" class="sortable"><thead><tr>%s<th>Status</th></tr></thead>'
            '<tbody>%s</tbody></table>' % (headers, rows))


def _alerts(report):
    stale = ''.join('<li%s>%s</li>' % (_attrs(class_='stale', data_resource=alert['resource']), esc(alert['message']))
                    for alert in report.get('stale') or ())
    stale = '<ul class="alerts stale-alerts">%s</ul>' % stale if stale else ''
    if not report['alerts']:
        return stale + '<p class="empty">No quota is at or over its threshold.</p>'
    return stale + '<ul class="alerts">%s</ul>' % ''.join(
        '<li%s>%s</li>' % (_attrs(class_=alert['level']), esc(alert['message'])) for alert in report['alerts'])


def _last_sync(resource):
    """When sync last wrote the resource, who (the history user) and why (the change reason)."""
    last = resource.get('last_sync')
    if not last:
        return '<span class="stale">never</span>'
    user = last['user'] or 'no history user'
    return '<time datetime="%s"%s>%s</time> <span class="who">by %s%s</span>' % (
        esc(last['at']), ' class="stale"' if resource.get('stale') else '', esc(last['at'].replace('T', ' ').replace(
            'Z', ' UTC')), esc(user), '' if not last['reason'] else ': ' + esc(last['reason']))


def _thresholds(report):
    text = '%s%%' % number_text(report['threshold'] * 100)
    overrides = report['threshold_overrides']
    if overrides:
        text += ' (%s)' % ', '.join('%s: %s%%' % (name, number_text(overrides[name] * 100)) for name in sorted(overrides))
    return text


def render_html(report):
    """The report as one self-contained HTML document (text)."""
    window = report['window']['days']
    warnings = ''
    if report['warnings']:
        warnings = '<h2>Data problems</h2><ul class="warnings">%s</ul>' % ''.join(
            '<li>%s</li>' % esc(warning) for warning in report['warnings'])
    resource_charts = ''.join(_resource_chart(resource, report) for resource in report['resources'])
    top_charts = ''.join(_allocation_chart(chart, report) for chart in report['charts'])
    coldfront = report.get('coldfront') or {}
    totals = report['totals']
    return ''.join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="%s">' % esc(CSP),
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="hpc.coldfront_ecs coldfront_usage_report">',
        '<title>%s %s</title><style>%s</style></head><body>' % (esc(report['title']), esc(report['generated_at']), STYLE),
        '<header><h1>%s</h1><p class="meta">Generated <time datetime="%s">%s</time>%s &middot; '
        '%d resources, %d allocations &middot; %d alerts (%d exceeded)%s &middot; threshold %s &middot; '
        'usage history of the last %d days &middot; numbers in TB as ColdFront stores them (1 TB = 1024 GB)</p>'
        '</header>' % (esc(report['title']), esc(report['generated_at']),
                       esc(report['generated_at'].replace('T', ' ').replace('Z', ' UTC')),
                       esc(' from ColdFront %s' % coldfront['version']) if coldfront.get('version') else '',
                       totals['resources'], totals['allocations'], totals['alerts'], totals['exceeded'],
                       ''.join(', %d %s' % (totals.get(key) or 0, text) for key, text in (
                           ('stale', 'stale'), ('invalid', 'invalid'), ('pending_push', 'pending push'))
                           if totals.get(key)),
                       esc(_thresholds(report)), window),
        '<section id="alerts"><h2>Alerts</h2>%s</section>' % _alerts(report),
        '<section id="resources"><h2>Resources</h2>%s</section>' % _resources_table(report),
        '<section id="resource-charts"><h2>Usage over time per resource</h2><div class="charts">%s</div></section>' % (
            resource_charts or '<p class="empty">No resources.</p>'),
        '<section id="top-charts"><h2>Top %d allocations by usage</h2><div class="charts">%s</div></section>' % (
            len(report['charts']), top_charts or '<p class="empty">No allocation has usage to chart.</p>'),
        '<section id="allocations"><h2>Allocations</h2>%s</section>' % _allocations_table(report),
        warnings,
        '<footer>Usage is the usage recorded in ColdFront (pulled from ECS by the sync); percentages and alert '
        'levels follow the collection\'s quota rules (docs/quotas.md): <em>over threshold</em> at or over the '
        'threshold, <em>exceeded</em> over the limit ECS enforces: the agreed quota when one is recorded, else the '
        'requested one, in whole GB rounded up (<em>Enforced</em>). <em>Requested</em> is Storage Quota (TB) in '
        'ColdFront, <em>Agreed</em> the last value both sides agreed (Quota_In_Bytes); <em>pending push</em> when '
        'they differ. Invalid values are data problems, never unlimited. Overcommit is allocated / capacity. '
        'Last sync is the newest history row this collection wrote on the resource\'s capacity, used or allocated '
        'attribute (sync writes only changes). Unlimited quotas have no '
        'percentage. Charts are steps: a value holds until the next history row, from the value in force when '
        'the window opens to the report time; the limit line follows the history of the requested quota. At most '
        '%d points per series: beyond, each stretch keeps its first, lowest, highest and last reading. '
        'Also in this directory: report.json and report.csv with the same numbers.</footer>' % report['max_points'],
        '<script>%s</script></body></html>\n' % SCRIPT,
    ])
