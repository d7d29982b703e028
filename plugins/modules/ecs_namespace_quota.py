#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ecs_namespace_quota
short_description: Set or remove the quota of a Dell ECS namespace
version_added: 1.0.0
description:
  - Sets the hard quota (ECS C(blockSize)) and the soft quota (C(notificationSize)) of an existing namespace,
    in GB or TB, with the soft quota as a percentage (default 90 %, at least 1 GB) or in GB.
  - Writes only when ECS holds other values. V(state=absent) removes the quota (C(-1) on ECS).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
options:
  namespace:
    description:
      - Name of the namespace. It must exist.
    type: str
    required: true
    aliases: [name]
  state:
    description:
      - V(present) sets the quota given by O(quota_gb) or O(quota_tb) (one of them is required),
        V(absent) removes the quota.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - hpc.coldfront_ecs.ecs
  - hpc.coldfront_ecs.ecs.quota
attributes:
  check_mode:
    support: full
    description: Reads the quota and reports whether it would change.
  diff_mode:
    support: full
    description: Shows the quota before and after.
seealso:
  - module: hpc.coldfront_ecs.ecs_namespace
  - module: hpc.coldfront_ecs.ecs_bucket_quota
'''

EXAMPLES = r'''
- name: 10 TB hard quota, soft quota at 90 %
  hpc.coldfront_ecs.ecs_namespace_quota:
    host: ecs1.example.org
    username: "{{ ecs_user }}"
    password: "{{ ecs_password }}"
    namespace: smith-lab
    quota_tb: 10

- name: 500 GB hard quota with an alert at 400 GB
  hpc.coldfront_ecs.ecs_namespace_quota:
    namespace: smith-lab
    quota_gb: 500
    soft_quota_gb: 400

- name: No quota
  hpc.coldfront_ecs.ecs_namespace_quota:
    namespace: smith-lab
    state: absent
'''

RETURN = r'''
quota:
  description: The quota after the run (or as it would be in check mode). C(-1) means no quota.
  returned: success
  type: dict
  contains:
    hard_gb:
      description: Hard quota (C(blockSize)) in GB.
      type: int
      sample: 10240
    soft_gb:
      description: Soft quota (C(notificationSize)) in GB.
      type: int
      sample: 9216
    hard_tb:
      description: Hard quota in TB (GB / 1024).
      type: float
      sample: 10.0
ecs_calls:
  description: Number of ECS Management API calls made, login and logout excluded.
  returned: always
  type: int
  sample: 2
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import EcsModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsModuleFailure, EcsNotFoundError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.quota import quota_from_record, quota_module_result
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import check_name


def main():
    module = EcsModule(dict(
        namespace=dict(type='str', required=True, aliases=['name']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    ), quota=True, required_if=[('state', 'present', ('quota_gb', 'quota_tb'), True)])
    name = module.params['namespace']

    def work(client):
        check_name('namespace', name)
        try:
            current = quota_from_record(client.get_namespace_quota(name))
        except EcsNotFoundError as error:
            raise EcsModuleFailure('namespace %s does not exist on %s: create it first with hpc.coldfront_ecs.ecs_namespace '
                                   '(%s)' % (name, client.base_url, error), error=error.as_dict())
        return quota_module_result(current, module.params,
                                   lambda hard, soft: client.set_namespace_quota(name, hard, soft),
                                   lambda: client.delete_namespace_quota(name), module.check_mode)

    module.run(work)


if __name__ == '__main__':
    main()
