#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ecs_adopt
short_description: Adopt existing Dell ECS namespaces (old ColdFront plugin, made by hand) for ColdFront allocations
version_added: 1.0.0
description:
  - Provisioning records a claim (the allocation attribute O(attribute_names.claim)) before it creates a namespace, and
    refuses every namespace that exists on ECS without the allocation's claim. Namespaces made before the collection,
    by the old ColdFront plugin or by hand, get their claim from this module, the one explicit adoption step.
  - Takes the ECS views of allocations of one ECS resource (elements of the host var C(ecs_allocations) of the
    P(hpc.coldfront_ecs.coldfront#inventory) inventory) and, for each, finds its namespace on ECS - the one named in
    O(namespaces), else the one recorded (C(Subdirectory), or an earlier claim), else the first that exists of the
    collection's name (C(Namespace) attribute or the slug of the project title) and the old plugin's spelling of the
    title (cut at 63 characters after the dashes were trimmed, so it may end in C(-)). The bucket likewise, in that
    namespace. When none exists the allocation fails with C(nothing to adopt); nothing is created.
  - In one ColdFront transaction that locks the ECS resources of the endpoint's federation (read from ECS,
    C(GET /object/vdcs/vdc/list)), a namespace that another allocation, in any status, on any resource of the
    federation has claimed or recorded is refused, naming that allocation, its project, status and resource.
    Otherwise the claim C(<namespace>:<bucket>) is recorded (unless this allocation holds it already), and the
    federation on the resource (O(attribute_names.federation)).
  - Reads the namespace and bucket quotas and returns in RV(records) what to record in ColdFront, ready for
    M(hpc.coldfront_ecs.coldfront_allocation_attribute) - C(Namespace), C(Bucket), C(Subdirectory),
    C(Bucket_Quota_In_Bytes) (the bucket's hard quota, -1 for none) and the agreed C(Quota_In_Bytes) (the namespace
    quota, 1 TB = 1024 GB, bytes = TB x 1024^4). Only values ColdFront does not hold already are returned.
  - The agreed C(Quota_In_Bytes) is recorded only when C(Storage Quota (TB)) is the ECS quota in whole GB, or is
    not set (then C(Storage Quota (TB)) is recorded from ECS too). When they differ the allocation is a
    V(conflict) - its claim and names are recorded, its quotas are not, and its message gives both values in TB and
    bytes and the two ways to settle it.
  - In a conflict, a C(Quota_In_Bytes) the allocation holds is removed (RV(records) gets an item with
    C(remove=true)), because the old plugin wrote it as a copy of ColdFront's quota and sync or provision would
    otherwise take it as the agreed value and silently pull the ECS quota or push ColdFront's. Without it both report the
    conflict until it is settled. It is kept only when the allocation also holds a claim and a
    C(Bucket_Quota_In_Bytes) (written by this collection only, so the value is the collection's own agreement).
  - Never changes ECS - the module makes read calls only.
  - One allocation's failure never stops the others and never fails the task; it is in RV(results) and RV(failures).
    The task fails only when the endpoint itself cannot be used (login, TLS, connection, the VDC list not readable,
    bad options).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
options:
  allocations:
    description:
      - ECS views of the allocations to adopt (elements of the host var C(ecs_allocations)), all of one ECS endpoint.
      - Keys used are C(id), C(project), C(resource), C(namespace), C(bucket), C(namespace_recorded),
        C(bucket_recorded), C(subdirectory), C(claim), C(quota_tb), C(quota_bytes), C(bucket_quota_bytes) and
        C(errors). An allocation whose C(errors) is not empty is reported as failed.
    type: list
    elements: dict
    required: true
  namespaces:
    description:
      - Explicit names, for a namespace whose name follows no rule (made by hand) or to say which one to take.
      - Only this namespace (and bucket, when given) is looked for. An entry for an allocation not in O(allocations) is
        ignored. A name that differs from the allocation's recorded C(Subdirectory) or claim is refused.
    type: list
    elements: dict
    default: []
    suboptions:
      allocation_id:
        description: The allocation.
        type: int
        required: true
      namespace:
        description: Its namespace on ECS.
        type: str
        required: true
      bucket:
        description: Its bucket in that namespace. Default, the collection's bucket name, then the old plugin's.
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
    description: Reads ECS and ColdFront only (the claims are checked, not written) and returns what it would record.
  diff_mode:
    support: full
    description: Shows, per allocation, the ColdFront attributes (claim included) before and after.
notes:
  - Use the playbook C(hpc.coldfront_ecs.adopt) (entry point C(adopt) of the role C(hpc.coldfront_ecs.ecs_provision)),
    which passes the inventory's views, records RV(records) and fails the play when an allocation failed or is in
    conflict.
  - See C(docs/playbooks/adopt.md).
seealso:
  - module: hpc.coldfront_ecs.ecs_provision
  - module: hpc.coldfront_ecs.coldfront_allocation_attribute
'''

EXAMPLES = r'''
- name: Adopt the namespaces the old ColdFront plugin made for this resource's allocations
  hpc.coldfront_ecs.ecs_adopt:
    host: "{{ ecs_host }}"
    ca_path: /etc/pki/tls/certs/ecs-ca.pem
    allocations: "{{ ecs_allocations | selectattr('status', 'equalto', 'Active') | selectattr('claim', 'none') }}"
    resource: "{{ coldfront_resource_name }}"
  register: adopted

- name: Adopt one namespace made by hand
  hpc.coldfront_ecs.ecs_adopt:
    host: "{{ ecs_host }}"
    allocations: "{{ ecs_allocations | selectattr('id', 'equalto', 42) }}"
    namespaces:
      - {allocation_id: 42, namespace: genomics-scratch, bucket: scratch}
  register: adopted

- name: Record what was adopted in ColdFront
  hpc.coldfront_ecs.coldfront_allocation_attribute:
    attributes: "{{ adopted.records }}"
  when: adopted.records | length > 0
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
      description: The namespace found on ECS (null when none was found).
      type: str
    bucket:
      description: The bucket found in it (null when none was found).
      type: str
    found_by:
      description: Where the namespace name came from - C(explicit), C(subdirectory) (the recorded attribute), C(claim), C(derived) or C(old plugin).
      type: str
    action:
      description:
        - V(adopted) (something is recorded), V(already_adopted) (claim, names and agreed quota are in ColdFront
          already), V(conflict) (claim and names recorded, the quotas differ and are not; an old
          C(Quota_In_Bytes) is removed) or V(failed).
      type: str
    claimed:
      description: Whether this run records the claim (false when the allocation held it already, or failed).
      type: bool
    namespace_quota_gb:
      description: The namespace hard quota on ECS in GB (-1 for none).
      type: int
    bucket_quota_gb:
      description: The bucket hard quota on ECS in GB (-1 for none).
      type: int
    record:
      description:
        - ColdFront attribute name to value, to record for this allocation (only what differs; empty on failure).
        - A null value means the attribute is removed (an old C(Quota_In_Bytes) in a V(conflict)).
      type: dict
    error:
      description: For V(failed) and V(conflict), one line with the allocation, project, resource and what to do.
      type: str
    kind:
      description:
        - For V(failed) and V(conflict), why, in one stable word; null otherwise. Decide on it, not on RV(results[].error),
          whose wording may change.
        - V(invalid_data) (the allocation's ColdFront data has errors, see the view's C(errors)),
          V(invalid_name) (a name given in O(namespaces) that ECS would refuse, or no name to look for),
          V(record_mismatch) (the names given disagree with the recorded C(Subdirectory) or claim),
          V(namespace_missing) (no namespace of the names looked for exists on ECS),
          V(bucket_missing) (the namespace holds none of the buckets looked for).
        - V(claimed_elsewhere) (another allocation of the ECS federation claimed or recorded the namespace),
          V(shared_namespace) (several allocations of this run found one namespace),
          V(claim_mismatch) (this allocation claimed other names earlier).
        - V(ecs_error) (an ECS read failed), V(coldfront_error) (the claim could not be recorded in ColdFront),
          V(unexpected) (an exception nobody expected; please report it),
          V(conflict) (the quotas differ; claim and names are recorded, the quotas are not).
      type: str
      sample: namespace_missing
  sample: [{"allocation_id": 4, "project": "Smith Lab", "resource": "ecs-east", "namespace": "smith-lab",
            "bucket": "lab-smith-lab-bucket", "found_by": "subdirectory", "action": "adopted", "claimed": true,
            "namespace_quota_gb": 10240, "bucket_quota_gb": 10240,
            "record": {"Bucket_Quota_In_Bytes": 10995116277760, "Quota_In_Bytes": 10995116277760}, "error": null,
            "kind": null}]
records:
  description:
    - Every RV(results[].record) item as M(hpc.coldfront_ecs.coldfront_allocation_attribute) takes it -
      C({allocation_id, name, value}), or C({allocation_id, name, remove=true}) for an attribute to remove.
  returned: success
  type: list
  elements: dict
  sample: [{"allocation_id": 4, "name": "Quota_In_Bytes", "value": 10995116277760},
           {"allocation_id": 7, "name": "Quota_In_Bytes", "remove": true}]
claims:
  description: The claims recorded (or, in check mode, that would be) in ColdFront by this run.
  returned: success
  type: list
  elements: dict
  sample: [{"allocation_id": 4, "name": "ECS_Claim", "value": "smith-lab:lab-smith-lab-bucket"}]
summary:
  description: Number of allocations per action, and C(total).
  returned: success
  type: dict
  sample: {"adopted": 1, "already_adopted": 2, "conflict": 0, "failed": 0, "total": 3}
report:
  description:
    - For a human summary, the allocations C(adopted) and C(already_adopted), each as
      C(allocation <id> (<project>)) followed by C(<namespace>:<bucket> (<found_by>)) after a colon.
  returned: success
  type: dict
  sample: {"adopted": ["allocation 4 (Smith Lab): smith-lab:lab-smith-lab-bucket (Subdirectory)"], "already_adopted": []}
failures:
  description: The RV(results[].error) lines of the failed and conflicting allocations.
  returned: success
  type: list
  elements: str
federation:
  description: The endpoint's federation as read from ECS (VDC ids, comma-separated); null when nothing was read.
  returned: success
  type: str
diff:
  description: With C(--diff), per allocation, the ColdFront attributes before and after.
  returned: when diff mode is on
  type: dict
ecs_calls:
  description: Number of ECS Management API calls made, login and logout excluded.
  returned: always
  type: int
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.claim_module import (
    claim_argument_spec, ledger_opener)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import EcsModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._workflows.adopt import (
    Adopter, Settings, explicit_names)


def main():
    spec = claim_argument_spec()
    spec.update(dict(
        allocations=dict(type='list', elements='dict', required=True),
        namespaces=dict(type='list', elements='dict', default=[], options=dict(
            allocation_id=dict(type='int', required=True),
            namespace=dict(type='str', required=True),
            bucket=dict(type='str'),
        )),
    ))
    module = EcsModule(spec, workers=True)

    def work(client):
        explicit = explicit_names(module.params['namespaces'])
        ledger = ledger_opener('ecs_adopt', module.params, module.check_mode) if module.params['allocations'] else None
        adopter = Adopter(client, Settings(module.params['attribute_names']), module.check_mode, ledger=ledger)
        outcome = adopter.run(module.params['allocations'], explicit)
        if not module.diff:
            outcome.pop('diff')
        return outcome

    module.run(work)


if __name__ == '__main__':
    main()
