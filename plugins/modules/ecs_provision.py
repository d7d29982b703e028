#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ecs_provision
short_description: Provision ColdFront allocations on one Dell ECS endpoint (namespace, quota, bucket) and push quota changes
version_added: 0.1.0
description:
  - Takes the ECS views of the allocations of one ECS resource (the host var C(ecs_allocations) of the
    M(hpc.coldfront_ecs.coldfront) inventory, see C(docs/inventory.md)) and does, in one call, with one token and a
    bounded number of parallel ECS calls, what the allocations need.
  - An allocation without a recorded C(Subdirectory) is validated (the view's C(errors), the names, the automation
    options, a positive quota and, with O(overcommit), the quota against the resource) and then gets its namespace (default
    replication group O(replication_group), the project title as LDAP group in O(ldap_domain), hard quota from
    C(Storage Quota (TB)) and a soft quota at O(soft_quota_percent)) and its bucket (file system access only with the
    C(nfs_share) option, the same quota when O(bucket_quota)).
  - A namespace that already exists is completed only when its group mapping is exactly the one provisioning gives this
    allocation (O(ldap_domain) and the project title), so a run interrupted half-way is finished by the next one. Any
    other existing namespace is refused with C(already exists) and never adopted. Without O(ldap_domain) nothing is
    provisioned.
  - A recorded allocation whose C(Storage Quota (TB)) differs from the last agreed C(Quota_In_Bytes) gets its ECS quota read
    and the quota decision of C(docs/playbooks/provision.md) - push the ColdFront quota (and the bucket quota when
    O(bucket_quota)), only record the agreement when ECS has the value already, or report a conflict and change nothing
    when both sides changed.
  - The module never writes to ColdFront. It returns in RV(records) what to record there (C(Namespace), C(Bucket),
    C(Subdirectory), C(Quota_In_Bytes)), ready for M(hpc.coldfront_ecs.coldfront_allocation_attribute).
  - One allocation's failure never stops the others and never fails the task; it is in RV(results) and RV(failures).
    The task fails only when the endpoint itself cannot be used (login, TLS, connection, bad options, capacity not
    readable for O(overcommit)).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
options:
  allocations:
    description:
      - ECS views of the allocations (elements of the host var C(ecs_allocations)), all of one ECS endpoint.
      - Keys used are C(id), C(project), C(resource), C(namespace), C(bucket), C(subdirectory), C(quota_tb),
        C(quota_bytes), C(options) and C(errors). An allocation whose C(errors) is not empty is reported as failed.
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
    type: float
  default_options:
    description:
      - Automation options for a new allocation that has none (no automation-options attribute and no inventory default).
      - Only C(nfs_share) is supported; any other option makes the allocation fail with its name.
    type: list
    elements: str
  attributes:
    description: Names of the ColdFront allocation attributes used in RV(records).
    type: dict
    default: {}
    suboptions:
      namespace:
        description: Attribute that records the namespace.
        type: str
        default: Namespace
      bucket:
        description: Attribute that records the bucket.
        type: str
        default: Bucket
      subdirectory:
        description: Attribute that records C(<namespace>:<bucket>) (what marks an allocation as provisioned).
        type: str
        default: Subdirectory
      quota_bytes:
        description: Attribute that records the last agreed quota in bytes.
        type: str
        default: Quota_In_Bytes
extends_documentation_fragment:
  - hpc.coldfront_ecs.ecs
  - hpc.coldfront_ecs.ecs.workers
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
          V(recorded) (ECS had it all already; only ColdFront is to be written), V(unchanged), V(failed), V(conflict)
          (quota changed on both sides, nothing changed).
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
    filesystem_enabled:
      description: New allocations only, whether the bucket has file system access (the C(nfs_share) option).
      type: bool
    options:
      description: New allocations only, the automation options used.
      type: list
      elements: str
  sample: [{"allocation_id": 1, "project": "Smith Lab", "resource": "ecs-east", "namespace": "smith-lab",
            "bucket": "lab-smith-lab-bucket", "action": "created", "filesystem_enabled": false, "options": [],
            "changes": ["namespace smith-lab: create namespace", "namespace smith-lab: set quota 10240/9216 GB",
                        "bucket lab-smith-lab-bucket: create bucket", "bucket lab-smith-lab-bucket: set quota 10240/9216 GB"],
            "record": {"Namespace": "smith-lab", "Bucket": "lab-smith-lab-bucket",
                       "Subdirectory": "smith-lab:lab-smith-lab-bucket", "Quota_In_Bytes": 10995116277760},
            "error": null}]
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
  sample: {"created": 1, "resumed": 0, "quota_pushed": 0, "recorded": 0, "unchanged": 3, "failed": 0, "conflict": 0, "total": 4}
report:
  description:
    - For a human summary, the allocations C(created), C(resumed), C(quota_pushed) and C(recorded), each as
      C(allocation <id> (<project>)) followed by C(<namespace>:<bucket>).
  returned: success
  type: dict
  sample: {"created": ["allocation 1 (Smith Lab): smith-lab:lab-smith-lab-bucket"], "resumed": [], "quota_pushed": [],
           "recorded": []}
failures:
  description: The RV(results[].error) lines of the failed and conflicting allocations.
  returned: success
  type: list
  elements: str
ecs_calls:
  description: Number of ECS Management API calls made, login and logout excluded.
  returned: always
  type: int
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.ecs_errors import EcsConfigError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.ecs_module import EcsModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.provision import DEFAULT_ATTRIBUTES, Provisioner, Settings


def settings_from_params(params):
    if not 1 <= params['soft_quota_percent'] <= 100:
        raise EcsConfigError('soft_quota_percent %d must be between 1 and 100' % params['soft_quota_percent'])
    if params['overcommit'] is not None and params['overcommit'] <= 0:
        raise EcsConfigError('overcommit %s must be a positive factor (1.2 = 120 %% of capacity), or not set for no limit'
                             % params['overcommit'])
    return Settings(replication_group=params['replication_group'], ldap_domain=params['ldap_domain'],
                    soft_quota_percent=params['soft_quota_percent'], bucket_quota=params['bucket_quota'],
                    overcommit=params['overcommit'], default_options=params['default_options'],
                    attributes=params['attributes'])


def main():
    attribute_spec = dict((key, dict(type='str', default=value)) for key, value in DEFAULT_ATTRIBUTES.items())
    module = EcsModule(dict(
        allocations=dict(type='list', elements='dict', required=True),
        replication_group=dict(type='str'),
        ldap_domain=dict(type='str'),
        soft_quota_percent=dict(type='int', default=90),
        bucket_quota=dict(type='bool', default=True),
        overcommit=dict(type='float'),
        default_options=dict(type='list', elements='str'),
        attributes=dict(type='dict', default={}, options=attribute_spec),
    ), workers=True)

    def work(client):
        settings = settings_from_params(module.params)
        outcome = Provisioner(client, settings, module.check_mode).run(module.params['allocations'])
        if not module.module._diff:  # pylint: disable=protected-access
            outcome.pop('diff')
        return outcome

    module.run(work)


if __name__ == '__main__':
    main()
