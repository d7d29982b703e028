# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The ColdFront attribute names, one option shared by every module, the inventory and the roles."""

    DOCUMENTATION = r'''
options:
  attribute_names:
    description:
      - ColdFront attribute names, when a site uses other names than the reference deployment. Give only the keys
        you renamed; the others keep their default. Each plugin reads the keys it needs and ignores the others.
      - The roles pass the variables C(coldfront_ecs_attr_<key>), whose default is the name the
        P(hpc.coldfront_ecs.coldfront#inventory) inventory read (host var C(coldfront_attribute_names)).
    type: dict
    default: {}
    suboptions:
      namespace:
        description: Allocation attribute with the ECS namespace (overrides the name derived from the project).
        type: str
        default: Namespace
      bucket:
        description: Allocation attribute with the ECS bucket (overrides the derived name).
        type: str
        default: Bucket
      subdirectory:
        description:
          - Allocation attribute C(<namespace>:<bucket>), written once provisioning finished (what marks an allocation
            as provisioned).
        type: str
        default: Subdirectory
      quota_tb:
        description: Allocation attribute with the quota in TB (value) and the usage in TB (usage).
        type: str
        default: Storage Quota (TB)
      quota_bytes:
        description: Allocation attribute with the last agreed quota in bytes (value) and the usage in bytes (usage).
        type: str
        default: Quota_In_Bytes
      bucket_quota_bytes:
        description: Allocation attribute with the quota last set on the bucket, in bytes.
        type: str
        default: Bucket_Quota_In_Bytes
      claim:
        description: Allocation attribute C(<namespace>:<bucket>), recorded before ECS is changed (the proof of ownership).
        type: str
        default: ECS_Claim
      options:
        description: Allocation attribute with the automation options the allocation asks for.
        type: str
        default: automation_specifications
      group:
        description:
          - Allocation attribute with the AD/LDAP group of the namespace group mapping, overriding the template
            (C(group_template)) for that allocation.
        type: str
        default: ECS_Group
      url:
        description: Resource attribute with the ECS Management API URL of the resource.
        type: str
        default: url
      replication_group:
        description: Resource attribute with the replication group of new namespaces.
        type: str
        default: replication_group
      ldap_domain:
        description: Resource attribute with the AD/LDAP domain of the group mapping of new namespaces.
        type: str
        default: ldap_domain
      federation:
        description: Resource attribute with the VDC ids of the ECS federation the resource belongs to.
        type: str
        default: ecs_federation
      capacity:
        description: Resource attribute with the usable capacity in TB.
        type: str
        default: capacity_tb
      used:
        description: Resource attribute with the space used in TB.
        type: str
        default: used_tb
      allocated:
        description: Resource attribute with the sum of the namespace quotas in TB.
        type: str
        default: allocated_tb
'''
