#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_allocation_attribute
short_description: Set values and usages of many ColdFront allocation attributes, or remove some, in one transaction
version_added: 1.0.0
description:
  - Sets the value and/or the usage of many (allocation, attribute) pairs in one call, through ColdFront's models.
  - Every item is checked first, like ColdFront's own validation (C(Int) digits, C(Float) numeric, C(Yes/No)
    exact, C(Date) C(YYYY-MM-DD), at most 128 characters). If any item is bad the task fails with one message
    listing every bad item and nothing is written.
  - Then only the values that differ are written, all in one database transaction. Numbers compare
    numerically for C(Int) and C(Float) types (C(10) equals C(10.0)); usages compare as numbers. A run that
    changes nothing adds no history row.
  - A missing attribute is created (unless O(create_missing=false)). The task fails for an attribute type that
    does not exist or whose name is ambiguous (several types of that name), for a usage given for a type without
    C(has_usage), and for an allocation that already has several attributes of that type.
  - An item with O(attributes[].remove=true) deletes that attribute of the allocation, and its usage, in the same
    transaction; ColdFront's history records the deletion with the same change reason and history user. Removing
    an attribute the allocation does not have changes nothing. Removal is only ever asked for explicitly, so that
    only attributes a caller names are deleted (the playbooks remove only this collection's own C(Quota_In_Bytes)).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
extends_documentation_fragment:
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.coldfront.history
options:
  attributes:
    description:
      - The items to set or remove.
    type: list
    elements: dict
    required: true
    suboptions:
      allocation_id:
        description: Allocation id.
        type: int
        required: true
      name:
        description: Allocation attribute type name, for example C(Storage Quota (TB)).
        type: str
        required: true
      value:
        description:
          - Wanted value. Numbers are written canonically (C(10), C(2.5)); C(true)/C(false) become C(Yes)/C(No)
            for C(Yes/No) types; text is stripped.
          - Omit it to set only the usage.
        type: raw
      usage:
        description:
          - Wanted usage (a number), for types with C(has_usage) only.
          - Omit it to leave the usage as it is.
        type: raw
      remove:
        description:
          - Delete the attribute (and its usage row) instead of setting it. Give neither O(attributes[].value) nor
            O(attributes[].usage) with it.
          - Nothing happens when the allocation has no such attribute.
        type: bool
        default: false
  create_missing:
    description:
      - Create an attribute the allocation does not have yet (a value is then required).
      - With V(false), a missing attribute is an error.
    type: bool
    default: true
seealso:
  - module: hpc.coldfront_ecs.coldfront_allocation_info
  - module: hpc.coldfront_ecs.coldfront_attribute_type
'''

EXAMPLES = r'''
- name: Record quota and usage of two allocations
  hpc.coldfront_ecs.coldfront_allocation_attribute:
    coldfront_env_file: /etc/coldfront/coldfront.env
    change_reason: nightly ECS sync
    history_user: svc-ansible
    attributes:
      - {allocation_id: 12, name: Storage Quota (TB), value: 10, usage: 2.5}
      - {allocation_id: 12, name: Quota_In_Bytes, value: 10995116277760, usage: 2748779069440}
      - {allocation_id: 14, name: Subdirectory, value: "smith-lab:lab-smith-lab-bucket"}

- name: Remove a Quota_In_Bytes that is no agreed value (nothing happens where it is missing)
  hpc.coldfront_ecs.coldfront_allocation_attribute:
    change_reason: adopt, quota conflict
    attributes:
      - {allocation_id: 7, name: Quota_In_Bytes, remove: true}

- name: Only usage, never create attributes
  hpc.coldfront_ecs.coldfront_allocation_attribute:
    create_missing: false
    attributes: "{{ usage_items }}"
  delegate_to: coldfront.example.org
  vars:
    ansible_python_interpreter: /srv/coldfront/venv/bin/python
'''

RETURN = r'''
attributes:
  description: One entry per item, in the order given (an exact repeat of an item is reported once).
  returned: success
  type: list
  elements: dict
  contains:
    allocation_id:
      description: Allocation id.
      type: int
      sample: 12
    name:
      description: Attribute type name.
      type: str
      sample: Storage Quota (TB)
    attribute_id:
      description:
        - Id of the AllocationAttribute (null for one that check mode would create, or a missing one asked to be
          removed).
      type: int
      sample: 44
    created:
      description: Whether the attribute was (or would be) created.
      type: bool
    removed:
      description:
        - Whether the item asked for removal; RV(attributes[].changed) then says whether there was an attribute to
          delete.
      type: bool
    changed:
      description: Whether the value or the usage was (or would be) written, or the attribute deleted.
      type: bool
    before:
      description: Value and usage before (null when the attribute did not exist).
      type: dict
      sample: {value: "8", usage: 2.0}
    after:
      description: Value and usage after (null when the attribute is removed).
      type: dict
      sample: {value: "10", usage: 2.5}
coldfront:
  description: The ColdFront reached.
  returned: success
  type: dict
  sample: {version: 1.1.10, database: postgresql coldfront@db.example.org:5432/coldfront}
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.write import apply_changes, diff_of


def main():
    module = ColdFrontModule('coldfront_allocation_attribute', dict(
        attributes=dict(type='list', elements='dict', required=True, options=dict(
            allocation_id=dict(type='int', required=True),
            name=dict(type='str', required=True),
            value=dict(type='raw'),
            usage=dict(type='raw'),
            remove=dict(type='bool', default=False),
        )),
        create_missing=dict(type='bool', default=True),
    ))

    def work():
        items = [dict((key, value) for key, value in item.items() if value is not None)
                 for item in module.params['attributes']]
        result = apply_changes(allocation_attributes=items, reason=module.reason, user=module.history_user,
                               check_mode=module.check_mode, create_missing=module.params['create_missing'])
        return module.with_diff({'changed': result['changed'], 'attributes': result['allocation_attributes']},
                                lambda: diff_of(result))

    module.run(work)


if __name__ == '__main__':
    main()
