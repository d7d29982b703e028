# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ECS bucket: read it, plan the changes, apply them (shared by ``ecs_bucket`` and ``ecs_provision``).

    state = BucketState(client, {'name': 'lab-smith-lab-bucket', 'namespace': 'smith-lab', 'filesystem_enabled': True,
                                 'quota_tb': 10}, check_mode=False, warn=module.warn)
    result = state.present()     # {'changed', 'changes', 'bucket', 'state', 'immutable_mismatches', 'diff'}

``params`` uses the option names of ``ecs_bucket`` (``name``, ``namespace``, ``replication_group``,
``filesystem_enabled``, ``encryption``, ``immutable_mismatch``, ``force`` and the quota options of :mod:`quota`);
missing keys take the module's defaults.  Refusals raise :class:`EcsModuleFailure`.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import (
    EcsApiError, EcsModuleFailure, is_not_found)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.quota import (
    NO_QUOTA, ensure_quota, quota_from_record, wanted_quota_from_params)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.summaries import bucket_view, flag

# Defaults of the ecs_bucket options a caller may leave out.
BUCKET_DEFAULTS = {'replication_group': None, 'filesystem_enabled': None, 'encryption': None,
                   'immutable_mismatch': 'warn', 'force': False}


class BucketState:
    """Reads ECS and plans the changes for one bucket."""

    def __init__(self, client, params, check_mode=False, warn=None):
        self.params = dict(BUCKET_DEFAULTS, **params)
        self.client = client
        self.name = self.params['name']
        self.namespace = self.params['namespace']
        self.check_mode = check_mode
        self.warn = warn or (lambda message: None)
        self.changes = []
        self.mismatches = []

    @property
    def label(self):
        return 'bucket %s in namespace %s on %s' % (self.name, self.namespace, self.client.base_url)

    def view(self, bucket):
        if bucket is None:
            return {'name': self.name, 'namespace': self.namespace, 'exists': False}
        view = bucket_view(bucket)
        view.update(name=self.name, namespace=self.namespace, exists=True)
        for key in ('owner', 'created'):
            view.pop(key)
        return view

    def result(self, before, after, bucket, **extra):
        result = {'changed': bool(self.changes), 'changes': self.changes, 'bucket': bucket or {}, 'state': after,
                  'immutable_mismatches': self.mismatches, 'diff': {'before': before, 'after': after}}
        result.update(extra)
        return result

    def namespace_record(self):
        namespace = self.client.find_namespace(self.namespace)
        if namespace is None and self.check_mode:
            self.warn('namespace %s does not exist on %s: check mode assumes an earlier task creates it'
                      % (self.namespace, self.client.base_url))
            return {}
        if namespace is None:
            raise EcsModuleFailure('namespace %s does not exist on %s: create it first with hpc.coldfront_ecs.ecs_namespace'
                                   % (self.namespace, self.client.base_url))
        return namespace

    def replication_group_id(self, namespace):
        if self.params['replication_group']:
            return self.client.resolve_replication_group(self.params['replication_group'])['id']
        group_id = namespace.get('default_data_services_vpool')
        if not group_id and not namespace and self.check_mode:
            return None  # the namespace does not exist yet: its default group is not known
        if not group_id:
            raise EcsModuleFailure('namespace %s on %s has no default replication group: set replication_group for %s'
                                   % (self.namespace, self.client.base_url, self.label))
        return group_id

    # -- present ------------------------------------------------------------------------------------

    def present(self):
        wanted_quota = wanted_quota_from_params(self.params)
        return self.ensure(self.client.find_bucket(self.namespace, self.name), wanted_quota)

    def ensure(self, current, wanted_quota, namespace=None):
        """Create the bucket (``current`` None) or check ``current`` (as read from ECS) and set its quota.

        ``namespace`` is the namespace record when the caller has it already (else it is read when needed).
        """
        if current is None:
            return self.create(namespace if namespace is not None else self.namespace_record(), wanted_quota)
        self.check_immutable(current)
        before = self.view(current)
        quota = self.apply_quota(quota_from_record(current), wanted_quota)
        predicted = dict(current, block_size=quota['hard_gb'], notification_size=quota['soft_gb'])
        bucket = predicted if self.check_mode or not self.changes else self.client.get_bucket(self.namespace, self.name)
        return self.result(before, self.view(predicted), bucket)

    def create(self, namespace, wanted_quota):
        group_id = self.replication_group_id(namespace)
        fields = {'filesystem_enabled': bool(self.params['filesystem_enabled']), 'head_type': 's3'}
        if self.params['encryption'] is not None:
            fields['is_encryption_enabled'] = self.params['encryption']
        if wanted_quota is not None and wanted_quota != NO_QUOTA:
            # ECS takes the quota in the create call: no separate quota write
            fields.update(blockSize=wanted_quota['hard_gb'], notificationSize=wanted_quota['soft_gb'])
        planned = ['create bucket']
        bucket = {'name': self.name, 'namespace': self.namespace, 'id': '%s.%s' % (self.namespace, self.name),
                  'vpool': group_id, 'fs_access_enabled': fields['filesystem_enabled'],
                  'is_encryption_enabled': self.params['encryption'], 'block_size': -1, 'notification_size': -1}
        if 'blockSize' in fields:
            planned.append('set quota %d/%d GB' % (fields['blockSize'], fields['notificationSize']))
            bucket.update(block_size=fields['blockSize'], notification_size=fields['notificationSize'])
        if not self.check_mode:
            bucket = self.client.create_bucket(self.namespace, self.name, group_id, **fields)
        self.changes.extend(planned)  # listed once done, so a failure never reports them
        quota = self.apply_quota(quota_from_record(bucket), wanted_quota)
        bucket = dict(bucket, block_size=quota['hard_gb'], notification_size=quota['soft_gb'])
        return self.result(self.view(None), self.view(bucket), bucket)

    def check_immutable(self, current):
        checks = [('filesystem_enabled', flag(current.get('fs_access_enabled')), self.params['filesystem_enabled']),
                  ('encryption', flag(current.get('is_encryption_enabled')), self.params['encryption'])]
        if self.params['replication_group']:
            group = self.client.resolve_replication_group(self.params['replication_group'])
            checks.append(('replication_group', current.get('vpool'), group['id']))
        for prop, now, wanted in checks:
            if wanted is not None and now != wanted:
                self.mismatches.append({'property': prop, 'current': now, 'wanted': wanted})
        if not self.mismatches:
            return
        text = '; '.join('%s is %s, %s asked for' % (m['property'], m['current'], m['wanted']) for m in self.mismatches)
        message = ('%s: %s, and these cannot change after creation (recreate the bucket to change them)'
                   % (self.label, text))
        if self.params['immutable_mismatch'] == 'fail':
            raise EcsModuleFailure(message, immutable_mismatches=self.mismatches)
        self.warn(message)

    def apply_quota(self, current, wanted):
        changed, after = ensure_quota(
            current, wanted, lambda hard, soft: self.client.set_bucket_quota(self.namespace, self.name, hard, soft),
            lambda: self.client.delete_bucket_quota(self.namespace, self.name), self.check_mode)
        if changed:
            self.changes.append('remove quota' if after == NO_QUOTA else
                                'set quota %d/%d GB' % (after['hard_gb'], after['soft_gb']))
        return after

    # -- absent -------------------------------------------------------------------------------------

    def absent(self):
        current = self.client.find_bucket(self.namespace, self.name)
        if current is None:
            return self.result(self.view(None), self.view(None), None)
        before = self.view(current)
        self.changes.append('delete bucket' + (' with its objects' if self.params['force'] else ''))
        if self.check_mode:
            if not self.params['force']:
                self.refuse_if_objects()
            return self.result(before, self.view(None), None)
        try:
            status, _body = self.client.delete_bucket(self.namespace, self.name, empty_first=self.params['force'])
        except EcsApiError as error:
            if self.params['force'] or is_not_found(error) or error.retryable:
                raise
            raise EcsModuleFailure('ECS refused to delete %s (%s): if the bucket still holds objects, empty it or set '
                                   'force: true to have ECS delete them with it' % (self.label, error.message),
                                   error=error.as_dict())
        if status == 202:
            task = self.client.empty_bucket_status(self.namespace, self.name)
            self.changes[-1] = 'empty and delete bucket (ECS task started)'
            return self.result(before, dict(before, exists=True), current, empty_bucket_task=task or {})
        return self.result(before, self.view(None), None)

    def refuse_if_objects(self):
        """Check mode: predict the refusal of a non-empty bucket from its (possibly minutes old) billing data."""
        objects = (self.client.bucket_billing(self.namespace, self.name) or {}).get('total_objects') or 0
        if objects:
            raise EcsModuleFailure('%s holds %s objects (billing data): ECS would refuse to delete it; set force: true to '
                                   'delete it with its objects' % (self.label, objects))
