#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_ecs_sync
short_description: Read the ECS quota and usage of one ECS resource and write them into ColdFront, in one transaction
version_added: 1.0.0
description:
  - Reads ColdFront's allocations of one ECS resource, then reads their namespaces' quota and usage and the capacity
    from the resource's ECS endpoint (as M(hpc.coldfront_ecs.ecs_usage_info) does, in the same process), and applies
    them to the ColdFront resource and to its allocations.
  - Or, when O(usage) is given, applies that earlier M(hpc.coldfront_ecs.ecs_usage_info) result instead and makes no
    ECS call.
  - For every provisioned allocation (C(Subdirectory) recorded) the namespace quota becomes the value of
    C(Storage Quota (TB)) (GB / 1024) and of C(Quota_In_Bytes) (TB x 1024^4), and the namespace's billed size becomes
    the usage of both (KB / 1024^3 for TB, KB x 1024 for bytes). The resource gets C(capacity_tb), C(used_tb) and
    C(allocated_tb).
  - A quota changed in ColdFront and not pushed to ECS yet is never overwritten (reported as C(pending_push)); a quota
    changed on both sides is reported as a conflict and neither side is changed. C(Quota_In_Bytes) holds the last value
    both sides agreed on.
  - Only differences are written, all in one database transaction, each history row marked with the change reason.
    A second run with nothing changed on ECS writes nothing.
  - The allocations are read from ColdFront when the module runs, never taken from the inventory, so an allocation
    provisioned since the inventory was read is synced too.
  - Drift is reported, never repaired by deleting anything; allocations that cannot be synced are reported with the
    reason and a C(kind) and skipped, the others are synced.
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
      - When not set (what the C(hpc.coldfront_ecs.ecs_sync) role does), the module reads ECS itself with the connection
        options, for the namespaces of the provisioned allocations it has just read from ColdFront. That saves a
        module run and the transfer of the reading through Ansible, which matters at thousands of allocations.
      - O(host), O(username) and O(password) are required only when O(usage) is not given.
    type: dict
  host:
    required: false
  username:
    required: false
  password:
    required: false
  batch_billing:
    description:
      - Read the namespaces' billing with one batch call per 100 namespaces where ECS offers it (the module finds out
        and falls back on one call per namespace), as O(hpc.coldfront_ecs.ecs_usage_info#module:batch_billing) does.
      - Not used when O(usage) is given.
    type: bool
    default: true
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
  threshold_overrides:
    description:
      - "Alert thresholds (fractions) per ColdFront resource name, for example C({ecs-archive: 0.8}); the entry of
        O(resource) wins over O(threshold_percent_overrides) and O(alert_threshold)."
    type: dict
    default: {}
  threshold_percent_overrides:
    description:
      - "Alert thresholds in percent per ColdFront resource name, for example C({ecs-archive: 80}) (the roles pass
        C(coldfront_ecs_resource_threshold_percent), the soft quota percentages of provisioning); the entry of
        O(resource) wins over O(alert_threshold)."
    type: dict
    default: {}
  bucket_limits:
    description:
      - Where the limit of each bucket comes from, for RV(alerts).
      - V(namespace) gives each bucket its namespace's quota, as M(hpc.coldfront_ecs.ecs_provision) sets it with its
        default O(hpc.coldfront_ecs.ecs_provision#module:bucket_quota=true); no ECS call.
      - V(ecs) takes the bucket quotas from ECS (one bucket list per namespace; with O(usage), those that
        M(hpc.coldfront_ecs.ecs_usage_info) read with O(hpc.coldfront_ecs.ecs_usage_info#module:bucket_quotas=true), and
        the module fails without them). Namespaces whose bucket list could not be read are named in RV(problems) and in
        C(unread_bucket_quota_namespaces) of RV(resource).
      - V(none) gives buckets no limit (no bucket alerts).
    type: str
    choices: [namespace, ecs, none]
    default: namespace
  overcommit:
    description:
      - Allowed ratio of allocated (sum of namespace quotas) to capacity, for example V(1.2).
      - When not set, allocated is unlimited; it is reported but never alerted on.
    type: float
  overcommit_overrides:
    description:
      - "Overcommit allowances per ColdFront resource name, for example C({ecs-archive: 1.0}); the entry of O(resource)
        wins over O(overcommit). A null value means no limit for that resource."
    type: dict
    default: {}
  namespaces:
    description:
      - With O(usage) only (the module sets it itself when it reads ECS). The namespaces whose billing was asked of
        M(hpc.coldfront_ecs.ecs_usage_info) for O(usage) (its O(hpc.coldfront_ecs.ecs_usage_info#module:namespaces)).
      - The allocations are read from ColdFront when this module runs, so one may have been provisioned after that ECS
        read. A provisioned allocation whose namespace is not in this list is skipped with kind C(not_read), which is
        never a failure; the next sync reads it.
      - When not set, every provisioned allocation's namespace is expected in O(usage), and one missing there is
        reported with kind C(unreadable).
    type: list
    elements: str
  fail_on_problems:
    description:
      - List in RV(failures) the allocations that could not be synced (kinds C(invalid_data), C(namespace_missing),
        C(unreadable)), the quota conflicts (C(conflict)) and the resource values that could not be read
        (C(allocated_not_written), C(bucket_quotas_unread)).
      - Allocations not provisioned yet (C(not_provisioned)), provisioned after the ECS read (C(not_read)) or waiting
        for provision to push their quota (C(pending_push)) are never failures.
    type: bool
    default: true
  fail_on_exceeded:
    description: List in RV(failures) every alert of level C(exceeded) (kind C(quota_exceeded)).
    type: bool
    default: false
extends_documentation_fragment:
  - hpc.coldfront_ecs.ecs
  - hpc.coldfront_ecs.ecs.workers
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.coldfront.history
  - hpc.coldfront_ecs.attribute_names
  - hpc.coldfront_ecs.forecast
notes:
  - The attribute types must exist (the setup playbook creates them); a missing one fails the module before anything
    is written.
  - It uses the O(attribute_names) keys C(namespace), C(bucket), C(subdirectory), C(quota_tb), C(quota_bytes),
    C(bucket_quota_bytes), C(claim) and C(options) of allocations, and C(capacity), C(used) and C(allocated) of the
    resource. With O(bucket_limits=namespace), a namespace quota pulled from ECS records the old value in
    C(bucket_quota_bytes) when that is not set, so that the next provision sets the bucket quota to follow.
  - When ECS cannot be read (login refused, endpoint down), nothing is written and the module fails with the ECS call,
    the error, and RV(failed_allocation_ids) listing the provisioned allocations that were not synced.
  - The module does not fail on RV(failures). Everything that could be written is written, and the caller decides;
    the C(hpc.coldfront_ecs.ecs_sync) role fails the host after its summary.
seealso:
  - module: hpc.coldfront_ecs.ecs_usage_info
  - module: hpc.coldfront_ecs.coldfront_allocation_attribute
'''

EXAMPLES = r'''
- name: Read ECS and write quota, usage and capacity into ColdFront
  hpc.coldfront_ecs.coldfront_ecs_sync:
    resource: ecs-east
    host: ecs-east.example.org
    username: "{{ ecs_monitor_user }}"
    password: "{{ ecs_monitor_password }}"
    ca_path: /etc/pki/ecs-ca.pem
    coldfront_env_file: /etc/coldfront/coldfront.env
    change_reason: hourly sync
  register: sync

- name: Fail when an allocation could not be synced
  ansible.builtin.fail:
    msg: "{{ sync.failures | map(attribute='message') | list }}"
  when: sync.failures | length > 0

# The same in two steps, for example to look at the ECS reading first.
- name: Read quota and usage from ECS
  hpc.coldfront_ecs.ecs_usage_info:
    host: "{{ ecs_host }}"
    namespaces: "{{ ecs_allocations | selectattr('provisioned') | map(attribute='namespace') | list }}"
  register: usage

- name: Write them into ColdFront
  hpc.coldfront_ecs.coldfront_ecs_sync:
    resource: "{{ coldfront_resource_name }}"
    usage: "{{ usage }}"
    namespaces: "{{ ecs_allocations | selectattr('provisioned') | map(attribute='namespace') | list }}"
    coldfront_env_file: /etc/coldfront/coldfront.env
    change_reason: hourly sync
  register: sync
'''

RETURN = r'''
kind:
  description:
    - Why the module failed before writing anything; the message says the same in words.
    - C(unknown_resource) (no such ColdFront resource), C(invalid_usage) (the O(usage) given does not fit the
      settings), C(invalid_settings) (a threshold, overcommit or forecast setting is refused), C(ecs_unreadable) (ECS
      could not be read; RV(error) has the failed call and RV(failed_allocation_ids) the allocations not synced).
  returned: failure
  type: str
  sample: ecs_unreadable
error:
  description: The failed ECS call (C(method), C(path), C(status), C(code), C(description), C(details), C(retryable)).
  returned: failure, when ECS could not be read
  type: dict
ecs:
  description:
    - The ECS reading the sync applied (read by the module, or the O(usage) given).
    - When ECS could not be read, the endpoint and the calls the reading made before it failed.
  returned: always
  type: dict
  contains:
    endpoint:
      description: The ECS endpoint read.
      type: str
    ecs_calls:
      description: ECS API calls made by the reading (with O(usage), the count that result carries).
      type: int
    failures:
      description: What could not be read, one entry per namespace (C(namespace), C(message)); those allocations are
        reported with kind C(unreadable).
      type: list
      elements: dict
    api_features:
      description: What the endpoint offers (C(batch_billing), C(full_namespace_list)).
      type: dict
    bucket_quotas:
      description: Whether the bucket quotas were read (O(bucket_limits=ecs)).
      type: bool
  sample: {"endpoint": "https://ecs-east.example.org:4443", "ecs_calls": 6, "failures": [],
           "api_features": {"batch_billing": true, "full_namespace_list": true}, "bucket_quotas": false}
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
    kind:
      description:
        - Why it was not synced, as a code (null when synced) - C(not_provisioned), C(not_read) (provisioned after the
          ECS read), C(invalid_data), C(namespace_missing), C(unreadable), C(pending_push) or C(conflict).
      type: str
    quota:
      description: The quota decision (C(in_sync), C(pull), C(record), C(baseline), C(push), C(conflict)) or null.
      type: str
    old_quota_bytes:
      description:
        - When the quota was taken from ECS (C(pull), C(baseline)), the ColdFront quota before, in bytes (null when
          ColdFront had none, -1 for no quota); null otherwise.
      type: int
    new_quota_bytes:
      description: When the quota was taken from ECS, the ECS quota written, in bytes (-1 for no quota); else null.
      type: int
    quota_change:
      description:
        - When the quota was taken from ECS, one line with the allocation, the namespace and the old and the new
          value in TB (C(10 TB -> 15 TB)), as the summary shows it; else null.
      type: str
    resolve:
      description:
        - For a C(conflict), both quotas in bytes (C(coldfront_quota_bytes), C(ecs_quota_bytes)) and the exact values
          that settle it, each a dict of attribute name to value - C(keep_coldfront) (set the agreed bytes attribute to the ECS
          value; provision then pushes the ColdFront quota; null when ColdFront has no quota) and C(keep_ecs) (set the
          TB attribute to the ECS value; sync then records it); null otherwise.
      type: dict
  sample: [{"allocation_id": 3, "project": "Smith Lab", "namespace": "smith-lab", "bucket": "lab-smith-lab-bucket",
            "status": "synced", "reason": null, "kind": null, "quota": "pull", "old_quota_bytes": 10995116277760,
            "new_quota_bytes": 16492674416640,
            "quota_change": "allocation 3 (Smith Lab): namespace smith-lab 10 TB -> 15 TB (pulled from ECS)",
            "resolve": null}]
quota_pulled:
  description: The entries of RV(allocations) whose quota was taken from ECS (C(quota_change) set), in the same shape.
  returned: always
  type: list
  elements: dict
report:
  description: Lines for the run's summary (the role prints them).
  returned: always
  type: dict
  contains:
    quota_pulled:
      description: The C(quota_change) line of each quota taken from ECS (old -> new, in TB).
      type: list
      elements: str
    unclaimed_namespaces:
      description:
        - The namespaces of RV(drift.unclaimed_namespaces) by name (C(none) when there are none; past 20 names,
          C(and N more)).
      type: str
    missing_namespaces:
      description: The namespaces of RV(drift.missing_namespaces) by name, the same way.
      type: str
    missing_buckets:
      description: The buckets of RV(drift.missing_buckets) as C(namespace/bucket), the same way.
      type: str
  sample: {"quota_pulled": ["allocation 3 (Smith Lab): namespace smith-lab 10 TB -> 15 TB (pulled from ECS)"],
           "unclaimed_namespaces": "open-lab, orphan-lab", "missing_namespaces": "none", "missing_buckets": "none"}
problems:
  description:
    - The resource values that were not written and why (C(allocated_tb) when a namespace quota could not be read),
      the bucket quotas that could not be read (O(bucket_limits=ecs)), then the reasons of every skipped, pending or
      conflicting allocation (the lines of RV(allocations) that have one).
  returned: always
  type: list
  elements: str
failures:
  description:
    - What fails the sync of this resource under O(fail_on_problems) and O(fail_on_exceeded), one entry per failing
      allocation or resource problem; empty when nothing fails. The module itself does not fail on them.
  returned: always
  type: list
  elements: dict
  contains:
    kind:
      description:
        - C(invalid_data), C(namespace_missing), C(unreadable), C(conflict) (an allocation), C(allocated_not_written),
          C(bucket_quotas_unread) (the resource) or C(quota_exceeded) (an alert).
      type: str
    allocation_id:
      description: The allocation concerned; null for a problem of the resource.
      type: int
    namespaces:
      description: The namespaces concerned.
      type: list
      elements: str
    message:
      description: One line naming the allocation or resource, what happened and what to do.
      type: str
  sample: [{"kind": "conflict", "allocation_id": 7, "namespaces": ["smith-lab"],
            "message": "allocation 7 (project Smith Lab) on ecs-east: ..."}]
failed_allocation_ids:
  description:
    - The ids of the allocations in RV(failures), sorted.
    - When the module fails because ECS could not be read, the ids of the provisioned allocations that were to be synced.
  returned: always
  type: list
  elements: int
  sample: [7]
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
    - Every scope at or over O(alert_threshold) of a limit, worst first, from the ECS values just read (TB). One alert
      per resource quota and at most one per allocation (the worse of its namespace and buckets, the bucket alerts in
      C(buckets)), and the forecast alerts (kind C(forecast), level C(full_soon)).
    - C(level) is C(exceeded) over the hard limit, else C(warning). C(state) is C(new) or C(ongoing) since the
      previous sync.
  returned: always
  type: list
  elements: dict
  sample: [{"scope": "namespace jones-genomics", "kind": "namespace", "name": "jones-genomics", "resource": "ecs-east",
            "namespace": "jones-genomics", "allocation_id": 2, "quota": "storage", "limit": 20.0,
            "enforced_limit": 20.0, "usage": 19.0, "percent": 95.0, "threshold": 0.9, "level": "warning",
            "state": "new", "buckets": [],
            "message": "namespace jones-genomics on resource ecs-east: storage usage 19 TB is at 95% of limit 20 TB
                        (threshold 90%)"}]
recovered:
  description: The alerts of the previous sync that no longer fire (listed by the one sync right after they stopped).
  returned: always
  type: list
  elements: dict
digest:
  description:
    - The alerts (with their state) per PI and per project, with C(changed) when one is new or recovered, so that a
      scheduler can notify each PI on change only.
  returned: always
  type: dict
forecast:
  description:
    - Per synced allocation id, the growth fitted over O(forecast_window_days) of ColdFront's usage history
      (C(growth_tb_per_day)) and C(days_until_full) (null when not growing).
  returned: always
  type: dict
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
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import ecs_argument_spec
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_reading import ECS_CONNECTION, start_reading
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import forecast
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import attribute_names_spec
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.sync_plan import BUCKET_LIMITS
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._workflows.sync import SyncEcsError, SyncError, SyncJob


def argument_spec():
    """The sync's options, and the ECS connection (not required: a ``usage`` given replaces the reading)."""
    spec = ecs_argument_spec(workers=True)
    for name in ECS_CONNECTION:
        spec[name]['required'] = False
    spec.update(
        resource=dict(type='str', required=True),
        usage=dict(type='dict'),
        batch_billing=dict(type='bool', default=True),
        allocation_statuses=dict(type='list', elements='str', default=['Active']),
        alert_threshold=dict(type='float', default=0.9),
        overcommit=dict(type='float'),
        threshold_overrides=dict(type='dict', default={}),
        threshold_percent_overrides=dict(type='dict', default={}),
        overcommit_overrides=dict(type='dict', default={}),
        bucket_limits=dict(type='str', choices=list(BUCKET_LIMITS), default='namespace'),
        namespaces=dict(type='list', elements='str'),
        fail_on_problems=dict(type='bool', default=True),
        fail_on_exceeded=dict(type='bool', default=False),
        forecast_window_days=dict(type='int', default=forecast.DEFAULT_WINDOW_DAYS),
        forecast_days=dict(type='int', default=forecast.DEFAULT_FORECAST_DAYS),
        attribute_names=dict(type='dict', default={}, options=attribute_names_spec()),
    )
    return spec


def main():
    module = ColdFrontModule('coldfront_ecs_sync', argument_spec())
    params = module.params
    try:
        forecast.check_settings(params)
    except ValueError as exc:
        module.fail_json(msg=str(exc), kind='invalid_settings')
    finish_reading = start_reading(module)  # ECS is read from now on, while Django starts and ColdFront is read
    job = SyncJob(params['resource'], params['usage'], params['attribute_names'],
                  dict((key, params[key]) for key in SyncJob.OPTIONS), finish_reading=finish_reading)

    def work():
        try:
            return job.run(module.reason, module.history_user, module.check_mode, module.diff)
        except SyncEcsError as exc:
            module.fail_json(msg=str(exc), kind=exc.kind, resource=params['resource'],
                             error=exc.error.as_dict() if hasattr(exc.error, 'as_dict') else None,
                             failed_allocation_ids=exc.allocation_ids, ecs=exc.ecs)
        except SyncError as exc:
            module.fail_json(msg=str(exc), kind=exc.kind)

    try:
        module.run(work)
    finally:
        if finish_reading is not None:
            finish_reading(None)  # stops a reading that ColdFront's failure left waiting; it logs out


if __name__ == '__main__':
    main()
