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

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.naming import InvalidName, derive_namespace
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.quota import (
    CAPACITY, EXCEEDED, NAMESPACE, QuotaError, RESOURCE, STORAGE, as_number, evaluate_thresholds, rollup)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.units import UNLIMITED, format_number

REPORT_FORMAT = 1
UNIT = 'TB'
TB_DECIMALS = 4
PERCENT_DECIMALS = 2
SERIES = ('capacity', 'used', 'allocated')

DEFAULT_ATTRIBUTES = {
    'quota': 'Storage Quota (TB)',
    'namespace': 'Namespace',
    'capacity': 'capacity_tb',
    'used': 'used_tb',
    'allocated': 'allocated_tb',
}
DEFAULT_OPTIONS = {
    'title': 'ECS storage usage',
    'threshold': 0.9,
    'threshold_overrides': {},
    'overcommit': None,
    'overcommit_overrides': {},
    'history_days': 90,
    'top': 10,
    'max_points': 500,
    'attributes': DEFAULT_ATTRIBUTES,
}

CSV_COLUMNS = ('kind', 'resource', 'allocation_id', 'project', 'pi', 'namespace', 'limit_tb', 'usage_tb',
               'percent', 'level', 'threshold', 'capacity_tb', 'used_tb', 'allocated_tb', 'overcommit_percent')
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
    attributes = dict(DEFAULT_ATTRIBUTES)
    attributes.update(dict((key, value) for key, value in (given.pop('attributes', None) or {}).items() if value))
    unknown = sorted(set(attributes) - set(DEFAULT_ATTRIBUTES)) + sorted(set(given) - set(DEFAULT_OPTIONS))
    if unknown:
        raise ReportError('unknown report option(s): %s' % ', '.join(unknown))
    options.update(dict((key, value) for key, value in given.items() if value is not None))
    options['attributes'] = attributes
    for key in ('history_days', 'top', 'max_points'):
        if not isinstance(options[key], int) or options[key] < (2 if key == 'max_points' else 0):
            raise ReportError('%s must be a whole number >= %d, got %r' % (key, 2 if key == 'max_points' else 0, options[key]))
    try:  # the quota library checks thresholds and the overcommit allowance the way the alerts use them
        evaluate_thresholds([], options['threshold'], options['threshold_overrides'])
        options['overcommit'] = _checked_overcommit(options['overcommit'], 'check')
        options['threshold'] = as_number(options['threshold'], 'threshold')
        options['threshold_overrides'] = dict((str(name), as_number(value, 'threshold of resource %s' % name))
                                              for name, value in options['threshold_overrides'].items())
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


def _resource_number(record, name, warnings):
    """A numeric resource attribute (text in ColdFront); None when absent or not a number (warned)."""
    text = _attribute(record, name)
    if text in (None, ''):
        return None
    try:
        return as_number(text, name)
    except QuotaError:
        warnings.append('resource %s: attribute %s is %r, not a number; ignored' % (record['name'], name, text))
        return None


def _namespace(allocation, names, problems):
    override = (_attribute(allocation, names['namespace']) or {}).get('value')
    title = allocation['project']['title']
    try:
        return derive_namespace(title, override), 'attribute' if override not in (None, '') else 'project title'
    except InvalidName as exc:
        problems.append(str(exc))
        return (override or title or 'allocation-%s' % allocation['id']), 'invalid'


def _limit(allocation, names, problems):
    """The quota limit (number, -1 unlimited) or None when there is none or it is not a number."""
    quota = _attribute(allocation, names['quota'])
    if quota is None:
        problems.append('no %s attribute' % names['quota'])
        return None, None, None
    usage = quota.get('usage')
    if names['quota'] in (allocation.get('duplicate_attributes') or []):
        problems.append('%s occurs more than once; the first (id %s) is reported' % (names['quota'], quota.get('id')))
    try:
        limit = as_number(quota.get('value'), names['quota'])
    except QuotaError:
        problems.append('%s value %r is not a number' % (names['quota'], quota.get('value')))
        return None, usage, quota.get('id')
    if limit is None:
        problems.append('%s has no value' % names['quota'])
    elif limit < 0:
        limit = UNLIMITED
    return limit, usage, quota.get('id')


def _allocation_row(resource, allocation, names):
    problems = []
    namespace, source = _namespace(allocation, names, problems)
    limit, usage, attribute_id = _limit(allocation, names, problems)
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
        'limit': limit,
        'usage': usage,
        'problems': problems,
    }


def _quota_input(resource, rows, names, warnings):
    """The :func:`quota.rollup` dict of one resource (explicit used/allocated attributes win)."""
    data = {
        'name': resource['name'],
        'capacity': _resource_number(resource, names['capacity'], warnings),
        'namespaces': [{'name': row['namespace'], 'allocation_id': row['id'],
                        'limit': UNLIMITED if row['limit'] is None else row['limit'],
                        'usage': row['usage'] or 0} for row in rows],
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
    for key in ('limit', 'usage'):
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
        'unlimited_allocations': len([row for row in rows if row['limit'] == UNLIMITED]),
        'history': dict((name, {'rows': 0, 'points': []}) for name in SERIES),
    }


def summarize(resources, options, generated_at):
    """The report (without history) of :func:`coldfront.load_resources` records.

    ``options`` from :func:`report_options`; ``generated_at`` an aware datetime (the window ends there).
    """
    names = options['attributes']
    warnings, entries, allocations, inputs = [], [], [], []
    for record in resources:
        rows = [_allocation_row(record, allocation, names) for allocation in record.get('allocations') or []]
        for row in rows:
            if row['problems']:
                warnings.append('allocation %s (%s) on resource %s: %s' % (
                    row['id'], row['project'], row['resource'], '; '.join(row['problems'])))
        inputs.append(_quota_input(record, rows, names, warnings))
        allocations.append(rows)
    overrides = options['overcommit_overrides']
    trees = [rollup(given, overcommit=overrides.get(given['name'], options['overcommit'])) for given in inputs]
    alerts = evaluate_thresholds(trees, options['threshold'], options['threshold_overrides'], unit=UNIT)
    levels = _levels(alerts)
    rows_out = []
    for record, tree, rows, given in zip(resources, trees, allocations, inputs):
        threshold = options['threshold_overrides'].get(record['name'], options['threshold'])
        entries.append(_resource_entry(record, tree, levels, threshold, rows, given))
        for row, scope in zip(rows, tree['namespaces']):
            storage = scope['quotas'][STORAGE]
            row.update({
                'limit': tb(row['limit']),
                'usage': tb(row['usage']),
                'percent': None if row['usage'] is None or row['limit'] is None else percent(storage['percent']),
                'level': levels.get((row['resource'], NAMESPACE, row['id'], STORAGE)),
                'threshold': threshold,
            })
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
        'top': options['top'],
        'max_points': options['max_points'],
        'attributes': dict(names),
        'totals': _totals(entries, rows_out, alerts),
        'resources': entries,
        'allocations': rows_out,
        'charts': [],
        'alerts': [_round_alert(alert) for alert in alerts],
        'warnings': warnings,
    }


def _totals(entries, rows, alerts):
    return {
        'resources': len(entries),
        'allocations': len(rows),
        'alerts': len(alerts),
        'exceeded': len([alert for alert in alerts if alert['level'] == EXCEEDED]),
        'warning': len([alert for alert in alerts if alert['level'] != EXCEEDED]),
    }


# ---- history -------------------------------------------------------------------------------------
def chart_candidates(report):
    """The top ``report['top']`` allocations by usage (highest first, then id): their rows, one per id."""
    seen, rows = set(), []
    for row in sorted(report['allocations'], key=lambda row: (-(row['usage'] or 0), row['id'], row['resource'])):
        if row['usage'] is None or row['attribute_id'] is None or row['id'] in seen:
            continue
        seen.add(row['id'])
        rows.append(row)
    return rows[:report['top']]


def downsample(points, limit):
    """At most ``limit`` points, evenly spaced over the list, first and last always kept."""
    if len(points) <= limit:
        return list(points)
    step = (len(points) - 1) / (limit - 1)
    return [points[int(round(index * step))] for index in range(limit)]


def _series(points, limit):
    points = sorted(points, key=lambda point: point[0])
    return {'rows': len(points), 'points': [[iso(moment), tb(value)] for moment, value in downsample(points, limit)]}


def attach_history(report, resource_history, usage_history):
    """Add history rows as chart series (in place; returns ``report``).

    ``resource_history``: ``(resource_id, attribute_name, datetime, value_text)`` rows of the resource
    attributes ``capacity``/``used``/``allocated``; ``usage_history``: ``(allocation_attribute_id,
    datetime, value)`` rows of the charted allocations' usage.  Non-numeric values are skipped (warned).
    """
    limit = report['max_points']
    series_of = dict((name, key) for key, name in report['attributes'].items() if key in SERIES)
    by_resource = {}
    for resource_id, name, moment, value in resource_history:
        try:
            number = as_number(value, name)
        except QuotaError:
            report['warnings'].append('resource id %s: history value %r of %s is not a number; not charted'
                                      % (resource_id, value, name))
            continue
        if name in series_of and number is not None:
            by_resource.setdefault((resource_id, series_of[name]), []).append((moment, number))
    for entry in report['resources']:
        entry['history'] = dict((key, _series(by_resource.get((entry['id'], key), []), limit)) for key in SERIES)
    by_attribute = {}
    for attribute_id, moment, value in usage_history:
        if value is not None:
            by_attribute.setdefault(attribute_id, []).append((moment, value))
    report['charts'] = []
    for row in chart_candidates(report):
        chart = dict((key, row[key]) for key in ('id', 'resource', 'project', 'namespace', 'limit', 'usage',
                                                 'percent', 'level'))
        chart.update(_series(by_attribute.get(row['attribute_id'], []), limit))
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
                     'overcommit_percent': entry['overcommit_percent']})
    for row in report['allocations']:
        rows.append({'kind': 'allocation', 'resource': row['resource'], 'allocation_id': row['id'],
                     'project': row['project'], 'pi': row['pi'], 'namespace': row['namespace'],
                     'limit_tb': row['limit'], 'usage_tb': row['usage'], 'percent': row['percent'],
                     'level': row['level'], 'threshold': row['threshold']})
    return rows


def to_csv(report):
    """The report's resources and allocations as CSV text (header CSV_COLUMNS; -1 = unlimited; '' = none)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(CSV_COLUMNS)
    for row in csv_rows(report):
        writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
    return out.getvalue()
