# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Everything a sync needs from one ECS endpoint, in one pass (module ``ecs_usage_info``).

Calls: capacity and the namespace list (fatal when they fail); in a bounded pool sharing one token, one quota
read per namespace (skipped when the list already carries ``blockSize``/``notificationSize``); then the billing
of each requested namespace with its buckets in KB (one batch call per 100 namespaces when the cluster offers
``POST /object/billing/namespace/info``, detected once; else one call per namespace) and, when asked, the quota
of each of their buckets from the bucket list (one call per namespace and page).
Per-namespace failures are collected in ``failures``; they never stop the others.

The requested namespaces may be a callable, called once the quotas are read: a caller can read ColdFront while
the first half runs (``coldfront_ecs_sync``). Until then, a ``cancelled`` event that is set stops the quota reads
(:class:`Cancelled`); the caller's session still logs out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.client import BATCH_BILLING_SIZE
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsApiError, EcsConfigError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.quota import carries_quota, quota_from_record
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import check_name
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import units

# Bytes in one unit of ECS billing ``total_size_unit`` (legacy KB/MB/GB are binary, like KiB/MiB/GiB).
_BYTES_PER_KB = units.kb_to_bytes(1)
_BYTES_PER_GB = units.gb_to_bytes(1)
_BYTES_PER_UNIT = {
    'BYTE': 1, 'B': 1,
    'KB': _BYTES_PER_KB, 'KIB': _BYTES_PER_KB,
    'MB': _BYTES_PER_GB // _BYTES_PER_KB, 'MIB': _BYTES_PER_GB // _BYTES_PER_KB,
    'GB': _BYTES_PER_GB, 'GIB': _BYTES_PER_GB,
    'TB': units.tb_to_bytes(1), 'TIB': units.tb_to_bytes(1),
}


def size_kb(record):
    """KB size of a billing record: ``total_size`` in ``total_size_unit`` (asked for in KB), else the old
    ``total_size_in_gb``; None when the record has neither."""
    if record.get('total_size') is not None:
        unit = str(record.get('total_size_unit') or 'KB').upper()
        if unit not in _BYTES_PER_UNIT:
            raise ValueError('unknown billing size unit %r' % record.get('total_size_unit'))
        value = float(record['total_size'])
        return value if unit in ('KB', 'KIB') else value * _BYTES_PER_UNIT[unit] / _BYTES_PER_KB
    if record.get('total_size_in_gb') is not None:
        return float(record['total_size_in_gb']) * _BYTES_PER_GB / _BYTES_PER_KB
    return None


def _number(value):
    """``10`` for 10.0 (JSON-friendly, stable output), floats otherwise."""
    return int(value) if value is not None and float(value).is_integer() else value


def bucket_usage(record):
    kb = size_kb(record)
    return {
        'name': record.get('name'),
        'size_kb': _number(kb),
        'size_bytes': None if kb is None else units.kb_to_bytes(kb),
        'objects': record.get('total_objects'),
        'sample_time': record.get('sample_time'),
        'hard_quota_gb': None,
        'soft_quota_gb': None,
    }


def namespace_usage(name, record):
    """The ``usage`` entry of a namespace from its billing record (with bucket detail)."""
    buckets = {}
    for item in record.get('bucket_billing_info') or []:
        entry = bucket_usage(item)
        buckets[entry['name']] = entry
    kb = size_kb(record)
    if kb is None:
        kb = sum(b['size_kb'] or 0 for b in buckets.values())
    return {
        'namespace': name,
        'total_size_kb': _number(kb),
        'total_size_bytes': units.kb_to_bytes(kb),
        'total_objects': record.get('total_objects'),
        'sample_time': record.get('sample_time'),
        'uptodate_till': record.get('uptodate_till'),
        'bucket_count': len(buckets),
        'buckets': buckets,
    }


def failure(namespace, error):
    """One ``failures`` entry for an :class:`EcsApiError` (or any error with a message)."""
    entry = {'namespace': namespace, 'method': None, 'path': None, 'status': None, 'code': None,
             'message': str(error)}
    if isinstance(error, EcsApiError):
        entry.update(method=error.method, path=error.path, status=error.status, code=error.code)
    return entry


def capacity_summary(record):
    """Capacity in GB (as ECS gives it) and TB; used = provisioned - free."""
    provisioned = record.get('totalProvisioned_gb')
    free = record.get('totalFree_gb')
    used = provisioned - free if provisioned is not None and free is not None else None
    summary = {'total_provisioned_gb': provisioned, 'total_free_gb': free, 'total_used_gb': used}
    for key in list(summary):
        summary[key.replace('_gb', '_tb')] = None if summary[key] is None else units.gb_to_tb(summary[key])
    return summary


class Cancelled(Exception):
    """The caller no longer wants the reading: it stopped before billing."""


class UsageCollector:
    """One run of ``ecs_usage_info`` against one :class:`EcsClient`."""

    def __init__(self, client, namespaces=None, batch_billing=True, bucket_quotas=False, cancelled=None):
        self.client = client
        self.cancelled = cancelled
        self.requested = namespaces
        self.try_batch = batch_billing
        self.read_bucket_quotas = bucket_quotas
        self.failures = []
        self.features = {'batch_billing': False, 'full_namespace_list': False}

    def _valid(self, name):
        """False (and a failure) for a name ECS would refuse: it never goes into a URL."""
        try:
            check_name('namespace', name)
        except EcsConfigError as exc:
            self.failures.append(failure(name, '%s; fix the namespace recorded in ColdFront' % exc))
            return False
        return True

    def _wanted(self, names):
        """The requested namespaces (asked for now when a callable), each once; every listed one when None."""
        requested = self.requested() if callable(self.requested) else self.requested
        wanted = list(dict.fromkeys(requested)) if requested is not None else names
        return [name for name in wanted if self._valid(name)]

    def _quotas(self, items, names):
        """The quota of every listed namespace: from the list when it carries them, else one read each."""
        if self.features['full_namespace_list']:
            return dict((name, quota_from_record(item)) for name, item in zip(names, items))
        quotas = {}
        for name, result, error in self.client.map(self._namespace_quota, names):
            if error is not None:
                self.failures.append(failure(name, error))
                result = {'hard_gb': None, 'soft_gb': None}
            quotas[name] = result
        return quotas

    def _namespace_quota(self, name):
        if self.cancelled is not None and self.cancelled.is_set():
            raise Cancelled()
        return quota_from_record(self.client.get_namespace_quota(name))

    def collect(self):
        capacity = capacity_summary(self.client.capacity())
        items = self.client.list_namespaces()
        names = [item.get('name') or item.get('id') for item in items]
        self.features['full_namespace_list'] = bool(items) and all(carries_quota(item) for item in items)
        quotas = self._quotas(items, names)

        wanted = self._wanted(names)
        known = set(names)
        missing = [name for name in wanted if name not in known]
        for name in missing:
            self.failures.append(failure(name, 'namespace %r does not exist on %s (not in the namespace list)'
                                         % (name, self.client.base_url)))
        billing_names = [name for name in wanted if name in known]

        billing, pending = self._batch_billing(billing_names)
        tasks = [('billing', name) for name in pending]
        tasks += [('bucket_quotas', name) for name in billing_names if self.read_bucket_quotas]
        bucket_quotas, unread_bucket_quotas = {}, []
        for (kind, name), result, error in self.client.map(self._run_task, tasks):
            if error is not None:
                self.failures.append(failure(name, error))
                if kind == 'bucket_quotas':
                    unread_bucket_quotas.append(name)
            elif kind == 'bucket_quotas':
                bucket_quotas[name] = result
            else:
                billing[name] = result

        namespaces = dict((name, {'name': name, 'hard_quota_gb': quotas[name]['hard_gb'],
                                  'soft_quota_gb': quotas[name]['soft_gb']}) for name in names)
        allocated = sum(ns['hard_quota_gb'] for ns in namespaces.values() if (ns['hard_quota_gb'] or 0) > 0)
        usage = {}
        for name in billing_names:
            entry = self._usage_entry(name, billing[name]) if name in billing else None
            if entry is not None:
                _add_bucket_quotas(entry, bucket_quotas.get(name) or {})
                usage[name] = entry
        return {
            'endpoint': self.client.base_url,
            'capacity': capacity,
            'namespaces': namespaces,
            'allocated_gb': allocated,
            'allocated_tb': units.gb_to_tb(allocated),
            'unlimited_namespaces': sorted(n for n, ns in namespaces.items() if ns['hard_quota_gb'] == units.UNLIMITED),
            'usage': usage,
            'failures': self.failures,
            'bucket_quotas': self.read_bucket_quotas,
            'unread_bucket_quotas': sorted(unread_bucket_quotas),
            'api_features': self.features,
            'ecs_calls': self.client.calls,
        }

    def _usage_entry(self, name, record):
        try:
            return namespace_usage(name, record)
        except (TypeError, ValueError) as error:
            self.failures.append(failure(name, 'billing record of namespace %r cannot be read: %s' % (name, error)))
            return None

    def _run_task(self, task):
        kind, name = task
        if kind == 'bucket_quotas':
            return dict((bucket.get('name'), quota_from_record(bucket)) for bucket in self.client.list_buckets(name))
        return self.client.namespace_billing(name)

    def _batch_billing(self, names):
        """``(records by namespace, namespaces still to read one by one)`` using the batch API when offered.

        The first chunk detects support; on "not supported" every namespace falls back to single calls.
        A chunk that fails otherwise, or a namespace missing from an answer, falls back for those only.
        """
        if not self.try_batch or not names:
            return {}, list(names)
        chunks = [names[i:i + BATCH_BILLING_SIZE] for i in range(0, len(names), BATCH_BILLING_SIZE)]
        try:
            first = self.client.namespaces_billing_batch(chunks[0])
        except EcsApiError:
            # "Not supported" (or an answer we cannot attribute to single namespaces): read them one by one.
            return {}, list(names)
        self.features['batch_billing'] = True
        answers = [(chunks[0], first)]
        answers += [(chunk, answer) for chunk, answer, _error in
                    self.client.map(self.client.namespaces_billing_batch, chunks[1:])]
        records, pending = {}, []
        for chunk, answer in answers:
            by_name = dict((rec.get('namespace') or rec.get('id'), rec) for rec in answer or [])
            for name in chunk:
                if name in by_name:
                    records[name] = by_name[name]
                else:
                    pending.append(name)
        # Buckets beyond the first page of a batch record need the per-namespace call with the marker.
        more = [name for name, rec in records.items() if rec.get('next_marker')]
        for name, result, error in self.client.map(lambda n: self.client.namespace_billing(n, records[n]), more):
            if error is not None:
                records.pop(name)
                self.failures.append(failure(name, error))
            else:
                records[name] = result
        return records, pending


def _add_bucket_quotas(entry, quotas):
    """Each billed bucket of a ``usage`` entry gets its quota (GB) from the bucket list, where it was read."""
    for name, bucket in entry['buckets'].items():
        quota = quotas.get(name) or {}
        bucket['hard_quota_gb'], bucket['soft_quota_gb'] = quota.get('hard_gb'), quota.get('soft_gb')


def collect_usage(client, namespaces=None, batch_billing=True, bucket_quotas=False, cancelled=None):
    """The ``ecs_usage_info`` result for ``client`` (see the module's RETURN)."""
    return UsageCollector(client, namespaces, batch_billing, bucket_quotas, cancelled).collect()
