#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ecs_bucket
short_description: Create or delete a bucket in a Dell ECS namespace and manage its quota
version_added: 1.0.0
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

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import EcsModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.bucket import BucketState
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import check_name


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
        state = BucketState(client, module.params, module.check_mode, module.warn)
        return state.present() if module.params['state'] == 'present' else state.absent()

    module.run(work)


if __name__ == '__main__':
    main()
