#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ecs_namespace_info
short_description: Read Dell ECS namespaces with their quotas
version_added: 1.0.0
description:
  - Reads one, some or all namespaces of an ECS with their replication group, user mapping and quota.
  - The reads run in parallel (O(max_workers)) with one token.
  - Names that do not exist are listed in RV(missing); any other failed read fails the module.
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
options:
  names:
    description:
      - Namespaces to read. All namespaces when not given.
    type: list
    elements: str
    aliases: [name]
extends_documentation_fragment:
  - hpc.coldfront_ecs.ecs
  - hpc.coldfront_ecs.ecs.info
  - hpc.coldfront_ecs.ecs.workers
seealso:
  - module: hpc.coldfront_ecs.ecs_namespace
  - module: hpc.coldfront_ecs.ecs_usage_info
'''

EXAMPLES = r'''
- name: One namespace
  hpc.coldfront_ecs.ecs_namespace_info:
    host: ecs1.example.org
    username: "{{ ecs_user }}"
    password: "{{ ecs_password }}"
    names: smith-lab
  register: ns

- name: Its hard quota in GB
  ansible.builtin.debug:
    msg: "{{ ns.namespaces[0].hard_quota_gb }}"

- name: Every namespace
  hpc.coldfront_ecs.ecs_namespace_info:
  register: all_namespaces
'''

RETURN = r'''
namespaces:
  description: The namespaces found, sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Namespace name.
      type: str
      sample: smith-lab
    replication_group_id:
      description: Id of the default replication group.
      type: str
      sample: urn:storageos:ReplicationGroupInfo:0a1b:global
    replication_group:
      description: Name of the default replication group.
      type: str
      sample: rg1
    user_mapping:
      description: LDAP/AD mappings (C(domain), C(groups), C(attributes)), sorted.
      type: list
      elements: dict
      sample: [{"domain": "ad.example.org", "groups": ["Smith Lab"], "attributes": []}]
    encryption:
      description: Whether server-side encryption is on by default.
      type: bool
    hard_quota_gb:
      description: Hard quota in GB, V(-1) for none.
      type: int
      sample: 10240
    soft_quota_gb:
      description: Soft quota in GB, V(-1) for none.
      type: int
      sample: 9216
    details:
      description: The namespace exactly as ECS returns it.
      type: dict
missing:
  description: Requested names that do not exist on ECS.
  returned: success
  type: list
  elements: str
  sample: [old-lab]
ecs_calls:
  description: Number of ECS Management API calls made, login and logout excluded.
  returned: always
  type: int
  sample: 3
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import EcsModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import is_not_found
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.quota import quota_from_record
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import check_name
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.summaries import namespace_view


def summary(client, record, quota=None):
    group_id = record.get('default_data_services_vpool')
    view = namespace_view(record, client.replication_group_name(group_id) if group_id else None, quota)
    view['details'] = record
    return view


def read_namespace(client, name):
    """Summary of one namespace with its quota (one more call when the namespace lacks ``blockSize``)."""
    record = client.get_namespace(name)
    quota = None if 'blockSize' in record else quota_from_record(client.get_namespace_quota(name))
    return summary(client, record, quota)


def main():
    module = EcsModule(dict(names=dict(type='list', elements='str', aliases=['name'])), workers=True)

    def work(client):
        names = module.params['names']
        listed = None
        if names is None:
            listed = client.list_namespaces()
            names = [item.get('name') or item.get('id') for item in listed]
        names = [check_name('namespace', name) for name in dict.fromkeys(names)]
        if names:
            client.replication_groups()  # read once before the pool, for the group names
        if listed and all('blockSize' in item and 'default_data_services_vpool' in item for item in listed):
            # ECS 4.x lists full namespace objects: nothing more to read
            return {'changed': False, 'missing': [],
                    'namespaces': sorted((summary(client, item) for item in listed), key=lambda v: v['name'])}
        found, missing = [], []
        for name, view, error in client.map(lambda n: read_namespace(client, n), names):
            if error is None:
                found.append(view)
            elif is_not_found(error):
                missing.append(name)
            else:
                raise error
        return {'changed': False, 'namespaces': sorted(found, key=lambda v: v['name']), 'missing': sorted(missing)}

    module.run(work)


if __name__ == '__main__':
    main()
