"""The things a cluster holds (VDCs, replication groups, users, namespaces, buckets, empty-bucket tasks) and their
API, quota and state representations."""

import copy
import secrets
import string
import uuid
from dataclasses import dataclass, field

from . import clock
from .errors import bad_body
from .payload import UNSET, as_list, as_str, quota_value, require_str

ROLES = ('SYSTEM_ADMIN', 'SYSTEM_MONITOR', 'NAMESPACE_ADMIN')


def urn(kind, name, suffix=''):
    """A stable `urn:storageos:<kind>:<uuid><suffix>` derived from a name (same ids on every start)."""
    return 'urn:storageos:%s:%s%s' % (kind, uuid.uuid5(uuid.NAMESPACE_URL, 'ecs-sim/%s/%s' % (kind, name)), suffix)


DEFAULT_VDC = 'vdc1'
VDC_PREFIX = 'urn:storageos:VirtualDataCenterData:'


def vdc_urn(value=None):
    """A VDC id: a URN as given, a UUID wrapped in one, other text hashed into one; None: a new random id."""
    if value is None:
        return VDC_PREFIX + str(uuid.uuid4())
    text = str(value).strip()
    if text.startswith(VDC_PREFIX) and len(text) > len(VDC_PREFIX):
        return text
    try:
        return VDC_PREFIX + str(uuid.UUID(text))
    except ValueError:
        return urn('VirtualDataCenterData', text)


def secret_key():
    """A `secretKeys` value: 20 random letters and digits, like ECS shows."""
    return ''.join(secrets.choice(string.ascii_letters + string.digits) for _index in range(20))


def rg_urn(name):
    """The id of a replication group created from a seed without one."""
    return urn('ReplicationGroupInfo', name, ':global')


def self_link(href):
    """The `link` object ECS puts on resources."""
    return {'rel': 'self', 'href': href}


def quota_state(block, notification):
    """Quota as /_sim/state shows it."""
    return {'blockSize': block, 'notificationSize': notification}


@dataclass
class Vdc:
    """A virtual data center. `served`: this process answers for it on `hosts` (else it only appears in lists)."""

    key: str
    id: str
    name: str
    hosts: list = field(default_factory=list)
    served: bool = False
    secret_keys: str = field(default_factory=secret_key)

    def to_api(self, local):
        """GET /object/vdcs/vdc/local body and /list item; `local` when it is the VDC that answers."""
        endpoints = ','.join(self.hosts)
        return {'id': self.id, 'vdcId': self.id, 'name': self.name, 'vdcName': self.name,
                'link': self_link('/object/vdcs/vdc/' + self.name), 'inactive': False, 'local': local,
                'global': None, 'remote': None, 'vdc': None, 'tags': [], 'is_encryption_enabled': False,
                'managementEndPoints': endpoints, 'interVdcEndPoints': endpoints, 'interVdcCmdEndPoints': endpoints,
                'permanentlyFailed': False, 'secretKeys': self.secret_keys}

    def to_state(self):
        """/_sim/state entry (the secret is never shown)."""
        return {'id': self.id, 'name': self.name}


@dataclass
class ReplicationGroup:
    """A replication group (data service vpool)."""

    name: str
    id: str
    description: str = ''
    varrays: list = field(default_factory=list)
    allow_all_namespaces: bool = True
    creation_time: float = 0.0

    def to_api(self, vdc_id):
        """GET /vdc/data-service/vpools item; its storage pools belong to VDC `vdc_id`."""
        return {'id': self.id, 'name': self.name, 'description': self.description,
                'varrayMappings': [{'name': vdc_id, 'value': varray} for varray in self.varrays],
                'isAllowAllNamespaces': self.allow_all_namespaces, 'enable_rebalancing': True, 'isFullRep': False,
                'use_replication_target': False, 'creation_time': clock.epoch_ms(self.creation_time),
                'inactive': False, 'global': None, 'remote': None, 'vdc': None, 'tags': [],
                'link': self_link('/vdc/data-service/vpools/' + self.id)}

    def to_state(self):
        """/_sim/state entry."""
        return {'id': self.id, 'description': self.description, 'varrays': list(self.varrays),
                'isAllowAllNamespaces': self.allow_all_namespaces}


@dataclass
class User:
    """A management user. NAMESPACE_ADMIN applies to `namespace` and to namespaces listing the user as admin."""

    name: str
    password: str
    roles: list = field(default_factory=lambda: ['SYSTEM_ADMIN'])
    namespace: str = ''

    def to_state(self):
        """/_sim/state entry (the password is never shown)."""
        return {'roles': list(self.roles), 'namespace': self.namespace}


@dataclass
class EmptyTask:
    """The background task of `deactivate?emptyBucket=true`: empties the bucket, then deletes it."""

    started: float
    duration: float
    objects: int
    size_bytes: int

    def progress(self, now):
        """0.0 .. 1.0."""
        if self.duration <= 0:
            return 1.0
        return max(0.0, min(1.0, (now - self.started) / self.duration))

    def status(self, now):
        """PENDING, IN_PROGRESS, POST_PROCESSING or DONE, by elapsed time."""
        done = self.progress(now)
        for limit, status in ((0.2, 'PENDING'), (0.8, 'IN_PROGRESS'), (1.0, 'POST_PROCESSING')):
            if done < limit:
                return status
        return 'DONE'

    def to_api(self, now):
        """GET /object/bucket/{bucket}/empty-bucket-status body."""
        deleted = int(self.objects * self.progress(now))
        remaining = self.objects - deleted
        remaining_kb = self.size_bytes * (1 - self.progress(now)) / 1024
        return {'status': self.status(now), 'created': clock.iso_ms(self.started),
                'last_updated': clock.iso_ms(min(now, self.started + max(self.duration, 0))),
                'entries_deleted': deleted, 'failed_to_delete_due_to_retention': 0,
                'failed_to_delete_due_to_dangling': 0, 'failed_to_delete_due_to_other': 0,
                'approx_object_count': remaining, 'approx_total_size': int(remaining_kb),
                'approx_total_size_unit_string': 'KB', 'message': ''}


@dataclass
class Bucket:
    """A bucket; usage is held in bytes and objects, as metering would report it."""

    namespace: str
    name: str
    vpool: str
    owner: str
    created: float
    filesystem_enabled: bool = False
    head_type: str = 's3'
    stale_allowed: bool = False
    tso_read_only: bool = False
    encryption: bool = False
    retention: int = 0
    tags: list = field(default_factory=list)
    block_size: int = UNSET
    notification_size: int = UNSET
    size_bytes: int = 0
    objects: int = 0
    empty_task: EmptyTask = None
    usage_history: list = field(default_factory=list)  # [(time, bytes, objects)] of every usage change, in order

    def is_empty(self):
        """True when the bucket holds no object and no byte."""
        return self.objects == 0 and self.size_bytes == 0

    def set_usage(self, size_bytes, objects, now):
        """Change the usage, recording the change (at `now`) in `usage_history` for lagged metering."""
        if (size_bytes, objects) != (self.size_bytes, self.objects):
            self.usage_history.append((now, size_bytes, objects))
        self.size_bytes, self.objects = size_bytes, objects

    def usage_at(self, moment):
        """(bytes, objects) as of `moment`: the last change at or before it, (0, 0) before any."""
        for changed, size_bytes, objects in reversed(self.usage_history):
            if changed <= moment:
                return size_bytes, objects
        return 0, 0

    def to_api(self):
        """GET /object/bucket/{bucket}/info body (also the items of the bucket list)."""
        return {'name': self.name, 'id': '%s.%s' % (self.namespace, self.name),
                'link': self_link('/object/bucket/%s.%s' % (self.namespace, self.name)),
                'namespace': self.namespace, 'owner': self.owner, 'vpool': self.vpool,
                'created': clock.iso_ms(self.created), 'api_type': self.head_type.upper(),
                'fs_access_enabled': self.filesystem_enabled, 'locked': False,
                'is_stale_allowed': self.stale_allowed, 'is_tso_read_only': self.tso_read_only,
                'is_encryption_enabled': 'true' if self.encryption else 'false',
                'block_size': self.block_size, 'notification_size': self.notification_size,
                'softquota': str(self.notification_size),
                'blockSizeInCount': UNSET, 'notificationSizeInCount': UNSET,
                'default_retention': self.retention, 'retention': self.retention, 'auto_commit_period': 0,
                'TagSet': copy.deepcopy(self.tags), 'tags': [],
                'search_metadata': {'isEnabled': False, 'maxKeys': 0, 'search_enabled': False, 'max_keys': 0,
                                    'metadata': []},
                'default_group': '', 'is_empty_bucket_in_progress': self.empty_task is not None,
                'inactive': False, 'global': None, 'remote': None, 'vdc': None}

    def to_created(self):
        """POST /object/bucket response."""
        return {'name': self.name, 'id': '%s.%s' % (self.namespace, self.name), 'inactive': False,
                'global': None, 'remote': None, 'vdc': None, 'tags': [], 'TagSet': copy.deepcopy(self.tags),
                'metaData': {'search_enabled': False, 'max_keys': 0, 'metadata': []}}

    def quota_api(self):
        """GET /object/bucket/{bucket}/quota body."""
        return {'bucketname': self.name, 'namespace': self.namespace, 'blockSize': self.block_size,
                'notificationSize': self.notification_size, 'blockSizeInCount': UNSET,
                'notificationSizeInCount': UNSET}

    def to_state(self):
        """/_sim/state entry (also a valid seed entry)."""
        state = {'vpool': self.vpool, 'owner': self.owner, 'created': clock.iso_ms(self.created),
                 'filesystem_enabled': self.filesystem_enabled, 'head_type': self.head_type,
                 'is_stale_allowed': self.stale_allowed, 'is_tso_read_only': self.tso_read_only,
                 'is_encryption_enabled': self.encryption, 'retention': self.retention,
                 'TagSet': copy.deepcopy(self.tags), 'quota': quota_state(self.block_size, self.notification_size),
                 'usage': {'bytes': self.size_bytes, 'objects': self.objects}}
        if self.empty_task:
            state['emptying'] = True
        return state


@dataclass
class Namespace:
    """A namespace with its quota and buckets."""

    name: str
    default_vpool: str = ''
    allowed_vpools: list = field(default_factory=list)
    disallowed_vpools: list = field(default_factory=list)
    namespace_admins: str = ''
    external_group_admins: str = ''
    user_mapping: list = field(default_factory=list)
    encryption: bool = False
    stale_allowed: bool = False
    compliance: bool = False
    object_lock_with_ado: bool = False
    default_bucket_block_size: int = UNSET
    block_size: int = UNSET
    notification_size: int = UNSET
    creation_time: float = 0.0
    buckets: dict = field(default_factory=dict)

    def admins(self):
        """User names in the comma-separated `namespace_admins`."""
        return {name.strip() for name in self.namespace_admins.split(',') if name.strip()}

    def to_api(self):
        """GET /object/namespaces/namespace/{id} body (flat, ECS 4.x fields)."""
        return {'id': self.name, 'name': self.name, 'link': self_link('/object/namespaces/namespace/' + self.name),
                'inactive': False, 'global': None, 'remote': None, 'vdc': None,
                'default_data_services_vpool': self.default_vpool,
                'allowed_vpools_list': list(self.allowed_vpools), 'disallowed_vpools_list': list(self.disallowed_vpools),
                'namespace_admins': self.namespace_admins, 'external_group_admins': self.external_group_admins,
                'user_mapping': copy.deepcopy(self.user_mapping),
                'is_encryption_enabled': 'true' if self.encryption else 'false',
                'default_bucket_block_size': self.default_bucket_block_size,
                'is_stale_allowed': self.stale_allowed, 'is_compliance_enabled': self.compliance,
                'is_object_lock_with_ado_allowed': self.object_lock_with_ado,
                'blockSize': self.block_size, 'notificationSize': self.notification_size,
                'blockSizeInCount': UNSET, 'notificationSizeInCount': UNSET,
                'retention_classes': {'retention_class': []}, 'creation_time': clock.epoch_ms(self.creation_time)}

    def to_brief(self):
        """A list item as older ECS releases return it."""
        return {'id': self.name, 'name': self.name, 'link': self_link('/object/namespaces/namespace/' + self.name)}

    def quota_api(self):
        """GET /object/namespaces/namespace/{id}/quota body."""
        return {'namespace': self.name, 'blockSize': self.block_size, 'notificationSize': self.notification_size,
                'blockSizeInCount': UNSET, 'notificationSizeInCount': UNSET}

    def to_state(self):
        """/_sim/state entry (also a valid seed entry)."""
        return {'default_data_services_vpool': self.default_vpool,
                'allowed_vpools_list': list(self.allowed_vpools), 'disallowed_vpools_list': list(self.disallowed_vpools),
                'namespace_admins': self.namespace_admins, 'external_group_admins': self.external_group_admins,
                'user_mapping': copy.deepcopy(self.user_mapping), 'is_encryption_enabled': self.encryption,
                'is_stale_allowed': self.stale_allowed, 'compliance_enabled': self.compliance,
                'default_bucket_block_size': self.default_bucket_block_size,
                'quota': quota_state(self.block_size, self.notification_size),
                'creation_time': clock.epoch_ms(self.creation_time),
                'buckets': {name: bucket.to_state() for name, bucket in sorted(self.buckets.items())}}


def read_user_mapping(value, name):
    """`user_mapping`: [{"domain": d, "attributes": [{"key": k, "value": [v, ...]}], "groups": [g, ...]}]."""
    mappings = []
    for item in as_list(value, name):
        if not isinstance(item, dict):
            raise bad_body('%s items must be objects with domain, attributes and groups' % name)
        domain = require_str(item, 'domain')
        groups = [as_str(group, name + '.groups') for group in as_list(item.get('groups'), name + '.groups')]
        attributes = []
        for attribute in as_list(item.get('attributes'), name + '.attributes'):
            if not isinstance(attribute, dict):
                raise bad_body('%s.attributes items must be objects with key and value' % name)
            values = [as_str(text, name + '.attributes.value') for text in as_list(attribute.get('value'), 'value')]
            attributes.append({'key': require_str(attribute, 'key'), 'value': values})
        mappings.append({'domain': domain, 'attributes': attributes, 'groups': groups})
    return mappings


def read_tags(value, name):
    """`TagSet`: [{"Key": k, "Value": v}]."""
    tags = []
    for tag in as_list(value, name):
        if not isinstance(tag, dict):
            raise bad_body('%s items must be objects with Key and Value' % name)
        tags.append({'Key': require_str(tag, 'Key'), 'Value': as_str(tag.get('Value'), 'Value')})
    return tags


def read_block_size(value, name):
    """`default_bucket_block_size`: -1 or GB >= 1."""
    return quota_value(value, name)
