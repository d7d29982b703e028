#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_attribute_type
short_description: Manage ColdFront resource and allocation attribute types
version_added: 1.0.0
description:
  - Makes a resource or allocation attribute type exist with a data type and flags, for example the allocation
    type C(Storage Quota (TB)) (C(Float), with usage) or the resource type C(capacity_tb) (C(Float)).
  - Creates a missing data type when needed (ColdFront 1.1 has no resource C(Float) data type).
  - Attribute type names are not unique in ColdFront. This module never creates a second type of a name; when
    it finds several, it changes nothing, warns with their ids and returns them in RV(duplicates).
  - Flags not given are left as they are (a new type gets ColdFront's defaults for them).
  - O(access) says in one word who sees the attributes of an allocation type and who may ask to change them.
    O(keep_existing_flags) gives flags to new types only and reports where an existing type differs.
  - Changing the data type of a type that attributes already use is refused.
  - O(state=absent) removes the types of that name only when no attribute uses any of them; otherwise the task
    fails and nothing is removed.
  - O(types) handles several types in one call (one ColdFront start-up instead of one per type) and one transaction
    (all or nothing).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
extends_documentation_fragment:
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.coldfront.history
options:
  scope:
    description:
      - Whether this is a resource or an allocation attribute type.
      - Required with O(name).
    type: str
    choices: [resource, allocation]
  name:
    description:
      - Type name (at most 50 characters for allocation types).
      - One of O(name) and O(types) is required; they are mutually exclusive.
    type: str
  data_type:
    description:
      - Data type of the values. A new type without O(data_type) is C(Text); an existing one keeps its data type.
    type: str
    choices: [Text, Int, Float, Yes/No, Date]
  has_usage:
    description: Allocation types only. Attributes of the type also carry a usage (for example used TB).
    type: bool
  is_private:
    description: Allocation types only. Hidden from non-admin users on the web pages (ColdFront's default is true).
    type: bool
  is_changeable:
    description: Allocation types only. PIs may request changes of the value.
    type: bool
  access:
    description:
      - Allocation types only. Who sees the attributes of the type and who may ask to change them, one word for
        O(is_private) and O(is_changeable); give either O(access) or those flags.
      - V(private) (C(is_private=true), C(is_changeable=false)) shows the attributes to ColdFront superusers only,
        in the attribute table and the usage gauges of the allocation page.
      - V(public) (C(is_private=false), C(is_changeable=false)) shows them to the project's users, read only.
      - V(changeable) (C(is_private=false), C(is_changeable=true)) shows them, and the project's managers may request
        a new value through an allocation change request.
    type: str
    choices: [private, public, changeable]
  is_required:
    description: The type is marked required (ColdFront does not enforce it).
    type: bool
  is_unique:
    description: Allocation types only. At most one attribute of the type per allocation (checked by ColdFront's forms).
    type: bool
  is_unique_per_resource:
    description: Resource types only. ColdFront's C(is_unique_per_resource) flag.
    type: bool
  is_value_unique:
    description: Resource types only. ColdFront's C(is_value_unique) flag.
    type: bool
  create_data_type:
    description: Create the data type in ColdFront when it is missing (for example the resource C(Float)).
    type: bool
    default: true
  keep_existing_flags:
    description:
      - Flags that only a new type gets. An existing type keeps its value of these flags; where that value differs
        from the one asked for (by the flag itself or by O(access)), nothing is written for it and the result lists
        it in RV(kept_flags) (in each item of RV(types) with O(types)).
      - Applies to every type of the task; flags that a type's scope lacks are ignored.
      - V([is_private, is_changeable]) creates types with the access asked for and leaves the access of existing
        types alone.
    type: list
    elements: str
    choices: [has_usage, is_private, is_changeable, is_required, is_unique, is_unique_per_resource, is_value_unique]
    default: []
  state:
    description: V(present) creates or updates; V(absent) removes unused types of that name.
    type: str
    choices: [present, absent]
    default: present
  types:
    description:
      - Several types, each with the options of one type (O(types[].scope), O(types[].name), O(types[].data_type),
        the flags, O(types[].access) and O(types[].state)); O(create_data_type) and O(keep_existing_flags) apply to
        all of them.
      - They are handled in the order given, all in one transaction. When any type is refused the task fails, the
        message lists the problems of every refused type, and nothing is written, not even the types before the
        refused one. Results are in RV(types).
    type: list
    elements: dict
    suboptions:
      scope:
        description: Whether this is a resource or an allocation attribute type.
        type: str
        required: true
        choices: [resource, allocation]
      name:
        description: Type name.
        type: str
        required: true
      data_type:
        description: As O(data_type).
        type: str
        choices: [Text, Int, Float, Yes/No, Date]
      has_usage:
        description: As O(has_usage).
        type: bool
      is_private:
        description: As O(is_private).
        type: bool
      is_changeable:
        description: As O(is_changeable).
        type: bool
      access:
        description: As O(access).
        type: str
        choices: [private, public, changeable]
      is_required:
        description: As O(is_required).
        type: bool
      is_unique:
        description: As O(is_unique).
        type: bool
      is_unique_per_resource:
        description: As O(is_unique_per_resource).
        type: bool
      is_value_unique:
        description: As O(is_value_unique).
        type: bool
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
seealso:
  - module: hpc.coldfront_ecs.coldfront_allocation_attribute
  - module: hpc.coldfront_ecs.coldfront_resource_attribute
'''

EXAMPLES = r'''
- name: Storage quota in TB, with usage
  hpc.coldfront_ecs.coldfront_attribute_type:
    scope: allocation
    name: Storage Quota (TB)
    data_type: Float
    has_usage: true
    is_private: false
    is_changeable: true

- name: Resource capacity (creates the resource Float data type if missing)
  hpc.coldfront_ecs.coldfront_attribute_type:
    scope: resource
    name: capacity_tb
    data_type: Float

- name: Several types in one call
  hpc.coldfront_ecs.coldfront_attribute_type:
    types:
      - {scope: resource, name: used_tb, data_type: Float}
      - {scope: allocation, name: Quota_In_Bytes, data_type: Int, has_usage: true, access: private}

- name: Machine-written types hidden from PIs when created; existing ones keep the access an admin gave them
  hpc.coldfront_ecs.coldfront_attribute_type:
    keep_existing_flags: [is_private, is_changeable]
    types:
      - {scope: allocation, name: Subdirectory, data_type: Text, access: private}
      - {scope: allocation, name: Storage Quota (TB), data_type: Float, has_usage: true, access: changeable}
  register: access
'''

RETURN = r'''
type:
  description: The type after the task (null with duplicates or after O(state=absent)).
  returned: when O(name) is given
  type: dict
  sample: {id: 31, name: Storage Quota (TB), scope: allocation, data_type: Float, has_usage: true, is_private: false,
           is_changeable: true, is_required: false, is_unique: false}
created:
  description: Whether the type was (or would be) created.
  returned: when O(name) is given
  type: bool
data_type_created:
  description: Whether the data type was (or would be) created.
  returned: when O(name) is given
  type: bool
duplicates:
  description: All the types of that name when there are several (nothing was changed then).
  returned: when O(name) is given
  type: list
  elements: dict
  sample: []
kept_flags:
  description:
    - The flags of O(keep_existing_flags) whose value the existing type kept although another one was asked for,
      each with the value it has (C(current)) and the one asked for (C(wanted)). Empty when nothing was kept.
  returned: when O(name) is given
  type: dict
  sample: {is_private: {current: false, wanted: true}}
removed:
  description: The types removed by O(state=absent).
  returned: when O(name) is given and O(state=absent)
  type: list
  elements: dict
types:
  description:
    - With O(types), one result per item, in the order given, with the keys of the single form (RV(type), RV(created),
      RV(data_type_created), RV(duplicates), RV(kept_flags), and RV(removed) for O(types[].state=absent)) plus C(scope),
      C(name), C(changed) and C(warnings).
  returned: when O(types) is given
  type: list
  elements: dict
  sample: [{scope: resource, name: used_tb, changed: true, created: true, data_type_created: false, duplicates: [],
            kept_flags: {}, warnings: [], type: {id: 12, name: used_tb, scope: resource, data_type: Float}}]
coldfront:
  description: The ColdFront reached.
  returned: success
  type: dict
  sample: {version: 1.1.10, database: sqlite /srv/coldfront/coldfront.db}
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.schema import (
    DATA_TYPES, FLAG_NAMES, AttributeTypesTask)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.type_access import ACCESS

ONE_ACCESS = [('access', 'is_private'), ('access', 'is_changeable')]


def type_spec(item):
    """The options of one type: the top-level form (``item`` false) or an item of ``types``."""
    spec = dict(
        scope=dict(type='str', required=item, choices=['resource', 'allocation']),
        name=dict(type='str', required=item),
        data_type=dict(type='str', choices=list(DATA_TYPES)),
        access=dict(type='str', choices=list(ACCESS)),
        state=dict(type='str', default='present', choices=['present', 'absent']),
    )
    spec.update((flag, dict(type='bool')) for flag in FLAG_NAMES)
    return spec


def main():
    spec = type_spec(item=False)
    spec.update(
        create_data_type=dict(type='bool', default=True),
        keep_existing_flags=dict(type='list', elements='str', default=[], choices=list(FLAG_NAMES)),
        types=dict(type='list', elements='dict', options=type_spec(item=True), mutually_exclusive=ONE_ACCESS),
    )
    module = ColdFrontModule('coldfront_attribute_type', spec, required_one_of=[('name', 'types')],
                             mutually_exclusive=[('name', 'types')] + ONE_ACCESS, required_by={'name': 'scope'})
    task = AttributeTypesTask(module.params, reason=module.reason, user=module.history_user,
                              check_mode=module.check_mode, diff=module.diff, warn=module.warn)
    module.run(task.run)


if __name__ == '__main__':
    main()
