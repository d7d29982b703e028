#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_resource
short_description: Create or update a ColdFront resource with its type, flags and attributes
version_added: 1.0.0
description:
  - Makes a ColdFront resource exist with its resource type, description, flags, parent and attributes, so a new
    ECS endpoint can be onboarded by playbook (C(url), C(replication_group), C(ldap_domain)...).
  - Options not given are left as they are (a new resource gets ColdFront's defaults, and its name as description).
  - Everything is validated first (attribute values with the rules of M(hpc.coldfront_ecs.coldfront_resource_attribute))
    and written in one transaction; only differences are written.
  - Resources are never deleted by this module (their allocations and history would go with them).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
extends_documentation_fragment:
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.coldfront.history
options:
  name:
    description: Resource name (unique in ColdFront).
    type: str
    required: true
  resource_type:
    description:
      - Resource type name, for example C(Storage). Required to create a resource.
    type: str
  create_resource_type:
    description: Create the resource type when it does not exist.
    type: bool
    default: false
  resource_type_description:
    description: Description of a resource type this task creates (default, its name).
    type: str
  description:
    description: Resource description.
    type: str
  is_available:
    description: ColdFront's C(is_available) flag.
    type: bool
  is_public:
    description: ColdFront's C(is_public) flag.
    type: bool
  is_allocatable:
    description: ColdFront's C(is_allocatable) flag.
    type: bool
  requires_payment:
    description: ColdFront's C(requires_payment) flag.
    type: bool
  parent_resource:
    description: Name of the parent resource.
    type: str
  attributes:
    description:
      - Attributes to set, as a mapping of attribute type name to value. Attributes not listed are left alone.
    type: dict
seealso:
  - module: hpc.coldfront_ecs.coldfront_resource_attribute
  - module: hpc.coldfront_ecs.coldfront_attribute_type
'''

EXAMPLES = r'''
- name: Onboard a new ECS endpoint
  hpc.coldfront_ecs.coldfront_resource:
    name: ecs-north
    resource_type: Storage
    description: Dell ECS object storage, north data centre
    attributes:
      url: ecs3.example.org
      replication_group: rg-north
      ldap_domain: ad.example.org
'''

RETURN = r'''
resource:
  description: The resource after the task (fields and attributes).
  returned: success
  type: dict
  sample: {name: ecs-north, resource_type: Storage, parent_resource: null, description: Dell ECS object storage,
           is_available: true, is_public: true, is_allocatable: true, requires_payment: false,
           attributes: {url: ecs3.example.org}}
created:
  description: Whether the resource was (or would be) created.
  returned: success
  type: bool
resource_type_created:
  description: Whether the resource type was (or would be) created.
  returned: success
  type: bool
attributes:
  description: One entry per attribute given, as returned by M(hpc.coldfront_ecs.coldfront_resource_attribute).
  returned: success
  type: list
  elements: dict
coldfront:
  description: The ColdFront reached.
  returned: success
  type: dict
  sample: {version: 1.1.10, database: sqlite /srv/coldfront/coldfront.db}
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.schema import (
    RESOURCE_FIELDS, ensure_resource)


def main():
    spec = dict(
        name=dict(type='str', required=True),
        resource_type=dict(type='str'),
        create_resource_type=dict(type='bool', default=False),
        resource_type_description=dict(type='str'),
        description=dict(type='str'),
        is_available=dict(type='bool'),
        is_public=dict(type='bool'),
        is_allocatable=dict(type='bool'),
        requires_payment=dict(type='bool'),
        parent_resource=dict(type='str'),
        attributes=dict(type='dict'),
    )
    module = ColdFrontModule('coldfront_resource', spec)

    def work():
        params = module.params
        result = ensure_resource(
            params['name'], resource_type=params['resource_type'],
            fields=dict((field, params[field]) for field in RESOURCE_FIELDS), attributes=params['attributes'],
            parent_resource=params['parent_resource'], create_resource_type=params['create_resource_type'],
            resource_type_description=params['resource_type_description'], reason=module.reason,
            user=module.history_user, check_mode=module.check_mode)
        output = {'changed': result['changed'], 'created': result['created'], 'resource': result['after'],
                  'resource_type_created': result['resource_type_created'], 'attributes': result['attributes']}
        return module.with_diff(output, lambda: {'before': result['before'] or {}, 'after': result['after']})

    module.run(work)


if __name__ == '__main__':
    main()
