# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Collect the usage report from ColdFront: the read model plus ColdFront's own history tables.

Read-only, and a constant number of SQL queries whatever the number of resources, allocations and
history rows: :func:`coldfront.load_resources` (5 queries), one on the ``ResourceAttribute`` history
(``capacity``/``used``/``allocated`` attributes of the selected resources in the window) and one on the
``AllocationAttributeUsage`` history (the charted top allocations only, in the window).  Call
:func:`coldfront.setup_django` first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.access import load_resources
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report import (
    SERIES, attach_history, chart_candidates, parse_iso, summarize)

DELETED = '-'


def resource_history(resource_ids, attribute_names, since):
    """``[(resource_id, attribute name, history_date, value text)]`` since ``since``, oldest first (1 query)."""
    from coldfront.core.resource.models import ResourceAttribute  # pylint: disable=import-outside-toplevel
    if not resource_ids:
        return []
    rows = (ResourceAttribute.history.filter(resource_id__in=list(resource_ids), history_date__gte=since,
                                             resource_attribute_type__name__in=list(attribute_names))
            .exclude(history_type=DELETED).order_by('history_date', 'history_id')
            .values_list('resource_id', 'resource_attribute_type__name', 'history_date', 'value'))
    return list(rows)


def usage_history(attribute_ids, since):
    """``[(allocation_attribute_id, history_date, usage)]`` since ``since``, oldest first (1 query)."""
    from coldfront.core.allocation.models import AllocationAttributeUsage  # pylint: disable=import-outside-toplevel
    if not attribute_ids:
        return []
    rows = (AllocationAttributeUsage.history.filter(allocation_attribute_id__in=list(attribute_ids),
                                                    history_date__gte=since)
            .exclude(history_type=DELETED).order_by('history_date', 'history_id')
            .values_list('allocation_attribute_id', 'history_date', 'value'))
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
    usage_rows = usage_history([row['attribute_id'] for row in chart_candidates(report)], since)
    return attach_history(report, resource_rows, usage_rows)
