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

Alerts: every synced namespace is a quota scope with its buckets; a bucket's limit follows ``bucket_limits``:
``namespace`` (the namespace quota, which provision gives each bucket by default), ``ecs`` (the bucket quota that
``ecs_usage_info`` read with ``bucket_quotas``) or ``none`` (no bucket limit).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import quota, reconcile, units

SYNCED = 'synced'
SKIPPED = 'skipped'
PENDING_PUSH = 'pending_push'
CONFLICT = 'conflict'

DEFAULT_RESOURCE_ATTRIBUTES = {'capacity': 'capacity_tb', 'used': 'used_tb', 'allocated': 'allocated_tb'}

BUCKET_LIMITS = ('namespace', 'ecs', 'none')


def _quota_text(gb):
    return str(units.UNLIMITED) if units.is_unlimited(gb) else units.format_number(units.gb_to_tb(gb))


def _bytes_text(gb):
    return str(units.gb_to_bytes(gb))


class SyncPlan:
    """Builds the plan for one resource; see :func:`plan_sync`."""

    def __init__(self, resource, views, usage, settings, resource_attributes=None, bucket_limits='none'):
        if bucket_limits not in BUCKET_LIMITS:
            raise ValueError('bucket_limits must be one of %s, got %r' % (', '.join(BUCKET_LIMITS), bucket_limits))
        if bucket_limits == 'ecs' and not (usage or {}).get('bucket_quotas'):
            raise ValueError('bucket limits from ECS need the bucket quotas: run ecs_usage_info with bucket_quotas: true')
        self.bucket_limits = bucket_limits
        self.resource = resource
        self.resource_attributes = dict(DEFAULT_RESOURCE_ATTRIBUTES, **(resource_attributes or {}))
        self.quota_reason = None
        self.views = views
        self.usage = usage or {}
        self.settings = settings
        self.items = {}
        self.scopes = []
        self.allocations = []
        self.drift = {'missing_namespaces': [], 'missing_buckets': [], 'unclaimed_namespaces': []}
        self.problems = []
        self.failures = {}
        for failure in self.usage.get('failures') or ():
            self.failures.setdefault(failure.get('namespace'), []).append(failure)

    def item(self, allocation_id, name, **fields):
        """Value and/or usage of one (allocation, attribute): one item each, as ``_coldfront/write`` wants."""
        key = (allocation_id, name)
        if key not in self.items:
            self.items[key] = {'allocation_id': allocation_id, 'name': name}
        self.items[key].update(fields)

    def report(self, view, status, reason=None, **extra):
        entry = {'allocation_id': view['id'], 'project': view['project'], 'namespace': view.get('namespace'),
                 'bucket': view.get('bucket'), 'status': status, 'reason': reason}
        entry.update(extra)
        self.allocations.append(entry)

    def label(self, view):
        return 'allocation %s (project %s) on %s' % (view['id'], view['project'], self.resource)

    # -- per allocation -------------------------------------------------------------------------------

    def allocation(self, view):
        namespace = view.get('namespace')
        if view.get('errors'):
            return self.report(view, SKIPPED, '; '.join(view['errors']))
        if not view.get('provisioned'):
            return self.report(view, SKIPPED, '%s is not provisioned yet (no %s recorded): run provision first'
                               % (self.label(view), self.settings['subdirectory_attribute']))
        known = self.usage.get('namespaces') or {}
        if namespace not in known:
            self.drift['missing_namespaces'].append({'allocation_id': view['id'], 'project': view['project'],
                                                     'namespace': namespace})
            return self.report(view, SKIPPED, '%s: namespace %s is recorded in ColdFront but missing on ECS %s; '
                               'nothing was changed: restore it on ECS or correct the %s attribute'
                               % (self.label(view), namespace, self.usage.get('endpoint'),
                                  self.settings['subdirectory_attribute']))
        usage_entry = (self.usage.get('usage') or {}).get(namespace)
        ecs_gb = known[namespace].get('hard_quota_gb')
        unread = [what for what, missing in (('quota', ecs_gb is None), ('billing', usage_entry is None)) if missing]
        if unread:
            problems = ['%s %s: %s' % (f.get('method') or 'read', f.get('path') or namespace, f.get('message'))
                        for f in self.failures.get(namespace, ())] or ['ECS returned no data for it']
            return self.report(view, SKIPPED, '%s: could not read the %s of namespace %s, so it was not synced; %s'
                               % (self.label(view), ' and '.join(unread), namespace, '; '.join(problems)),
                               quota=None)
        quota_status = self.quota(view, ecs_gb)
        self.usage_items(view, usage_entry)
        self.scopes.append(namespace_scope(view, ecs_gb, usage_entry, self.bucket_limits))
        if quota_status in (PENDING_PUSH, CONFLICT):
            return self.report(view, quota_status, self.quota_reason, quota=quota_status)
        return self.report(view, SYNCED, quota=quota_status)

    def bucket_drift(self, view, usage_entry):
        bucket = view.get('bucket')
        if bucket and bucket not in (usage_entry.get('buckets') or {}):
            self.drift['missing_buckets'].append({'allocation_id': view['id'], 'project': view['project'],
                                                  'namespace': view['namespace'], 'bucket': bucket})

    def quota(self, view, ecs_gb):
        """Quota items by the :mod:`reconcile` decision (who changed the quota last); returns the decision."""
        self.quota_reason = None
        coldfront_gb = reconcile.quota_gb(view.get('quota_tb'))
        agreed = reconcile.agreed_gb(view.get('quota_bytes'))
        decision = reconcile.quota_decision(coldfront_gb, agreed, ecs_gb)
        settings = self.settings
        if decision in (reconcile.PULL, reconcile.BASELINE):
            self.item(view['id'], settings['quota_tb_attribute'], value=_quota_text(ecs_gb))
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
            self.quota_reason = reconcile.conflict_message(view['id'], self.resource, view['namespace'],
                                                           coldfront_gb, agreed, ecs_gb)
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
            self.problems.append('resource %s: the bucket quotas of %d namespace(s) could not be read on ECS %s (%s), so '
                                 'their buckets were not checked against their quotas (no bucket alerts); re-run sync '
                                 'when ECS answers (first error: %s)'
                                 % (self.resource, len(unread), self.usage.get('endpoint'), ', '.join(unread), error))
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
            self.problems.append('resource %s: %s was not written, because the quota of %d namespace(s) could not be '
                                 'read on ECS %s (%s) and the sum of the namespace quotas would be too low; ColdFront '
                                 'keeps the last value: re-run sync when ECS answers (first error: %s)'
                                 % (self.resource, names['allocated'], len(unread_quotas), self.usage.get('endpoint'),
                                    ', '.join(unread_quotas), error))
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
            if free is not None:
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
            'problems': self.problems,
            'unread_quota_namespaces': unread,
            'unread_bucket_quota_namespaces': unread_buckets,
            'drift': self.drift,
            'counts': dict((status, counts.get(status, 0)) for status in (SYNCED, SKIPPED, PENDING_PUSH, CONFLICT)),
            'unlimited_namespaces': list(self.usage.get('unlimited_namespaces') or ()),
            'quota_tree': self.quota_tree(),
        }


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
    """Every scope of ``tree`` at or over ``threshold`` (fraction) of a limit, worst first (``quota`` alert dicts)."""
    return quota.evaluate_thresholds(tree, default_threshold=threshold, overcommit=overcommit, unit='TB')


def plan_sync(resource, views, usage, settings, resource_attributes=None, bucket_limits='none'):
    """The plan for ``resource`` (name) from its allocation ``views`` and one ``ecs_usage_info`` result.

    ``settings`` are the :mod:`allocation` settings (attribute names, merged); ``resource_attributes`` names the
    resource attributes (``{'capacity': ..., 'used': ..., 'allocated': ...}``, defaults :data:`DEFAULT_RESOURCE_ATTRIBUTES`);
    ``bucket_limits`` is where the buckets' limits come from (:data:`BUCKET_LIMITS`, see the module docstring).
    """
    return SyncPlan(resource, views, usage, settings, resource_attributes, bucket_limits).build()
