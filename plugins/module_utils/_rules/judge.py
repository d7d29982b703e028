# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one judge of a usage against a limit.  Sync, the report, the quota filters and the alerts all call
:func:`judge`, so the same numbers get the same verdict everywhere.

* The limit judged is the one ECS enforces: in ``TB`` or ``GB`` a storage limit is a whole number of GB on ECS,
  rounded up (:func:`enforced_limit`); without a unit the limit is taken as it is (counts, unit-agnostic trees).
* ``-1`` (or ``None``) is the ECS "no quota" marker: level ``unlimited``.  Any other negative limit, a negative usage
  and anything that is not a finite number are ``invalid``, with the ``problem`` in words; never unlimited.
* Thresholds are fractions in (0, 1] (0.9 = 90 %); :func:`check_threshold` refuses anything else (90 included).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.units import (
    GB_PER_TB, UNLIMITED, format_number, same_number)

OK, WARNING, EXCEEDED, UNLIMITED_LEVEL, INVALID = 'ok', 'warning', 'exceeded', 'unlimited', 'invalid'
LEVELS = (INVALID, EXCEEDED, WARNING, OK, UNLIMITED_LEVEL)
DEFAULT_THRESHOLD = 0.9
# Storage units whose limits ECS enforces in whole GB: GB per unit.
GB_PER_UNIT = {'TB': GB_PER_TB, 'GB': 1}


class QuotaError(ValueError):
    """Input that cannot be a quota: a limit or usage that is not a number, a bad threshold, a nameless scope."""


def as_number(value, what):
    """``value`` as an int or float (numeric text accepted, ``None`` kept); :class:`QuotaError` naming ``what``
    otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise QuotaError('%s must be a number, got %r' % (what, value))
    if isinstance(value, int):
        return int(value)
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise QuotaError('%s must be a number, got %r' % (what, value))
    if not math.isfinite(number):
        raise QuotaError('%s must be a finite number, got %r' % (what, value))
    return int(number) if isinstance(value, str) and number.is_integer() else number


def check_threshold(value, what='threshold'):
    """``value`` as a fraction in (0, 1]; :class:`QuotaError` otherwise (a percentage such as 90 is refused)."""
    try:
        threshold = as_number(value, what)
    except QuotaError:
        threshold = None
    if threshold is None or not 0 < threshold <= 1:
        raise QuotaError('%s must be a fraction in (0, 1] (0.9 = 90 %%), got %r' % (what, value))
    return threshold


def enforced_limit(limit, unit=None):
    """The limit ECS enforces: whole GB rounded up in ``TB``/``GB`` (-1, None and other units unchanged)."""
    per_unit = GB_PER_UNIT.get(unit)
    if per_unit is None or limit is None or limit < 0:
        return limit
    whole_gb = int(math.ceil(float(limit) * per_unit - 1e-9))
    return whole_gb if per_unit == 1 else whole_gb / per_unit


def _problem(usage, limit):
    """Why ``usage`` / ``limit`` cannot be judged, else None; numbers checked, -1 or None limit accepted."""
    for what, value in (('usage', usage), ('limit', limit)):
        try:
            number = as_number(value, what)
        except QuotaError as exc:
            return str(exc)
        if number is not None and number < 0 and not (what == 'limit' and number == UNLIMITED):
            return '%s %s is negative (only a limit of -1 means unlimited)' % (what, format_number(number))
    return None


def greater(left, right):
    """``left > right``, treating float noise (e.g. ``0.7 * 10``) as equality."""
    return left > right and not same_number(left, right)


def at_least(left, right):
    """``left >= right``, treating float noise as equality."""
    return left >= right or same_number(left, right)


def judge(usage, limit, unit=None, threshold=DEFAULT_THRESHOLD):
    """The verdict on ``usage`` against ``limit``: a dict with

    ``level`` (``ok``, ``warning`` at or over ``threshold``, ``exceeded`` over the enforced limit, ``unlimited``,
    ``invalid``), ``percent`` (usage / enforced limit x 100, 2 decimals; None when unlimited, invalid, or limit 0 with
    usage), ``usage`` (None counts as 0), ``limit`` (as given), ``enforced_limit``, ``threshold`` and ``problem``
    (why it is invalid, else None).  A bad ``threshold`` raises :class:`QuotaError`.
    """
    threshold = check_threshold(threshold)
    verdict = {'level': INVALID, 'percent': None, 'usage': usage, 'limit': limit, 'enforced_limit': None,
               'threshold': threshold, 'problem': _problem(usage, limit)}
    if verdict['problem']:
        return verdict
    usage, limit = as_number(usage, 'usage') or 0, as_number(limit, 'limit')
    verdict.update(usage=usage, limit=limit)
    if limit is None or limit == UNLIMITED:
        verdict.update(level=UNLIMITED_LEVEL, limit=UNLIMITED, enforced_limit=UNLIMITED)
        return verdict
    enforced = enforced_limit(limit, unit)
    verdict['enforced_limit'] = enforced
    if enforced == 0:
        verdict.update(level=EXCEEDED if usage > 0 else OK, percent=None if usage > 0 else 0.0)
        return verdict
    ratio = usage / enforced
    verdict['percent'] = round(ratio * 100, 2)
    verdict['level'] = EXCEEDED if greater(usage, enforced) else (WARNING if at_least(ratio, threshold) else OK)
    return verdict


def ratio(verdict):
    """usage / enforced limit of a verdict: None when unlimited or invalid, infinity for limit 0 with usage."""
    if verdict['level'] in (UNLIMITED_LEVEL, INVALID):
        return None
    if verdict['enforced_limit'] == 0:
        return math.inf if verdict['usage'] > 0 else 0.0
    return verdict['usage'] / verdict['enforced_limit']


def would_exceed(verdict, delta=0, fraction=1.0):
    """Whether usage + ``delta`` is over ``fraction`` (checked like a threshold) of the verdict's enforced limit.

    Never for a negative ``delta`` (a decrease is always allowed), an unlimited or an invalid verdict (the caller
    reports the ``problem``).  With limit 0, any positive usage + delta is over it."""
    fraction = check_threshold(fraction, 'threshold')
    if delta < 0 or verdict['level'] in (UNLIMITED_LEVEL, INVALID):
        return False
    return greater(verdict['usage'] + delta, verdict['enforced_limit'] * fraction)
