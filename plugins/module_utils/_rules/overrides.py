# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-resource settings, and the checks of the soft quota percent and the overcommit allowance: the value a module
uses for its resource, decided here rather than in role templates, checked in one place."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.judge import as_number
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.quota import resource_value


def checked_soft_quota_percent(percent):
    """``percent`` as a whole number from 1 to 100 (the ECS soft quota as a share of the hard quota)."""
    try:
        value = int(str(percent).strip())
    except ValueError:
        value = None
    if value is None or not 1 <= value <= 100:
        raise ValueError('soft_quota_percent %s must be between 1 and 100' % (percent,))
    return value


def checked_overcommit(allowance):
    """``allowance`` as a positive number, or ``None`` (no limit)."""
    if allowance is None:
        return None
    value = as_number(allowance, 'overcommit')
    if value is None or value <= 0:
        raise ValueError('overcommit %s must be a positive factor (1.2 = 120 %% of capacity), or not set for no limit'
                         % (allowance,))
    return value


def resource_threshold(resource, threshold, overrides=None, percent_overrides=None):
    """The alert threshold (a fraction) of ``resource``: its entry of ``overrides`` (fractions), else of
    ``percent_overrides`` (percentages, the shared per-resource setting), else ``threshold``."""
    if resource in (overrides or {}):
        return as_number(overrides[resource], 'threshold of resource %s' % resource)
    if resource in (percent_overrides or {}):
        return as_number(percent_overrides[resource], 'threshold percent of resource %s' % resource) / 100.0
    return threshold


def threshold_overrides(overrides=None, percent_overrides=None):
    """The alert threshold (a fraction) of every resource named in ``overrides`` (fractions) or ``percent_overrides``
    (percentages, the shared per-resource setting); ``overrides`` wins for a resource named in both."""
    names = set(overrides or {}) | set(percent_overrides or {})
    return dict((name, resource_threshold(name, None, overrides, percent_overrides)) for name in names)


def resource_overcommit(resource, overcommit, overrides=None, checked=False):
    """The overcommit allowance of ``resource``: its entry of ``overrides`` (null: no limit), else ``overcommit``;
    with ``checked``, refused by :func:`checked_overcommit` unless a positive factor."""
    value = resource_value(overrides, resource, overcommit)
    if checked:
        return checked_overcommit(value)
    return None if value is None else as_number(value, 'overcommit of resource %s' % resource)


def resource_soft_quota_percent(resource, percent, overrides=None):
    """The soft quota percent of ``resource``: its entry of ``overrides``, else ``percent``; checked by
    :func:`checked_soft_quota_percent`."""
    return checked_soft_quota_percent(resource_value(overrides, resource, percent))
