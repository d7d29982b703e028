# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The sync plan (ECS -> ColdFront) of one ECS resource, as pure data (no Django, no HTTP).

Input: the ECS views of the resource's allocations (``allocation.resource_views``) and one
``ecs_usage_info`` result.  Output: the ColdFront attribute items to write (only ``_coldfront/write`` decides
whether they differ) and a report of every allocation: synced, skipped (with the reason), pending push,
conflict; plus drift (namespaces or buckets missing on ECS, namespaces no allocation claims).

Values, in the units of :mod:`units`:

* ``Storage Quota (TB)`` value = namespace quota GB / 1024, ``Quota_In_Bytes`` value = TB x 1024**4 (the agreed
  value of ``reconcile``); -1 (no quota on ECS) is written as -1 in both;
* usage of both = the namespace's billed size (the sum of its buckets; the allocation's bucket when it is the
  only one): KB / 1024**3 for TB, KB x 1024 for bytes;
* resource ``capacity_tb`` = provisioned GB / 1024, ``used_tb`` = (provisioned - free) GB / 1024,
  ``allocated_tb`` = sum of every namespace hard quota on the endpoint / 1024, namespaces without a quota left out
  (and counted in ``unlimited_namespaces``).  When the quota of any namespace on the endpoint could not be read
  (``hard_quota_gb`` None), the sum would be too low: ``allocated_tb`` is not written (ColdFront keeps the last
  value) and the plan's ``problems`` says why.

Every allocation entry has a ``kind`` (:data:`KINDS`, None when synced) and every problem of the resource one in
``issues``; :func:`failures` decides from those codes, never from the wording, which of them fail the sync.

A provisioned allocation whose namespace is not among ``read_namespaces`` (the namespaces whose billing was asked of
ECS) was provisioned after that read: it is skipped with kind ``not_read`` and synced by the next run.

Alerts: every synced namespace is a quota scope with its buckets; a bucket's limit follows ``bucket_limits``:
``namespace`` (the namespace quota, which provision gives each bucket by default), ``ecs`` (the bucket quota that
``ecs_usage_info`` read with ``bucket_quotas``) or ``none`` (no bucket limit).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import forecast, quota, reconcile, units
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.outcomes import CONFLICT, INVALID_DATA, NAMESPACE_MISSING

SYNCED = 'synced'
SKIPPED = 'skipped'
PENDING_PUSH = 'pending_push'

DEFAULT_RESOURCE_ATTRIBUTES = {'capacity': 'capacity_tb', 'used': 'used_tb', 'allocated': 'allocated_tb'}

BUCKET_LIMITS = ('namespace', 'ecs', 'none')

# Why an allocation was not synced (``kind`` of its entry) or what went wrong on the resource (``issues``).
NOT_PROVISIONED = 'not_provisioned'          # no Subdirectory yet: provision first (never a failure)
NOT_READ = 'not_read'                        # provisioned after the ECS read of this run: the next sync reads it
# INVALID_DATA (the allocation's ColdFront data has errors), NAMESPACE_MISSING (recorded in ColdFront, missing on ECS)
# and CONFLICT are the words of provision and adopt too (outcomes).
UNREADABLE = 'unreadable'                    # its quota or billing could not be read on ECS
ALLOCATED_NOT_WRITTEN = 'allocated_not_written'  # a namespace quota of the endpoint could not be read
BUCKET_QUOTAS_UNREAD = 'bucket_quotas_unread'    # bucket quotas could not be read (bucket_limits ecs)
QUOTA_EXCEEDED = 'quota_exceeded'            # a hard limit is exceeded (an alert of level exceeded)
KINDS = (NOT_PROVISIONED, NOT_READ, INVALID_DATA, NAMESPACE_MISSING, UNREADABLE, PENDING_PUSH, CONFLICT,
         ALLOCATED_NOT_WRITTEN, BUCKET_QUOTAS_UNREAD, QUOTA_EXCEEDED)
# The kinds that fail a sync run when failing on problems; not_provisioned, not_read and pending_push never do.
PROBLEM_KINDS = (INVALID_DATA, NAMESPACE_MISSING, UNREADABLE, CONFLICT, ALLOCATED_NOT_WRITTEN, BUCKET_QUOTAS_UNREAD)


def _quota_text(gb):
    return str(units.UNLIMITED) if units.is_unlimited(gb) else units.format_number(units.gb_to_tb(gb))


def _bytes_text(gb):
    return str(units.gb_to_bytes(gb))


class SyncPlan:
    """Builds the plan for one resource; see :func:`plan_sync`."""

    def __init__(self, resource, views, usage, settings, resource_attributes=None, bucket_limits='none',
                 read_namespaces=None):
        if bucket_limits not in BUCKET_LIMITS:
            raise ValueError('bucket_limits must be one of %s, got %r' % (', '.join(BUCKET_LIMITS), bucket_limits))
        if bucket_limits == 'ecs' and not (usage or {}).get('bucket_quotas'):
            raise ValueError('bucket limits from ECS need the bucket quotas: run ecs_usage_info with bucket_quotas: true')
        self.bucket_limits = bucket_limits
        self.resource = resource
        self.resource_attributes = dict(DEFAULT_RESOURCE_ATTRIBUTES, **(resource_attributes or {}))
        self.quota_reason = None
        self.quota_fields = {}
        self.views = views
        self.usage = usage or {}
        self.settings = settings
        self.items = {}
        self.scopes = []
        self.allocations = []
        self.drift = {'missing_namespaces': [], 'missing_buckets': [], 'unclaimed_namespaces': []}
        self.issues = []
        self.read_namespaces = None if read_namespaces is None else set(read_namespaces)
        self.failures = {}
        for failure in self.usage.get('failures') or ():
            self.failures.setdefault(failure.get('namespace'), []).append(failure)

    def item(self, allocation_id, name, **fields):
        """Value and/or usage of one (allocation, attribute): one item each, as ``_coldfront/write`` wants."""
        key = (allocation_id, name)
        if key not in self.items:
            self.items[key] = {'allocation_id': allocation_id, 'name': name}
        self.items[key].update(fields)

    def report(self, view, status, reason=None, kind=None, **extra):
        entry = {'allocation_id': view['id'], 'project': view['project'], 'namespace': view.get('namespace'),
                 'bucket': view.get('bucket'), 'status': status, 'reason': reason, 'kind': kind,
                 'old_quota_bytes': None, 'new_quota_bytes': None, 'quota_change': None, 'resolve': None}
        entry.update(extra)
        self.allocations.append(entry)

    def problem(self, kind, message, namespaces):
        """A problem of the resource (not of one allocation): its kind, the namespaces concerned and one line."""
        self.issues.append({'kind': kind, 'allocation_id': None, 'namespaces': list(namespaces), 'message': message})

    def label(self, view):
        return 'allocation %s (project %s) on %s' % (view['id'], view['project'], self.resource)

    # -- per allocation -------------------------------------------------------------------------------

    def allocation(self, view):
        namespace = view.get('namespace')
        if view.get('errors'):
            return self.report(view, SKIPPED, '; '.join(view['errors']), INVALID_DATA)
        if not view.get('provisioned'):
            return self.report(view, SKIPPED, '%s is not provisioned yet (no %s recorded): run provision first'
                               % (self.label(view), self.settings['subdirectory_attribute']), NOT_PROVISIONED)
        if self.read_namespaces is not None and namespace not in self.read_namespaces:
            return self.report(view, SKIPPED, '%s was provisioned after ECS %s was read in this run, so namespace %s '
                               'was not read: the next sync reads it' % (self.label(view), self.usage.get('endpoint'),
                                                                         namespace), NOT_READ)
        known = self.usage.get('namespaces') or {}
        if namespace not in known:
            self.drift['missing_namespaces'].append({'allocation_id': view['id'], 'project': view['project'],
                                                     'namespace': namespace})
            return self.report(view, SKIPPED, '%s: namespace %s is recorded in ColdFront but missing on ECS %s; '
                               'nothing was changed: restore it on ECS or correct the %s attribute'
                               % (self.label(view), namespace, self.usage.get('endpoint'),
                                  self.settings['subdirectory_attribute']), NAMESPACE_MISSING)
        usage_entry = (self.usage.get('usage') or {}).get(namespace)
        ecs_gb = known[namespace].get('hard_quota_gb')
        unread = [what for what, missing in (('quota', ecs_gb is None), ('billing', usage_entry is None)) if missing]
        if unread:
            problems = ['%s %s: %s' % (f.get('method') or 'read', f.get('path') or namespace, f.get('message'))
                        for f in self.failures.get(namespace, ())] or ['ECS returned no data for it']
            return self.report(view, SKIPPED, '%s: could not read the %s of namespace %s, so it was not synced; %s'
                               % (self.label(view), ' and '.join(unread), namespace, '; '.join(problems)),
                               UNREADABLE, quota=None)
        quota_status = self.quota(view, ecs_gb)
        self.usage_items(view, usage_entry)
        self.scopes.append(namespace_scope(view, ecs_gb, usage_entry, self.bucket_limits))
        if quota_status in (PENDING_PUSH, CONFLICT):
            return self.report(view, quota_status, self.quota_reason, quota_status, quota=quota_status,
                               **self.quota_fields)
        return self.report(view, SYNCED, quota=quota_status, **self.quota_fields)

    def bucket_drift(self, view, usage_entry):
        bucket = view.get('bucket')
        if bucket and bucket not in (usage_entry.get('buckets') or {}):
            self.drift['missing_buckets'].append({'allocation_id': view['id'], 'project': view['project'],
                                                  'namespace': view['namespace'], 'bucket': bucket})

    def quota(self, view, ecs_gb):
        """Quota items by the :mod:`reconcile` decision (who changed the quota last); returns the decision."""
        self.quota_reason, self.quota_fields = None, {}
        coldfront_gb = reconcile.quota_gb(view.get('quota_tb'))
        agreed = reconcile.agreed_gb(view.get('quota_bytes'))
        decision = reconcile.quota_decision(coldfront_gb, agreed, ecs_gb)
        settings = self.settings
        if decision in (reconcile.PULL, reconcile.BASELINE):
            self.item(view['id'], settings['quota_tb_attribute'], value=_quota_text(ecs_gb))
            self.quota_fields = pulled_fields(view, coldfront_gb, ecs_gb)
        if decision in (reconcile.PULL, reconcile.BASELINE, reconcile.RECORD) or \
                (decision == reconcile.IN_SYNC and agreed is None):
            self.item(view['id'], settings['quota_bytes_attribute'], value=_bytes_text(ecs_gb))
        if decision == reconcile.PULL and self.bucket_limits == 'namespace' and view.get('bucket_quota_bytes') is None:
            # The bucket still has the old quota: recorded so that the next provision makes it follow the namespace.
            self.item(view['id'], settings['bucket_quota_bytes_attribute'], value=str(view['quota_bytes']))
        if decision == reconcile.PUSH:
            self.quota_reason = ('%s: %s changed in ColdFront and not pushed to ECS yet; left as it is, provision '
                                 'pushes it' % (self.label(view), settings['quota_tb_attribute']))
            return PENDING_PUSH
        if decision == reconcile.CONFLICT:
            names = {'quota_tb': settings['quota_tb_attribute'], 'quota_bytes': settings['quota_bytes_attribute']}
            self.quota_reason = reconcile.conflict_message(view['id'], self.resource, view['namespace'],
                                                           coldfront_gb, agreed, ecs_gb, names)
            self.quota_fields = {'resolve': reconcile.conflict_fix(coldfront_gb, ecs_gb, names)}
            return CONFLICT
        return decision

    def usage_items(self, view, usage_entry):
        self.bucket_drift(view, usage_entry)
        size_kb = usage_entry.get('total_size_kb') or 0
        self.item(view['id'], self.settings['quota_tb_attribute'], usage=units.kb_to_tb(size_kb))
        name = self.settings['quota_bytes_attribute']
        if view.get('quota_bytes') is None and 'value' not in self.items.get((view['id'], name), {}):
            return  # no agreed value yet (a conflict): the attribute cannot be made with a usage alone
        self.item(view['id'], name, usage=units.kb_to_bytes(size_kb))

    # -- per resource ---------------------------------------------------------------------------------

    def unread_quotas(self):
        """Namespaces on the endpoint whose quota could not be read (``hard_quota_gb`` None), sorted."""
        known = self.usage.get('namespaces') or {}
        return sorted(name for name, entry in known.items() if (entry or {}).get('hard_quota_gb') is None)

    def unread_bucket_quotas(self):
        """Synced namespaces whose bucket quotas could not be read (``ecs`` limits only): one problem names them."""
        if self.bucket_limits != 'ecs':
            return []
        synced = set(scope['name'] for scope in self.scopes)
        unread = sorted(name for name in self.usage.get('unread_bucket_quotas') or () if name in synced)
        if unread:
            first = [f for f in self.failures.get(unread[0], ()) if (f.get('path') or '').startswith('/object/bucket')][:1]
            error = first[0].get('message') if first else 'ECS returned no bucket list'
            self.problem(BUCKET_QUOTAS_UNREAD,
                         'resource %s: the bucket quotas of %d namespace(s) could not be read on ECS %s (%s), so '
                         'their buckets were not checked against their quotas (no bucket alerts); re-run sync '
                         'when ECS answers (first error: %s)'
                         % (self.resource, len(unread), self.usage.get('endpoint'), ', '.join(unread), error), unread)
        return unread

    def resource_items(self, unread_quotas=()):
        names = self.resource_attributes
        capacity = self.usage.get('capacity') or {}
        provisioned, free = capacity.get('total_provisioned_gb'), capacity.get('total_free_gb')
        values = {}
        if unread_quotas:
            # The sum would leave these namespaces out and be too low (a dip in the history): keep the last value.
            first = [f for name in unread_quotas for f in self.failures.get(name, ())][:1]
            error = ('%s %s: %s' % (first[0].get('method') or 'read', first[0].get('path') or first[0].get('namespace'),
                                    first[0].get('message')) if first else 'ECS returned no quota for it')
            self.problem(ALLOCATED_NOT_WRITTEN,
                         'resource %s: %s was not written, because the quota of %d namespace(s) could not be '
                         'read on ECS %s (%s) and the sum of the namespace quotas would be too low; ColdFront '
                         'keeps the last value: re-run sync when ECS answers (first error: %s)'
                         % (self.resource, names['allocated'], len(unread_quotas), self.usage.get('endpoint'),
                            ', '.join(unread_quotas), error), unread_quotas)
        else:
            values['allocated'] = units.gb_to_tb(self.usage.get('allocated_gb') or 0)
        if provisioned is not None:
            values['capacity'] = units.gb_to_tb(provisioned)
            if free is not None:
                values['used'] = units.gb_to_tb(provisioned - free)
        return [{'resource': self.resource, 'name': names[key], 'value': units.format_number(value)}
                for key, value in sorted(values.items())]

    def unclaimed(self, claimed):
        known = sorted((self.usage.get('namespaces') or {}).keys())
        self.drift['unclaimed_namespaces'] = [name for name in known if name not in claimed]

    def quota_tree(self):
        """This resource as a ``quota.build_tree`` input, in TB: capacity, used, allocated and synced namespaces."""
        capacity = self.usage.get('capacity') or {}
        provisioned, free = capacity.get('total_provisioned_gb'), capacity.get('total_free_gb')
        tree = {'name': self.resource, 'namespaces': self.scopes,
                'allocated': units.gb_to_tb(self.usage.get('allocated_gb') or 0),
                'namespace_count': len(self.usage.get('namespaces') or {})}
        if provisioned is not None:
            tree['capacity'] = units.gb_to_tb(provisioned)
            if free is not None and free <= provisioned:  # a negative used is no usage: the judge refuses it
                tree['used'] = units.gb_to_tb(provisioned - free)
        return tree

    def build(self):
        for view in self.views:
            self.allocation(view)
        self.unclaimed(set(view['namespace'] for view in self.views if view.get('namespace')))
        counts = {}
        for entry in self.allocations:
            counts[entry['status']] = counts.get(entry['status'], 0) + 1
        unread = self.unread_quotas()
        unread_buckets = self.unread_bucket_quotas()
        return {
            'allocation_attributes': list(self.items.values()),
            'resource_attributes': self.resource_items(unread),
            'allocations': self.allocations,
            'problems': [issue['message'] for issue in self.issues],
            'issues': self.issues,
            'unread_quota_namespaces': unread,
            'unread_bucket_quota_namespaces': unread_buckets,
            'drift': self.drift,
            'quota_pulled': [entry for entry in self.allocations if entry['quota_change']],
            'counts': dict((status, counts.get(status, 0)) for status in (SYNCED, SKIPPED, PENDING_PUSH, CONFLICT)),
            'unlimited_namespaces': list(self.usage.get('unlimited_namespaces') or ()),
            'quota_tree': self.quota_tree(),
        }


def pulled_fields(view, coldfront_gb, ecs_gb):
    """The quota a sync takes from ECS, old -> new: bytes for the result, a line for the summary."""
    return {'old_quota_bytes': reconcile.quota_bytes(coldfront_gb), 'new_quota_bytes': reconcile.quota_bytes(ecs_gb),
            'quota_change': 'allocation %s (%s): namespace %s %s (pulled from ECS)'
                            % (view['id'], view['project'], view['namespace'], reconcile.change_text(coldfront_gb, ecs_gb))}


def named(names, limit=20):
    """``a, b, c`` or ``none``; past ``limit`` names, ``and N more`` (the full list is in the structured result)."""
    names = list(names)
    if not names:
        return 'none'
    more = ' and %d more' % (len(names) - limit) if len(names) > limit else ''
    return ', '.join(str(name) for name in names[:limit]) + more


def bucket_limit_tb(bucket, namespace_gb, bucket_limits):
    """The limit (TB) of one billed bucket by ``bucket_limits``; None when it has none or it is unknown."""
    gb = {'namespace': namespace_gb, 'ecs': bucket.get('hard_quota_gb')}.get(bucket_limits)
    return None if gb is None else units.gb_to_tb(gb)


def namespace_scope(view, ecs_gb, usage_entry, bucket_limits='none'):
    """One synced namespace as a ``quota`` scope in TB (limit -1 = no quota), with its buckets' usage and limits."""
    buckets = []
    for name, bucket in sorted((usage_entry.get('buckets') or {}).items()):
        scope = {'name': name, 'usage': units.kb_to_tb(bucket.get('size_kb') or 0)}
        limit = bucket_limit_tb(bucket, ecs_gb, bucket_limits)
        if limit is not None:
            scope['limit'] = limit
        buckets.append(scope)
    return {'name': view['namespace'], 'allocation_id': view['id'], 'limit': units.gb_to_tb(ecs_gb),
            'usage': units.kb_to_tb(usage_entry.get('total_size_kb') or 0), 'buckets': buckets,
            'bucket_count': len(buckets)}


def alerts(tree, threshold, overcommit=None):
    """The quotas of ``tree`` at or over ``threshold`` (fraction), worst first (``quota`` alert dicts): judged as the
    report and the filters judge them, one alert per resource quota and per allocation (its buckets as detail)."""
    return quota.evaluate_thresholds(tree, default_threshold=threshold, overcommit=overcommit, unit='TB')


def previous_tree(tree, views):
    """``tree`` with each namespace's usage as ColdFront held it before this sync (the previous sync's value); a
    one-bucket namespace's bucket follows it, other buckets keep today's usage (ColdFront has no bucket usage)."""
    before = dict((view['id'], view.get('usage_tb')) for view in views)
    namespaces = []
    for namespace in tree['namespaces']:
        usage = before.get(namespace['allocation_id'])
        if usage is None:
            usage = namespace['usage']
        buckets = [dict(bucket, usage=usage) for bucket in namespace['buckets']] \
            if len(namespace['buckets']) == 1 else namespace['buckets']
        namespaces.append(dict(namespace, usage=usage, buckets=buckets))
    return dict(tree, namespaces=namespaces)


def forecasts(tree, history, now, window_days, forecast_days):
    """``(alerts now, alerts at the previous sync, {allocation_id: forecast})`` of the synced namespaces.

    ``history``: ``{allocation_id: [(datetime, usage TB)]}`` ColdFront's usage history (the value just read from
    ECS ends the series)."""
    found, before, results = [], [], {}
    for namespace in tree['namespaces']:
        base = {'scope': 'namespace %s on resource %s' % (namespace['name'], tree['name']), 'kind': 'namespace',
                'name': namespace['name'], 'resource': tree['name'], 'namespace': namespace['name'],
                'allocation_id': namespace['allocation_id'], 'quota': quota.STORAGE, 'limit': namespace['limit'],
                'usage': namespace['usage']}
        result, now_alerts, before_alerts = forecast.with_previous(
            base, history.get(namespace['allocation_id'], []), now, namespace['limit'], namespace['usage'], 'TB',
            window_days, forecast_days)
        results[namespace['allocation_id']] = result
        found += now_alerts
        before += before_alerts
    return found, before, results


def stated_alerts(found, previous, views):
    """``(firing alerts with state new / ongoing, recovered alerts, digest per PI and project)``."""
    stated = forecast.alert_state(found, previous)
    owners = dict((view['id'], (view.get('pi'), view.get('project'))) for view in views)
    return forecast.split_recovered(stated) + (forecast.digest(stated, owners),)


def failures(plan, found_alerts, fail_on_problems=True, fail_on_exceeded=False):
    """What fails the sync of one resource, from the codes of ``plan`` and the ``found_alerts`` (never the wording).

    One entry per failing allocation or resource problem (``kind``, ``allocation_id`` or None, ``namespaces``,
    ``message``): the :data:`PROBLEM_KINDS` when ``fail_on_problems``, the alerts of level ``exceeded`` when
    ``fail_on_exceeded``.
    """
    found = []
    if fail_on_problems:
        found += [issue for issue in plan['issues'] if issue['kind'] in PROBLEM_KINDS]
        found += [{'kind': entry['kind'], 'allocation_id': entry['allocation_id'],
                   'namespaces': [entry['namespace']] if entry['namespace'] else [], 'message': entry['reason']}
                  for entry in plan['allocations'] if entry['kind'] in PROBLEM_KINDS]
    if fail_on_exceeded:
        found += [{'kind': QUOTA_EXCEEDED, 'allocation_id': alert.get('allocation_id'),
                   'namespaces': [alert['namespace']] if alert.get('namespace') else [], 'message': alert['message']}
                  for alert in found_alerts if alert['level'] == quota.EXCEEDED]
    return found


def failed_allocation_ids(found):
    """The sorted ids of the allocations among :func:`failures`."""
    return sorted(set(entry['allocation_id'] for entry in found if entry['allocation_id'] is not None))


def plan_sync(resource, views, usage, settings, resource_attributes=None, bucket_limits='none', read_namespaces=None):
    """The plan for ``resource`` (name) from its allocation ``views`` and one ``ecs_usage_info`` result.

    ``settings`` are the :mod:`allocation` settings (attribute names, merged); ``resource_attributes`` names the
    resource attributes (``{'capacity': ..., 'used': ..., 'allocated': ...}``, defaults :data:`DEFAULT_RESOURCE_ATTRIBUTES`);
    ``bucket_limits`` is where the buckets' limits come from (:data:`BUCKET_LIMITS`, see the module docstring);
    ``read_namespaces`` the namespaces whose billing was asked of ECS (None: every provisioned one).
    """
    return SyncPlan(resource, views, usage, settings, resource_attributes, bucket_limits, read_namespaces).build()
