#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_ecs_sync
short_description: Write the ECS quota and usage of one ECS resource into ColdFront, in one transaction
version_added: 0.1.0
description:
  - Takes what M(hpc.coldfront_ecs.ecs_usage_info) read from one ECS endpoint and applies it to the ColdFront resource
    of that endpoint and to its allocations, reading ColdFront fresh in the same process.
  - For every provisioned allocation (C(Subdirectory) recorded) the namespace quota becomes the value of
    C(Storage Quota (TB)) (GB / 1024) and of C(Quota_In_Bytes) (TB x 1024^4), and the namespace's billed size becomes
    the usage of both (KB / 1024^3 for TB, KB x 1024 for bytes). The resource gets C(capacity_tb), C(used_tb) and
    C(allocated_tb).
  - A quota changed in ColdFront and not pushed to ECS yet is never overwritten (reported as C(pending_push)); a quota
    changed on both sides is reported as a conflict and neither side is changed. C(Quota_In_Bytes) holds the last value
    both sides agreed on.
  - Only differences are written, all in one database transaction, each history row marked with the change reason.
    A second run with nothing changed on ECS writes nothing.
  - Drift is reported, never repaired by deleting anything; allocations that cannot be synced are reported with the
    reason and skipped, the others are synced.
  - When the quota of any namespace on the endpoint could not be read, C(allocated_tb) is not written (the sum would be
    too low; ColdFront keeps the last value) and RV(problems) says so; the other values are written.
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
options:
  resource:
    description: Name of the ColdFront resource of the ECS endpoint.
    type: str
    required: true
  usage:
    description:
      - The registered result of M(hpc.coldfront_ecs.ecs_usage_info) for this resource's endpoint (its C(capacity),
        C(namespaces), C(allocated_gb), C(unlimited_namespaces), C(usage), C(failures) and C(endpoint) are used).
    type: dict
    required: true
  allocation_statuses:
    description: Allocation statuses that are synced (and that claim a namespace for the drift report).
    type: list
    elements: str
    default: [Active]
  alert_threshold:
    description:
      - Fraction of a limit at or over which a scope is reported in RV(alerts) (V(0.9) = 90 %).
      - Scopes are the resource (capacity, allocated when O(overcommit) is set), every synced namespace (allocation) and
        its buckets (when they have a limit, see O(bucket_limits)).
    type: float
    default: 0.9
  bucket_limits:
    description:
      - Where the limit of each bucket comes from, for RV(alerts).
      - V(namespace) gives each bucket its namespace's quota, as M(hpc.coldfront_ecs.ecs_provision) sets it with its
        default O(hpc.coldfront_ecs.ecs_provision#module:bucket_quota=true); no ECS call.
      - V(ecs) takes the bucket quotas that M(hpc.coldfront_ecs.ecs_usage_info) read with
        O(hpc.coldfront_ecs.ecs_usage_info#module:bucket_quotas=true) (the module fails without them). Namespaces whose
        bucket list could not be read are named in RV(problems) and in C(unread_bucket_quota_namespaces) of RV(resource).
      - V(none) gives buckets no limit (no bucket alerts).
    type: str
    choices: [namespace, ecs, none]
    default: namespace
  overcommit:
    description:
      - Allowed ratio of allocated (sum of namespace quotas) to capacity, for example V(1.2).
      - When not set, allocated is unlimited; it is reported but never alerted on.
    type: float
  attribute_names:
    description: ColdFront attribute names, when a site uses other names than the reference deployment.
    type: dict
    default: {}
    suboptions:
      namespace:
        description: Allocation attribute overriding the namespace name.
        type: str
        default: Namespace
      bucket:
        description: Allocation attribute overriding the bucket name.
        type: str
        default: Bucket
      subdirectory:
        description: Allocation attribute C(<namespace>:<bucket>) recorded by provisioning.
        type: str
        default: Subdirectory
      quota_tb:
        description: Allocation attribute with the quota in TB (value) and the usage in TB (usage).
        type: str
        default: Storage Quota (TB)
      quota_bytes:
        description: Allocation attribute with the agreed quota in bytes (value) and the usage in bytes (usage).
        type: str
        default: Quota_In_Bytes
      bucket_quota_bytes:
        description:
          - Allocation attribute with the quota last set on the bucket, in bytes.
          - With O(bucket_limits=namespace), a namespace quota pulled from ECS records the old value here when it is
            not set, so that the next provision sets the bucket quota to follow the namespace.
        type: str
        default: Bucket_Quota_In_Bytes
      capacity:
        description: Resource attribute receiving the provisioned capacity in TB.
        type: str
        default: capacity_tb
      used:
        description: Resource attribute receiving the used capacity in TB.
        type: str
        default: used_tb
      allocated:
        description: Resource attribute receiving the sum of the namespace quotas in TB.
        type: str
        default: allocated_tb
extends_documentation_fragment:
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.coldfront.history
notes:
  - The attribute types must exist (the setup playbook creates them); a missing one fails the module before anything
    is written.
seealso:
  - module: hpc.coldfront_ecs.ecs_usage_info
  - module: hpc.coldfront_ecs.coldfront_allocation_attribute
'''

EXAMPLES = r'''
- name: Read quota and usage from ECS
  hpc.coldfront_ecs.ecs_usage_info:
    host: "{{ ecs_host }}"
    namespaces: "{{ ecs_allocations | selectattr('provisioned') | map(attribute='namespace') | list }}"
  register: usage

- name: Write them into ColdFront
  hpc.coldfront_ecs.coldfront_ecs_sync:
    resource: "{{ coldfront_resource_name }}"
    usage: "{{ usage }}"
    coldfront_env_file: /etc/coldfront/coldfront.env
    change_reason: hourly sync
'''

RETURN = r'''
summary:
  description: Counts for this resource.
  returned: always
  type: dict
  contains:
    synced:
      description: Allocations whose quota and usage were read and applied (changed or not).
      type: int
    skipped:
      description: Allocations not synced (not provisioned, bad data, namespace missing or unreadable on ECS).
      type: int
    pending_push:
      description: Allocations whose ColdFront quota changed and waits for provision to push it.
      type: int
    conflict:
      description: Allocations whose quota changed on both sides (nothing changed).
      type: int
    attributes_changed:
      description: Allocation and resource attribute values or usages written (0 on an unchanged re-run).
      type: int
  sample: {"synced": 40, "skipped": 1, "pending_push": 0, "conflict": 0, "attributes_changed": 12}
allocations:
  description: One entry per allocation of the resource in the selected statuses.
  returned: always
  type: list
  elements: dict
  contains:
    allocation_id:
      description: ColdFront allocation id.
      type: int
    project:
      description: Project title.
      type: str
    namespace:
      description: ECS namespace (null when it cannot be derived).
      type: str
    bucket:
      description: ECS bucket.
      type: str
    status:
      description: C(synced), C(skipped), C(pending_push) or C(conflict).
      type: str
    reason:
      description: Why it was not synced, one line naming the allocation, the resource and what to do.
      type: str
    quota:
      description: The quota decision (C(in_sync), C(pull), C(record), C(baseline), C(push), C(conflict)) or null.
      type: str
  sample: [{"allocation_id": 3, "project": "Smith Lab", "namespace": "smith-lab", "bucket": "lab-smith-lab-bucket",
            "status": "synced", "reason": null, "quota": "in_sync"}]
problems:
  description:
    - The resource values that were not written and why (C(allocated_tb) when a namespace quota could not be read),
      the bucket quotas that could not be read (O(bucket_limits=ecs)), then the reasons of every skipped, pending or
      conflicting allocation (the lines of RV(allocations) that have one).
  returned: always
  type: list
  elements: str
drift:
  description: Differences between ColdFront and ECS that the sync reports and never repairs.
  returned: always
  type: dict
  contains:
    missing_namespaces:
      description: Provisioned allocations whose namespace does not exist on ECS.
      type: list
      elements: dict
    missing_buckets:
      description: Synced allocations whose bucket does not exist (or has no billing record) on ECS.
      type: list
      elements: dict
    unclaimed_namespaces:
      description: Namespaces on ECS that no allocation in the selected statuses claims (for example after it expired).
      type: list
      elements: str
resource:
  description:
    - The resource values written (TB, as text), the namespaces without a quota (C(unlimited_namespaces)) and the
      namespaces whose quota could not be read (C(unread_quota_namespaces); when there are any, C(allocated_tb) is
      not written and is absent here).
    - C(unread_bucket_quota_namespaces) lists the synced namespaces whose bucket quotas could not be read (only with
      O(bucket_limits=ecs)); their buckets have no limit in RV(alerts).
  returned: always
  type: dict
  sample: {"capacity_tb": "2518", "used_tb": "1275.7", "allocated_tb": "30", "unlimited_namespaces": [],
           "unread_quota_namespaces": [], "unread_bucket_quota_namespaces": []}
alerts:
  description:
    - Every scope at or over O(alert_threshold) of a limit, worst first, from the ECS values just read (TB).
    - C(level) is C(exceeded) over the hard limit, else C(warning).
  returned: always
  type: list
  elements: dict
  sample: [{"scope": "namespace jones-genomics", "kind": "namespace", "name": "jones-genomics", "resource": "ecs-east",
            "namespace": "jones-genomics", "allocation_id": 2, "quota": "storage", "limit": 20.0, "usage": 19.0,
            "percent": 95.0, "threshold": 0.9, "level": "warning",
            "message": "namespace jones-genomics on resource ecs-east: storage usage 19 TB is at 95% of limit 20 TB
                        (threshold 90%)"},
           {"scope": "bucket lab-jones-genomics-bucket", "kind": "bucket", "name": "lab-jones-genomics-bucket",
            "resource": "ecs-east", "namespace": "jones-genomics", "allocation_id": 2, "quota": "storage", "limit": 20.0,
            "usage": 19.0, "percent": 95.0, "threshold": 0.9, "level": "warning",
            "message": "bucket lab-jones-genomics-bucket on resource ecs-east: storage usage 19 TB is at 95% of limit
                        20 TB (threshold 90%)"}]
changes:
  description: The attribute items that were (or in check mode would be) written, with before and after.
  returned: always
  type: dict
  contains:
    allocation_attributes:
      description: Changed allocation attribute items.
      type: list
      elements: dict
    resource_attributes:
      description: Changed resource attribute items.
      type: list
      elements: dict
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.write import apply_changes, diff_of
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import (
    resource_views, settings_from_names)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.quota import QuotaError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.sync_plan import BUCKET_LIMITS, alerts, plan_sync
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.coldfront import load_resources

ATTRIBUTE_NAMES = dict(namespace='Namespace', bucket='Bucket', subdirectory='Subdirectory', quota_tb='Storage Quota (TB)',
                       quota_bytes='Quota_In_Bytes', bucket_quota_bytes='Bucket_Quota_In_Bytes', capacity='capacity_tb',
                       used='used_tb', allocated='allocated_tb')


def settings_from(names):
    """``(ecs_allocation settings, resource attribute names)`` from the ``attribute_names`` option."""
    return settings_from_names(names), {'capacity': names['capacity'], 'used': names['used'], 'allocated': names['allocated']}


def main():
    module = ColdFrontModule('coldfront_ecs_sync', dict(
        resource=dict(type='str', required=True),
        usage=dict(type='dict', required=True),
        allocation_statuses=dict(type='list', elements='str', default=['Active']),
        alert_threshold=dict(type='float', default=0.9),
        overcommit=dict(type='float'),
        bucket_limits=dict(type='str', choices=list(BUCKET_LIMITS), default='namespace'),
        attribute_names=dict(type='dict', default={}, options=dict(
            (key, dict(type='str', default=value)) for key, value in ATTRIBUTE_NAMES.items())),
    ))
    params = module.params

    def work():
        settings, resource_attributes = settings_from(params['attribute_names'])
        records = load_resources(selection={'names': [params['resource']], 'name_contains': None},
                                 allocation_statuses=params['allocation_statuses'])
        if not records:
            module.fail_json(msg='resource %r does not exist in ColdFront: check the inventory (coldfront_resource_name)'
                             % params['resource'])
        views = resource_views(records[0], settings)
        try:
            plan = plan_sync(params['resource'], views, params['usage'], settings, resource_attributes,
                             params['bucket_limits'])
        except ValueError as exc:
            module.fail_json(msg='resource %s: %s' % (params['resource'], exc))
        try:
            found = alerts(plan['quota_tree'], params['alert_threshold'], params['overcommit'])
        except QuotaError as exc:
            module.fail_json(msg='alert settings of resource %s: %s' % (params['resource'], exc))
        applied = apply_changes(plan['allocation_attributes'], plan['resource_attributes'], reason=module.reason,
                                user=module.history_user, check_mode=module.check_mode, create_missing=True)
        changed_items = dict((key, [item for item in applied[key] if item['changed']])
                             for key in ('allocation_attributes', 'resource_attributes'))
        summary = dict(plan['counts'], attributes_changed=sum(len(items) for items in changed_items.values()))
        resource = dict((item['name'], item['value']) for item in plan['resource_attributes'])
        resource['unlimited_namespaces'] = plan['unlimited_namespaces']
        resource['unread_quota_namespaces'] = plan['unread_quota_namespaces']
        resource['unread_bucket_quota_namespaces'] = plan['unread_bucket_quota_namespaces']
        return {
            'changed': applied['changed'], 'summary': summary, 'allocations': plan['allocations'],
            'problems': plan['problems'] + [entry['reason'] for entry in plan['allocations'] if entry['reason']],
            'drift': plan['drift'], 'resource': resource, 'changes': changed_items, 'diff': diff_of(applied),
            'alerts': found,
        }

    module.run(work)


if __name__ == '__main__':
    main()
