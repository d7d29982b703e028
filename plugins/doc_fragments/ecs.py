# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options shared by the ECS modules (``hpc.coldfront_ecs.ecs``, ``.workers`` and ``.quota``)."""

    DOCUMENTATION = r'''
options:
  host:
    description:
      - The ECS node or load balancer that serves the ECS Management API, as a host name, an IP address or C(https://host).
      - C(http://), a path or a port inside O(host) are refused; set O(port) for the port.
      - If not set, the value of the E(ECS_HOST) environment variable is used.
    type: str
    required: true
  port:
    description:
      - TCP port of the ECS Management API.
      - If not set, the value of the E(ECS_PORT) environment variable is used, else V(4443).
    type: int
    default: 4443
  username:
    description:
      - ECS management user. Writes need the SYSTEM_ADMIN role, reads SYSTEM_MONITOR.
      - If not set, the value of the E(ECS_USER) environment variable is used.
    type: str
    required: true
  password:
    description:
      - Password of O(username). Never logged or written anywhere.
      - If not set, the value of the E(ECS_PASS) environment variable is used.
    type: str
    required: true
  validate_certs:
    description:
      - Verify the TLS certificate of the ECS Management API.
      - ECS ships with a self-signed certificate; prefer O(ca_path) over turning this off. When V(false) the module warns.
      - If not set, the value of the E(ECS_VALIDATE_CERTS) environment variable is used, else V(true).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) that signed the ECS certificate, used instead of the system trust store.
      - If not set, the value of the E(ECS_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for ECS to connect and to answer each HTTP call.
    type: float
    default: 30
  retries:
    description:
      - How many times a failed idempotent call (connection error, timeout, HTTP 429, 502, 503, 504, or an ECS error marked
        retryable) is retried, with exponential backoff and jitter (0.5 s doubling, at most 8 s between attempts).
      - Creates and deletes are never retried blindly; after an uncertain failure the module reads the state back first.
    type: int
    default: 3
notes:
  - The module logs in once (C(GET /login)), sends the token on every call, and logs out (C(GET /logout)) at the end,
    also when it fails. The token is kept in memory only. An expired token is renewed once per call.
  - Set the connection options once per play with C(module_defaults) and the action group C(group/hpc.coldfront_ecs.ecs).
attributes:
  action_group:
    description: Use C(group/hpc.coldfront_ecs.ecs) in C(module_defaults) to set the connection options for this module.
    support: full
    membership:
      - hpc.coldfront_ecs.ecs
'''

    INFO = r'''
attributes:
  check_mode:
    support: full
    description: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
'''

    WORKERS = r'''
options:
  max_workers:
    description:
      - How many ECS calls run in parallel (threads sharing one token). ECS copes badly with more than about 4.
      - Between 1 and 16.
    type: int
    default: 4
'''

    QUOTA = r'''
options:
  quota_gb:
    description:
      - Hard quota (ECS C(blockSize)) in GB, at least 1; writes are blocked once it is reached.
      - V(-1) means no quota (an existing quota is removed).
      - Mutually exclusive with O(quota_tb). When neither is given the quota is left as it is.
    type: int
  quota_tb:
    description:
      - Hard quota in TB (1 TB = 1024 GB, rounded up to whole GB), as ColdFront's C(Storage Quota (TB)) holds it.
      - V(-1) means no quota. Mutually exclusive with O(quota_gb).
    type: float
  soft_quota_percent:
    description:
      - Soft quota (ECS C(notificationSize), an alert) as a percentage of the hard quota, at least 1 GB.
      - Between 1 and 100. Defaults to 90 when neither O(soft_quota_percent) nor O(soft_quota_gb) is given.
      - Mutually exclusive with O(soft_quota_gb).
    type: int
  soft_quota_gb:
    description:
      - Soft quota in GB, between 1 and the hard quota, or V(-1) for no soft quota. Mutually exclusive with O(soft_quota_percent).
    type: int
'''
