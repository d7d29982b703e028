# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Quota filters: thin wrappers of module_utils/_rules/quota.py for playbooks and templates.

Documentation: one YAML file per filter next to this file (quota_rollup.yml, ...).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import quota


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
def quota_exceeded(value, delta=0, threshold=1.0):
    """True when usage + delta > limit x threshold for a ``{limit, usage}`` dict."""
    if not isinstance(value, dict):
        raise quota.QuotaError('input must be a dict with limit and usage, got %r' % (value,))
    threshold = quota.as_number(threshold, 'threshold')
    return quota.Quota('quota', value.get('limit'), value.get('usage')).is_exceeded(
        quota.as_number(delta, 'delta') or 0, 1.0 if threshold is None else threshold)


@_quota_filter
def quota_rollup(resource, overcommit=None):
    """Resource dict (or list of them) with usage, allocated and counts rolled up."""
    return quota.rollup(resource, overcommit)


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


class FilterModule(object):
    """hpc.coldfront_ecs quota filters."""

    def filters(self):
        return {
            'quota_exceeded': quota_exceeded,
            'quota_rollup': quota_rollup,
            'quota_validate_change': quota_validate_change,
            'quota_alerts': quota_alerts,
        }
