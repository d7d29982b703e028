#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ecs_namespace
short_description: Create, update or delete a Dell ECS namespace
version_added: 1.0.0
description:
  - Makes sure an ECS namespace exists with a default replication group, an LDAP/AD group mapping and a quota,
    or that it does not exist.
  - Only what is asked for is compared and changed; nothing is written when ECS already holds the wanted values.
  - A namespace that still holds buckets is never deleted (delete the buckets first with M(hpc.coldfront_ecs.ecs_bucket)).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
options:
  name:
    description:
      - Name of the namespace.
    type: str
    required: true
    aliases: [namespace]
  state:
    description:
      - V(present) creates or updates the namespace, V(absent) deletes it (only when it holds no bucket).
    type: str
    choices: [present, absent]
    default: present
  replication_group:
    description:
      - Default replication group of the namespace, by name or by id (C(urn:storageos:ReplicationGroupInfo:...)),
        resolved through the list of replication groups.
      - Required to create a namespace. When given for an existing namespace, its default replication group is changed to it.
    type: str
  user_mapping:
    description:
      - LDAP/AD domain mappings that make directory users object users of the namespace.
      - Compared as a whole (order does not matter) and replaced when different. When not given the mapping is left as it is
        (and re-sent unchanged on any other update, as ECS requires).
      - An empty list removes every mapping.
    type: list
    elements: dict
    suboptions:
      domain:
        description: The LDAP/AD domain, for example V(ad.example.org).
        type: str
        required: true
      groups:
        description: Directory groups whose members are mapped.
        type: list
        elements: str
        default: []
      attributes:
        description: Directory attributes that must match, each with a O(user_mapping[].attributes[].key) and a list of values.
        type: list
        elements: dict
        default: []
        suboptions:
          key:
            description: Attribute name, for example V(ou).
            type: str
            required: true
          value:
            description: Accepted values.
            type: list
            elements: str
            required: true
extends_documentation_fragment:
  - hpc.coldfront_ecs.ecs
  - hpc.coldfront_ecs.ecs.quota
attributes:
  check_mode:
    support: full
    description: Reads ECS, reports what would change, writes nothing.
  diff_mode:
    support: full
    description: Shows the replication group, user mapping and quota before and after.
notes:
  - The quota is managed only when O(quota_gb) or O(quota_tb) is given. M(hpc.coldfront_ecs.ecs_namespace_quota) manages
    it on its own.
seealso:
  - module: hpc.coldfront_ecs.ecs_namespace_info
  - module: hpc.coldfront_ecs.ecs_namespace_quota
  - module: hpc.coldfront_ecs.ecs_bucket
'''

EXAMPLES = r'''
- name: Namespace of the Smith Lab, mapped to its AD group, 10 TB quota with a soft quota at 90 %
  hpc.coldfront_ecs.ecs_namespace:
    host: ecs1.example.org
    username: "{{ ecs_user }}"
    password: "{{ ecs_password }}"
    ca_path: /etc/pki/tls/certs/ecs-ca.pem
    name: smith-lab
    replication_group: rg1
    user_mapping:
      - domain: ad.example.org
        groups: [Smith Lab]
    quota_tb: 10

- name: Connection options once for every ECS module of the play (credentials from ECS_USER / ECS_PASS)
  module_defaults:
    group/hpc.coldfront_ecs.ecs:
      host: ecs1.example.org
      ca_path: /etc/pki/tls/certs/ecs-ca.pem
  block:
    - name: Raise the quota to 2048 GB, soft quota 1900 GB
      hpc.coldfront_ecs.ecs_namespace:
        name: smith-lab
        quota_gb: 2048
        soft_quota_gb: 1900

    - name: Delete the namespace (refused while it holds buckets)
      hpc.coldfront_ecs.ecs_namespace:
        name: old-lab
        state: absent
'''

RETURN = r'''
namespace:
  description:
    - The namespace as ECS returns it (C(GET /object/namespaces/namespace/{name})) after the change, or as it would be
      in check mode. Empty when the namespace does not exist (anymore).
  returned: success
  type: dict
  sample: {"id": "smith-lab", "name": "smith-lab", "default_data_services_vpool": "urn:storageos:ReplicationGroupInfo:0a1b:global",
           "user_mapping": [{"domain": "ad.example.org", "groups": ["Smith Lab"], "attributes": []}],
           "is_encryption_enabled": "false", "blockSize": 10240, "notificationSize": 9216}
state:
  description: The managed properties after the run (or as they would be in check mode).
  returned: success
  type: dict
  contains:
    name:
      description: Namespace name.
      type: str
      sample: smith-lab
    exists:
      description: Whether the namespace exists.
      type: bool
      sample: true
    replication_group_id:
      description: Id of the default replication group.
      type: str
      sample: urn:storageos:ReplicationGroupInfo:0a1b:global
    replication_group:
      description: Name of the default replication group.
      type: str
      sample: rg1
    user_mapping:
      description: The LDAP/AD mappings, normalised (groups and attributes sorted).
      type: list
      elements: dict
    hard_quota_gb:
      description: Hard quota in GB, V(-1) for none. Only read when a quota option is given.
      type: int
      sample: 10240
    soft_quota_gb:
      description: Soft quota in GB, V(-1) for none. Only read when a quota option is given.
      type: int
      sample: 9216
  sample: {"name": "smith-lab", "exists": true, "replication_group": "rg1", "hard_quota_gb": 10240, "soft_quota_gb": 9216}
changes:
  description: What was (or would be) changed, in order.
  returned: success
  type: list
  elements: str
  sample: ["create namespace", "set quota 10240/9216 GB"]
ecs_calls:
  description: Number of ECS Management API calls made, login and logout excluded.
  returned: always
  type: int
  sample: 5
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import EcsModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.namespace import NamespaceState
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import check_name


def main():
    attribute_spec = dict(key=dict(type='str', required=True, no_log=False),
                          value=dict(type='list', elements='str', required=True))
    mapping_spec = dict(domain=dict(type='str', required=True),
                        groups=dict(type='list', elements='str', default=[]),
                        attributes=dict(type='list', elements='dict', default=[], options=attribute_spec))
    module = EcsModule(dict(
        name=dict(type='str', required=True, aliases=['namespace']),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        replication_group=dict(type='str'),
        user_mapping=dict(type='list', elements='dict', options=mapping_spec),
    ), quota=True)

    def work(client):
        check_name('namespace', module.params['name'])
        state = NamespaceState(client, module.params, module.check_mode)
        return state.present() if module.params['state'] == 'present' else state.absent()

    module.run(work)


if __name__ == '__main__':
    main()
