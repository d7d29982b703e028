# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Module output for ECS records: snake_case summaries of namespaces, buckets and replication groups."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.quota import carries_quota, quota_from_record


def flag(value):
    """ECS booleans come as JSON booleans or as the strings "true"/"false"; None stays None."""
    if isinstance(value, bool) or value is None:
        return value
    return str(value).strip().lower() == 'true'


def normalize_mapping(mapping):
    """User mappings in a canonical order so that ECS's answer and a wanted value compare equal."""
    normalized = []
    for entry in mapping or []:
        attributes = []
        for attribute in entry.get('attributes') or []:
            values = attribute.get('value')
            values = values if isinstance(values, list) else [values]
            attributes.append({'key': attribute.get('key'), 'value': sorted(str(v) for v in values)})
        normalized.append({'domain': entry.get('domain'), 'groups': sorted(entry.get('groups') or []),
                           'attributes': sorted(attributes, key=lambda a: (a['key'], a['value']))})
    return sorted(normalized, key=lambda e: (str(e['domain']).lower(), e['groups']))


def namespace_view(record, group_name=None, quota=None):
    """Summary of a namespace; ``quota`` (``hard_gb``/``soft_gb``) when read separately, else from the record."""
    quota = quota if quota is not None else (quota_from_record(record) if carries_quota(record) else None)
    view = {
        'name': record.get('name') or record.get('id'),
        'replication_group_id': record.get('default_data_services_vpool') or None,
        'replication_group': group_name,
        'user_mapping': normalize_mapping(record.get('user_mapping')),
        'encryption': flag(record.get('is_encryption_enabled')),
        'hard_quota_gb': quota['hard_gb'] if quota else None,
        'soft_quota_gb': quota['soft_gb'] if quota else None,
    }
    return view


def bucket_view(record):
    """Summary of a bucket info record (quota and flags included in it)."""
    quota = quota_from_record(record)
    return {
        'name': record.get('name'),
        'namespace': record.get('namespace'),
        'replication_group_id': record.get('vpool'),
        'filesystem_enabled': flag(record.get('fs_access_enabled')),
        'encryption': flag(record.get('is_encryption_enabled')),
        'hard_quota_gb': quota['hard_gb'],
        'soft_quota_gb': quota['soft_gb'],
        'owner': record.get('owner'),
        'created': record.get('created'),
    }


def replication_group_view(record):
    """Summary of a replication group (``data_service_vpool`` item)."""
    mappings = record.get('varrayMappings') or []
    return {
        'id': record.get('id'),
        'name': record.get('name'),
        'description': record.get('description'),
        'allow_all_namespaces': flag(record.get('isAllowAllNamespaces')),
        'full_replication': flag(record.get('isFullRep')),
        'enable_rebalancing': flag(record.get('enable_rebalancing')),
        'inactive': flag(record.get('inactive')),
        'creation_time': record.get('creation_time'),
        'storage_pools': [m.get('value') for m in mappings],
        'vdcs': [m.get('name') for m in mappings],
    }
