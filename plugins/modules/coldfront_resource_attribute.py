#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_resource_attribute
short_description: Set many attributes on many ColdFront resources in one transaction
version_added: 1.0.0
description:
  - Sets resource attributes (for example C(url), C(capacity_tb), C(used_tb)) on many resources in one call.
  - Every item is checked first with ColdFront's resource rules (C(Int) digits only, C(Date) C(MM/DD/YYYY),
    C(Active/Inactive), C(Public/Private)) plus C(Float) numeric and C(Yes/No) exact. If any item is bad the
    task fails with one message listing every bad item and nothing is written.
  - Only values that differ are written (numbers compare numerically for C(Int) and C(Float)), in one
    transaction. A run that changes nothing adds no history row.
  - The attribute types must exist and their names must be unambiguous (see M(hpc.coldfront_ecs.coldfront_attribute_type)).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
extends_documentation_fragment:
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.coldfront.history
options:
  attributes:
    description:
      - The items to set.
    type: list
    elements: dict
    required: true
    suboptions:
      resource:
        description: Resource name (or id).
        type: str
        required: true
      name:
        description: Resource attribute type name.
        type: str
        required: true
      value:
        description: Wanted value. Numbers are written canonically (C(500), C(12.5)).
        type: raw
        required: true
  create_missing:
    description:
      - Create an attribute the resource does not have yet. With V(false), a missing attribute is an error.
    type: bool
    default: true
seealso:
  - module: hpc.coldfront_ecs.coldfront_resource
'''

EXAMPLES = r'''
- name: Record capacity and use of the ECS resources
  hpc.coldfront_ecs.coldfront_resource_attribute:
    change_reason: nightly ECS sync
    attributes:
      - {resource: ecs-east, name: capacity_tb, value: 500}
      - {resource: ecs-east, name: used_tb, value: 123.25}
      - {resource: ecs-west, name: used_tb, value: 80}
'''

RETURN = r'''
attributes:
  description: One entry per item.
  returned: success
  type: list
  elements: dict
  contains:
    resource:
      description: Resource name.
      type: str
      sample: ecs-east
    resource_id:
      description: Resource id.
      type: int
      sample: 3
    name:
      description: Attribute type name.
      type: str
      sample: used_tb
    attribute_id:
      description: Id of the ResourceAttribute (null for one that check mode would create).
      type: int
      sample: 17
    created:
      description: Whether the attribute was (or would be) created.
      type: bool
    changed:
      description: Whether the value was (or would be) written.
      type: bool
    before:
      description: Value before (null when the attribute did not exist).
      type: str
      sample: "120"
    after:
      description: Value after.
      type: str
      sample: "123.25"
coldfront:
  description: The ColdFront reached.
  returned: success
  type: dict
  sample: {version: 1.1.10, database: sqlite /srv/coldfront/coldfront.db}
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.write import apply_changes, diff_of


def main():
    module = ColdFrontModule('coldfront_resource_attribute', dict(
        attributes=dict(type='list', elements='dict', required=True, options=dict(
            resource=dict(type='str', required=True),
            name=dict(type='str', required=True),
            value=dict(type='raw', required=True),
        )),
        create_missing=dict(type='bool', default=True),
    ))

    def work():
        result = apply_changes(resource_attributes=module.params['attributes'], reason=module.reason,
                               user=module.history_user, check_mode=module.check_mode,
                               create_missing=module.params['create_missing'])
        return module.with_diff({'changed': result['changed'], 'attributes': result['resource_attributes']},
                                lambda: diff_of(result))

    module.run(work)


if __name__ == '__main__':
    main()
