# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ECS Management API client: namespaces, buckets, quotas, replication groups, billing, capacity, VDCs.

    with EcsClient('ecs1.example.org', 'root', password, ca_path='/etc/pki/ecs-ca.pem') as ecs:
        namespace = ecs.find_namespace('smith-lab')          # None when it does not exist
        ecs.set_namespace_quota('smith-lab', 10240, 9216)

Every method raises :class:`EcsApiError` (:class:`EcsNotFoundError` for a missing entity) on failure. Creates
and deletes are never retried blindly: after an uncertain failure the entity is read back first.  Bulk reads
use :meth:`EcsClient.map` (a bounded thread pool sharing the client's one token).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import (
    EcsApiError, EcsConfigError, is_not_found)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import (
    DEFAULT_PORT, DEFAULT_RETRIES, DEFAULT_TIMEOUT, EcsTransport, path)

DEFAULT_MAX_WORKERS = 4
PAGE_SIZE = 1000
BATCH_BILLING_SIZE = 100
BILLING_PARAMS = {'include_bucket_detail': 'true', 'sizeunit': 'KB'}
BATCH_BILLING_KEYS = ('namespace_billing_info', 'namespace_billing_infos')
VDC_LIST_PATH = '/object/vdcs/vdc/list'
VDC_LOCAL_PATH = '/object/vdcs/vdc/local'


def _items(value):
    """A list from a JSON value that may be missing, null, a single object or a list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _vdc_summary(item):
    """id, name and local flag of a VDC record; everything else (``secretKeys`` above all) is dropped."""
    if not isinstance(item, dict):
        return {'id': None, 'name': None, 'local': False}
    local = item.get('local')
    return {'id': item.get('id') or item.get('vdcId') or None, 'name': item.get('name') or item.get('vdcName'),
            'local': local is True or str(local).strip().lower() == 'true'}


class EcsClient(EcsTransport):
    """One ECS endpoint, one token.  See :class:`EcsTransport` for the connection arguments."""

    def __init__(self, host, username, password, port=DEFAULT_PORT, validate_certs=True, ca_path=None,
                 timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES, max_workers=DEFAULT_MAX_WORKERS, **kwargs):
        super(EcsClient, self).__init__(host, username, password, port=port, validate_certs=validate_certs,
                                        ca_path=ca_path, timeout=timeout, retries=retries, **kwargs)
        self.max_workers = max(1, int(max_workers or 1))
        self._vpools = None

    # -- helpers --------------------------------------------------------------------------------------

    def get(self, url_path, params=None):
        return self.request('GET', url_path, params=params)

    def find(self, url_path, params=None):
        """GET, but None when the entity does not exist (any other failure still raises)."""
        try:
            return self.get(url_path, params)
        except EcsApiError as error:
            if is_not_found(error):
                return None
            raise

    def paged(self, url_path, item_key, params=None, marker_key='NextMarker', page_size=PAGE_SIZE):
        """Every item of a ``limit``/``marker`` paged list (missing or empty keys end it)."""
        query = dict(params or {})
        if page_size:
            query['limit'] = page_size
        seen = set()
        while True:
            page = self.get(url_path, dict(query)) or {}
            yield from _items(page.get(item_key))
            marker = page.get(marker_key)
            if not marker or marker in seen:
                return
            seen.add(marker)
            query['marker'] = marker

    def map(self, func, items):
        """``[(item, result, error)]`` for ``func(item)`` over ``items`` in a pool of ``max_workers`` threads.

        ``error`` is the :class:`EcsApiError` (or :class:`EcsConfigError`) ``func`` raised, else None; other
        exceptions propagate.  All threads share this client's token.
        """
        items = list(items)

        def call(item):
            try:
                return item, func(item), None
            except (EcsApiError, EcsConfigError) as error:
                return item, None, error

        if len(items) <= 1 or self.max_workers == 1:
            return [call(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(items))) as pool:
            return list(pool.map(call, items))

    def checked_write(self, send, settled):
        """Run a non-idempotent write ``send()``; never retry it blindly.

        After an uncertain failure (retryable: timeout, connection lost, 5xx) ``settled()`` reads the state back:
        a result other than None means the write took effect (it is returned), None means retry the write.
        """
        tries = 0
        while True:
            try:
                return send()
            except EcsApiError as error:
                if not error.retryable:
                    raise
                outcome = settled()
                if outcome is not None:
                    return outcome
                if tries >= self.retry.retries:
                    raise
                self.retry.wait(tries, error.retry_after)
                tries += 1

    def post(self, url_path, body=None, params=None, with_status=False):
        """A non-idempotent POST (never retried by the transport)."""
        return self.request('POST', url_path, params=params, body=body, idempotent=False, with_status=with_status)

    # -- namespaces -----------------------------------------------------------------------------------

    def list_namespaces(self, name_prefix=None):
        """Every namespace list item (``id``/``name``; full objects on ECS 4.x)."""
        params = {'name': name_prefix + '*'} if name_prefix else None
        return list(self.paged('/object/namespaces', 'namespace', params))

    def get_namespace(self, name):
        return self.get(path('object', 'namespaces', 'namespace', name))

    def find_namespace(self, name):
        """The namespace object, or None when it does not exist."""
        return self.find(path('object', 'namespaces', 'namespace', name))

    def create_namespace(self, name, replication_group_id=None, user_mapping=None, **fields):
        body = dict(fields, namespace=name)
        if replication_group_id:
            body['default_data_services_vpool'] = replication_group_id
        if user_mapping is not None:
            body['user_mapping'] = user_mapping
        result = self.checked_write(lambda: self.post('/object/namespaces/namespace', body),
                                    lambda: self.find_namespace(name))
        return result or self.get_namespace(name)

    def update_namespace(self, name, changes, current=None):
        """PUT ``changes``; the current ``user_mapping`` is re-sent unless ``changes`` has one (ECS would wipe it)."""
        body = dict(changes)
        if 'user_mapping' not in body:
            current = current if current is not None else self.get_namespace(name)
            body['user_mapping'] = current.get('user_mapping') or []
        return self.request('PUT', path('object', 'namespaces', 'namespace', name), body=body)

    def delete_namespace(self, name):
        return self.checked_write(lambda: self.post(path('object', 'namespaces', 'namespace', name, 'deactivate')),
                                  lambda: True if self.find_namespace(name) is None else None)

    def get_namespace_quota(self, name):
        return self.get(path('object', 'namespaces', 'namespace', name, 'quota'))

    def set_namespace_quota(self, name, hard_gb, soft_gb):
        body = {'blockSize': hard_gb, 'notificationSize': soft_gb, 'namespace': name}
        return self.request('PUT', path('object', 'namespaces', 'namespace', name, 'quota'), body=body)

    def delete_namespace_quota(self, name):
        return self.request('DELETE', path('object', 'namespaces', 'namespace', name, 'quota'))

    # -- buckets --------------------------------------------------------------------------------------

    def list_buckets(self, namespace, name_prefix=None, page_size=PAGE_SIZE):
        """Every bucket (full bucket info objects) of ``namespace``."""
        params = {'namespace': namespace}
        if name_prefix:
            params['name'] = name_prefix + '*'
        return list(self.paged('/object/bucket', 'object_bucket', params, page_size=page_size))

    def first_buckets(self, namespace, count=10):
        """Up to ``count`` buckets of ``namespace`` (one call), e.g. to refuse deleting a non-empty namespace."""
        page = self.get('/object/bucket', {'namespace': namespace, 'limit': count}) or {}
        return _items(page.get('object_bucket'))

    def get_bucket(self, namespace, name):
        return self.get(path('object', 'bucket', name, 'info'), {'namespace': namespace})

    def find_bucket(self, namespace, name):
        """The bucket info, or None when the bucket does not exist."""
        return self.find(path('object', 'bucket', name, 'info'), {'namespace': namespace})

    def create_bucket(self, namespace, name, replication_group_id=None, **fields):
        body = dict(fields, name=name, namespace=namespace)
        if replication_group_id:
            body['vpool'] = replication_group_id
        self.checked_write(lambda: self.post('/object/bucket', body), lambda: self.find_bucket(namespace, name))
        return self.get_bucket(namespace, name)

    def delete_bucket(self, namespace, name, empty_first=False):
        """Deactivate a bucket; ``(http_status, body)``: 200 deleted, 202 emptying task started (``empty_first``)."""
        params = {'namespace': namespace}
        if empty_first:
            params['emptyBucket'] = 'true'

        def is_done():
            bucket = self.find_bucket(namespace, name)
            if bucket is None:
                return 200, None
            if empty_first and bucket.get('is_empty_bucket_in_progress'):
                return 202, None
            return None

        return self.checked_write(
            lambda: self.post(path('object', 'bucket', name, 'deactivate'), params=params, with_status=True), is_done)

    def empty_bucket_status(self, namespace, name):
        return self.get(path('object', 'bucket', name, 'empty-bucket-status'), {'namespace': namespace})

    def get_bucket_quota(self, namespace, name):
        return self.get(path('object', 'bucket', name, 'quota'), {'namespace': namespace})

    def set_bucket_quota(self, namespace, name, hard_gb, soft_gb):
        body = {'blockSize': hard_gb, 'notificationSize': soft_gb, 'namespace': namespace}
        return self.request('PUT', path('object', 'bucket', name, 'quota'), body=body)

    def delete_bucket_quota(self, namespace, name):
        return self.request('DELETE', path('object', 'bucket', name, 'quota'), params={'namespace': namespace})

    # -- replication groups ---------------------------------------------------------------------------

    def replication_groups(self):
        """Every replication group (``data_service_vpool`` items), read once per client."""
        if self._vpools is None:
            self._vpools = _items((self.get('/vdc/data-service/vpools') or {}).get('data_service_vpool'))
        return self._vpools

    def resolve_replication_group(self, name_or_id):
        """The replication group whose id or name is ``name_or_id``; :class:`EcsConfigError` when none is."""
        groups = self.replication_groups()
        for key in ('id', 'name'):
            for group in groups:
                if group.get(key) == name_or_id:
                    return group
        known = ', '.join(sorted(str(group.get('name')) for group in groups)) or 'none'
        raise EcsConfigError('replication group %r does not exist on %s (known: %s): use one of these names or ids'
                             % (name_or_id, self.base_url, known))

    def replication_group_name(self, group_id):
        """Name of the replication group ``group_id`` (the id itself when unknown)."""
        for group in self.replication_groups():
            if group.get('id') == group_id:
                return group.get('name')
        return group_id

    # -- billing and capacity -------------------------------------------------------------------------

    def namespace_billing(self, namespace, first_page=None):
        """Namespace billing with every bucket (``bucket_billing_info``), sizes in KB, all pages merged.

        ``first_page`` is a record already read (from the batch API); only its further pages are fetched.
        """
        params = dict(BILLING_PARAMS)
        url = path('object', 'billing', 'namespace', namespace, 'info')
        record = dict(first_page) if first_page is not None else (self.get(url, dict(params)) or {})
        buckets = list(_items(record.get('bucket_billing_info')))
        seen = set()
        marker = record.get('next_marker')
        while marker and marker not in seen:
            seen.add(marker)
            params['marker'] = marker
            page = self.get(url, dict(params)) or {}
            buckets.extend(_items(page.get('bucket_billing_info')))
            marker = page.get('next_marker')
        record['bucket_billing_info'] = buckets
        record.pop('next_marker', None)
        return record

    def bucket_billing(self, namespace, bucket):
        """Billing of one bucket, size in KB."""
        return self.get(path('object', 'billing', 'buckets', namespace, bucket, 'info'), {'sizeunit': 'KB'})

    def namespaces_billing_batch(self, namespaces):
        """Billing of several namespaces in one POST (read-only, so retried); raises when ECS lacks the API."""
        data = self.request('POST', '/object/billing/namespace/info', params=dict(BILLING_PARAMS),
                            body={'id': list(namespaces)}, idempotent=True) or {}
        for key in BATCH_BILLING_KEYS:
            if key in data:
                return _items(data[key])
        raise EcsApiError('the batch billing answer has none of the keys %s' % ', '.join(BATCH_BILLING_KEYS),
                          method='POST', path='/object/billing/namespace/info', kind='protocol')

    def capacity(self):
        """Cluster capacity: ``totalProvisioned_gb`` and ``totalFree_gb`` (GB)."""
        return self.get('/object/capacity') or {}

    # -- cluster identity -----------------------------------------------------------------------------

    def vdc_identity(self):
        """``{'local': VDC id, 'name': its name, 'vdcs': sorted ids of every VDC of the federation}``.

        One call (the VDC list); a second one only when no listed VDC is marked local.  The answers carry each
        VDC's ``secretKeys``: only ids, names and local flags are kept, so no secret is returned, logged or cached.
        """
        vdcs = [_vdc_summary(item) for item in _items((self.get(VDC_LIST_PATH) or {}).get('vdc'))]
        local = next((vdc for vdc in vdcs if vdc['local'] and vdc['id']), None)
        if local is None:
            local = _vdc_summary(self.get(VDC_LOCAL_PATH))
        if not local['id']:
            raise EcsApiError('ECS named no local VDC', method='GET', path=VDC_LOCAL_PATH, kind='protocol',
                              hint='check that host points at the ECS Management API')
        # Imported here: only provision and adopt need it, and it is a fifth of this module's import time.
        from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import systems
        return {'local': local['id'], 'name': local['name'],
                'vdcs': systems.unique_vdc_ids([vdc['id'] for vdc in vdcs] + [local['id']])}
