#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ecs_provision
short_description: Provision ColdFront allocations on one Dell ECS endpoint (namespace, quota, bucket) and push quota changes
version_added: 1.0.0
description:
  - Takes the ECS views of the allocations of one ECS resource (the host var C(ecs_allocations) of the
    P(hpc.coldfront_ecs.coldfront#inventory) inventory, see C(docs/inventory.md)) and does, in one call, with one token and a
    bounded number of parallel ECS calls, what the allocations need.
  - An allocation without a recorded C(Subdirectory) is validated (the view's C(errors), the names, the automation
    options, a positive quota and, with O(overcommit), the quota against the resource) and then gets its namespace (default
    replication group O(replication_group), the allocation's C(ldap_group) as group in O(ldap_domain), hard quota from
    C(Storage Quota (TB)) and a soft quota at O(soft_quota_percent)) and its bucket (file system access only with the
    C(nfs_share) option, the same quota when O(bucket_quota)).
  - Ownership is recorded, never guessed. Before anything is created on ECS, the allocation's claim on its namespace and
    bucket (the allocation attribute O(attribute_names.claim), C(<namespace>:<bucket>)) is written in ColdFront, in one
    transaction that locks the ECS resources of the endpoint's federation and refuses a namespace that any other
    allocation, in any status, on any resource of the same ECS federation has claimed or recorded (C(Subdirectory)).
    The federation is read from ECS (C(GET /object/vdcs/vdc/list), one call per run) and recorded on the resource
    (O(attribute_names.federation)), so resources whose C(url) strings differ (an IP, a DNS alias, a load balancer) but
    reach one federation share one namespace name space.
  - A namespace that already exists on ECS is completed only when this allocation claimed it (a run interrupted between
    its claim and the ECS changes is finished by the next one). Any other existing namespace is refused with
    C(already exists), whatever its name, group mapping or quota; use the playbook C(hpc.coldfront_ecs.adopt) to adopt
    namespaces made by the old ColdFront plugin or by hand. The old plugin's spelling of a long project title (ending
    in C(-)) is looked for before a namespace is created, and refused the same way when it exists.
  - Without O(ldap_domain) nothing is provisioned.
  - A recorded allocation whose C(Storage Quota (TB)) differs from the last agreed C(Quota_In_Bytes) gets its ECS quota read
    and the quota decision of C(docs/playbooks/provision.md) - push the ColdFront quota (and the bucket quota when
    O(bucket_quota)), only record the agreement when ECS has the value already, or report a conflict and change nothing
    when both sides changed.
  - Besides the claims and the federation, the module does not write to ColdFront. It returns in RV(records) what to
    record there once ECS has it (C(Namespace), C(Bucket), C(Subdirectory), C(Quota_In_Bytes) and, with
    O(bucket_quota), C(Bucket_Quota_In_Bytes)), ready for M(hpc.coldfront_ecs.coldfront_allocation_attribute).
  - With O(bucket_quota), a recorded allocation whose C(Bucket_Quota_In_Bytes) differs from C(Quota_In_Bytes) (sync
    pulled a namespace quota changed on ECS) gets its bucket quota set to the namespace quota (action
    C(bucket_quota_set)).
  - One allocation's failure never stops the others and never fails the task; it is in RV(results) and RV(failures).
    The task fails only when the endpoint itself cannot be used (login, TLS, connection, the VDC list not readable,
    bad options, capacity not readable for O(overcommit)).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
options:
  allocations:
    description:
      - ECS views of the allocations (elements of the host var C(ecs_allocations)), all of one ECS endpoint.
      - Keys used are C(id), C(project), C(resource), C(namespace), C(bucket), C(subdirectory), C(quota_tb),
        C(quota_bytes), C(options), C(ldap_group) and C(errors). An allocation whose C(errors) is not empty is reported
        as failed.
      - C(ldap_group) is the group of the new namespace's group mapping (the inventory's C(group_template)); a view
        without the key maps the project title C(project).
    type: list
    elements: dict
    required: true
  replication_group:
    description:
      - Replication group (name or id) of new namespaces, the resource's C(replication_group) attribute.
      - When it is not set or does not exist on ECS, every allocation that needs a new namespace fails with that message.
    type: str
  ldap_domain:
    description:
      - LDAP/AD domain of the namespace group mapping, the resource's C(ldap_domain) attribute.
      - Required to provision; without it new allocations fail and no existing namespace is recognised as an interrupted run.
    type: str
  soft_quota_percent:
    description: Soft quota (ECS C(notificationSize)) as a percentage of the hard quota, at least 1 GB. Between 1 and 100.
    type: int
    default: 90
  bucket_quota:
    description: Give the bucket the same quota as its namespace, at creation and on every quota push.
    type: bool
    default: true
  overcommit:
    description:
      - Allowance on the total of namespace quotas against the ECS capacity (C(GET /object/capacity)); C(1.2) allows 120 %.
      - When set, every new quota and every raise is checked against it (C(docs/quotas.md)) and refused when it would
        exceed it. Not set means no limit, as the old plugin did.
      - The check is made in the same locked ColdFront step as the claims, and counts the claims of other runs that ECS
        does not show yet, so two runs started together cannot exceed it between them.
    type: float
  soft_quota_percent_overrides:
    description:
      - "Soft quota percentages per ColdFront resource name, for example C({ecs-archive: 80}); the value for O(resource)
        wins over O(soft_quota_percent)."
      - The alias O(resource_soft_quota_percent) is the option's first name.
    type: dict
    default: {}
    aliases: [resource_soft_quota_percent]
  overcommit_overrides:
    description:
      - "Overcommit allowances per ColdFront resource name, for example C({ecs-archive: 1.0}); the value for O(resource)
        wins over O(overcommit). A null value means no limit for that resource."
      - The same option as in M(hpc.coldfront_ecs.coldfront_ecs_sync) and M(hpc.coldfront_ecs.coldfront_usage_report).
        The alias O(resource_overcommit) is its first name here.
    type: dict
    default: {}
    aliases: [resource_overcommit]
  default_options:
    description:
      - Automation options for a new allocation that has none (no automation-options attribute and no inventory default).
      - Only C(nfs_share) is supported; any other option makes the allocation fail with its name.
    type: list
    elements: str
  recorded_federation:
    description:
      - The federation ColdFront holds for the resource, as far as the caller knows (the inventory's resource
        attributes). When the VDCs read from ECS differ, the federation is recorded again; when they are the same and
        no allocation is new, ColdFront is not opened.
    type: str
extends_documentation_fragment:
  - hpc.coldfront_ecs.ecs
  - hpc.coldfront_ecs.ecs.workers
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.coldfront.history
  - hpc.coldfront_ecs.claims
  - hpc.coldfront_ecs.attribute_names
attributes:
  check_mode:
    support: full
    description: Reads ECS only and returns what it would create, push and record.
  diff_mode:
    support: full
    description: Shows, per allocation changed, the namespace and bucket (or quotas) before and after.
notes:
  - Use the role C(hpc.coldfront_ecs.ecs_provision) (playbook C(hpc.coldfront_ecs.provision)), which passes the inventory's
    views, records the results in ColdFront and fails the play when an allocation failed.
seealso:
  - module: hpc.coldfront_ecs.ecs_namespace
  - module: hpc.coldfront_ecs.ecs_bucket
  - module: hpc.coldfront_ecs.coldfront_allocation_attribute
'''

EXAMPLES = r'''
- name: Provision the pending allocations of this ECS resource (credentials from ECS_USER / ECS_PASS)
  hpc.coldfront_ecs.ecs_provision:
    host: "{{ ecs_host }}"
    port: "{{ ecs_port }}"
    ca_path: /etc/pki/tls/certs/ecs-ca.pem
    allocations: "{{ ecs_allocations | selectattr('status', 'equalto', 'Active') }}"
    replication_group: "{{ ecs_replication_group }}"
    ldap_domain: "{{ ecs_ldap_domain }}"
  register: provisioned

- name: Record what was provisioned in ColdFront
  hpc.coldfront_ecs.coldfront_allocation_attribute:
    attributes: "{{ provisioned.records }}"
  when: provisioned.records | length > 0
'''

RETURN = r'''
results:
  description: One entry per allocation given, in the order given.
  returned: success
  type: list
  elements: dict
  contains:
    allocation_id:
      description: Allocation id.
      type: int
    project:
      description: Project title.
      type: str
    resource:
      description: ColdFront resource name.
      type: str
    namespace:
      description: Namespace name (null when unusable).
      type: str
    bucket:
      description: Bucket name (null when unusable).
      type: str
    action:
      description:
        - V(created) (namespace and bucket created), V(resumed) (an interrupted run completed), V(quota_pushed),
          V(bucket_quota_set) (the bucket quota made to follow the namespace quota), V(recorded) (ECS had it all
          already; only ColdFront is to be written), V(unchanged), V(failed), V(conflict) (quota changed on both
          sides, or differs with no agreed value; nothing changed).
      type: str
    changes:
      description: ECS changes made (or that would be made in check mode), also those before a failure.
      type: list
      elements: str
    record:
      description: ColdFront attribute name to value, to record for this allocation (empty on failure).
      type: dict
    error:
      description: For V(failed) and V(conflict), one line with the allocation, project, resource, step, ECS call and error.
      type: str
    kind:
      description:
        - For V(failed) and V(conflict), why, in one stable word; null otherwise. Decide on it, not on RV(results[].error),
          whose wording may change. When a new allocation has several problems, RV(results[].error) lists them all and
          this is the kind of the first one.
        - V(invalid_data) (the allocation's ColdFront data has errors, see the view's C(errors)),
          V(invalid_name) (a namespace or bucket name ECS would refuse),
          V(invalid_quota) (no quota, or not a positive one, for a new namespace),
          V(unsupported_option) (an automation option that is not supported),
          V(no_ldap_group) (no LDAP group for the group mapping),
          V(invalid_settings) (the resource's C(ldap_domain) or replication group is missing or unknown).
        - V(claimed_elsewhere) (another allocation of the ECS federation claimed or recorded the namespace),
          V(shared_namespace) (several allocations of this run ask for one namespace),
          V(claim_mismatch) (this allocation claimed other names earlier),
          V(not_claimed) (the namespace exists on ECS without this allocation's claim; adopt it),
          V(legacy_exists) (the old ColdFront plugin's namespace for this project exists; adopt it),
          V(namespace_missing) (recorded in ColdFront, missing on ECS),
          V(overcommitted) (the quota would exceed capacity x overcommit).
        - V(ecs_error) (an ECS call failed, or ECS's state refused the step),
          V(coldfront_error) (the claim could not be recorded in ColdFront; nothing was changed on ECS),
          V(unexpected) (an exception nobody expected; please report it),
          V(conflict) (the quota changed on both sides, see RV(results[].resolve)).
      type: str
      sample: claimed_elsewhere
    filesystem_enabled:
      description: New allocations only, whether the bucket has file system access (the C(nfs_share) option).
      type: bool
    options:
      description: New allocations only, the automation options used.
      type: list
      elements: str
    old_quota_bytes:
      description: For V(quota_pushed), the namespace quota on ECS before the push, in bytes (-1 for no quota); else null.
      type: int
    new_quota_bytes:
      description: For V(quota_pushed), the namespace quota pushed, in bytes; else null.
      type: int
    quota_change:
      description: For V(quota_pushed), the old and the new namespace quota in TB (C(10 TB -> 12 TB)); else null.
      type: str
    resolve:
      description:
        - For V(conflict), both quotas in bytes (C(coldfront_quota_bytes), C(ecs_quota_bytes)) and the exact values
          that settle it, each a dict of attribute name to value - C(keep_coldfront) (set the agreed bytes attribute to the ECS
          value; the next run pushes the ColdFront quota; null when ColdFront has no quota) and C(keep_ecs) (set the
          TB attribute to the ECS value; sync records it); else null.
      type: dict
  sample: [{"allocation_id": 1, "project": "Smith Lab", "resource": "ecs-east", "namespace": "smith-lab",
            "bucket": "lab-smith-lab-bucket", "action": "created", "filesystem_enabled": false, "options": [],
            "changes": ["namespace smith-lab: create namespace", "namespace smith-lab: set quota 10240/9216 GB",
                        "bucket lab-smith-lab-bucket: create bucket", "bucket lab-smith-lab-bucket: set quota 10240/9216 GB"],
            "record": {"Namespace": "smith-lab", "Bucket": "lab-smith-lab-bucket",
                       "Subdirectory": "smith-lab:lab-smith-lab-bucket", "Quota_In_Bytes": 10995116277760},
            "error": null, "kind": null, "old_quota_bytes": null, "new_quota_bytes": null, "quota_change": null,
            "resolve": null},
           {"allocation_id": 2, "project": "Jones Lab", "resource": "ecs-east", "namespace": "jones-lab",
            "bucket": "lab-jones-lab-bucket", "action": "quota_pushed",
            "changes": ["namespace jones-lab: set quota 12288/11059 GB"], "record": {"Quota_In_Bytes": 13194139533312},
            "error": null, "kind": null, "old_quota_bytes": 10995116277760, "new_quota_bytes": 13194139533312,
            "quota_change": "10 TB -> 12 TB", "resolve": null}]
records:
  description: Every RV(results[].record) item as M(hpc.coldfront_ecs.coldfront_allocation_attribute) takes it.
  returned: success
  type: list
  elements: dict
  sample: [{"allocation_id": 1, "name": "Subdirectory", "value": "smith-lab:lab-smith-lab-bucket"}]
summary:
  description: Number of allocations per action, and C(total).
  returned: success
  type: dict
  sample: {"created": 1, "resumed": 0, "quota_pushed": 0, "bucket_quota_set": 0, "recorded": 0, "unchanged": 3, "failed": 0,
           "conflict": 0, "total": 4}
report:
  description:
    - For a human summary, the allocations C(created), C(resumed), C(quota_pushed), C(bucket_quota_set) and
      C(recorded), each as C(allocation <id> (<project>)) followed by C(<namespace>:<bucket>); a C(quota_pushed)
      line ends with the old and the new quota in TB (C(10 TB -> 12 TB)).
  returned: success
  type: dict
  sample: {"created": ["allocation 1 (Smith Lab): smith-lab:lab-smith-lab-bucket"], "resumed": [],
           "quota_pushed": ["allocation 2 (Jones Lab): jones-lab:lab-jones-lab-bucket: 10 TB -> 12 TB"],
           "bucket_quota_set": [], "recorded": []}
failures:
  description: The RV(results[].error) lines of the failed and conflicting allocations.
  returned: success
  type: list
  elements: str
federation:
  description: The endpoint's federation as read from ECS (VDC ids, comma-separated), as recorded on the resource.
  returned: success
  type: str
  sample: urn:storageos:VirtualDataCenterData:3d6a1b8e-77c3-4a8e-9b1f-2a4c5d6e7f80
claims:
  description: The claims recorded (or, in check mode, that would be) in ColdFront by this run.
  returned: success
  type: list
  elements: dict
  sample: [{"allocation_id": 1, "name": "ECS_Claim", "value": "smith-lab:lab-smith-lab-bucket"}]
ecs_calls:
  description: Number of ECS Management API calls made, login and logout excluded.
  returned: always
  type: int
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.claim_module import (
    claim_argument_spec, ledger_opener, resource_of)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import EcsModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsConfigError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.overrides import (
    resource_overcommit, resource_soft_quota_percent)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._workflows.provision import Provisioner, Settings


def settings_from_params(params, resource=None):
    """The run's settings; the per-resource soft quota and overcommit of ``resource`` win over the global ones."""
    try:
        percent = resource_soft_quota_percent(resource, params['soft_quota_percent'],
                                              params['soft_quota_percent_overrides'])
        overcommit = resource_overcommit(resource, params['overcommit'], params['overcommit_overrides'], checked=True)
    except ValueError as exc:
        raise EcsConfigError('resource %s: %s' % (resource, exc))
    return Settings(replication_group=params['replication_group'], ldap_domain=params['ldap_domain'],
                    soft_quota_percent=percent, bucket_quota=params['bucket_quota'],
                    overcommit=overcommit, default_options=params['default_options'],
                    attributes=params['attribute_names'], recorded_federation=params['recorded_federation'],
                    resource=resource)


def argument_spec():
    """The module's own options (EcsModule adds the ECS connection ones)."""
    spec = claim_argument_spec()
    spec.update(dict(
        allocations=dict(type='list', elements='dict', required=True),
        replication_group=dict(type='str'),
        ldap_domain=dict(type='str'),
        soft_quota_percent=dict(type='int', default=90),
        bucket_quota=dict(type='bool', default=True),
        overcommit=dict(type='float'),
        soft_quota_percent_overrides=dict(type='dict', default={}, aliases=['resource_soft_quota_percent']),
        overcommit_overrides=dict(type='dict', default={}, aliases=['resource_overcommit']),
        default_options=dict(type='list', elements='str'),
        recorded_federation=dict(type='str'),
    ))
    return spec


def main():
    module = EcsModule(argument_spec(), workers=True)

    def work(client):
        settings = settings_from_params(module.params, resource_of(module.params))
        ledger = ledger_opener('ecs_provision', module.params, module.check_mode)
        provisioner = Provisioner(client, settings, module.check_mode, ledger=ledger)
        outcome = provisioner.run(module.params['allocations'])
        if not module.diff:
            outcome.pop('diff')
        return outcome

    module.run(work)


if __name__ == '__main__':
    main()
