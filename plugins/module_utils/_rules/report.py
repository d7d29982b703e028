# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The usage report as data: per resource capacity, used and allocated, per allocation limit and usage,
alerts, and usage over time, built from ColdFront read-model records and history rows.

* :func:`summarize` turns :func:`coldfront.load_resources` records into the report's resources,
  allocations, alerts and warnings; percentages and levels come from :mod:`quota` (``rollup`` and
  ``evaluate_thresholds``) so the report says what the alerts say.
* :func:`chart_candidates` picks the top allocations whose history is charted; :func:`attach_history`
  adds the history rows (resource attributes, allocation usage) as chart series.
* :func:`to_json` and :func:`to_csv` export the same numbers as the HTML page (:mod:`report_html`):
  every storage number goes through :func:`tb` (4 decimals), every percentage through :func:`percent`
  (2 decimals, as :mod:`quota` rounds it).

No Django here: the ColdFront queries are in ``_coldfront/report_data``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import datetime
import io
import json

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import forecast
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import DEFAULT_NAMES, attribute_names
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.naming import InvalidName, derive_namespace
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.judge import (
    INVALID, UNLIMITED_LEVEL, WARNING, check_threshold, judge)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.quota import (
    CAPACITY, EXCEEDED, QuotaError, RESOURCE, as_number, evaluate_thresholds, resource_value, rollup)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.reconcile import agreed_gb, quota_gb
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.units import (
    UNLIMITED, bytes_to_tb, format_number)

REPORT_FORMAT = 1
UNIT = 'TB'
TB_DECIMALS = 4
PERCENT_DECIMALS = 2
SERIES = ('capacity', 'used', 'allocated')

# The attributes the report reads (keys of _rules/attributes).
REPORT_ATTRIBUTES = ('quota_tb', 'quota_bytes', 'namespace', 'capacity', 'used', 'allocated')
DEFAULT_ATTRIBUTES = dict((key, DEFAULT_NAMES[key]) for key in REPORT_ATTRIBUTES)
DEFAULT_OPTIONS = {
    'title': 'ECS storage usage',
    'threshold': 0.9,
    'threshold_overrides': {},
    'overcommit': None,
    'overcommit_overrides': {},
    'history_days': 90,
    'top': 10,
    'max_points': 500,
    'stale_after_hours': 48,
    'attributes': DEFAULT_ATTRIBUTES,
    'forecast_window_days': forecast.DEFAULT_WINDOW_DAYS,
    'forecast_days': forecast.DEFAULT_FORECAST_DAYS,
}
# Where an allocation's quota stands (``quota_state``): requested (Storage Quota (TB)) and agreed (Quota_In_Bytes)
# equal in whole GB; requested changed and not pushed by provision yet (ECS still enforces the agreed value); no
# agreed value recorded (nobody confirmed what ECS holds: sync reports a difference from ECS as a conflict).
AGREED, PENDING_PUSH, NOT_AGREED = 'agreed', 'pending_push', 'not_agreed'

CSV_COLUMNS = ('kind', 'resource', 'allocation_id', 'project', 'pi', 'namespace', 'limit_tb', 'usage_tb',
               'percent', 'level', 'threshold', 'capacity_tb', 'used_tb', 'allocated_tb', 'overcommit_percent',
               'enforced_tb', 'agreed_tb', 'quota_state', 'last_sync', 'stale')
# A spreadsheet treats a cell starting with one of these as a formula: project titles are untrusted.
_FORMULA_PREFIXES = ('=', '+', '-', '@', '\t', '\r')


class ReportError(ValueError):
    """Options the report cannot be built with (a bad threshold, a negative window...)."""


# ---- rounding: one rule for HTML, JSON and CSV ---------------------------------------------------
def _normal(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def tb(value):
    """A storage number as reported: None kept, -1 (unlimited) kept, else rounded to 4 decimals."""
    if value is None or value == UNLIMITED:
        return value
    return _normal(round(float(value), TB_DECIMALS))


def percent(value):
    """A percentage as reported: None kept, else rounded to 2 decimals."""
    return None if value is None else _normal(round(float(value), PERCENT_DECIMALS))


def number_text(value, none=''):
    """``10`` not ``10.0``; ``none`` for None (numbers are rounded by :func:`tb` / :func:`percent` first)."""
    return none if value is None else format_number(value)


def iso(moment):
    """A datetime as UTC ISO 8601 text to the second, ``2026-01-31T12:00:00Z``."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat() + 'Z'


def parse_iso(text):
    """The datetime (UTC, aware) of :func:`iso` text."""
    return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)


# ---- options -------------------------------------------------------------------------------------
def report_options(**given):
    """DEFAULT_OPTIONS updated with the given (not None) values, checked; ``attributes`` merged by key."""
    options = dict(DEFAULT_OPTIONS)
    try:
        names = attribute_names(given.pop('attributes', None))
    except ValueError as exc:
        raise ReportError(str(exc))
    unknown = sorted(set(given) - set(DEFAULT_OPTIONS))
    if unknown:
        raise ReportError('unknown report option(s): %s' % ', '.join(unknown))
    options.update(dict((key, value) for key, value in given.items() if value is not None))
    options['attributes'] = dict((key, names[key]) for key in REPORT_ATTRIBUTES)
    for key in ('history_days', 'top', 'max_points', 'stale_after_hours'):
        if not isinstance(options[key], int) or options[key] < (2 if key == 'max_points' else 0):
            raise ReportError('%s must be a whole number >= %d, got %r' % (key, 2 if key == 'max_points' else 0, options[key]))
    try:  # the judge checks thresholds, the quota library the overcommit allowance, the way the alerts use them
        options['threshold'] = check_threshold(options['threshold'], 'default threshold')
        options['threshold_overrides'] = dict((str(name), check_threshold(value, 'threshold of resource %s' % name))
                                              for name, value in (options['threshold_overrides'] or {}).items())
        options['overcommit'] = _checked_overcommit(options['overcommit'], 'check')
        options['overcommit_overrides'] = dict((str(name), _checked_overcommit(value, str(name)))
                                               for name, value in options['overcommit_overrides'].items())
    except QuotaError as exc:
        raise ReportError(str(exc))
    return options


def _checked_overcommit(value, resource):
    """An overcommit allowance checked by the quota library (as the allowance of ``resource``), as a number."""
    rollup({'name': resource, 'capacity': 1, 'overcommit': value})
    return as_number(value, 'overcommit')


# ---- allocations and resources -------------------------------------------------------------------
def _attribute(record, name):
    return (record.get('attributes') or {}).get(name)


def _resource_number(record, name, warnings, capacity_name=None):
    """A numeric resource attribute (text in ColdFront); None when absent, not a number or negative (warned; -1 is
    accepted for ``capacity_name``, the unknown capacity)."""
    text = _attribute(record, name)
    if text in (None, ''):
        return None
    try:
        number = as_number(text, name)
    except QuotaError:
        warnings.append('resource %s: attribute %s is %r, not a number; ignored' % (record['name'], name, text))
        return None
    if number < 0 and not (number == UNLIMITED and name == capacity_name):
        warnings.append('resource %s: attribute %s is %r, a negative amount; ignored' % (record['name'], name, text))
        return None
    return number


def _namespace(allocation, names, problems):
    override = (_attribute(allocation, names['namespace']) or {}).get('value')
    title = allocation['project']['title']
    try:
        return derive_namespace(title, override), 'attribute' if override not in (None, '') else 'project title'
    except InvalidName as exc:
        problems.append(str(exc))
        return (override or title or 'allocation-%s' % allocation['id']), 'invalid'


def _number_attribute(allocation, name, problems):
    """``(attribute dict or None, value as a number or None)``; a value that is not a number is a problem."""
    attribute = _attribute(allocation, name)
    if attribute is None:
        return None, None
    if name in (allocation.get('duplicate_attributes') or []):
        problems.append('%s occurs more than once; the first (id %s) is reported' % (name, attribute.get('id')))
    try:
        return attribute, as_number(attribute.get('value'), name)
    except QuotaError:
        problems.append('%s value %r is not a number' % (name, attribute.get('value')))
        return attribute, None


def _quota(allocation, names, problems):
    """Requested (TB, None when missing or invalid), agreed (TB or -1, None when not recorded), usage, attribute id."""
    attribute, requested = _number_attribute(allocation, names['quota_tb'], problems)
    if attribute is None:
        problems.append('no %s attribute' % names['quota_tb'])
    elif requested is None and attribute.get('value') in (None, ''):
        problems.append('%s has no value' % names['quota_tb'])
    elif requested is not None and requested < 0 and requested != UNLIMITED:
        problems.append('%s value %s is negative (only -1 means unlimited)'
                        % (names['quota_tb'], format_number(requested)))
        requested = None
    _bytes, agreed = _number_attribute(allocation, names['quota_bytes'], problems)
    if agreed is not None and agreed < 0 and agreed != UNLIMITED:
        problems.append('%s value %s is negative' % (names['quota_bytes'], format_number(agreed)))
        agreed = None
    agreed = None if agreed is None else (UNLIMITED if agreed == UNLIMITED else bytes_to_tb(agreed))
    return requested, agreed, (attribute or {}).get('usage'), (attribute or {}).get('id')


def quota_state(requested, agreed):
    """:data:`AGREED`, :data:`PENDING_PUSH` or :data:`NOT_AGREED`, compared in the whole GB ECS keeps."""
    if agreed is None:
        return NOT_AGREED
    agreed_whole = UNLIMITED if agreed == UNLIMITED else agreed_gb(agreed * 1024 ** 4)
    return AGREED if requested is not None and quota_gb(requested) == agreed_whole else PENDING_PUSH


def judged_limit(requested, agreed):
    """The limit ECS holds as far as ColdFront knows: the agreed one when recorded, else the requested one."""
    return requested if agreed is None else agreed


def _allocation_row(resource, allocation, names, threshold):
    problems = []
    namespace, source = _namespace(allocation, names, problems)
    requested, agreed, usage, attribute_id = _quota(allocation, names, problems)
    limit = judged_limit(requested, agreed)
    usage_problem = judge(usage, None)['problem']  # no limit: only the usage is checked
    if usage_problem:
        problems.append(usage_problem)
    # Without a limit (missing or invalid: already a problem) the allocation is invalid, never unlimited.
    verdict = judge(usage, limit, UNIT, threshold) if limit is not None else {'level': INVALID, 'percent': None,
                                                                              'enforced_limit': None}
    level = verdict['level']
    return {
        'resource': resource['name'],
        'id': allocation['id'],
        'project': allocation['project']['title'],
        'project_id': allocation['project']['id'],
        'pi': allocation['project'].get('pi'),
        'status': allocation.get('status'),
        'namespace': namespace,
        'namespace_source': source,
        'attribute_id': attribute_id,
        'limit': tb(requested),
        'enforced': tb(verdict['enforced_limit']),
        'agreed': tb(agreed),
        'quota_state': quota_state(requested, agreed),
        'usage': None if usage_problem else tb(usage),
        'percent': None if usage is None else percent(verdict['percent']),
        'level': level if level in (WARNING, EXCEEDED, INVALID) else None,
        'unlimited': level == UNLIMITED_LEVEL,
        'threshold': threshold,
        'problems': problems,
        # The quota tree's input: a valid usage counts in the resource's used total even when the limit is invalid
        # (no limit there, so no alert: the row is invalid and its problem listed); an invalid usage is left out.
        '_judged': None if usage_problem else (limit if level != INVALID else UNLIMITED, usage or 0),
    }


def _quota_input(resource, rows, names, warnings):
    """The :func:`quota.rollup` dict of one resource (explicit used/allocated attributes win; invalid rows left out)."""
    data = {
        'name': resource['name'],
        'capacity': _resource_number(resource, names['capacity'], warnings, names['capacity']),
        'namespaces': [{'name': row['namespace'], 'allocation_id': row['id'], 'limit': row['_judged'][0],
                        'usage': row['_judged'][1]} for row in rows if row['_judged'] is not None],
    }
    for key in ('used', 'allocated'):
        value = _resource_number(resource, names[key], warnings)
        if value is not None:
            data[key] = value
    return data


def _levels(alerts):
    """``{(resource, kind, allocation_id or None, quota): level}`` of the alerts."""
    return dict(((alert['resource'], alert['kind'], alert['allocation_id'], alert['quota']), alert['level'])
                for alert in alerts)


def _round_alert(alert):
    alert = dict(alert)
    for key in ('limit', 'enforced_limit', 'usage'):
        alert[key] = tb(alert[key])
    alert['percent'] = percent(alert['percent'])
    return alert


def _resource_entry(record, tree, levels, threshold, rows, given):
    capacity = tree['quotas'][CAPACITY]
    overcommit = None
    if tree['capacity'] not in (None, UNLIMITED) and tree['capacity'] > 0:
        overcommit = tree['allocated'] / tree['capacity'] * 100
    return {
        'id': record['id'],
        'name': record['name'],
        'resource_type': record.get('resource_type'),
        'threshold': threshold,
        'capacity': None if tree['capacity'] == UNLIMITED else tb(tree['capacity']),
        'used': tb(tree['used']),
        'used_source': 'attribute' if 'used' in given else 'allocations',
        'used_percent': percent(capacity['percent']),
        'allocated': tb(tree['allocated']),
        'allocated_source': 'attribute' if 'allocated' in given else 'allocations',
        'overcommit_percent': percent(overcommit),
        'overcommitted': overcommit is not None and overcommit > 100,
        'level': levels.get((record['name'], RESOURCE, None, CAPACITY)),
        'allocation_count': len(rows),
        'unlimited_allocations': len([row for row in rows if row['unlimited']]),
        'invalid_allocations': len([row for row in rows if row['level'] == INVALID]),
        'last_sync': None,
        'stale': False,
        'history': dict((name, {'rows': 0, 'points': []}) for name in SERIES),
    }


def summarize(resources, options, generated_at):
    """The report (without history) of :func:`coldfront.load_resources` records.

    ``options`` from :func:`report_options`; ``generated_at`` an aware datetime (the window ends there).  Every
    allocation is judged by :func:`judge.judge` against the limit ECS holds (the agreed value when recorded, else the
    requested one, in whole GB rounded up), the same verdict the alerts (and sync's) give.
    """
    names = options['attributes']
    warnings, entries, allocations, inputs = [], [], [], []
    for record in resources:
        threshold = resource_value(options['threshold_overrides'], record['name'], options['threshold'])
        rows = [_allocation_row(record, allocation, names, threshold) for allocation in record.get('allocations') or []]
        for row in rows:
            if row['problems']:
                warnings.append('allocation %s (%s) on resource %s: %s' % (
                    row['id'], row['project'], row['resource'], '; '.join(row['problems'])))
        inputs.append(_quota_input(record, rows, names, warnings))
        allocations.append(rows)
    overrides = options['overcommit_overrides']
    trees = [rollup(given, resource_value(overrides, given['name'], options['overcommit']), UNIT) for given in inputs]
    alerts = evaluate_thresholds(trees, options['threshold'], options['threshold_overrides'], unit=UNIT)
    levels = _levels(alerts)
    rows_out = []
    for record, tree, rows, given in zip(resources, trees, allocations, inputs):
        threshold = resource_value(options['threshold_overrides'], record['name'], options['threshold'])
        entries.append(_resource_entry(record, tree, levels, threshold, rows, given))
        for row in rows:
            del row['_judged'], row['unlimited']
            rows_out.append(row)
    start = generated_at - datetime.timedelta(days=options['history_days'])
    return {
        'format': REPORT_FORMAT,
        'title': options['title'],
        'generated_at': iso(generated_at),
        'unit': UNIT,
        'window': {'days': options['history_days'], 'start': iso(start), 'end': iso(generated_at)},
        'threshold': options['threshold'],
        'threshold_overrides': dict(options['threshold_overrides']),
        'overcommit_allowance': options['overcommit'],
        'overcommit_overrides': dict(options['overcommit_overrides']),
        'stale_after_hours': options['stale_after_hours'],
        'top': options['top'],
        'max_points': options['max_points'],
        'attributes': dict(names),
        'totals': _totals(entries, rows_out, alerts),
        'resources': entries,
        'allocations': rows_out,
        'charts': [],
        'alerts': [_round_alert(alert) for alert in alerts],
        'stale': [],
        'warnings': warnings,
    }


def _totals(entries, rows, alerts):
    return {
        'resources': len(entries),
        'allocations': len(rows),
        'alerts': len(alerts),
        'exceeded': len([alert for alert in alerts if alert['level'] == EXCEEDED]),
        'warning': len([alert for alert in alerts if alert['level'] != EXCEEDED]),
        'invalid': len([row for row in rows if row['level'] == INVALID]),
        'pending_push': len([row for row in rows if row['quota_state'] == PENDING_PUSH]),
        'stale': 0,
    }


# ---- last sync -----------------------------------------------------------------------------------
def attach_last_sync(report, rows, now):
    """Add each resource's last sync and the stale-data alerts (in place; returns ``report``).

    ``rows``: ``(resource_id, history_date, user name or None, change reason)``, the newest history row this
    collection wrote on the resource's ``capacity``/``used``/``allocated`` attributes.  A resource without one, or
    whose newest is older than ``stale_after_hours`` (0: never stale), is stale.
    """
    limit = report['stale_after_hours']
    latest = dict((resource_id, (moment, user, reason)) for resource_id, moment, user, reason in rows)
    report['stale'] = []
    for entry in report['resources']:
        moment, user, reason = latest.get(entry['id'], (None, None, None))
        entry['last_sync'] = None if moment is None else {'at': iso(moment), 'user': user, 'reason': reason}
        age = None if moment is None else (now - moment).total_seconds() / 3600
        entry['stale'] = bool(limit) and (age is None or age > limit)
        if entry['stale']:
            report['stale'].append(_stale_alert(entry, age, limit))
    report['totals']['stale'] = len(report['stale'])
    return report


def _stale_alert(entry, age, limit):
    if age is None:
        state = ('was never synced by coldfront_ecs_sync (no history row of its capacity, used or allocated '
                 'attribute written by it)')
    else:
        state = 'was last synced %s, %s hours ago, over the %d hours allowed (stale_after_hours)' % (
            entry['last_sync']['at'], format_number(round(age, 1)), limit)
    return {'kind': 'stale', 'resource': entry['name'], 'last_sync': (entry['last_sync'] or {}).get('at'),
            'age_hours': None if age is None else round(age, 1), 'stale_after_hours': limit,
            'message': 'resource %s %s: run sync; the numbers shown may be out of date' % (entry['name'], state)}


# ---- history -------------------------------------------------------------------------------------
def chart_candidates(report):
    """The top ``report['top']`` allocations by current usage (highest first, then id), one row per id; allocations
    with no usage or a usage of 0 are left out (an empty chart says nothing)."""
    seen, rows = set(), []
    for row in sorted(report['allocations'], key=lambda row: (-(row['usage'] or 0), row['id'], row['resource'])):
        if not row['usage'] or row['usage'] < 0 or row['attribute_id'] is None or row['id'] in seen:
            continue
        seen.add(row['id'])
        rows.append(row)
    return rows[:report['top']]


def _bucket_picks(points, first, stop):
    """Indexes of ``points[first:stop]`` worth keeping, most needed first: its first and last, its highest and the
    reading that ended it, its lowest and the reading that ended it (so a kept peak is not held longer than it was)."""
    chunk = range(first, stop)
    highest = max(chunk, key=lambda index: points[index][1])
    lowest = min(chunk, key=lambda index: points[index][1])
    picks = [first, stop - 1, highest, highest + 1, lowest, lowest + 1]
    return [index for position, index in enumerate(picks) if index < stop and index not in picks[:position]]


def downsample(points, limit):
    """At most ``limit`` ``(moment, value)`` points, oldest first: the list cut into ``limit // 6`` buckets of
    consecutive points, each keeping the picks of :func:`_bucket_picks`, so a one-reading peak or dip survives with
    its length.  Under 6 points allowed: the most needed picks of the whole list."""
    if len(points) <= limit:
        return list(points)
    if limit < 6:
        return [points[index] for index in sorted(_bucket_picks(points, 0, len(points))[:limit])]
    buckets = limit // 6
    size = len(points) / buckets
    keep = set()
    for bucket in range(buckets):
        keep.update(_bucket_picks(points, int(round(bucket * size)), int(round((bucket + 1) * size))))
    return [points[index] for index in sorted(keep)]


def step_series(points, limit, start):
    """A chart series of ``(datetime, number or None)`` readings: ``rows`` in the window, ``start_value`` (the value
    in force at ``start``: the newest reading before it, None without one) and the thinned ``points`` in the window.
    Usage is a step function: each value holds until the next reading (None: no value, e.g. unlimited)."""
    points = sorted(points, key=lambda point: point[0])
    before = [value for moment, value in points if moment < start]
    inside = [(moment, value) for moment, value in points if moment >= start]
    return {'rows': len(inside), 'start_value': tb(before[-1]) if before else None,
            'points': [[iso(moment), tb(value)] for moment, value in downsample(inside, limit)]}


def _numbers(rows, names, warnings, what):
    """``{key: [(moment, number or None)]}`` of ``(key, name, moment, value text)`` rows; -1 (unlimited) as None,
    names not in ``names`` dropped, values that are not numbers warned and dropped."""
    found = {}
    for key, name, moment, value in rows:
        if name not in names:
            continue
        try:
            number = as_number(value, name)
        except QuotaError:
            warnings.append('%s %s: history value %r of %s is not a number; not charted' % (what, key, value, name))
            continue
        if number is not None:
            found.setdefault((key, names[name]), []).append((moment, None if number == UNLIMITED else number))
    return found


def attach_history(report, resource_history, usage_history, limit_history=()):
    """Add history rows as step chart series (in place; returns ``report``).

    ``resource_history``: ``(resource_id, attribute_name, datetime, value_text)`` rows of the resource
    attributes ``capacity``/``used``/``allocated``; ``usage_history``: ``(allocation_attribute_id,
    datetime, value)`` rows of the charted allocations' usage; ``limit_history``: ``(allocation_attribute_id,
    datetime, value_text)`` rows of their quota attribute.  Each may hold, per attribute, the newest row before the
    window (the value in force at its start).  Non-numeric values are skipped (warned).
    """
    limit, start = report['max_points'], parse_iso(report['window']['start'])
    series_of = dict((name, key) for key, name in report['attributes'].items() if key in SERIES)
    by_resource = _numbers(resource_history, series_of, report['warnings'], 'resource id')
    for entry in report['resources']:
        entry['history'] = dict((key, step_series(by_resource.get((entry['id'], key), []), limit, start))
                                for key in SERIES)
    by_attribute = {}
    for attribute_id, moment, value in usage_history:
        if value is not None:
            by_attribute.setdefault(attribute_id, []).append((moment, value))
    quota = report['attributes']['quota_tb']
    limits = _numbers(((key, quota, moment, value) for key, moment, value in limit_history), {quota: 'limit'},
                      report['warnings'], 'allocation attribute id')
    report['charts'] = []
    for row in chart_candidates(report):
        chart = dict((key, row[key]) for key in ('id', 'resource', 'project', 'namespace', 'limit', 'usage',
                                                 'percent', 'level'))
        chart.update(step_series(by_attribute.get(row['attribute_id'], []), limit, start))
        chart['limit_history'] = step_series(limits.get((row['attribute_id'], 'limit'), []), limit, start)
        report['charts'].append(chart)
    return report


# ---- exports -------------------------------------------------------------------------------------
def to_json(report):
    """The report as JSON text (sorted keys, 1-space indent, ends with a newline)."""
    return json.dumps(report, indent=1, sort_keys=True) + '\n'


def _cell(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (int, float)):
        return number_text(value)
    if value is None:
        return ''
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def csv_rows(report):
    """One dict per resource (``kind`` resource) then per allocation (``kind`` allocation), CSV_COLUMNS keys."""
    rows = []
    for entry in report['resources']:
        rows.append({'kind': 'resource', 'resource': entry['name'], 'percent': entry['used_percent'],
                     'level': entry['level'], 'threshold': entry['threshold'], 'capacity_tb': entry['capacity'],
                     'used_tb': entry['used'], 'allocated_tb': entry['allocated'],
                     'overcommit_percent': entry['overcommit_percent'],
                     'last_sync': (entry['last_sync'] or {}).get('at'), 'stale': entry['stale']})
    for row in report['allocations']:
        rows.append({'kind': 'allocation', 'resource': row['resource'], 'allocation_id': row['id'],
                     'project': row['project'], 'pi': row['pi'], 'namespace': row['namespace'],
                     'limit_tb': row['limit'], 'usage_tb': row['usage'], 'percent': row['percent'],
                     'level': row['level'], 'threshold': row['threshold'], 'enforced_tb': row['enforced'],
                     'agreed_tb': row['agreed'], 'quota_state': row['quota_state']})
    return rows


def to_csv(report):
    """The report's resources and allocations as CSV text (header CSV_COLUMNS; -1 = unlimited; '' = none)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(report):
        writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()


# ---- showback: totals by project and PI, TB-months -----------------------------------------------
SECONDS_PER_MONTH = 30 * 86400  # a showback month is 30 days
SHOWBACK_COLUMNS = ('kind', 'project_id', 'project', 'pi', 'projects', 'resources', 'allocations', 'usage_tb',
                    'limit_tb', 'unlimited_allocations', 'tb_months', 'window_start', 'window_end')


def tb_months(points, start, end, current=None):
    """Integral of usage (TB) over ``[start, end]`` in TB x 30-day months, usage a step function of ``points``.

    ``points``: ``(datetime, TB)`` history rows, the window's and the one in force when it opens (dated before
    ``start``); each value holds until the next row, the last until ``end``. Before the first row the usage is 0
    (no row before it: the allocation did not exist yet). Without any row ``current`` holds over the whole window.
    """
    points = sorted((moment, value) for moment, value in points if value is not None and moment <= end)
    if not points:
        points = [] if current is None else [(start, current)]
    total = 0.0
    for index, (moment, value) in enumerate(points):
        begin = max(moment, start)
        until = points[index + 1][0] if index + 1 < len(points) else end
        total += float(value) * max((until - begin).total_seconds(), 0)
    return total / SECONDS_PER_MONTH


def _add_total(total, row):
    total['allocations'] += 1
    total['resources'] = sorted(set(total['resources']) | {row['resource']})
    total['usage'] += row['usage'] or 0
    if row['enforced'] == UNLIMITED:
        total['unlimited_allocations'] += 1
    else:
        total['limit'] += row['enforced'] or 0
    total['tb_months'] += row['tb_months']


def _rounded_totals(totals):
    for total in totals:
        total.update(usage=tb(total['usage']), limit=tb(total['limit']), tb_months=tb(total['tb_months']))
    return totals


def showback_totals(rows):
    """``(projects, pis)``: per project id and per PI, the allocations' usage, finite enforced limits (TB) and
    TB-months summed over resources (``rows``: report allocations with ``tb_months``)."""
    projects, pis = {}, {}
    for row in rows:
        start = {'allocations': 0, 'resources': [], 'usage': 0, 'limit': 0, 'unlimited_allocations': 0,
                 'tb_months': 0}
        project = projects.setdefault(row['project_id'], dict(start, project_id=row['project_id'],
                                                              project=row['project'], pi=row['pi']))
        _add_total(project, row)
        pi = pis.setdefault(row['pi'], dict(start, pi=row['pi'], project_ids=[]))
        _add_total(pi, row)
        pi['project_ids'] = sorted(set(pi['project_ids']) | {row['project_id']})
    for pi in pis.values():
        pi['projects'] = len(pi.pop('project_ids'))
    return (_rounded_totals(sorted(projects.values(), key=lambda item: item['project_id'])),
            _rounded_totals(sorted(pis.values(), key=lambda item: str(item['pi']))))


def attach_showback(report, usage_rows):
    """Add ``tb_months`` to each allocation and ``report['showback']`` (in place; returns ``report``).

    ``usage_rows``: ``(allocation_attribute_id, datetime, usage)`` history rows in the report window.
    """
    start, end = parse_iso(report['window']['start']), parse_iso(report['window']['end'])
    by_attribute = {}
    for attribute_id, moment, value in usage_rows:
        by_attribute.setdefault(attribute_id, []).append((moment, value))
    for row in report['allocations']:
        row['tb_months'] = tb_months(by_attribute.get(row['attribute_id'], []), start, end, row['usage'])
    projects, pis = showback_totals(report['allocations'])
    for row in report['allocations']:
        row['tb_months'] = tb(row['tb_months'])
    report['showback'] = {'month_days': SECONDS_PER_MONTH // 86400, 'window': dict(report['window']),
                          'projects': projects, 'pis': pis}
    return report


def to_showback_csv(report):
    """``report['showback']`` as CSV text: one row per project (``kind`` project) then per PI (``kind`` pi)."""
    showback = report.get('showback') or {'projects': [], 'pis': [], 'window': report['window']}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(SHOWBACK_COLUMNS)
    window = {'window_start': showback['window']['start'], 'window_end': showback['window']['end']}
    for kind, totals in (('project', showback['projects']), ('pi', showback['pis'])):
        for total in totals:
            row = dict(total, kind=kind, usage_tb=total['usage'], limit_tb=total['limit'],
                       resources=' '.join(total['resources']), **window)
            writer.writerow([_cell(row.get(column)) for column in SHOWBACK_COLUMNS])
    return out.getvalue()


# ---- forecast, alert state and digest --------------------------------------------------------------
def forecast_settings(options):
    """``(window_days, forecast_days)`` of the report options (defaults of :mod:`forecast`), checked."""
    try:
        return forecast.check_settings(options)
    except QuotaError as exc:
        raise ReportError(str(exc))


def _by_key(rows):
    """``{key: [(datetime, value)]}`` of ``(key, datetime, value)`` rows, oldest first."""
    grouped = {}
    for key, moment, value in sorted(rows, key=lambda row: row[1]):
        grouped.setdefault(key, []).append((moment, value))
    return grouped


def _allocation_forecasts(report, usage_rows, now, settings):
    """Per allocation row ``growth_tb_per_day`` / ``days_until_full``; ``[(key, now alert, before alerts, newest)]``."""
    series_of = _by_key(usage_rows)
    found = []
    for row in report['allocations']:
        series = series_of.get(row['attribute_id'], [])
        limit = judged_limit(row['limit'], row['agreed'])
        if limit is None or row['usage'] is None:
            row['growth_tb_per_day'], row['days_until_full'] = None, None
            continue
        base = {'scope': 'namespace %s on resource %s' % (row['namespace'], row['resource']), 'kind': 'namespace',
                'name': row['namespace'], 'resource': row['resource'], 'namespace': row['namespace'],
                'allocation_id': row['id'], 'quota': 'storage', 'limit': row['limit'], 'usage': row['usage'],
                'enforced_limit': row['enforced'], 'percent': row['percent']}
        # The newest row is the usage now: the previous sync saw the rows before it.
        current, now_alerts, before = forecast.with_previous(base, series, now, limit, row['usage'], UNIT,
                                                             *settings, prior=series[:-1])
        row['growth_tb_per_day'], row['days_until_full'] = current['growth_per_day'], current['days_until_full']
        value = series[-2][1] if len(series) > 1 else None
        level = None if value is None else judge(value, limit, UNIT, row['threshold'])['level']
        before += [dict(base, level=level, usage=value)] if level in (WARNING, EXCEEDED) else []
        found.append((forecast.alert_key(base), (now_alerts or [None])[0], before,
                      series[-1][0] if series else None))
    return found


def _resource_forecasts(report, resource_rows, now, settings):
    """Per resource ``growth_tb_per_day`` / ``days_until_full`` of its ``used`` against its capacity; the alerts."""
    used_name = report['attributes']['used']
    series_of = _by_key([(resource_id, moment, as_number(value, used_name))
                         for resource_id, name, moment, value in resource_rows if name == used_name
                         and _numeric(value)])
    found, before = [], []
    for entry in report['resources']:
        series = series_of.get(entry['id'], [])
        base = {'scope': 'resource %s' % entry['name'], 'kind': RESOURCE, 'name': entry['name'],
                'resource': entry['name'], 'namespace': None, 'allocation_id': None, 'quota': CAPACITY,
                'limit': entry['capacity'], 'usage': entry['used'], 'enforced_limit': entry['capacity'],
                'percent': entry['used_percent']}
        current, now_alerts, before_alerts = forecast.with_previous(
            base, series, now, entry['capacity'], entry['used'], UNIT, *settings, prior=series[:-1])
        entry['growth_tb_per_day'], entry['days_until_full'] = current['growth_per_day'], current['days_until_full']
        found += now_alerts
        before += before_alerts
    return found, before


def _numeric(value):
    try:
        return as_number(value, 'value') is not None
    except QuotaError:
        return False


def _changed_since_last_sync(report, found):
    """The predicate of :func:`forecast.alert_state`: an allocation changed at the last sync when its newest usage
    row is from the resource's last sync (within :data:`SAME_SYNC_SECONDS`); resource alerts always count."""
    last = dict((entry['name'], parse_iso(entry['last_sync']['at'])) for entry in report['resources']
                if entry.get('last_sync'))
    newest = {}
    for key, _alert, _before, moment in found:
        synced = last.get(key[0])
        newest[key[:2]] = bool(moment and synced and (synced - moment).total_seconds() <= SAME_SYNC_SECONDS)
    return lambda key: newest.get(key[:2], True)


SAME_SYNC_SECONDS = 300


def attach_forecast(report, usage_rows, resource_rows, now, options):
    """Add the forecast, the alert ``state`` and the ``digest`` (in place; returns ``report``).

    ``usage_rows``: ``(allocation_attribute_id, datetime, value)`` usage history of every allocation over the
    forecast window; ``resource_rows``: as :func:`attach_history`'s.  Forecast alerts (``kind`` forecast, level
    ``full_soon``) join ``alerts``; every alert gets ``state`` new / ongoing, and the alerts the previous sync's
    values gave that no longer fire are listed once in ``recovered``; ``digest`` groups them all by PI and project."""
    settings = forecast_settings(options)
    found = _allocation_forecasts(report, usage_rows, now, settings)
    forecasts = [alert for _key, alert, _before, _moment in found if alert]
    resource_forecasts, resource_before = _resource_forecasts(report, resource_rows, now, settings)
    forecasts += resource_forecasts
    current = report['alerts'] + [_round_alert(alert) for alert in forecasts]
    allocation_keys = set(key for key, _alert, _before, _moment in found)
    previous = [alert for _key, _alert, before, _moment in found for alert in before]
    # Resource quota alerts have no per-allocation history here: taken as they were (ongoing, never recovered).
    previous += resource_before + [alert for alert in current if alert['kind'] != forecast.KIND and
                                   forecast.alert_key(alert)[:2] not in set(key[:2] for key in allocation_keys)]
    stated = forecast.alert_state(current, previous, _changed_since_last_sync(report, found))
    report['alerts'], report['recovered'] = forecast.split_recovered(stated)
    report['forecast'] = {'window_days': settings[0], 'forecast_days': settings[1]}
    report['totals']['full_soon'] = len(forecasts)
    report['totals']['recovered'] = len(report['recovered'])
    owners = dict((row['id'], (row['pi'], row['project'])) for row in report['allocations'])
    report['digest'] = forecast.digest(stated, owners)
    return report
