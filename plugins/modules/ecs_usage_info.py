#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: ecs_usage_info
short_description: Everything a usage sync needs from one Dell ECS, in one call
version_added: 1.0.0
description:
  - Reads, for one ECS endpoint, the cluster capacity, every namespace with its quota (so that the allocated total can be
    computed), and the billing (used size) of each requested namespace and of each of its buckets, in KB and bytes.
  - Runs the reads in parallel (O(max_workers)) with one token. Uses the batch billing API
    (C(POST /object/billing/namespace/info)) when the cluster offers it (detected once per run) and the quotas carried by
    the namespace list on ECS versions that list full namespace objects; otherwise one quota read per namespace and one
    billing read per requested namespace.
  - A namespace whose reads fail is reported in RV(failures) and the others are still returned. The module fails only when
    the endpoint itself is unusable (login, capacity or namespace list).
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
options:
  namespaces:
    description:
      - Namespaces whose billing is read. All namespaces when not given; none when an empty list is given.
      - The quotas of all namespaces are read in any case.
      - A namespace that does not exist, or whose name ECS would refuse, is reported in RV(failures); the others are
        still read.
    type: list
    elements: str
  batch_billing:
    description:
      - Try the batch billing API first (one call per 100 namespaces). Set V(false) to always read billing per namespace.
    type: bool
    default: true
  bucket_quotas:
    description:
      - Also read the quota of every bucket of the requested namespaces (from the bucket list, C(GET /object/bucket),
        one call per namespace and page) into RV(usage.buckets).
      - Off by default because it adds one call per namespace. Without it, the bucket quotas in RV(usage.buckets) are
        V(null).
    type: bool
    default: false
extends_documentation_fragment:
  - hpc.coldfront_ecs.ecs
  - hpc.coldfront_ecs.ecs.info
  - hpc.coldfront_ecs.ecs.workers
notes:
  - ECS meters usage in the background (buckets about every 5 minutes), so usage lags writes and a namespace total may
    differ slightly from the sum of its buckets.
  - Sizes are read with C(sizeunit=KB) (binary, 1 KB = 1024 bytes); bytes = KB x 1024. Quotas are whole GB; 1 TB = 1024 GB.
seealso:
  - module: hpc.coldfront_ecs.ecs_namespace_info
  - module: hpc.coldfront_ecs.ecs_bucket_info
'''

EXAMPLES = r'''
- name: Usage of every namespace of the ECS
  hpc.coldfront_ecs.ecs_usage_info:
    host: ecs1.example.org
    username: "{{ ecs_user }}"
    password: "{{ ecs_password }}"
    ca_path: /etc/pki/tls/certs/ecs-ca.pem
  register: ecs_usage

- name: Usage of the namespaces of the allocations only (quotas of all namespaces are still read)
  hpc.coldfront_ecs.ecs_usage_info:
    namespaces: "{{ ecs_allocations | map(attribute='namespace') | list }}"
  register: ecs_usage

- name: Usage and quota of every bucket of the allocations' namespaces (one more call per namespace)
  hpc.coldfront_ecs.ecs_usage_info:
    namespaces: "{{ ecs_allocations | map(attribute='namespace') | list }}"
    bucket_quotas: true
  register: ecs_usage

- name: Bytes used by the Smith Lab namespace and the number of failed reads
  ansible.builtin.debug:
    msg: "{{ ecs_usage.usage['smith-lab'].total_size_bytes }} bytes, {{ ecs_usage.failures | length }} failures"
'''

RETURN = r'''
endpoint:
  description: The ECS Management API base URL that was read.
  returned: success
  type: str
  sample: https://ecs1.example.org:4443
capacity:
  description: Cluster capacity (C(GET /object/capacity)), in GB as ECS gives it and in TB (GB / 1024).
  returned: success
  type: dict
  contains:
    total_provisioned_gb:
      description: Usable capacity in GB.
      type: int
      sample: 2578400
    total_free_gb:
      description: Free capacity in GB.
      type: int
      sample: 1272085
    total_used_gb:
      description: Used capacity in GB (provisioned - free).
      type: int
      sample: 1306315
    total_provisioned_tb:
      description: Usable capacity in TB.
      type: float
      sample: 2517.96875
    total_free_tb:
      description: Free capacity in TB.
      type: float
      sample: 1242.2705078125
    total_used_tb:
      description: Used capacity in TB.
      type: float
      sample: 1275.6982421875
namespaces:
  description:
    - Every namespace of the endpoint with its quota, keyed by namespace name.
    - A quota that could not be read is V(null) (and the read is in RV(failures)).
  returned: success
  type: dict
  sample: {"smith-lab": {"name": "smith-lab", "hard_quota_gb": 10240, "soft_quota_gb": 9216}}
  contains:
    name:
      description: Namespace name.
      type: str
    hard_quota_gb:
      description: Hard quota (C(blockSize)) in GB; V(-1) for no quota.
      type: int
    soft_quota_gb:
      description: Soft quota (C(notificationSize)) in GB; V(-1) for no soft quota.
      type: int
allocated_gb:
  description: Sum of the hard quotas of all namespaces, in GB. Namespaces without quota (or whose quota could not be read) add 0.
  returned: success
  type: int
  sample: 20480
allocated_tb:
  description: RV(allocated_gb) in TB.
  returned: success
  type: float
  sample: 20.0
unlimited_namespaces:
  description: Names of the namespaces without a hard quota.
  returned: success
  type: list
  elements: str
  sample: [scratch]
usage:
  description:
    - Billing of each requested namespace that could be read, keyed by namespace name.
  returned: success
  type: dict
  sample: {"smith-lab": {"namespace": "smith-lab", "total_size_kb": 2048, "total_size_bytes": 2097152, "total_objects": 12,
           "sample_time": "2026-03-01T10:05:00Z", "uptodate_till": "2026-03-01T10:00:00Z", "bucket_count": 1,
           "buckets": {"lab-smith-lab-bucket": {"name": "lab-smith-lab-bucket", "size_kb": 2048, "size_bytes": 2097152,
                                                "objects": 12, "sample_time": "2026-03-01T10:05:00Z",
                                                "hard_quota_gb": 10240, "soft_quota_gb": 9216}}}}
  contains:
    namespace:
      description: Namespace name.
      type: str
    total_size_kb:
      description: Used size of the namespace in KB (binary), as ECS meters it (else the sum of its buckets).
      type: float
    total_size_bytes:
      description: Used size in bytes (KB x 1024).
      type: int
    total_objects:
      description: Number of objects.
      type: int
    sample_time:
      description: When ECS sampled the usage (UTC, C(YYYY-MM-DDTHH:MM:SSZ)).
      type: str
    uptodate_till:
      description: Time up to which ECS's metering is consistent.
      type: str
    bucket_count:
      description: Number of buckets in RV(usage.buckets).
      type: int
    buckets:
      description: Billing of each bucket of the namespace, keyed by bucket name.
      type: dict
      contains:
        name:
          description: Bucket name.
          type: str
        size_kb:
          description: Used size in KB (binary).
          type: float
        size_bytes:
          description: Used size in bytes (KB x 1024).
          type: int
        objects:
          description: Number of objects.
          type: int
        sample_time:
          description: When ECS sampled the bucket.
          type: str
        hard_quota_gb:
          description:
            - Hard quota (C(block_size)) of the bucket in GB, V(-1) for no quota.
            - V(null) when O(bucket_quotas) is off or the bucket list of the namespace could not be read.
          type: int
        soft_quota_gb:
          description: Soft quota (C(notification_size)) of the bucket in GB, V(-1) for none; V(null) as RV(usage.buckets.hard_quota_gb).
          type: int
bucket_quotas:
  description: Whether the bucket quotas were read (O(bucket_quotas)).
  returned: success
  type: bool
  sample: false
unread_bucket_quotas:
  description: Namespaces whose bucket list (and so bucket quotas) could not be read; the failed calls are in RV(failures).
  returned: success
  type: list
  elements: str
  sample: []
failures:
  description:
    - Every read that failed, one entry per namespace and call; the other namespaces are still returned.
  returned: success
  type: list
  elements: dict
  sample: [{"namespace": "smith-lab", "method": "GET", "path": "/object/billing/namespace/smith-lab/info",
            "status": 503, "code": 6000, "message": "GET /object/billing/namespace/smith-lab/info failed (HTTP 503, ECS error 6000): ..."}]
  contains:
    namespace:
      description: The namespace concerned.
      type: str
    method:
      description: HTTP method of the failed ECS call (V(null) when no call was made, e.g. a namespace missing from the list).
      type: str
    path:
      description: Path of the failed ECS call.
      type: str
    status:
      description: HTTP status, V(null) when ECS did not answer (connection error, timeout).
      type: int
    code:
      description: ECS error code, when ECS gave one.
      type: int
    message:
      description: One line that says what failed, what ECS said and what to do.
      type: str
api_features:
  description: What the endpoint offered and this run used.
  returned: success
  type: dict
  contains:
    batch_billing:
      description: Whether billing was read with the batch API.
      type: bool
    full_namespace_list:
      description: Whether the namespace list carried the quotas (ECS 4.x full objects), saving one call per namespace.
      type: bool
  sample: {"batch_billing": false, "full_namespace_list": false}
ecs_calls:
  description:
    - Number of HTTP calls made to the ECS Management API, retries included, login and logout excluded.
  returned: always
  type: int
  sample: 203
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import EcsModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.usage import collect_usage


def main():
    module = EcsModule(dict(
        namespaces=dict(type='list', elements='str'),
        batch_billing=dict(type='bool', default=True),
        bucket_quotas=dict(type='bool', default=False),
    ), workers=True)

    def work(client):
        params = module.params
        result = collect_usage(client, params['namespaces'], params['batch_billing'], params['bucket_quotas'])
        result['changed'] = False
        return result

    module.run(work)


if __name__ == '__main__':
    main()
