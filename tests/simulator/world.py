"""The simulated cluster and its seeding. Every World method expects the caller to hold `World.lock`;
ECS-style failures raise `errors.ApiError`.
"""

import copy
import threading

from . import clock
from .errors import ApiError, invalid, missing, not_found
from .models import (ROLES, Bucket, EmptyTask, Namespace, ReplicationGroup, User, Vdc, read_block_size, read_tags,
                     read_user_mapping, rg_urn, urn, vdc_urn)
from .payload import as_bool, as_int, as_list, as_str, check_bucket_name, check_namespace_name, quota_pair, require_str

NAMESPACE_SEED_KEYS = ('default_data_services_vpool', 'vpool', 'allowed_vpools_list', 'disallowed_vpools_list',
                       'namespace_admins', 'external_group_admins', 'user_mapping', 'is_encryption_enabled',
                       'is_stale_allowed', 'compliance_enabled', 'is_object_lock_with_ado_allowed',
                       'default_bucket_block_size', 'quota', 'creation_time', 'buckets')
BUCKET_SEED_KEYS = ('vpool', 'owner', 'created', 'filesystem_enabled', 'head_type', 'is_stale_allowed',
                    'is_tso_read_only', 'is_encryption_enabled', 'retention', 'TagSet', 'quota', 'usage', 'emptying')
SEED_KEYS = {'vdcs': ('id', 'name'),
             'replication_groups': ('id', 'description', 'varrays', 'isAllowAllNamespaces'),
             'users': ('password', 'roles', 'namespace'),
             'namespaces': NAMESPACE_SEED_KEYS}


class SeedError(ValueError):
    """A /_sim/seed (or --state) document that cannot be applied."""


def default_world():
    """The world a simulator starts with: two replication groups on two storage pools, capacity, no namespaces."""
    pools = [urn('VirtualArray', 'sp1'), urn('VirtualArray', 'sp2')]
    return {
        'replication_groups': {
            'rg1': {'description': 'Primary replication group', 'varrays': [pools[0]]},
            'rg2': {'description': 'Secondary replication group', 'varrays': [pools[1]]},
        },
        'capacity': {
            'totalProvisioned_gb': 2578400, 'totalFree_gb': 1272085,
            'varrays': {pools[0]: {'name': 'sp1', 'totalProvisioned_gb': 1289200, 'totalFree_gb': 636043},
                        pools[1]: {'name': 'sp2', 'totalProvisioned_gb': 1289200, 'totalFree_gb': 636042}},
        },
    }


class World:
    """The whole simulated cluster. Hold `lock` around every call."""

    NAMESPACE_UPDATE_KEYS = ('default_data_services_vpool', 'namespace_admins', 'external_group_admins',
                             'user_mapping', 'default_bucket_block_size', 'is_stale_allowed',
                             'is_object_lock_with_ado_allowed')

    def __init__(self):
        self.lock = threading.RLock()
        self.vdcs = {}
        self.replication_groups = {}
        self.capacity = {}
        self.users = {}
        self.namespaces = {}
        self.emptying = set()
        self.finished_tasks = {}
        self.clear()
        self.namespace_fields = {
            'default_data_services_vpool': ('default_vpool', self.vpool_id),
            'allowed_vpools_list': ('allowed_vpools', self.vpool_ids),
            'disallowed_vpools_list': ('disallowed_vpools', self.vpool_ids),
            'namespace_admins': ('namespace_admins', as_str),
            'external_group_admins': ('external_group_admins', as_str),
            'user_mapping': ('user_mapping', read_user_mapping),
            'is_encryption_enabled': ('encryption', as_bool),
            'is_stale_allowed': ('stale_allowed', as_bool),
            'compliance_enabled': ('compliance', as_bool),
            'is_object_lock_with_ado_allowed': ('object_lock_with_ado', as_bool),
            'default_bucket_block_size': ('default_bucket_block_size', read_block_size),
        }
        self.bucket_fields = {
            'filesystem_enabled': ('filesystem_enabled', as_bool),
            'head_type': ('head_type', as_str),
            'is_stale_allowed': ('stale_allowed', as_bool),
            'is_tso_read_only': ('tso_read_only', as_bool),
            'is_encryption_enabled': ('encryption', as_bool),
            'owner': ('owner', as_str),
            'retention': ('retention', as_int),
            'TagSet': ('tags', read_tags),
        }

    def clear(self):
        """An empty cluster: no VDC, no replication group, no capacity, no user, no namespace."""
        self.vdcs = {}
        self.replication_groups = {}
        self.capacity = {'totalProvisioned_gb': 0, 'totalFree_gb': 0, 'varrays': {}}
        self.users = {}
        self.namespaces = {}
        self.emptying = set()
        self.finished_tasks = {}

    # ----- VDCs ------------------------------------------------------------------------------------------------
    def serve_vdc(self, key, vdc_id, hosts):
        """A VDC this process answers for on `hosts`; seeds cannot delete it."""
        self.vdcs[key] = Vdc(key=key, id=vdc_id, name=key, hosts=list(hosts), served=True)

    def local_vdc(self, key):
        """The VDC a request arrived at (by listener key); the first served one for requests from no listener."""
        vdc = self.vdcs.get(key)
        if vdc is not None and vdc.served:
            return vdc
        return next(vdc for vdc in self.vdcs.values() if vdc.served)

    def vdc_by(self, field_name, value):
        """The VDC whose `id` or `name` is `value`, else 400/1004."""
        vdc = next((vdc for vdc in self.vdcs.values() if getattr(vdc, field_name) == value), None)
        if vdc is None:
            raise not_found(value)
        return vdc

    # ----- lookups ---------------------------------------------------------------------------------------------
    def rg_by_id(self, rg_id):
        """The replication group with this URN id, or None."""
        return next((rg for rg in self.replication_groups.values() if rg.id == rg_id), None)

    def vpool_id(self, value, name):
        """A replication group id field: must be the URN of an existing group (never its name)."""
        rg_id = as_str(value, name).strip()
        if not rg_id:
            return ''
        if self.rg_by_id(rg_id) is None:
            raise invalid('%s: %r is not the id of an existing replication group (expected '
                          'urn:storageos:ReplicationGroupInfo:<uuid>:global)' % (name, rg_id))
        return rg_id

    def vpool_ids(self, value, name):
        """A list of replication group ids."""
        return [self.vpool_id(item, name) for item in as_list(value, name)]

    def namespace(self, name):
        """The namespace, else 400/1004."""
        try:
            return self.namespaces[name]
        except KeyError:
            raise not_found(name) from None

    def bucket(self, namespace, name):
        """The bucket of a namespace, else 400/1004 naming the bucket."""
        try:
            return self.namespace(namespace).buckets[name]
        except KeyError:
            raise not_found(name) from None

    def user_namespaces(self, user):
        """Namespaces the user administers (NAMESPACE_ADMIN)."""
        names = {ns.name for ns in self.namespaces.values() if user.name in ns.admins()}
        if 'NAMESPACE_ADMIN' in user.roles and user.namespace:
            names.add(user.namespace)
        return names

    def settle(self, now):
        """Finish the empty-bucket tasks whose time is up: their buckets disappear."""
        for key in sorted(self.emptying):
            namespace, name = key
            bucket = self.namespaces[namespace].buckets.get(name) if namespace in self.namespaces else None
            if bucket is None or bucket.empty_task is None:
                self.emptying.discard(key)  # removed by a seed meanwhile
            elif bucket.empty_task.status(now) == 'DONE':
                self.finished_tasks[key] = bucket.empty_task
                del self.namespaces[namespace].buckets[name]
                self.emptying.discard(key)

    # ----- namespaces ------------------------------------------------------------------------------------------
    def apply_fields(self, target, fields, body, keys):
        """Set the attributes of `target` for the payload keys present (not null) in `body`."""
        for key in keys:
            if body.get(key) is not None:
                attribute, read = fields[key]
                setattr(target, attribute, read(body[key], key))

    def create_namespace(self, body, now):
        """POST /object/namespaces/namespace."""
        name = require_str(body, 'namespace')
        check_namespace_name(name)
        if name in self.namespaces:
            raise invalid('Namespace %s already exists' % name)
        namespace = Namespace(name=name, creation_time=now)
        self.apply_fields(namespace, self.namespace_fields, body, self.namespace_fields)
        self.namespaces[name] = namespace
        return namespace

    def update_namespace(self, name, body, keep_missing_mapping=False):
        """PUT /object/namespaces/namespace/{namespace}: fields replace, vpool lists change by deltas.

        `user_mapping` is required on update (SPEC): without it (or null) the mapping is cleared, unless
        `keep_missing_mapping`.
        """
        namespace = self.namespace(name)
        encryption = body.get('is_encryption_enabled')
        if encryption is not None and as_bool(encryption, 'is_encryption_enabled') != namespace.encryption:
            raise invalid('is_encryption_enabled cannot be changed after the namespace is created')
        changed = copy.copy(namespace)
        self.apply_fields(changed, self.namespace_fields, body, self.NAMESPACE_UPDATE_KEYS)
        if body.get('user_mapping') is None and not keep_missing_mapping:
            changed.user_mapping = []
        for which in ('allowed', 'disallowed'):
            current = list(getattr(changed, which + '_vpools'))
            added = self.vpool_ids(body.get('vpools_added_to_%s_vpools_list' % which), 'vpools_added_to_' + which)
            removed = self.vpool_ids(body.get('vpools_removed_from_%s_vpools_list' % which), 'vpools_removed_from_' + which)
            current += [rg for rg in added if rg not in current]
            setattr(changed, which + '_vpools', [rg for rg in current if rg not in removed])
        self.namespaces[name] = changed

    def deactivate_namespace(self, name):
        """POST /object/namespaces/namespace/{namespace}/deactivate: refused while buckets remain."""
        namespace = self.namespace(name)
        if namespace.buckets:
            raise ApiError(400, 1020, 'Namespace %s still has %d bucket(s) (%s): delete them first'
                           % (name, len(namespace.buckets), ', '.join(sorted(namespace.buckets)[:5])))
        del self.namespaces[name]
        self.finished_tasks = {key: task for key, task in self.finished_tasks.items() if key[0] != name}

    def set_namespace_quota(self, name, body):
        """PUT /object/namespaces/namespace/{namespace}/quota."""
        namespace = self.namespace(name)
        namespace.block_size, namespace.notification_size = quota_pair(body)

    # ----- buckets ---------------------------------------------------------------------------------------------
    def bucket_vpool(self, namespace, value):
        """The vpool of a new bucket: the given id (allowed for the namespace) or the namespace default."""
        rg_id = self.vpool_id(value, 'vpool') or namespace.default_vpool
        if not rg_id:
            raise missing('vpool (namespace %s has no default_data_services_vpool)' % namespace.name)
        if rg_id in namespace.disallowed_vpools or (namespace.allowed_vpools and rg_id not in namespace.allowed_vpools):
            raise ApiError(400, 1011, 'Replication group %s is not allowed in namespace %s' % (rg_id, namespace.name))
        return rg_id

    def create_bucket(self, body, namespace_name, owner, now):
        """POST /object/bucket."""
        name = require_str(body, 'name')
        check_bucket_name(name)
        namespace = self.namespace(namespace_name)
        bucket = Bucket(namespace=namespace.name, name=name, vpool=self.bucket_vpool(namespace, body.get('vpool')),
                        owner=owner, created=now, encryption=namespace.encryption)
        self.apply_fields(bucket, self.bucket_fields, body, self.bucket_fields)
        block = body.get('blockSize')
        block = namespace.default_bucket_block_size if block is None else block
        bucket.block_size, bucket.notification_size = quota_pair(
            {'blockSize': block, 'notificationSize': body.get('notificationSize')}, required=False)
        if name in namespace.buckets:
            raise ApiError(400, 40008, 'Bucket %s already exists in namespace %s' % (name, namespace.name))
        namespace.buckets[name] = bucket
        self.finished_tasks.pop((namespace.name, name), None)
        return bucket

    def deactivate_bucket(self, namespace, name, empty_first, now, duration):
        """POST /object/bucket/{bucket}/deactivate; True when a background emptying task was started (202)."""
        bucket = self.bucket(namespace, name)
        if bucket.empty_task is not None:
            raise ApiError(400, 1025, 'Bucket %s is already being emptied and deleted' % name)
        if bucket.is_empty():
            del self.namespaces[namespace].buckets[name]
            return False
        if not empty_first:
            raise ApiError(400, 1025, 'Bucket %s is not empty (%d objects): empty it first or pass emptyBucket=true'
                           % (name, bucket.objects))
        bucket.empty_task = EmptyTask(now, duration, bucket.objects, bucket.size_bytes)
        self.emptying.add((namespace, name))
        return True

    def empty_status(self, namespace, name, now):
        """GET /object/bucket/{bucket}/empty-bucket-status."""
        task = self.finished_tasks.get((namespace, name))
        if task is None:
            task = self.bucket(namespace, name).empty_task
        if task is None:
            return {'status': 'NOT_FOUND', 'message': 'No empty-bucket task for bucket %s' % name}
        return task.to_api(now)

    def set_bucket_quota(self, namespace, name, body):
        """PUT /object/bucket/{bucket}/quota: both values, not both -1."""
        bucket = self.bucket(namespace, name)
        bucket.block_size, bucket.notification_size = quota_pair(body, allow_unset_pair=False)

    # ----- seeding ---------------------------------------------------------------------------------------------
    def seed(self, spec):
        """Upsert a /_sim/seed document (see README): given fields replace, others stay; null deletes."""
        if not isinstance(spec, dict):
            raise SeedError('the seed must be a JSON object')
        unknown = set(spec) - {'vdcs', 'replication_groups', 'capacity', 'users', 'namespaces'}
        if unknown:
            raise SeedError('unknown seed keys: %s' % ', '.join(sorted(unknown)))
        backup = copy.deepcopy((self.vdcs, self.replication_groups, self.capacity, self.users, self.emptying))
        named = spec.get('namespaces') if isinstance(spec.get('namespaces'), dict) else {}
        touched = {name: copy.deepcopy(self.namespaces.get(name)) for name in named}  # undo only what may change
        try:
            for key, apply in (('vdcs', self.seed_vdc), ('replication_groups', self.seed_rg),
                               ('users', self.seed_user), ('namespaces', self.seed_namespace)):
                for name, entry in self.seed_entries(spec, key):
                    try:
                        apply(name, entry)
                    except ApiError as error:
                        raise SeedError('%s.%s: %s' % (key, name, error.details)) from None
            if 'capacity' in spec:
                self.seed_capacity(spec['capacity'])
            self.check_vdcs()
        except (ApiError, SeedError, TypeError, ValueError) as error:
            self.vdcs, self.replication_groups, self.capacity, self.users, self.emptying = backup
            for name, namespace in touched.items():
                if namespace is None:
                    self.namespaces.pop(name, None)
                else:
                    self.namespaces[name] = namespace
            if isinstance(error, ApiError):
                raise SeedError(error.details) from None
            raise

    @staticmethod
    def seed_entries(spec, key, allowed=None):
        """(name, entry) pairs of a seed collection: a dict keyed by name (entry may be null = delete)."""
        entries = spec.get(key) or {}
        if not isinstance(entries, dict):
            raise SeedError('%s must be an object keyed by name' % key)
        for name, entry in entries.items():
            if entry is not None and not isinstance(entry, dict):
                raise SeedError('%s.%s must be an object or null' % (key, name))
            unknown = set(entry or ()) - set(allowed or SEED_KEYS[key])
            if unknown:
                raise SeedError('%s.%s: unknown keys %s' % (key, name, ', '.join(sorted(unknown))))
            yield name, entry

    def seed_vpool(self, value):
        """A replication group reference in a seed: its name or its URN id."""
        if isinstance(value, str) and value in self.replication_groups:
            return self.replication_groups[value].id
        return value

    def seed_vdc(self, key, entry):
        """vdcs.<key>: {id, name}; a new key adds a VDC no address answers for (listed, never local)."""
        vdc = self.vdcs.get(key)
        if entry is None:
            if vdc is not None and vdc.served:
                raise SeedError('vdcs.%s is served by this simulator (--vdc) and cannot be deleted' % key)
            self.vdcs.pop(key, None)
            return
        vdc = vdc or Vdc(key=key, id=vdc_urn(), name=key)
        if entry.get('id') is not None:
            vdc.id = vdc_urn(require_str(entry, 'id'))
        vdc.name = as_str(entry.get('name'), 'name', vdc.name).strip() or key
        self.vdcs[key] = vdc

    def check_vdcs(self):
        """VDC ids and names must be unique in the federation."""
        for field_name in ('id', 'name'):
            values = [getattr(vdc, field_name) for vdc in self.vdcs.values()]
            if len(set(values)) != len(values):
                raise SeedError('vdcs: two VDCs have the same %s' % field_name)

    def seed_rg(self, name, entry):
        """replication_groups.<name>: {id, description, varrays, isAllowAllNamespaces}."""
        if entry is None:
            self.replication_groups.pop(name, None)
            return
        rg = self.replication_groups.get(name) or ReplicationGroup(name=name, id=rg_urn(name), creation_time=clock.now())
        rg.id = as_str(entry.get('id'), 'id', rg.id)
        rg.description = as_str(entry.get('description'), 'description', rg.description)
        if 'varrays' in entry:
            rg.varrays = [as_str(varray, 'varrays') for varray in as_list(entry['varrays'], 'varrays')]
        rg.allow_all_namespaces = as_bool(entry.get('isAllowAllNamespaces'), 'isAllowAllNamespaces',
                                          rg.allow_all_namespaces)
        self.replication_groups[name] = rg

    def seed_user(self, name, entry):
        """users.<name>: {password, roles, namespace}."""
        if entry is None:
            self.users.pop(name, None)
            return
        user = self.users.get(name)
        if user is None:
            if not entry.get('password'):
                raise SeedError('users.%s: a new user needs a password' % name)
            user = User(name=name, password='')
        user.password = as_str(entry.get('password'), 'password', user.password)
        if 'roles' in entry:
            user.roles = [as_str(role, 'roles') for role in as_list(entry['roles'], 'roles')]
            bad = [role for role in user.roles if role not in ROLES]
            if bad or not user.roles:
                raise SeedError('users.%s: roles must be a non-empty list from %s' % (name, ', '.join(ROLES)))
        user.namespace = as_str(entry.get('namespace'), 'namespace', user.namespace)
        self.users[name] = user

    def seed_namespace(self, name, entry):
        """namespaces.<name>: create-payload fields (vpools by name or id), quota, creation_time, buckets."""
        if entry is None:
            self.namespaces.pop(name, None)
            return
        check_namespace_name(name)
        namespace = self.namespaces.get(name) or Namespace(name=name, creation_time=clock.now())
        body = dict(entry)
        if 'vpool' in body:
            body.setdefault('default_data_services_vpool', body.pop('vpool'))
        for key in ('default_data_services_vpool', 'allowed_vpools_list', 'disallowed_vpools_list'):
            if isinstance(body.get(key), list):
                body[key] = [self.seed_vpool(item) for item in body[key]]
            elif key in body:
                body[key] = self.seed_vpool(body[key])
        self.apply_fields(namespace, self.namespace_fields, body, self.namespace_fields)
        if 'quota' in body:
            namespace.block_size, namespace.notification_size = quota_pair(body['quota'] or {}, required=False)
        if 'creation_time' in body:
            namespace.creation_time = as_int(body['creation_time'], 'creation_time') / 1000.0
        self.namespaces[name] = namespace
        for bucket_name, bucket_entry in self.seed_entries(body, 'buckets', BUCKET_SEED_KEYS):
            self.seed_bucket(namespace, bucket_name, bucket_entry)

    def seed_bucket(self, namespace, name, entry):
        """namespaces.<ns>.buckets.<name>: create-payload fields, quota, usage {bytes, objects}, owner, created."""
        if entry is None:
            namespace.buckets.pop(name, None)
            self.emptying.discard((namespace.name, name))
            return
        check_bucket_name(name)
        bucket = namespace.buckets.get(name)
        if bucket is None:
            fallback = namespace.default_vpool or next((rg.id for rg in self.replication_groups.values()), '')
            vpool = self.seed_vpool(entry.get('vpool')) or fallback
            bucket = Bucket(namespace=namespace.name, name=name, vpool=self.vpool_id(vpool, 'vpool'), owner='root',
                            created=clock.now(), encryption=namespace.encryption)
        elif entry.get('vpool'):
            bucket.vpool = self.vpool_id(self.seed_vpool(entry['vpool']), 'vpool')
        self.apply_fields(bucket, self.bucket_fields, entry, self.bucket_fields)
        if entry.get('created'):
            bucket.created = clock.parse_iso_ms(as_str(entry['created'], 'created'))
        if 'quota' in entry:
            bucket.block_size, bucket.notification_size = quota_pair(entry['quota'] or {}, required=False)
        usage = entry.get('usage') or {}
        bucket.set_usage(self.seed_count(usage, 'bytes', bucket.size_bytes),
                         self.seed_count(usage, 'objects', bucket.objects), clock.now())
        namespace.buckets[name] = bucket

    @staticmethod
    def seed_count(usage, key, current):
        """A non-negative integer from a seed's usage object."""
        value = as_int(usage.get(key), 'usage.' + key, current)
        if value < 0:
            raise SeedError('usage.%s must be >= 0' % key)
        return value

    def seed_capacity(self, entry):
        """capacity: {totalProvisioned_gb, totalFree_gb, varrays: {<VirtualArray urn>: {name, ...}}}."""
        if not isinstance(entry, dict):
            raise SeedError('capacity must be an object')
        for key in ('totalProvisioned_gb', 'totalFree_gb'):
            if key in entry:
                self.capacity[key] = as_int(entry[key], key)
        for varray, figures in (entry.get('varrays') or {}).items():
            if figures is None:
                self.capacity['varrays'].pop(varray, None)
                continue
            current = self.capacity['varrays'].setdefault(varray, {'name': varray.rsplit(':', 1)[-1],
                                                                   'totalProvisioned_gb': 0, 'totalFree_gb': 0})
            current.update({key: figures[key] for key in ('name', 'totalProvisioned_gb', 'totalFree_gb')
                            if key in figures})

    def counts(self):
        """How many of each thing the world holds."""
        return {'replication_groups': len(self.replication_groups), 'users': len(self.users),
                'namespaces': len(self.namespaces),
                'buckets': sum(len(namespace.buckets) for namespace in self.namespaces.values())}

    def snapshot(self):
        """GET /_sim/state: the whole world in the seed shape."""
        return {'vdcs': {key: vdc.to_state() for key, vdc in self.vdcs.items()},
                'replication_groups': {name: rg.to_state() for name, rg in self.replication_groups.items()},
                'capacity': copy.deepcopy(self.capacity),
                'users': {name: user.to_state() for name, user in sorted(self.users.items())},
                'namespaces': {name: ns.to_state() for name, ns in sorted(self.namespaces.items())}}
