# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Quota filters: thin wrappers of module_utils/_rules/quota.py for playbooks and templates.

Documentation: one YAML file per filter next to this file (quota_rollup.yml, ...).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import functools

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import forecast, judge, quota


def _quota_filter(function):
    """Report bad input as a filter error naming the filter."""
    @functools.wraps(function)
    def apply(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except quota.QuotaError as exc:
            raise AnsibleFilterError('%s: %s' % (function.__name__, exc))
    return apply


@_quota_filter
def quota_exceeded(value, delta=0, threshold=1.0, unit=None):
    """True when usage + delta > enforced limit x threshold for a ``{limit, usage}`` dict (judged like the alerts)."""
    if not isinstance(value, dict):
        raise quota.QuotaError('input must be a dict with limit and usage, got %r' % (value,))
    threshold = 1.0 if threshold is None else quota.check_threshold(threshold)
    verdict = quota.judge(value.get('usage'), value.get('limit'), unit, threshold)
    if verdict['level'] == judge.INVALID:
        raise quota.QuotaError(verdict['problem'])
    return quota.would_exceed(verdict, quota.as_number(delta, 'delta') or 0, threshold)


@_quota_filter
def quota_rollup(resource, overcommit=None, unit=None):
    """Resource dict (or list of them) with usage, allocated and counts rolled up."""
    return quota.rollup(resource, overcommit, unit)


@_quota_filter
def quota_validate_change(resource, namespace, limit, current=None, usage=None, allocation_id=None, overcommit=None,
                          new_buckets=1, unit=None):
    """Check a new or raised namespace quota against the resource's quotas."""
    return quota.validate_change(resource, namespace, limit, current=current, usage=usage, allocation_id=allocation_id,
                                 overcommit=overcommit, new_buckets=new_buckets, unit=unit)


@_quota_filter
def quota_alerts(tree, threshold=quota.DEFAULT_THRESHOLD, overrides=None, overcommit=None, unit=None):
    """Every quota at or over its threshold, worst first."""
    return quota.evaluate_thresholds(tree, threshold, overrides, overcommit, unit)


def _moment(value):
    """A history time (aware datetime, or ISO 8601 text such as ``2026-01-31T12:00:00Z``) as an aware datetime."""
    if not isinstance(value, datetime.datetime):
        try:
            value = datetime.datetime.fromisoformat(str(value).replace('Z', '+00:00'))
        except ValueError:
            raise quota.QuotaError('history times must be ISO 8601 text, got %r' % (value,))
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


@_quota_filter
def quota_forecast(history, limit, usage=None, now=None, window_days=forecast.DEFAULT_WINDOW_DAYS,
                   forecast_days=forecast.DEFAULT_FORECAST_DAYS, unit=None):
    """Growth per day, days until full and level ``full_soon`` of a usage history against ``limit``."""
    if not isinstance(history, (list, tuple)) or any(not isinstance(row, (list, tuple)) or len(row) != 2
                                                     for row in history):
        raise quota.QuotaError('history must be a list of [time, usage] pairs, got %r' % (history,))
    rows = [(_moment(moment), quota.as_number(value, 'history usage')) for moment, value in history]
    now = _moment(now) if now is not None else datetime.datetime.now(datetime.timezone.utc)
    if usage is None and rows:
        usage = max(rows, key=lambda row: row[0])[1]
    return forecast.forecast(rows, now, quota.as_number(limit, 'limit'), quota.as_number(usage, 'usage'), unit,
                             window_days, forecast_days)


class FilterModule(object):
    """hpc.coldfront_ecs quota filters."""

    def filters(self):
        return {
            'quota_exceeded': quota_exceeded,
            'quota_rollup': quota_rollup,
            'quota_validate_change': quota_validate_change,
            'quota_alerts': quota_alerts,
            'quota_forecast': quota_forecast,
        }
