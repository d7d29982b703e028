# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ColdFront attributes the collection reads and writes: one key each, its default name, where it lives.

Every module option, inventory option, role variable and message takes the name from here (a site may rename any
of them; the key never changes). ``attribute_names(given)`` fills in the defaults and refuses unknown keys.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

ALLOCATION, RESOURCE = 'allocation', 'resource'

# key: (default name, scope, what it holds)
ATTRIBUTES = {
    'namespace': ('Namespace', ALLOCATION, 'the ECS namespace'),
    'bucket': ('Bucket', ALLOCATION, 'the ECS bucket'),
    'subdirectory': ('Subdirectory', ALLOCATION,
                     '<namespace>:<bucket>, written once provisioning finished (what marks an allocation provisioned)'),
    'quota_tb': ('Storage Quota (TB)', ALLOCATION, 'the quota in TB (value) and the usage in TB (usage)'),
    'quota_bytes': ('Quota_In_Bytes', ALLOCATION, 'the last agreed quota in bytes (value) and the usage in bytes'),
    'bucket_quota_bytes': ('Bucket_Quota_In_Bytes', ALLOCATION, 'the quota last set on the bucket, in bytes'),
    'claim': ('ECS_Claim', ALLOCATION, '<namespace>:<bucket>, recorded before ECS is changed (the proof of ownership)'),
    'options': ('automation_specifications', ALLOCATION, 'the automation options the allocation asks for'),
    'group': ('ECS_Group', ALLOCATION, 'the AD/LDAP group of the namespace group mapping, overriding the template'),
    'url': ('url', RESOURCE, 'the ECS Management API URL of the resource'),
    'replication_group': ('replication_group', RESOURCE, 'the replication group of new namespaces'),
    'ldap_domain': ('ldap_domain', RESOURCE, 'the AD/LDAP domain of the group mapping of new namespaces'),
    'federation': ('ecs_federation', RESOURCE, 'the VDC ids of the ECS federation the resource belongs to'),
    'capacity': ('capacity_tb', RESOURCE, 'the usable capacity in TB'),
    'used': ('used_tb', RESOURCE, 'the space used in TB'),
    'allocated': ('allocated_tb', RESOURCE, 'the sum of the namespace quotas in TB'),
}

DEFAULT_NAMES = dict((key, spec[0]) for key, spec in ATTRIBUTES.items())


def attribute_names(given=None):
    """The defaults overridden by ``given`` (key -> name; ``None`` values keep the default)."""
    given = dict(given or {})
    unknown = sorted(set(given) - set(ATTRIBUTES))
    if unknown:
        raise ValueError('unknown attribute key %s: the keys are %s' % (', '.join(unknown), ', '.join(sorted(ATTRIBUTES))))
    names = dict(DEFAULT_NAMES)
    names.update((key, name) for key, name in given.items() if name)
    return names


def attribute_names_spec():
    """Suboptions of the ``attribute_names`` option (doc fragment ``hpc.coldfront_ecs.attribute_names``)."""
    return dict((key, dict(type='str', default=name)) for key, name in DEFAULT_NAMES.items())
