# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The usage report as a Prometheus text exposition (format 0.0.4, what the node_exporter textfile collector reads).

Every metric is a gauge in base units (bytes, seconds, ratios 0..1), from the report's rounded numbers, so the file
says what report.html says. A value the report does not know (no capacity, an invalid usage, an unlimited quota, no
forecast) has no sample. Label values are ColdFront text (project titles are untrusted) and are escaped.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report import parse_iso
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.units import BYTES_PER_TB, UNLIMITED

PREFIX = 'coldfront_ecs_'
SECONDS_PER_DAY = 86400
RESOURCE_LABELS = ('resource',)
ALLOCATION_LABELS = ('resource', 'allocation_id', 'project', 'pi', 'namespace')
PROJECT_LABELS = ('project_id', 'project', 'pi')
PI_LABELS = ('pi',)


def _bytes(tb):
    """Report TB as whole bytes; None and -1 (unlimited: no finite limit) give no sample."""
    return None if tb is None or tb == UNLIMITED else int(round(float(tb) * BYTES_PER_TB))


def _ratio(percent):
    return None if percent is None else round(float(percent) / 100, 6)


def _timestamp(text):
    return None if not text else int(parse_iso(text).timestamp())


def _forecast(row, key):
    """A forecast field, on the row or in its ``forecast`` dict (absent before forecasts exist)."""
    value = row.get(key)
    return (row.get('forecast') or {}).get(key) if value is None else value


def _growth(row):
    growth = _forecast(row, 'growth_tb_per_day')
    return None if growth is None else round(float(growth) * BYTES_PER_TB / SECONDS_PER_DAY, 3)


def _until_full(row):
    days = _forecast(row, 'days_until_full')
    return None if days is None else round(float(days) * SECONDS_PER_DAY)


# (name without prefix, help, value of a report entry); one table per kind of entry.
RESOURCE_METRICS = (
    ('resource_capacity_bytes', 'Capacity of the ECS resource (ColdFront resource attribute).',
     lambda entry: _bytes(entry['capacity'])),
    ('resource_used_bytes', 'Storage used on the ECS resource.', lambda entry: _bytes(entry['used'])),
    ('resource_allocated_bytes', 'Storage allocated (sum of quotas) on the ECS resource.',
     lambda entry: _bytes(entry['allocated'])),
    ('resource_used_ratio', 'Used / capacity of the ECS resource.', lambda entry: _ratio(entry['used_percent'])),
    ('resource_overcommit_ratio', 'Allocated / capacity of the ECS resource.',
     lambda entry: _ratio(entry['overcommit_percent'])),
    ('resource_last_sync_timestamp_seconds', 'Time of the last history row coldfront_ecs_sync wrote on the resource.',
     lambda entry: _timestamp((entry.get('last_sync') or {}).get('at'))),
    ('resource_stale', '1 when the resource was not synced within stale_after_hours.',
     lambda entry: int(bool(entry.get('stale')))),
)
ALLOCATION_METRICS = (
    ('allocation_limit_bytes', 'Quota ECS enforces for the allocation (agreed, else requested); none when unlimited.',
     lambda row: _bytes(row['enforced'])),
    ('allocation_requested_limit_bytes', 'Quota requested in ColdFront (Storage Quota (TB)).',
     lambda row: _bytes(row['limit'])),
    ('allocation_agreed_limit_bytes', 'Quota last agreed with ECS (Quota_In_Bytes).',
     lambda row: _bytes(row['agreed'])),
    ('allocation_usage_bytes', 'Storage used by the allocation.', lambda row: _bytes(row['usage'])),
    ('allocation_used_ratio', 'Usage / enforced quota of the allocation.', lambda row: _ratio(row['percent'])),
    ('allocation_pending_push', '1 when the requested quota is not pushed to ECS yet.',
     lambda row: int(row.get('quota_state') == 'pending_push')),
    ('allocation_growth_bytes_per_second', 'Forecast usage growth of the allocation.', _growth),
    ('allocation_time_to_full_seconds', 'Forecast time until the allocation reaches its quota.', _until_full),
)
TOTAL_METRICS = (
    ('usage_bytes', 'Storage used, summed over the allocations.', lambda total: _bytes(total['usage'])),
    ('limit_bytes', 'Finite enforced quotas, summed over the allocations.', lambda total: _bytes(total['limit'])),
)
REPORT_METRICS = (
    ('report_timestamp_seconds', 'Time the usage report was generated.',
     lambda report: _timestamp(report['generated_at'])),
)


def escape_label(value):
    """A label value as the text format wants it: backslash, double quote and newline escaped."""
    text = '' if value is None else str(value)
    return text.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def escape_help(text):
    """HELP text: backslash and newline escaped."""
    return text.replace('\\', '\\\\').replace('\n', '\\n')


def format_value(value):
    """``1`` not ``1.0``; floats in the shortest text that reads back the same."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _labels(entry, names):
    return '{%s}' % ','.join('%s="%s"' % (name, escape_label(entry.get(name))) for name in names) if names else ''


def _family(name, text, entries, value_of, label_names):
    """HELP, TYPE and one sample per entry with a value (a repeated label set is written once)."""
    lines = ['# HELP %s%s %s' % (PREFIX, name, escape_help(text)), '# TYPE %s%s gauge' % (PREFIX, name)]
    seen = set()
    for entry in entries:
        value, labels = value_of(entry), _labels(entry, label_names)
        if value is not None and labels not in seen:
            seen.add(labels)
            lines.append('%s%s%s %s' % (PREFIX, name, labels, format_value(value)))
    return lines


def metric_families(report):
    """``[(name, help, entries, value function, label names)]`` of the report, in the order written."""
    resources = [dict(entry, resource=entry['name']) for entry in report['resources']]
    rows = [dict(row, allocation_id=row['id']) for row in report['allocations']]
    families = [(name, text, resources, value, RESOURCE_LABELS) for name, text, value in RESOURCE_METRICS]
    families += [(name, text, rows, value, ALLOCATION_LABELS) for name, text, value in ALLOCATION_METRICS]
    showback = report.get('showback') or {}
    for kind, labels in (('project', PROJECT_LABELS), ('pi', PI_LABELS)):
        families += [('%s_%s' % (kind, name), text, showback.get(kind + 's') or [], value, labels)
                     for name, text, value in TOTAL_METRICS]
    families += [(name, text, [report], value, ()) for name, text, value in REPORT_METRICS]
    return families


def render_metrics(report):
    """The report as Prometheus text exposition (ends with a newline)."""
    lines = []
    for family in metric_families(report):
        lines.extend(_family(*family))
    return '\n'.join(lines) + '\n'


def metric_names(report):
    """The full names of every metric family :func:`render_metrics` writes."""
    return [PREFIX + family[0] for family in metric_families(report)]
