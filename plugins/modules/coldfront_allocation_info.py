#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_allocation_info
short_description: Read ColdFront allocations with their project, status and attributes
version_added: 1.0.0
description:
  - Returns ColdFront allocations as plain records (the collection's read model), filtered by resource, status,
    project and id. All filters given must hold.
  - Reads in a constant number of SQL queries, whatever the number of allocations.
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
extends_documentation_fragment:
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.coldfront.info
options:
  resources:
    description:
      - Names of the resources whose allocations to return.
      - Mutually exclusive with O(selection).
    type: list
    elements: str
  selection:
    description:
      - Resource selection, as the inventory plugin does it. All keys are optional and all given must hold.
      - C(name_contains), case-insensitive, default C(ecs); null or empty disables it.
      - C(resource_types), a list of resource type names.
      - C(attribute), a dict with C(name) and C(value) of a resource attribute (text equality); without C(value),
        the attribute must be set and not empty.
      - C(query), a JMESPath expression over the resource record without its allocations; truthy selects.
      - C(names), a list of resource names.
      - Mutually exclusive with O(resources).
    type: dict
  statuses:
    description:
      - Allocation status names to return, for example C([Active, Renewal Requested]).
      - If not set, allocations of every status are returned.
    type: list
    elements: str
  project:
    description:
      - Project title (exact) or project id.
    type: str
  allocation_ids:
    description:
      - Only these allocations.
    type: list
    elements: int
seealso:
  - module: hpc.coldfront_ecs.coldfront_allocation_attribute
'''

EXAMPLES = r'''
- name: Active allocations on the ECS resources
  hpc.coldfront_ecs.coldfront_allocation_info:
    coldfront_env_file: /etc/coldfront/coldfront.env
    selection: {name_contains: ecs, attribute: {name: url}}
    statuses: [Active]
  register: ecs_allocations

- name: One lab's allocations on one resource, any status
  hpc.coldfront_ecs.coldfront_allocation_info:
    resources: [ecs-east]
    project: Smith Lab
'''

RETURN = r'''
allocations:
  description: The allocations, ordered by id.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Allocation id.
      type: int
      sample: 12
    status:
      description: Allocation status name.
      type: str
      sample: Active
    project:
      description: Project id, title, PI user name and project status.
      type: dict
      sample: {id: 4, title: Smith Lab, pi: jsmith, status: Active}
    resources:
      description: Names of all the allocation's resources, sorted.
      type: list
      elements: str
      sample: [ecs-east]
    start_date:
      description: Start date C(YYYY-MM-DD) or null.
      type: str
      sample: "2026-01-01"
    end_date:
      description: End date C(YYYY-MM-DD) or null.
      type: str
      sample: "2027-01-01"
    quantity:
      description: Allocation quantity.
      type: int
      sample: 1
    attributes:
      description:
        - Attributes by type name, each with its id, data type, value (text) and usage (float, null when the type
          has no usage). When a name occurs more than once, the first (lowest id) wins, as in ColdFront.
      type: dict
      sample: {"Storage Quota (TB)": {id: 44, type: Float, value: "10", usage: 2.5}}
    duplicate_attributes:
      description: Attribute names the allocation has more than once.
      type: list
      elements: str
      sample: []
count:
  description: Number of allocations returned.
  returned: success
  type: int
  sample: 3
coldfront:
  description: The ColdFront reached.
  returned: success
  type: dict
  sample: {version: 1.1.10, database: sqlite /srv/coldfront/coldfront.db}
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.coldfront import load_allocations, load_resources


def _selected_allocations(params):
    """Allocations of the selected resources (each once), further filtered by project."""
    found = {}
    for resource in load_resources(params['selection'], allocation_statuses=params['statuses'],
                                   allocation_ids=params['allocation_ids']):
        for allocation in resource['allocations']:
            found[allocation['id']] = allocation
    project = params['project']
    return [found[key] for key in sorted(found)
            if project is None or project in (found[key]['project']['title'], str(found[key]['project']['id']))]


def main():
    module = ColdFrontModule('coldfront_allocation_info', dict(
        resources=dict(type='list', elements='str'),
        selection=dict(type='dict'),
        statuses=dict(type='list', elements='str'),
        project=dict(type='str'),
        allocation_ids=dict(type='list', elements='int'),
    ), writes=False, mutually_exclusive=[('resources', 'selection')])

    def work():
        params = module.params
        if params['selection'] is not None:
            allocations = _selected_allocations(params)
        else:
            allocations = load_allocations(allocation_ids=params['allocation_ids'], resource_names=params['resources'],
                                           allocation_statuses=params['statuses'], project=params['project'])
        return {'changed': False, 'allocations': allocations, 'count': len(allocations)}

    module.run(work)


if __name__ == '__main__':
    main()
