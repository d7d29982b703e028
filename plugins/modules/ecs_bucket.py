#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ecs_bucket
short_description: Create or delete a bucket in a Dell ECS namespace and manage its quota
version_added: 0.1.0
description:
  - Makes sure a bucket exists in a namespace (with its replication group, file system access, encryption and quota),
    or that it does not exist.
  - File system access, encryption and the replication group cannot change after creation; when an existing bucket
    differs, the module says so (warning or failure, see O(immutable_mismatch)) and never pretends to have changed it.
  - A bucket that still holds objects is deleted only with O(force=true).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
options:
  name:
    description:
      - Name of the bucket.
    type: str
    required: true
    aliases: [bucket]
  namespace:
    description:
      - Namespace of the bucket. It must exist.
    type: str
    required: true
  state:
    description:
      - V(present) creates the bucket (and sets its quota), V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  replication_group:
    description:
      - Replication group of a new bucket, by name or id. When not given, the namespace's default replication group is used;
        when the namespace has none either, the module fails and asks for this option.
    type: str
  filesystem_enabled:
    description:
      - Whether the bucket is created with file system (NFS) access. Cannot change after creation.
      - When not given, a new bucket has no file system access and an existing one is not checked.
    type: bool
  encryption:
    description:
      - Whether the bucket is created with server-side encryption. Cannot change after creation.
      - When not given, a new bucket gets the namespace's default and an existing one is not checked.
    type: bool
  immutable_mismatch:
    description:
      - What to do when an existing bucket differs in a property that cannot change after creation
        (O(filesystem_enabled), O(encryption), O(replication_group)).
      - V(warn) reports it as a warning and in RV(immutable_mismatches); V(fail) fails the task.
    type: str
    choices: [warn, fail]
    default: warn
  force:
    description:
      - With O(state=absent), delete the bucket even when it holds objects. ECS empties it in the background
        (C(emptyBucket=true), HTTP 202) and deletes it when done; the bucket is read-only meanwhile.
      - Without it, deleting a bucket that is not empty fails and nothing is lost.
    type: bool
    default: false
extends_documentation_fragment:
  - hpc.coldfront_ecs.ecs
  - hpc.coldfront_ecs.ecs.quota
attributes:
  check_mode:
    support: full
    description:
      - Reads ECS and reports what would change; a bucket with objects (from its billing data) fails in check mode too.
      - A namespace that does not exist yet is assumed to be created by an earlier task (with a warning).
  diff_mode:
    support: full
    description: Shows existence, flags and quota before and after.
seealso:
  - module: hpc.coldfront_ecs.ecs_bucket_info
  - module: hpc.coldfront_ecs.ecs_bucket_quota
  - module: hpc.coldfront_ecs.ecs_namespace
'''

EXAMPLES = r'''
- name: Bucket with NFS access and a 10 TB quota (soft quota 90 %) in the namespace's replication group
  hpc.coldfront_ecs.ecs_bucket:
    host: ecs1.example.org
    username: "{{ ecs_user }}"
    password: "{{ ecs_password }}"
    ca_path: /etc/pki/tls/certs/ecs-ca.pem
    namespace: smith-lab
    name: lab-smith-lab-bucket
    filesystem_enabled: true
    quota_tb: 10

- name: Delete a bucket (fails when it still holds objects)
  hpc.coldfront_ecs.ecs_bucket:
    namespace: smith-lab
    name: scratch
    state: absent

- name: Delete a bucket with everything in it
  hpc.coldfront_ecs.ecs_bucket:
    namespace: smith-lab
    name: scratch
    state: absent
    force: true
'''

RETURN = r'''
bucket:
  description:
    - The bucket as ECS returns it (C(GET /object/bucket/{name}/info)) after the change, or as it would be in check mode.
      Empty when the bucket does not exist (anymore).
  returned: success
  type: dict
  sample: {"name": "lab-smith-lab-bucket", "id": "smith-lab.lab-smith-lab-bucket", "namespace": "smith-lab",
           "vpool": "urn:storageos:ReplicationGroupInfo:0a1b:global", "fs_access_enabled": true, "block_size": 10240,
           "notification_size": 9216}
state:
  description: The managed properties after the run (or as they would be in check mode).
  returned: success
  type: dict
  contains:
    name:
      description: Bucket name.
      type: str
    namespace:
      description: Namespace name.
      type: str
    exists:
      description: Whether the bucket exists (V(true) while ECS empties a bucket deleted with O(force)).
      type: bool
    replication_group_id:
      description: Id of the bucket's replication group.
      type: str
    filesystem_enabled:
      description: File system access.
      type: bool
    encryption:
      description: Server-side encryption.
      type: bool
    hard_quota_gb:
      description: Hard quota in GB, V(-1) for none.
      type: int
    soft_quota_gb:
      description: Soft quota in GB, V(-1) for none.
      type: int
  sample: {"name": "b1", "namespace": "ns1", "exists": true, "filesystem_enabled": true, "encryption": false,
           "hard_quota_gb": 1024, "soft_quota_gb": 921}
changes:
  description: What was (or would be) changed, in order.
  returned: success
  type: list
  elements: str
  sample: ["create bucket", "set quota 1024/921 GB"]
immutable_mismatches:
  description: Properties of the existing bucket that differ from the options but cannot change after creation.
  returned: success
  type: list
  elements: dict
  contains:
    property:
      description: The option name.
      type: str
    current:
      description: The value on ECS.
      type: raw
    wanted:
      description: The value asked for.
      type: raw
  sample: [{"property": "filesystem_enabled", "current": false, "wanted": true}]
empty_bucket_task:
  description:
    - With O(force=true) on a bucket that holds objects, the background task ECS started
      (C(GET /object/bucket/{name}/empty-bucket-status)); its C(status) is one of PENDING, IN_PROGRESS, POST_PROCESSING,
      DONE, FAILED, ABORT_IN_PROGRESS, ABORTED.
  returned: when ECS answered 202 to the delete
  type: dict
  sample: {"status": "IN_PROGRESS", "entries_deleted": 120, "approx_object_count": 3000}
ecs_calls:
  description: Number of ECS Management API calls made, login and logout excluded.
  returned: always
  type: int
  sample: 4
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.ecs_errors import EcsApiError, is_not_found
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.ecs_module import EcsModule, EcsModuleFailure, check_name
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.ecs_quota import (
    NO_QUOTA, ensure_quota, quota_from_record, wanted_quota_from_params)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.ecs_views import bucket_view, flag


class BucketState:
    """Reads ECS and plans the changes for one bucket."""

    def __init__(self, module, client):
        self.module = module
        self.params = module.params
        self.client = client
        self.name = self.params['name']
        self.namespace = self.params['namespace']
        self.check_mode = module.check_mode
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
            self.module.warn('namespace %s does not exist on %s: check mode assumes an earlier task creates it'
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
        current = self.client.find_bucket(self.namespace, self.name)
        if current is None:
            return self.create(self.namespace_record(), wanted_quota)
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
        self.changes.append('create bucket')
        bucket = {'name': self.name, 'namespace': self.namespace, 'id': '%s.%s' % (self.namespace, self.name),
                  'vpool': group_id, 'fs_access_enabled': fields['filesystem_enabled'],
                  'is_encryption_enabled': self.params['encryption'], 'block_size': -1, 'notification_size': -1}
        if 'blockSize' in fields:
            self.changes.append('set quota %d/%d GB' % (fields['blockSize'], fields['notificationSize']))
            bucket.update(block_size=fields['blockSize'], notification_size=fields['notificationSize'])
        if not self.check_mode:
            bucket = self.client.create_bucket(self.namespace, self.name, group_id, **fields)
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
        self.module.warn(message)

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


def main():
    module = EcsModule(dict(
        name=dict(type='str', required=True, aliases=['bucket']),
        namespace=dict(type='str', required=True),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        replication_group=dict(type='str'),
        filesystem_enabled=dict(type='bool'),
        encryption=dict(type='bool'),
        immutable_mismatch=dict(type='str', default='warn', choices=['warn', 'fail']),
        force=dict(type='bool', default=False),
    ), quota=True)

    def work(client):
        check_name('namespace', module.params['namespace'])
        check_name('bucket', module.params['name'])
        state = BucketState(module, client)
        return state.present() if module.params['state'] == 'present' else state.absent()

    module.run(work)


if __name__ == '__main__':
    main()
