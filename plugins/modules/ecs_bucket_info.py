#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ecs_bucket_info
short_description: Read the buckets of a Dell ECS namespace
version_added: 1.0.0
description:
  - Reads every bucket of a namespace, or one bucket, with its quota, file system flag, encryption and replication group.
  - A namespace or bucket that does not exist gives an empty list (see RV(namespace_exists)).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
options:
  namespace:
    description:
      - The namespace.
    type: str
    required: true
  name:
    description:
      - Only this bucket.
    type: str
    aliases: [bucket]
extends_documentation_fragment:
  - hpc.coldfront_ecs.ecs
  - hpc.coldfront_ecs.ecs.info
seealso:
  - module: hpc.coldfront_ecs.ecs_bucket
  - module: hpc.coldfront_ecs.ecs_usage_info
'''

EXAMPLES = r'''
- name: Buckets of the Smith Lab namespace
  hpc.coldfront_ecs.ecs_bucket_info:
    host: ecs1.example.org
    username: "{{ ecs_user }}"
    password: "{{ ecs_password }}"
    namespace: smith-lab
  register: buckets

- name: Names of the buckets with file system access
  ansible.builtin.debug:
    msg: "{{ buckets.buckets | selectattr('filesystem_enabled') | map(attribute='name') | list }}"
'''

RETURN = r'''
buckets:
  description: The buckets, sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Bucket name.
      type: str
      sample: lab-smith-lab-bucket
    namespace:
      description: Namespace name.
      type: str
      sample: smith-lab
    replication_group_id:
      description: Id of the bucket's replication group.
      type: str
    filesystem_enabled:
      description: Whether file system (NFS) access is on.
      type: bool
    encryption:
      description: Whether server-side encryption is on.
      type: bool
    hard_quota_gb:
      description: Hard quota in GB, V(-1) for none.
      type: int
      sample: 1024
    soft_quota_gb:
      description: Soft quota in GB, V(-1) for none.
      type: int
      sample: 921
    owner:
      description: Object user that owns the bucket.
      type: str
    created:
      description: Creation time (ISO 8601, UTC).
      type: str
      sample: "2026-01-15T18:39:11.957Z"
    details:
      description: The bucket exactly as ECS returns it.
      type: dict
namespace_exists:
  description: Whether the namespace exists.
  returned: success
  type: bool
  sample: true
ecs_calls:
  description: Number of ECS Management API calls made, login and logout excluded.
  returned: always
  type: int
  sample: 2
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import EcsModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import check_name
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.summaries import bucket_view


def main():
    module = EcsModule(dict(namespace=dict(type='str', required=True), name=dict(type='str', aliases=['bucket'])))
    namespace, name = module.params['namespace'], module.params['name']

    def work(client):
        check_name('namespace', namespace)
        if name is not None:
            check_name('bucket', name)
        if client.find_namespace(namespace) is None:
            return {'changed': False, 'buckets': [], 'namespace_exists': False}
        if name is not None:
            record = client.find_bucket(namespace, name)
            records = [record] if record is not None else []
        else:
            records = client.list_buckets(namespace)
        buckets = [dict(bucket_view(record), details=record) for record in records]
        return {'changed': False, 'buckets': sorted(buckets, key=lambda b: str(b['name'])), 'namespace_exists': True}

    module.run(work)


if __name__ == '__main__':
    main()
