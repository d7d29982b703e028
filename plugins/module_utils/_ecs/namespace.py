# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ECS namespace: read it, plan the changes, apply them (shared by ``ecs_namespace`` and ``ecs_provision``).

    state = NamespaceState(client, {'name': 'smith-lab', 'replication_group': 'rg1', 'user_mapping': [...],
                                    'quota_tb': 10}, check_mode=False)
    result = state.present()     # {'changed', 'changes', 'namespace', 'state', 'diff'}

``params`` uses the option names of ``ecs_namespace`` (``name``, ``replication_group``, ``user_mapping`` and the
quota options of :mod:`quota`); missing keys count as not given.  Refusals raise :class:`EcsModuleFailure`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsModuleFailure
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.quota import (
    NO_QUOTA, carries_quota, ensure_quota, quota_from_record, wanted_quota_from_params)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.summaries import namespace_view, normalize_mapping

MAX_BUCKETS_NAMED = 10


class NamespaceState:
    """Reads ECS and plans the changes for one namespace."""

    def __init__(self, client, params, check_mode=False):
        self.params = params
        self.client = client
        self.name = params['name']
        self.check_mode = check_mode
        self.changes = []

    def param(self, key):
        return self.params.get(key)

    def view(self, namespace, quota=None):
        if namespace is None:
            return {'name': self.name, 'exists': False}
        group_id = namespace.get('default_data_services_vpool')
        view = namespace_view(namespace, self.client.replication_group_name(group_id) if group_id else None, quota)
        view.update(name=self.name, exists=True)
        for key in ('encryption',) + (() if quota else ('hard_quota_gb', 'soft_quota_gb')):
            view.pop(key)
        return view

    def result(self, before, after, namespace):
        return {'changed': bool(self.changes), 'changes': self.changes, 'namespace': namespace or {}, 'state': after,
                'diff': {'before': before, 'after': after}}

    def absent(self):
        current = self.client.find_namespace(self.name)
        if current is None:
            return self.result(self.view(None), self.view(None), None)
        buckets = self.client.first_buckets(self.name, MAX_BUCKETS_NAMED)
        if buckets:
            names = ', '.join(sorted(b.get('name', '?') for b in buckets))
            raise EcsModuleFailure(
                'namespace %s on %s still holds buckets (%s%s): delete them first (hpc.coldfront_ecs.ecs_bucket state=absent); '
                'a namespace is never deleted with its data' % (self.name, self.client.base_url, names,
                                                                ', ...' if len(buckets) >= MAX_BUCKETS_NAMED else ''),
                buckets=sorted(b.get('name') for b in buckets))
        self.changes.append('delete namespace')
        if not self.check_mode:
            self.client.delete_namespace(self.name)
        return self.result(self.view(current), self.view(None), None)

    def present(self):
        wanted_quota = wanted_quota_from_params(self.params)
        group = self.client.resolve_replication_group(self.param('replication_group')) \
            if self.param('replication_group') else None
        return self.ensure(self.client.find_namespace(self.name), wanted_quota, group)

    def ensure(self, current, wanted_quota, group=None):
        """Create the namespace (``current`` None) or bring ``current`` (as read from ECS) to what is wanted.

        ``group`` is the replication group record to create with or change to (None leaves an existing one).
        """
        mapping = self.param('user_mapping')
        if current is None:
            return self.create(group, mapping, wanted_quota)
        quota = None
        if wanted_quota is not None:
            quota = quota_from_record(current) if carries_quota(current) else \
                quota_from_record(self.client.get_namespace_quota(self.name))
        before = self.view(current, quota)
        update, planned = {}, []
        if group is not None and group['id'] != current.get('default_data_services_vpool'):
            update['default_data_services_vpool'] = group['id']
            planned.append('set default replication group %s' % group.get('name'))
        if mapping is not None and normalize_mapping(mapping) != normalize_mapping(current.get('user_mapping')):
            update['user_mapping'] = mapping
            planned.append('set user mapping')
        if update and not self.check_mode:
            self.client.update_namespace(self.name, update, current)
        self.changes.extend(planned)  # listed once done, so a failure never reports them
        quota = self.apply_quota(quota, wanted_quota)
        predicted = dict(current, **update)
        namespace = predicted if self.check_mode or not self.changes else self.client.get_namespace(self.name)
        return self.result(before, self.view(predicted, quota), namespace)

    def create(self, group, mapping, wanted_quota):
        if group is None:
            raise EcsModuleFailure('namespace %s does not exist on %s and replication_group is not set: give the default '
                                   'replication group (name or id) to create it' % (self.name, self.client.base_url))
        predicted = {'id': self.name, 'name': self.name, 'default_data_services_vpool': group['id'],
                     'user_mapping': mapping or []}
        namespace = predicted
        if not self.check_mode:
            namespace = self.client.create_namespace(self.name, group['id'], mapping or [])
        self.changes.append('create namespace')
        quota = self.apply_quota(dict(NO_QUOTA), wanted_quota) if wanted_quota is not None else None
        if quota is not None and not self.check_mode and namespace.get('blockSize') is not None:
            namespace = dict(namespace, blockSize=quota['hard_gb'], notificationSize=quota['soft_gb'])
        return self.result(self.view(None), self.view(namespace, quota), namespace)

    def apply_quota(self, current, wanted):
        if wanted is None:
            return current
        changed, after = ensure_quota(
            current, wanted, lambda hard, soft: self.client.set_namespace_quota(self.name, hard, soft),
            lambda: self.client.delete_namespace_quota(self.name), self.check_mode)
        if changed:
            self.changes.append('remove quota' if after == NO_QUOTA else
                                'set quota %d/%d GB' % (after['hard_gb'], after['soft_gb']))
        return after
