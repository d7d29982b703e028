#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ecs_replication_group_info
short_description: List the replication groups of a Dell ECS
version_added: 1.0.0
description:
  - Lists the replication groups (ECS "data service vpools") with their ids, for example to check the name a ColdFront
    resource attribute gives before namespaces are created with it.
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
options:
  name:
    description:
      - Only the replication group with this name or id. An unknown one gives an empty list.
    type: str
extends_documentation_fragment:
  - hpc.coldfront_ecs.ecs
  - hpc.coldfront_ecs.ecs.info
seealso:
  - module: hpc.coldfront_ecs.ecs_namespace
'''

EXAMPLES = r'''
- name: Every replication group
  hpc.coldfront_ecs.ecs_replication_group_info:
    host: ecs1.example.org
    username: "{{ ecs_user }}"
    password: "{{ ecs_password }}"
  register: groups

- name: Id of the replication group rg1
  hpc.coldfront_ecs.ecs_replication_group_info:
    name: rg1
  register: rg1

- name: Show it
  ansible.builtin.debug:
    msg: "{{ rg1.replication_groups[0].id }}"
'''

RETURN = r'''
replication_groups:
  description: The replication groups, sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Id (URN) that namespaces and buckets refer to.
      type: str
      sample: urn:storageos:ReplicationGroupInfo:2ef0a92d-cf9d-4cb8-b7e6-8a3f0f0d5b7e:global
    name:
      description: Name.
      type: str
      sample: rg1
    description:
      description: Description.
      type: str
    allow_all_namespaces:
      description: Whether every namespace may use it.
      type: bool
    full_replication:
      description: Whether every VDC holds a full copy.
      type: bool
    enable_rebalancing:
      description: Whether rebalancing is on.
      type: bool
    inactive:
      description: Whether the group is being deleted.
      type: bool
    creation_time:
      description: Creation time in milliseconds since the epoch.
      type: int
    storage_pools:
      description: Ids of the storage pools (virtual arrays) of the group.
      type: list
      elements: str
    vdcs:
      description: Ids of the VDCs of the group, in the same order as RV(replication_groups[].storage_pools).
      type: list
      elements: str
ecs_calls:
  description: Number of ECS Management API calls made, login and logout excluded.
  returned: always
  type: int
  sample: 1
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import EcsModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.summaries import replication_group_view


def main():
    module = EcsModule(dict(name=dict(type='str')))
    wanted = module.params['name']

    def work(client):
        groups = [replication_group_view(g) for g in client.replication_groups()
                  if wanted is None or wanted in (g.get('name'), g.get('id'))]
        return {'changed': False, 'replication_groups': sorted(groups, key=lambda g: str(g['name']))}

    module.run(work)


if __name__ == '__main__':
    main()
