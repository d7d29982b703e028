#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_ecs_allocation_info
short_description: The ECS views of the allocations of one ColdFront resource, as the inventory builds them
version_added: 1.0.0
description:
  - Returns what the C(hpc.coldfront_ecs.coldfront) inventory plugin puts in the host var C(ecs_allocations) of one
    resource (namespace and bucket names, quota, usage, automation options and the problems of each allocation),
    read from ColdFront when the task runs.
  - The provision and sync roles use it when the inventory has O(hpc.coldfront_ecs.coldfront#inventory:allocation_vars=false);
    its host var C(coldfront_allocation_query) holds O(selection), O(allocation_statuses),
    O(default_automation_options), O(group_template) and O(group_name_rules).
  - Namespace collisions are checked across every selected resource with the same ECS endpoint, as in the
    inventory, so the same selection must be given.
  - Reads in a constant number of SQL queries, whatever the number of allocations.
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
extends_documentation_fragment:
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.coldfront.info
  - hpc.coldfront_ecs.attribute_names
options:
  resource:
    description: Name of the ColdFront resource (the host var C(coldfront_resource_name)).
    type: str
    required: true
  selection:
    description:
      - The inventory's resource selection (keys C(name_contains), C(resource_types), C(attribute), C(query),
        C(names)), as in M(hpc.coldfront_ecs.coldfront_allocation_info).
      - O(resource) must be among the selected resources.
    type: dict
    default: {}
  allocation_statuses:
    description: Allocations in these statuses are returned (and claim their namespace).
    type: list
    elements: str
    default: [Active]
  default_automation_options:
    description: Automation options of allocations without the automation options attribute.
    type: list
    elements: str
    default: []
  ecs_port:
    description: Port of the ECS Management API (it decides which resources share one ECS endpoint).
    type: int
    default: 4443
  explain_ids:
    description:
      - Allocation ids (of any resource and status) to explain in RV(explained) - why a run asked to act on them
        (C(-e allocation_id), C(-e allocation_ids)) did not select them.
      - Read in one more query; the roles give them only when an id asked for was not selected.
    type: list
    elements: int
    default: []
  group_template:
    description:
      - The AD/LDAP group of each allocation's namespace group mapping (C(ldap_group) of RV(allocations)), made from the
        project, as the inventory option O(hpc.coldfront_ecs.coldfront#inventory:group_template) - C({title}),
        C({pi}), C({project_id}) and C({attr:NAME}) (a project attribute, read in one more query).
      - The allocation attribute O(attribute_names.group) overrides it for one allocation.
    type: str
    default: '{title}'
  group_name_rules:
    description:
      - What the group must be, as the inventory option
        O(hpc.coldfront_ecs.coldfront#inventory:group_name_rules) - V(ldap) (1 to 256 characters, no control
        characters) or V(ad) (what Active Directory accepts as a group name).
    type: str
    choices: [ldap, ad]
    default: ldap
seealso:
  - plugin: hpc.coldfront_ecs.coldfront
    plugin_type: inventory
  - module: hpc.coldfront_ecs.coldfront_allocation_info
'''

EXAMPLES = r'''
- name: The allocations of this host's resource, when the inventory leaves them out (allocation_vars false)
  hpc.coldfront_ecs.coldfront_ecs_allocation_info:
    resource: "{{ coldfront_resource_name }}"
    selection: "{{ coldfront_allocation_query.selection }}"
    allocation_statuses: "{{ coldfront_allocation_query.allocation_statuses }}"
    default_automation_options: "{{ coldfront_allocation_query.default_automation_options }}"
    group_template: "{{ coldfront_allocation_query.group_template }}"
    group_name_rules: "{{ coldfront_allocation_query.group_name_rules }}"
    ecs_port: "{{ ecs_port }}"
    attribute_names: "{{ coldfront_attribute_names }}"
  register: found

- name: Allocation ids with a problem
  ansible.builtin.debug:
    msg: "{{ found.allocations | selectattr('errors') | map(attribute='id') | list }}"
'''

RETURN = r'''
allocations:
  description:
    - The ECS views of the resource's allocations in O(allocation_statuses), by allocation id, with the same keys as
      the inventory's C(ecs_allocations) (see C(docs/inventory.md)).
  returned: success
  type: list
  elements: dict
  sample: [{"id": 3, "project": "Smith Lab", "project_id": 2, "pi": "jsmith", "status": "Active", "resource": "ecs-east",
            "namespace": "smith-lab", "bucket": "lab-smith-lab-bucket", "namespace_recorded": null,
            "bucket_recorded": null, "subdirectory": null, "claim": null, "provisioned": false, "quota_tb": 10.0,
            "usage_tb": null, "quota_bytes": null, "bucket_quota_bytes": null, "usage_bytes": null, "options": [],
            "options_source": "default", "filesystem_enabled": false, "ldap_group": "Smith Lab", "errors": [],
            "error_kinds": []}]
allocation_errors:
  description: The problems of every allocation, as the inventory's C(ecs_allocation_errors).
  returned: success
  type: list
  elements: str
  sample: []
explained:
  description:
    - One entry per O(explain_ids) item, in that order; empty without O(explain_ids).
    - C(reason) is C(not_found) (no allocation of that id in ColdFront), C(not_on_ecs_resource) (none of its resources
      is among the ECS resources O(selection) selects with a usable C(url)), C(not_in_status) (its status is not in
      O(allocation_statuses)) or C(not_in_run) (all of those hold, yet its resource is not a host of the play, or the
      inventory does not read its status). C(message) says it in one line, with what to check.
  returned: success
  type: list
  elements: dict
  sample: [{"id": 9, "project": "Smith Lab", "status": "Expired", "resources": ["ecs-east"], "reason": "not_in_status",
            "message": "allocation 9 (project 'Smith Lab', status Expired) on ecs-east is not in a provisioned status:
                        this run acts on Active allocations only; check the id, or its status in ColdFront"}]
coldfront:
  description: The ColdFront reached.
  returned: success
  type: dict
  sample: {version: 1.1.10, database: sqlite /srv/coldfront/coldfront.db}
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import settings_from_names
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import attribute_names_spec
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.endpoint import DEFAULT_PORT
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.group_mapping import (
    RULES, GroupTemplateError, parse_template, template_attributes)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.systems import (
    scrub_credentials, system_views, usable_resources)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.asked import explain
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.coldfront import load_allocations, load_resources


def explained(params, ecs_resources):
    """Why each of ``explain_ids`` was not selected (``_rules/asked``)."""
    ids = params['explain_ids']
    records = dict((record['id'], record) for record in load_allocations(allocation_ids=ids)) if ids else {}
    return [explain(allocation_id, records.get(allocation_id), ecs_resources, params['allocation_statuses'])
            for allocation_id in ids]


def main():
    module = ColdFrontModule('coldfront_ecs_allocation_info', dict(
        resource=dict(type='str', required=True),
        selection=dict(type='dict', default={}),
        allocation_statuses=dict(type='list', elements='str', default=['Active']),
        default_automation_options=dict(type='list', elements='str', default=[]),
        ecs_port=dict(type='int', default=DEFAULT_PORT),
        attribute_names=dict(type='dict', default={}, options=attribute_names_spec()),
        group_template=dict(type='str', default='{title}'),
        group_name_rules=dict(type='str', default='ldap', choices=list(RULES)),
        explain_ids=dict(type='list', elements='int', default=[]),
    ), writes=False)

    def work():
        params = module.params
        try:
            parse_template(params['group_template'])
        except GroupTemplateError as exc:
            module.fail_json(msg=str(exc))
        settings = settings_from_names(params['attribute_names'], params['default_automation_options'],
                                       params['group_template'], params['group_name_rules'])
        records = scrub_credentials(load_resources(
            selection=params['selection'], allocation_statuses=tuple(params['allocation_statuses']),
            claims_attribute=[settings['subdirectory_attribute'], settings['claim_attribute']],
            project_attributes=template_attributes(params['group_template'])))
        usable, _warnings = usable_resources(records, params['attribute_names']['url'], params['ecs_port'])
        found = [record for record, _host in usable if record['name'] == params['resource']]
        if not found:
            module.fail_json(msg='resource %r is not among the selected ColdFront resources with a usable %r attribute: '
                             'check the inventory (coldfront_resource_name, coldfront_allocation_query) and the '
                             "resource's attributes" % (params['resource'], params['attribute_names']['url']))
        views = system_views(usable, settings, params['attribute_names']['federation'])[found[0]['id']]
        return {'changed': False, 'allocations': views,
                'allocation_errors': [message for view in views for message in view['errors']],
                'explained': explained(params, [record['name'] for record, _host in usable])}

    module.run(work)


if __name__ == '__main__':
    main()
