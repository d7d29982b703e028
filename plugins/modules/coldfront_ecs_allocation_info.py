#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_ecs_allocation_info
short_description: The ECS views of the allocations of one ColdFront resource, as the inventory builds them
version_added: 0.1.0
description:
  - Returns what the C(hpc.coldfront_ecs.coldfront) inventory plugin puts in the host var C(ecs_allocations) of one
    resource (namespace and bucket names, quota, usage, automation options and the problems of each allocation),
    read from ColdFront when the task runs.
  - The provision and sync roles use it when the inventory has O(hpc.coldfront_ecs.coldfront#inventory:allocation_vars=false);
    its host var C(coldfront_allocation_query) holds O(selection), O(allocation_statuses) and
    O(default_automation_options).
  - Namespace collisions are checked across every selected resource with the same ECS endpoint, as in the
    inventory, so the same selection must be given.
  - Reads in a constant number of SQL queries, whatever the number of allocations.
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
extends_documentation_fragment:
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.coldfront.info
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
  attribute_names:
    description: The attribute names the inventory reads (the host var C(coldfront_attribute_names)).
    type: dict
    default: {}
    suboptions:
      namespace:
        description: Allocation attribute overriding (and recording) the namespace name.
        type: str
        default: Namespace
      bucket:
        description: Allocation attribute overriding (and recording) the bucket name.
        type: str
        default: Bucket
      subdirectory:
        description: Allocation attribute C(<namespace>:<bucket>) recorded by provisioning.
        type: str
        default: Subdirectory
      quota_tb:
        description: Allocation attribute with the quota and usage in TB.
        type: str
        default: Storage Quota (TB)
      quota_bytes:
        description: Allocation attribute with the quota and usage in bytes.
        type: str
        default: Quota_In_Bytes
      options:
        description: Allocation attribute with the automation options.
        type: str
        default: automation_specifications
      url:
        description: Resource attribute with the ECS endpoint.
        type: str
        default: url
      replication_group:
        description: Resource attribute with the replication group; not used here, accepted so that the host var can be given as it is.
        type: str
        default: replication_group
      ldap_domain:
        description: Resource attribute with the LDAP domain; not used here, accepted as O(attribute_names.replication_group).
        type: str
        default: ldap_domain
      claim:
        description:
          - Allocation attribute with the allocation's claim C(<namespace>:<bucket>); a claimed allocation keeps the
            claimed names. Also read on allocations outside O(allocation_statuses).
        type: str
        default: ECS_Claim
      bucket_quota_bytes:
        description: Allocation attribute with the quota last set on the bucket, in bytes.
        type: str
        default: Bucket_Quota_In_Bytes
      federation:
        description:
          - Resource attribute with the VDC ids of the resource's ECS federation. Resources whose federations share a VDC
            are one namespace name space when collisions are marked.
        type: str
        default: ecs_federation
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
            "bucket_recorded": null, "subdirectory": null, "provisioned": false, "quota_tb": 10.0, "usage_tb": null,
            "quota_bytes": null, "usage_bytes": null, "options": [], "options_source": "default",
            "filesystem_enabled": false, "ldap_group": "Smith Lab", "errors": []}]
allocation_errors:
  description: The problems of every allocation, as the inventory's C(ecs_allocation_errors).
  returned: success
  type: list
  elements: str
  sample: []
coldfront:
  description: The ColdFront reached.
  returned: success
  type: dict
  sample: {version: 1.1.10, database: sqlite /srv/coldfront/coldfront.db}
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import settings_from_names
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.systems import (
    scrub_credentials, system_views, usable_resources)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.coldfront import load_resources

ATTRIBUTE_NAMES = dict(namespace='Namespace', bucket='Bucket', subdirectory='Subdirectory', quota_tb='Storage Quota (TB)',
                       quota_bytes='Quota_In_Bytes', options='automation_specifications', url='url',
                       replication_group='replication_group', ldap_domain='ldap_domain', claim='ECS_Claim',
                       bucket_quota_bytes='Bucket_Quota_In_Bytes', federation='ecs_federation')


def main():
    module = ColdFrontModule('coldfront_ecs_allocation_info', dict(
        resource=dict(type='str', required=True),
        selection=dict(type='dict', default={}),
        allocation_statuses=dict(type='list', elements='str', default=['Active']),
        default_automation_options=dict(type='list', elements='str', default=[]),
        ecs_port=dict(type='int', default=4443),
        attribute_names=dict(type='dict', default={}, options=dict(
            (key, dict(type='str', default=value)) for key, value in ATTRIBUTE_NAMES.items())),
    ), writes=False)

    def work():
        params = module.params
        settings = settings_from_names(params['attribute_names'], params['default_automation_options'])
        records = scrub_credentials(load_resources(
            selection=params['selection'], allocation_statuses=tuple(params['allocation_statuses']),
            claims_attribute=[settings['subdirectory_attribute'], settings['claim_attribute']]))
        usable, _warnings = usable_resources(records, params['attribute_names']['url'], params['ecs_port'])
        found = [record for record, _host in usable if record['name'] == params['resource']]
        if not found:
            module.fail_json(msg='resource %r is not among the selected ColdFront resources with a usable %r attribute: '
                             'check the inventory (coldfront_resource_name, coldfront_allocation_query) and the '
                             "resource's attributes" % (params['resource'], params['attribute_names']['url']))
        views = system_views(usable, settings, params['attribute_names']['federation'])[found[0]['id']]
        return {'changed': False, 'allocations': views,
                'allocation_errors': [message for view in views for message in view['errors']]}

    module.run(work)


if __name__ == '__main__':
    main()
