# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collect the usage report from ColdFront: the read model plus ColdFront's own history tables.

Read-only, and a constant number of SQL queries whatever the number of resources, allocations and
history rows: :func:`coldfront.load_resources` (5 queries), one on the ``ResourceAttribute`` history
(``capacity``/``used``/``allocated`` attributes of the selected resources in the window) and one on the
``AllocationAttributeUsage`` history and one on the ``AllocationAttribute`` history (usage and limit of the
charted top allocations only); each history query also reads, per attribute, the newest row before the window (the
value in force when it opens).  And one for the last
sync of each resource (the newest history row this collection wrote on those attributes, with its user and reason).
Call
:func:`coldfront.setup_django` first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.access import load_resources
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.write import COLLECTION
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report import (
    SERIES, attach_forecast, attach_history, attach_last_sync, attach_showback, chart_candidates, parse_iso,
    summarize)

DELETED = '-'
# The change reason of what coldfront_ecs_sync writes (``hpc.coldfront_ecs: coldfront_ecs_sync[: <reason>]``).
SYNC_REASON = '%s: coldfront_ecs_sync' % COLLECTION


def _in_force(history, since, key):
    """Rows of ``history`` (a simple-history manager) from ``since`` on, plus per ``key`` (the tracked row's id) the
    newest row before ``since``: the value in force when the window opens (one query, a correlated subquery)."""
    from django.db.models import OuterRef, Q, Subquery  # pylint: disable=import-outside-toplevel
    before = (history.model.objects.filter(history_date__lt=since, **{key: OuterRef(key)})
              .order_by('-history_date', '-history_id').values('history_id')[:1])
    return history.filter(Q(history_date__gte=since) | Q(history_id=Subquery(before))).exclude(history_type=DELETED)


def resource_history(resource_ids, attribute_names, since):
    """``[(resource_id, attribute name, history_date, value text)]`` since ``since`` and the value in force then,
    oldest first (1 query)."""
    from coldfront.core.resource.models import ResourceAttribute  # pylint: disable=import-outside-toplevel
    if not resource_ids:
        return []
    rows = (_in_force(ResourceAttribute.history, since, 'id')
            .filter(resource_id__in=list(resource_ids), resource_attribute_type__name__in=list(attribute_names))
            .order_by('history_date', 'history_id')
            .values_list('resource_id', 'resource_attribute_type__name', 'history_date', 'value'))
    return list(rows)


def last_syncs(resource_ids, attribute_names, reason_prefix):
    """``[(resource_id, history_date, user name or None, change reason)]``: per resource, the newest history row whose
    change reason starts with ``reason_prefix`` (what sync wrote) on these attributes (1 query)."""
    from django.db.models import OuterRef, Subquery  # pylint: disable=import-outside-toplevel
    from coldfront.core.resource.models import ResourceAttribute  # pylint: disable=import-outside-toplevel
    if not resource_ids:
        return []
    ours = ResourceAttribute.history.filter(resource_attribute_type__name__in=list(attribute_names),
                                            history_change_reason__startswith=reason_prefix)
    newest = ours.filter(resource_id=OuterRef('resource_id')).order_by('-history_date').values('history_date')[:1]
    rows = (ours.filter(resource_id__in=list(resource_ids), history_date=Subquery(newest))
            .order_by('resource_id', 'history_id')
            .values_list('resource_id', 'history_date', 'history_user__username', 'history_change_reason'))
    return list(rows)


def usage_history(attribute_ids, since):
    """``[(allocation_attribute_id, history_date, usage)]`` since ``since`` and the usage in force then, oldest
    first (1 query)."""
    from coldfront.core.allocation.models import AllocationAttributeUsage  # pylint: disable=import-outside-toplevel
    if not attribute_ids:
        return []
    rows = (_in_force(AllocationAttributeUsage.history, since, 'allocation_attribute_id')  # its primary key
            .filter(allocation_attribute_id__in=list(attribute_ids)).order_by('history_date', 'history_id')
            .values_list('allocation_attribute_id', 'history_date', 'value'))
    return list(rows)


def allocation_usage_history(allocation_ids, attribute_name, since):
    """``{allocation_id: [(history_date, usage)]}``: the usage history of the ``attribute_name`` attribute of these
    allocations since ``since``, oldest first (1 query; the sync's forecast)."""
    from coldfront.core.allocation.models import AllocationAttributeUsage  # pylint: disable=import-outside-toplevel
    if not allocation_ids:
        return {}
    rows = (AllocationAttributeUsage.history
            .filter(allocation_attribute__allocation_id__in=list(allocation_ids), history_date__gte=since,
                    allocation_attribute__allocation_attribute_type__name=attribute_name)
            .exclude(history_type=DELETED).order_by('history_date', 'history_id')
            .values_list('allocation_attribute__allocation_id', 'history_date', 'value'))
    history = {}
    for allocation_id, moment, value in rows:
        history.setdefault(allocation_id, []).append((moment, value))
    return history


def limit_history(attribute_ids, since):
    """``[(allocation_attribute_id, history_date, value text)]`` of these (quota) attributes since ``since`` and the
    value in force then, oldest first (1 query)."""
    from coldfront.core.allocation.models import AllocationAttribute  # pylint: disable=import-outside-toplevel
    if not attribute_ids:
        return []
    rows = (_in_force(AllocationAttribute.history, since, 'id').filter(id__in=list(attribute_ids))
            .order_by('history_date', 'history_id').values_list('id', 'history_date', 'value'))
    return list(rows)


def collect_report(options, selection=None, statuses=('Active',), now=None):
    """The report dict (see ``_rules/report``) of the selected resources' allocations with these ``statuses``.

    ``options`` from :func:`report.report_options`; ``now`` (aware datetime) ends the history window.
    """
    now = now or datetime.datetime.now(datetime.timezone.utc)
    report = summarize(load_resources(selection, allocation_statuses=statuses), options, now)
    since = parse_iso(report['window']['start'])
    names = options['attributes']
    resource_rows = resource_history([entry['id'] for entry in report['resources']],
                                     [names[key] for key in SERIES], since)
    charted = [row['attribute_id'] for row in chart_candidates(report)]
    # Usage of every reported allocation (still one query): the charts take the charted ones, showback all of them.
    reported = [row['attribute_id'] for row in report['allocations'] if row['attribute_id'] is not None]
    usage_rows, limit_rows = usage_history(reported, since), limit_history(charted, since)
    ids = [entry['id'] for entry in report['resources']]
    attach_last_sync(report, last_syncs(ids, [names[key] for key in SERIES], SYNC_REASON), now)
    attach_forecast(report, usage_rows, resource_rows, now, options)  # the same rows: no query of its own
    attach_showback(report, usage_rows)
    return attach_history(report, resource_rows, usage_rows, limit_rows)
