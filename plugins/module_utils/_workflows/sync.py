# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write what ECS reports for one endpoint into ColdFront as it is now (module ``coldfront_ecs_sync``).

    job = SyncJob('ecs-east', None, names, options, finish_reading)  # options: see SyncJob.OPTIONS
    result = job.run(reason='coldfront_ecs_sync', user=None, check_mode=False)

``finish_reading(namespaces)`` belongs to an ECS reading already under way: it gets the reading (an
``ecs_usage_info`` result) once it is given the namespaces of the provisioned allocations read from ColdFront in
the meantime (``finish_reading(None)`` cancels it); a ``usage`` given instead is used as it is. While ECS is read,
the job also reads the usage history the forecast needs.

The allocations are read from ColdFront in this call, never taken from the caller, so an allocation provisioned
since the inventory was read is synced (or reported as ``not_read`` when it was provisioned after the ECS read).
Problems of the input raise :class:`SyncError` (with a ``kind``) before anything is written; the problems of single
allocations are in the result, with the ones that fail the sync under ``fail_on_problems`` / ``fail_on_exceeded``
in ``failures``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.access import ColdFrontError, load_resources
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.report_data import allocation_usage_history
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.write import apply_changes, diff_of
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsApiError, EcsConfigError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import forecast
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import sync_plan
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import (
    resource_views, settings_from_names)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import attribute_names
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.overrides import (
    resource_overcommit, resource_threshold)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.quota import QuotaError

UNKNOWN_RESOURCE, INVALID_USAGE, INVALID_SETTINGS = 'unknown_resource', 'invalid_usage', 'invalid_settings'
ECS_UNREADABLE = 'ecs_unreadable'
RESOURCE_KEYS = ('capacity', 'used', 'allocated')
CHANGE_KEYS = ('allocation_attributes', 'resource_attributes')
EcsReadError = (EcsApiError, EcsConfigError)


class SyncError(ColdFrontError):
    """The sync of a resource cannot start (nothing written); ``kind`` says why."""

    def __init__(self, message, kind):
        super(SyncError, self).__init__(message)
        self.kind = kind


class SyncEcsError(SyncError):
    """ECS could not be read for the resource (nothing written): ``error`` is the ECS error, ``allocation_ids`` the
    provisioned allocations that were to be synced, ``ecs`` the result's ``ecs`` block (the endpoint, the calls made)."""

    def __init__(self, error, allocation_ids):
        super(SyncEcsError, self).__init__(getattr(error, 'message', None) or str(error), ECS_UNREADABLE)
        self.error = error
        self.allocation_ids = allocation_ids
        self.ecs = ecs_reading(getattr(error, 'ecs_reading', None) or {})


def provisioned_namespaces(views):
    """The namespaces of the provisioned allocations among ``views``, each once, sorted."""
    return sorted(set(view['namespace'] for view in views if view['provisioned'] and view.get('namespace')))


def provisioned_ids(views):
    """The ids of the provisioned allocations among ``views``, sorted: the ones a sync writes."""
    return sorted(view['id'] for view in views if view['provisioned'])


class SyncJob:
    """The sync of one ColdFront resource from ECS: a ``usage`` reading given, or the one ``finish_reading`` ends."""

    OPTIONS = {'allocation_statuses': ('Active',), 'alert_threshold': 0.9, 'overcommit': None,
               'threshold_overrides': {}, 'threshold_percent_overrides': {}, 'overcommit_overrides': {},
               'bucket_limits': 'namespace', 'namespaces': None, 'fail_on_problems': True, 'fail_on_exceeded': False,
               'forecast_window_days': forecast.DEFAULT_WINDOW_DAYS, 'forecast_days': forecast.DEFAULT_FORECAST_DAYS}

    def __init__(self, resource, usage, names=None, options=None, finish_reading=None):
        self.resource = resource
        self.usage = usage
        self.finish_reading = finish_reading
        self.history, self.now = None, None
        self.names = attribute_names(names)
        self.options = dict(self.OPTIONS, **(options or {}))

    def views(self, settings):
        """The ECS views of the resource's allocations in the synced statuses, read now."""
        records = load_resources(selection={'names': [self.resource], 'name_contains': None},
                                 allocation_statuses=tuple(self.options['allocation_statuses']))
        if not records:
            raise SyncError('resource %r does not exist in ColdFront: check the inventory (coldfront_resource_name)'
                            % self.resource, UNKNOWN_RESOURCE)
        self.read_views = resource_views(records[0], settings)  # the alert state compares with their usage
        return self.read_views

    def read(self, settings):
        """``(views, usage)``: the allocations read from ColdFront now and the ECS reading, the one given or the one
        under way, which gets their namespaces (:class:`SyncEcsError` when ECS cannot be read; nothing is written
        then). The usage history of the provisioned allocations is read while ECS is."""
        if self.usage is not None:
            views = self.views(settings)
            self.read_history(views)
            return views, self.usage
        try:
            views = self.views(settings)
        except BaseException:
            self.finish_reading(None)
            raise
        namespaces = provisioned_namespaces(views)
        self.options['namespaces'] = namespaces
        try:
            self.usage = self.finish_reading(namespaces, while_read=lambda: self.read_history(views))
        except EcsReadError as exc:
            raise SyncEcsError(exc, provisioned_ids(views))
        return views, self.usage

    def plan(self):
        settings = settings_from_names(self.names)
        resource_attributes = dict((key, self.names[key]) for key in RESOURCE_KEYS)
        views, usage = self.read(settings)
        try:
            return sync_plan.plan_sync(self.resource, views, usage, settings, resource_attributes,
                                       self.options['bucket_limits'], self.options['namespaces'])
        except ValueError as exc:
            raise SyncError('resource %s: %s' % (self.resource, exc), INVALID_USAGE)

    def alerts(self, plan):
        try:
            options = self.options
            threshold = resource_threshold(self.resource, options['alert_threshold'], options['threshold_overrides'],
                                           options['threshold_percent_overrides'])
            overcommit = resource_overcommit(self.resource, options['overcommit'], options['overcommit_overrides'])
            found = sync_plan.alerts(plan['quota_tree'], threshold, overcommit)
            previous = sync_plan.alerts(sync_plan.previous_tree(plan['quota_tree'], self.read_views), threshold,
                                        overcommit)
            return self.forecast_alerts(plan, found, previous)
        except QuotaError as exc:
            raise SyncError('alert settings of resource %s: %s' % (self.resource, exc), INVALID_SETTINGS)

    def read_history(self, views):
        """The usage history of the provisioned allocations over the forecast window (one query)."""
        window, _days = forecast.check_settings(self.options)
        self.now = datetime.datetime.now(datetime.timezone.utc)
        self.history = allocation_usage_history(provisioned_ids(views), self.names['quota_tb'],
                                                self.now - datetime.timedelta(days=window))

    def forecast_alerts(self, plan, found, previous):
        """``(alerts with state, recovered alerts, digest, {allocation_id: forecast})`` from the usage history."""
        window, days = forecast.check_settings(self.options)
        soon, soon_before, results = sync_plan.forecasts(plan['quota_tree'], self.history, self.now, window, days)
        return sync_plan.stated_alerts(found + soon, previous + soon_before, self.read_views) + (results,)

    def run(self, reason, user=None, check_mode=False, diff=False):
        """Plan, write the differences in one transaction, and return the module result (with its ``diff`` when
        asked: Ansible's --diff)."""
        plan = self.plan()
        found, recovered, digest, forecasts = self.alerts(plan)
        applied = apply_changes(plan['allocation_attributes'], plan['resource_attributes'], reason=reason, user=user,
                                check_mode=check_mode, create_missing=True)
        failing = sync_plan.failures(plan, found, self.options['fail_on_problems'], self.options['fail_on_exceeded'])
        result = {
            'changed': applied['changed'], 'summary': summary(plan, applied), 'allocations': plan['allocations'],
            'problems': plan['problems'] + [entry['reason'] for entry in plan['allocations'] if entry['reason']],
            'drift': plan['drift'], 'resource': resource_values(plan), 'changes': changed_items(applied),
            'alerts': found, 'failures': failing, 'recovered': recovered,
            'digest': digest, 'forecast': forecasts,
            'failed_allocation_ids': sync_plan.failed_allocation_ids(failing),
            'quota_pulled': plan['quota_pulled'], 'report': report(plan), 'ecs': ecs_reading(self.usage),
        }
        if diff:
            result['diff'] = diff_of(applied)
        return result


def ecs_reading(usage):
    """What the result says of the ECS reading: the endpoint, its calls, its failures and the features found."""
    return {'endpoint': usage.get('endpoint'), 'ecs_calls': usage.get('ecs_calls', 0),
            'failures': usage.get('failures', []), 'api_features': usage.get('api_features', {}),
            'bucket_quotas': usage.get('bucket_quotas', False)}


def changed_items(applied):
    return dict((key, [item for item in applied[key] if item['changed']]) for key in CHANGE_KEYS)


def summary(plan, applied):
    """The plan's counts and the number of attribute values and usages written."""
    return dict(plan['counts'], attributes_changed=sum(len(items) for items in changed_items(applied).values()))


def report(plan):
    """Lines for the run's summary: the quotas pulled (old -> new) and the drift, named (never only counted)."""
    drift = plan['drift']
    return {'quota_pulled': [entry['quota_change'] for entry in plan['quota_pulled']],
            'unclaimed_namespaces': sync_plan.named(drift['unclaimed_namespaces']),
            'missing_namespaces': sync_plan.named(entry['namespace'] for entry in drift['missing_namespaces']),
            'missing_buckets': sync_plan.named('%s/%s' % (entry['namespace'], entry['bucket'])
                                               for entry in drift['missing_buckets'])}


def resource_values(plan):
    """The resource values written (by attribute name) and the namespaces without or with an unread quota."""
    values = dict((item['name'], item['value']) for item in plan['resource_attributes'])
    for key in ('unlimited_namespaces', 'unread_quota_namespaces', 'unread_bucket_quota_namespaces'):
        values[key] = plan[key]
    return values
