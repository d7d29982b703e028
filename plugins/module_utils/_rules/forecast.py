# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Usage forecast and alert state, pure functions over ColdFront's usage history.

* :func:`growth_per_day` is a robust fit (Theil-Sen: the median of the slopes of every pair of points) of a usage
  series sampled once a day over the last ``window_days``.  ColdFront keeps a usage history row only when the value
  changed, so the value between rows is the previous row's (:func:`daily_samples`).  A single jump (a data set copied
  once) is not taken for growth unless it splits the window nearly in half; noise moves the median little.
* :func:`forecast` adds ``days_until_full`` = (enforced limit - usage) / growth when growth > 0 (else None) and
  the level :data:`FULL_SOON` when that is at most ``forecast_days``; the limit is the one :func:`judge.judge` uses.
* :func:`alert_state` compares the alerts with the verdicts at the previous sync: ``new``, ``ongoing`` or
  ``recovered``; :func:`digest` groups alerts by PI and by project.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.judge import (
    EXCEEDED, INVALID, UNLIMITED_LEVEL, WARNING, QuotaError, judge)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.units import format_number

FULL_SOON, KIND = 'full_soon', 'forecast'
NEW, ONGOING, RECOVERED = 'new', 'ongoing', 'recovered'
DEFAULT_WINDOW_DAYS = 30
DEFAULT_FORECAST_DAYS = 30
# Fewer daily samples than this: no fit (growth None).
MIN_SAMPLES = 3
ALERT_LEVELS = (EXCEEDED, WARNING, FULL_SOON)
DAY = datetime.timedelta(days=1)


def check_days(value, what):
    """``value`` as a whole number of days >= 1; :class:`QuotaError` naming ``what`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise QuotaError('%s must be a whole number of days >= 1, got %r' % (what, value))
    return value


def check_settings(options):
    """``(window_days, forecast_days)`` of ``options`` (a mapping; a key left out takes its default), each checked by
    :func:`check_days` under its option name."""
    return (check_days(options.get('forecast_window_days', DEFAULT_WINDOW_DAYS), 'forecast_window_days'),
            check_days(options.get('forecast_days', DEFAULT_FORECAST_DAYS), 'forecast_days'))


def _median(values):
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def theil_sen(points):
    """The Theil-Sen slope of ``[(x, y)]`` (median of the pairwise slopes); None with fewer than 2 distinct x."""
    slopes = [(y2 - y1) / (x2 - x1) for index, (x1, y1) in enumerate(points)
              for x2, y2 in points[index + 1:] if x2 != x1]
    return _median(slopes) if slopes else None


def daily_samples(rows, now, window_days, current=None):
    """``[(days before now, value)]``: the value at ``now`` minus 0..``window_days`` days, oldest first.

    ``rows``: ``[(datetime, value)]`` history rows (any order, None values skipped), each value holding until the
    next row; ``current`` (the value just read) holds at ``now``.  Days before the first row are left out."""
    known = sorted((moment, value) for moment, value in rows if value is not None)
    if current is not None:
        known.append((now, current))
    samples = []
    for days in range(window_days, -1, -1):
        moment = now - DAY * days
        before = [value for when, value in known if when <= moment]
        if before:
            samples.append((window_days - days, float(before[-1])))
    return samples


def growth_per_day(rows, now, window_days=DEFAULT_WINDOW_DAYS, current=None):
    """Usage growth per day over the last ``window_days`` (Theil-Sen over :func:`daily_samples`), None with fewer
    than :data:`MIN_SAMPLES` daily samples."""
    samples = daily_samples(rows, now, check_days(window_days, 'forecast window'), current)
    return theil_sen(samples) if len(samples) >= MIN_SAMPLES else None


def forecast(rows, now, limit, usage, unit=None, window_days=DEFAULT_WINDOW_DAYS,
             forecast_days=DEFAULT_FORECAST_DAYS):
    """``{growth_per_day, days_until_full, level}`` of one usage against ``limit`` (see the module doc).

    ``usage`` is the value now (it ends the series); ``level`` is :data:`FULL_SOON` when full within
    ``forecast_days`` and not full yet, else None.  Unlimited or invalid limits have no ``days_until_full``."""
    forecast_days = check_days(forecast_days, 'forecast_days')
    growth = growth_per_day(rows, now, window_days, usage)
    result = {'growth_per_day': None if growth is None else round(growth, 6), 'days_until_full': None,
              'level': None}
    verdict = judge(usage, limit, unit)
    if growth is None or growth <= 0 or verdict['level'] in (UNLIMITED_LEVEL, INVALID):
        return result
    room = verdict['enforced_limit'] - verdict['usage']
    days = max(room, 0) / growth
    result['days_until_full'] = round(days, 1)
    if room > 0 and days <= forecast_days:  # at or over the limit: the quota alerts say so already
        result['level'] = FULL_SOON
    return result


def forecast_alert(base, result, forecast_days, unit):
    """A ``kind`` :data:`KIND` alert (``base``: scope keys of the allocation or resource) when ``result`` is
    :data:`FULL_SOON`, else None."""
    if result['level'] != FULL_SOON:
        return None
    alert = dict(base, kind=KIND, level=FULL_SOON, forecast_days=forecast_days,
                 growth_per_day=result['growth_per_day'], days_until_full=result['days_until_full'])
    alert['message'] = '%s: usage grows %s %s/day and reaches its limit in %s days (forecast_days %d)' % (
        base['scope'], format_number(round(result['growth_per_day'], 4)), unit,
        format_number(result['days_until_full']), forecast_days)
    return alert


def with_previous(base, rows, now, limit, usage, unit=None, window_days=DEFAULT_WINDOW_DAYS,
                  forecast_days=DEFAULT_FORECAST_DAYS, prior=None):
    """``(forecast now, forecast alerts now, forecast alerts before)`` of one scope (``base`` as for
    :func:`forecast_alert`).

    Before is the forecast as of the newest of the ``prior`` rows (default ``rows``: the history before the value
    just read), with its value: what the previous sync saw."""
    current = forecast(rows, now, limit, usage, unit, window_days, forecast_days)
    prior = sorted(rows if prior is None else prior, key=lambda row: row[0])
    earlier = forecast(prior[:-1], prior[-1][0], limit, prior[-1][1], unit, window_days, forecast_days) \
        if prior and prior[-1][1] is not None else {'level': None}
    now_alerts, before_alerts = (forecast_alert(base, result, forecast_days, unit) for result in (current, earlier))
    return current, [now_alerts] if now_alerts else [], [before_alerts] if before_alerts else []


def alert_key(alert):
    """What identifies an alert from one sync to the next: resource, allocation (or scope name), quota, kind."""
    return (alert.get('resource'), alert.get('allocation_id') or alert.get('name'), alert.get('quota'),
            alert.get('kind') == KIND)


def alert_state(alerts, previous_alerts, changed=None):
    """The alerts with ``state`` (``new`` or ``ongoing``) plus a ``recovered`` copy of each previous alert that no
    longer fires, from ``previous_alerts`` (the alerts the previous sync's values give).

    ``changed``: when given, a predicate on an alert key; keys it refuses did not change at the last sync, so their
    alerts are ``ongoing`` and their recoveries already listed (left out)."""
    before = dict((alert_key(alert), alert) for alert in previous_alerts)
    now = set()
    stated = []
    for alert in alerts:
        key = alert_key(alert)
        now.add(key)
        fresh = key not in before and (changed is None or changed(key))
        stated.append(dict(alert, state=NEW if fresh else ONGOING))
    for key, alert in sorted(before.items(), key=lambda item: repr(item[0])):
        if key not in now and (changed is None or changed(key)):
            stated.append(dict(alert, state=RECOVERED))
    return stated


def split_recovered(stated):
    """``(firing alerts, recovered alerts)`` of :func:`alert_state`'s list."""
    return ([alert for alert in stated if alert['state'] != RECOVERED],
            [alert for alert in stated if alert['state'] == RECOVERED])


def digest(alerts, owners):
    """``{'pi': {pi: {...}}, 'project': {title: {...}}}``: per PI and per project its alerts (with ``state``),
    ``changed`` (any new or recovered) and counts by state.  ``owners``: ``{allocation_id: (pi, project)}``;
    resource alerts (no allocation) are left out."""
    groups = {'pi': {}, 'project': {}}
    for alert in alerts:
        owner = owners.get(alert.get('allocation_id'))
        if owner is None:
            continue
        for key, name in zip(('pi', 'project'), owner):
            entry = groups[key].setdefault(str(name), {'alerts': [], 'changed': False,
                                                       'counts': dict.fromkeys((NEW, ONGOING, RECOVERED), 0)})
            entry['alerts'].append(alert)
            state = alert.get('state', NEW)
            entry['counts'][state] += 1
            entry['changed'] = entry['changed'] or state != ONGOING
    return groups
