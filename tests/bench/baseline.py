"""The baseline: the reference Django plugin's ``ecs_sync`` as it really runs, against the same simulators and
database as the collection (docs/performance.md, "The baseline").

``reference`` (the default) follows the plugin's management command and its client, python-ecsclient, call for
call, sequentially, in one process with ColdFront's models:

* per ECS resource, a new client (its own ``requests`` sessions: one for the API calls, one for the token);
  TLS not verified (the client's default), 15 s timeout;
* before every API call the client checks its token with ``GET /user/whoami``; with no token in memory it reads
  the token file that every client of the process shares (modelled in memory, empty at the start), so the first
  call of the run logs in without a check, and the first call of each later endpoint checks the previous
  endpoint's token, gets 401 and logs in; it never logs out (one live token per endpoint per run);
* per Active allocation of the resource (ColdFront's default order): read its namespace quota, and when the quota
  is set, save ``Storage Quota (TB)`` = GB / 1024 and ``Quota_In_Bytes`` = int(TB x 1024^4) as ``str()`` of the
  numbers (get_or_create, then ``save()``); read its bucket's billing (``sizeunit=KB``), then ``set_usage()`` on
  both: 4 saves, so 4 history rows, every run, changed or not;
* then the capacity (save ``capacity_tb``, ``used_tb``) and ``allocated_tb``: the sum of the quotas of the FIRST
  PAGE of the namespace list only (the plugin ignores ``NextMarker``), one quota read per listed namespace;
* any failure (an ECS error, a missing attribute type) is logged and the allocation or resource is skipped.

``design`` is the first baseline, a sketch of the plugin's algorithm written before its real behaviour was
measured (login, every page, one session verifying TLS, a logout; kept to compare).  Names come from the
``Namespace``/``Bucket`` attributes, else the project title's slug.
Run as a script by the harness (its own process, so its memory and Django start-up count like a management
command's):

    DB_URL=... python tests/bench/baseline.py --resource bench-ecs-0=https://127.0.0.1:PORT ... --ca CA.pem
"""

import argparse
import json
import logging
import os
import re
import sys
import time

import requests
import urllib3

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(BENCH_DIR))
sys.path.insert(0, os.path.join(REPO, '.build', 'collections'))

# pylint: disable=wrong-import-position
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import naming, units  # noqa: E402

QUOTA_TB, QUOTA_BYTES = 'Storage Quota (TB)', 'Quota_In_Bytes'
BYTES_PER_TB, GB_PER_TB = 1024 ** 4, 1024
PAGE_SIZE = 100          # ECS's default page of the namespace list: all the plugin ever reads
LOGIN, WHOAMI = 'GET /login', 'GET /user/whoami'
QUOTA_ROUTE = 'GET /object/namespaces/namespace/{id}/quota'
BILLING_ROUTE = 'GET /object/billing/buckets/{namespace}/{bucketName}/info'
log = logging.getLogger('baseline')


def expected_routes(allocations_per_resource, page_size=PAGE_SIZE):
    """``{route: calls}`` the reference plugin makes when resource i has ``allocations_per_resource[i]`` Active
    allocations, each with its own namespace (the benchmark world), and nothing fails."""
    routes = {LOGIN: 0, WHOAMI: 0, QUOTA_ROUTE: 0, BILLING_ROUTE: 0, 'GET /object/capacity': 0,
              'GET /object/namespaces': 0}
    for index, count in enumerate(allocations_per_resource):
        calls = 2 * count + 2 + min(count, page_size)
        routes[QUOTA_ROUTE] += count + min(count, page_size)
        routes[BILLING_ROUTE] += count
        routes['GET /object/capacity'] += 1
        routes['GET /object/namespaces'] += 1
        routes[LOGIN] += 1
        routes[WHOAMI] += calls - 1 if index == 0 else calls   # the first endpoint's first call has no token yet
    return routes


# ---- reference: python-ecsclient's habits ---------------------------------------------------------------------

class EcsClientError(Exception):
    """What python-ecsclient raises (ECSClientException)."""


class TokenCache:
    """The token file every client of the process shares (``/tmp/ecsclient.tkn``), in memory here."""
    token = None


class ReferenceClient:
    """python-ecsclient 1.x: a token check before every call, two sessions, no logout, no TLS verification."""

    TIMEOUT = 15.0

    def __init__(self, url, username, password):
        self.url = url
        self.username, self.password = username, password
        self.session = requests.Session()          # the client's API calls
        self.token_session = requests.Session()    # TokenRequest's: login and whoami
        self.token = None
        self.calls = 0

    def _send(self, session, path, headers, params=None):
        self.calls += 1
        try:
            return session.get(self.url + path, headers=headers, params=params, verify=False, timeout=self.TIMEOUT)
        except requests.RequestException as error:
            raise EcsClientError('Connection error: %s' % (error.args,))

    def _login(self):
        self.token_session.auth = (self.username, self.password)
        response = self._send(self.token_session, '/login', {'Accept': 'application/json'})
        if response.status_code != 200:
            raise EcsClientError('login: HTTP %d' % response.status_code)
        self.token = TokenCache.token = response.headers['x-sds-auth-token']
        return self.token

    def _current_token(self):
        token = self.token or TokenCache.token
        if not token:
            return self._login()
        headers = {'Accept': 'application/json', 'X-SDS-AUTH-TOKEN': token}
        check = self._send(self.token_session, '/user/whoami', headers)
        if check.status_code == 200:
            return token
        if check.status_code in (401, 403, 415):
            return self._login()
        raise EcsClientError('Token validation error.  Code returned: %d' % check.status_code)

    def get(self, path, params=None):
        headers = {'Accept': 'application/json', 'Content-Type': 'application/json',
                   'x-sds-auth-token': self._current_token()}
        response = self._send(self.session, path, headers, params)
        if not 199 < response.status_code < 300:
            raise EcsClientError('%s: HTTP %d' % (path, response.status_code))
        try:
            return response.json()
        except ValueError:
            return response.text


def _safe_name(value, max_length=63):
    slug = re.sub(r'-{2,}', '-', re.sub(r'[^a-z0-9-]', '-', value.lower())).strip('-')
    return (slug or 'default')[:max_length]


class ReferenceManager:
    """The plugin's ``ECSResourceManager``: one resource, one client."""

    def __init__(self, models, resource, url):
        if not resource.get_attribute('url', expand=False, typed=False):
            raise ValueError('Resource %s (%s) has no "url" attribute' % (resource.pk, resource.name))
        self.models, self.resource = models, resource
        self.client = ReferenceClient(url, os.environ['ECS_USER'], os.environ['ECS_PASS'])

    def namespace_quota_tb(self, namespace):
        block = self.client.get('/object/namespaces/namespace/%s/quota' % namespace).get('blockSize')
        return None if block is None or block == -1 else float(block) / GB_PER_TB

    def bucket_usage(self, namespace, bucket):
        info = self.client.get('/object/billing/buckets/%s/%s/info' % (namespace, bucket), {'sizeunit': 'KB'})
        size_kb = _to_float(info.get('total_size') if 'total_size' in info else info.get('total_size_in_kb', 0))
        size_bytes = int(size_kb * 1024)
        return size_bytes, size_bytes / BYTES_PER_TB

    def names(self, allocation):
        namespace = (allocation.get_attribute('Namespace', expand=False, typed=False)
                     or _safe_name(allocation.project.title))
        bucket = (allocation.get_attribute('Bucket', expand=False, typed=False)
                  or _safe_name('lab-%s-bucket' % namespace))
        return str(namespace), str(bucket)

    def update_resource_usage(self):
        capacity = self.client.get('/object/capacity')
        provisioned = _to_float(capacity.get('totalProvisioned_gb') or capacity.get('totalProvisionedGb'))
        free = _to_float(capacity.get('totalFree_gb') or capacity.get('totalFreeGb'))
        self._set_resource_attribute('capacity_tb', provisioned / GB_PER_TB)
        self._set_resource_attribute('used_tb', (provisioned - free) / GB_PER_TB)
        listed = self.client.get('/object/namespaces').get('namespace', [])     # first page only
        total = 0.0
        for name in [entry.get('name') for entry in listed if entry.get('name')]:
            quota = self.namespace_quota_tb(name)
            total += quota if quota is not None and quota >= 0 else 0
        self._set_resource_attribute('allocated_tb', total)

    def _set_resource_attribute(self, name, value):
        attribute_type = self.models['ResourceAttributeType'].objects.get(name=name)
        attribute, _created = self.resource.resourceattribute_set.get_or_create(
            resource_attribute_type=attribute_type, defaults={'value': str(value)})
        attribute.value = str(value)
        attribute.save()


def _to_float(value, default=0.0):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _upsert(models, allocation, attribute_type, value):
    attribute, _created = models['AllocationAttribute'].objects.get_or_create(
        allocation=allocation, allocation_attribute_type=attribute_type, defaults={'value': str(value)})
    attribute.value = str(value)
    attribute.save()


def _sync_allocation(models, manager, allocation, types):
    """One allocation, as ``ecs_sync.handle`` does it; True when synced."""
    namespace, bucket = manager.names(allocation)
    try:
        quota_tb = manager.namespace_quota_tb(namespace)
    except Exception:  # pylint: disable=broad-except  # the plugin logs and goes on
        log.exception('Failed reading namespace quota for allocation %s namespace=%s', allocation.pk, namespace)
        quota_tb = None
    if quota_tb is not None and quota_tb >= 0:
        _upsert(models, allocation, types[QUOTA_TB], quota_tb)
        _upsert(models, allocation, types[QUOTA_BYTES], int(quota_tb * BYTES_PER_TB))
    try:
        size_bytes, size_tb = manager.bucket_usage(namespace, bucket)
        allocation.set_usage(QUOTA_TB, size_tb)
        allocation.set_usage(QUOTA_BYTES, size_bytes)
    except Exception:  # pylint: disable=broad-except
        log.exception('Failed reading bucket usage for allocation %s namespace=%s bucket=%s',
                      allocation.pk, namespace, bucket)
        return False
    return True


def sync_reference(models, resource, url, counts):
    """One resource, the reference plugin's way (adds to ``counts``); returns its client, or None."""
    try:
        manager = ReferenceManager(models, resource, url)
    except Exception:  # pylint: disable=broad-except
        log.exception('Failed to initialize ECSResourceManager for resource %s (%s)', resource.pk, resource.name)
        counts['errors'] += 1
        return None
    types = dict((name, models['AllocationAttributeType'].objects.get(name=name)) for name in (QUOTA_TB, QUOTA_BYTES))
    for allocation in models['Allocation'].objects.filter(status__name='Active', resources=resource):
        if _sync_allocation(models, manager, allocation, types):
            counts['synced'] += 1
        else:
            counts['errors'] += 1
    try:
        manager.update_resource_usage()
    except Exception:  # pylint: disable=broad-except
        log.exception('Failed updating resource usage attributes for resource %s', resource.pk)
        counts['errors'] += 1
    return manager.client


# ---- design: the first baseline (a sketch of the plugin's algorithm) ---------------------------------------------

class DesignClient:
    """One logged-in ``requests`` session, TLS verified on every call, every page read, a logout."""

    def __init__(self, url, username, password, ca_path):
        self.url = url
        self.ca_path = ca_path
        self.session = requests.Session()
        self.session.headers['Accept'] = 'application/json'
        self.calls = 1
        response = self.session.get(url + '/login', auth=(username, password), verify=ca_path, timeout=60)
        response.raise_for_status()
        self.session.headers['X-SDS-AUTH-TOKEN'] = response.headers['X-SDS-AUTH-TOKEN']

    def get(self, path, **params):
        self.calls += 1
        response = self.session.get(self.url + path, params=params, verify=self.ca_path, timeout=60)
        response.raise_for_status()
        return response.json()

    def namespaces(self):
        names, marker = [], None
        while True:
            page = self.get('/object/namespaces', **({'marker': marker} if marker else {}))
            names += [item.get('name') or item['id'] for item in page.get('namespace') or []]
            marker = page.get('NextMarker')
            if not marker:
                return names

    def logout(self):
        self.calls += 1
        self.session.get(self.url + '/logout', verify=self.ca_path, timeout=60)
        self.session.close()


def sync_design(models, resource, ecs, counts):
    """One resource, the first baseline's way (raises on any failure)."""
    capacity = ecs.get('/object/capacity')
    allocated_gb = 0
    for namespace in ecs.namespaces():
        allocated_gb += max(ecs.get('/object/namespaces/namespace/%s/quota' % namespace).get('blockSize', -1), 0)
    provisioned, free = capacity['totalProvisioned_gb'], capacity['totalFree_gb']
    for name, value in (('capacity_tb', units.gb_to_tb(provisioned)), ('used_tb', units.gb_to_tb(provisioned - free)),
                        ('allocated_tb', units.gb_to_tb(allocated_gb))):
        attribute_type = models['ResourceAttributeType'].objects.get(name=name)
        attribute, _created = models['ResourceAttribute'].objects.get_or_create(
            resource=resource, resource_attribute_type=attribute_type, defaults={'value': '0'})
        attribute.value = units.format_number(value)
        attribute.save()
    for allocation in models['Allocation'].objects.filter(resources=resource, status__name='Active').order_by('pk'):
        namespace = naming.derive_namespace(allocation.project.title, allocation.get_attribute('Namespace'))
        bucket = naming.derive_bucket(namespace, allocation.get_attribute('Bucket'))
        hard_gb = ecs.get('/object/namespaces/namespace/%s/quota' % namespace)['blockSize']
        size_kb = ecs.get('/object/billing/buckets/%s/%s/info' % (namespace, bucket), sizeunit='KB')['total_size']
        quota_tb = units.gb_to_tb(hard_gb)
        for name, value in ((QUOTA_TB, units.format_number(quota_tb)), (QUOTA_BYTES, str(units.tb_to_bytes(quota_tb)))):
            attribute = allocation.allocationattribute_set.get(allocation_attribute_type__name=name)
            attribute.value = value
            attribute.save()
        allocation.set_usage(QUOTA_TB, units.kb_to_tb(size_kb))
        allocation.set_usage(QUOTA_BYTES, units.kb_to_bytes(size_kb))
        counts['synced'] += 1


def _models():
    import django  # pylint: disable=import-outside-toplevel
    django.setup()
    from coldfront.core.allocation.models import (  # pylint: disable=import-outside-toplevel
        Allocation, AllocationAttribute, AllocationAttributeType)
    from coldfront.core.resource.models import (  # pylint: disable=import-outside-toplevel
        Resource, ResourceAttribute, ResourceAttributeType)
    return {'Allocation': Allocation, 'AllocationAttribute': AllocationAttribute,
            'AllocationAttributeType': AllocationAttributeType, 'Resource': Resource,
            'ResourceAttribute': ResourceAttribute, 'ResourceAttributeType': ResourceAttributeType}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--resource', action='append', required=True, metavar='NAME=URL',
                        help='a ColdFront resource and the ECS URL that serves it (repeat)')
    parser.add_argument('--ca', required=True, help='CA bundle of the ECS endpoints (design variant only)')
    parser.add_argument('--variant', choices=('reference', 'design'), default='reference',
                        help='reference: the plugin as it runs (default); design: the first baseline')
    args = parser.parse_args(argv)
    started = time.monotonic()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    urllib3.disable_warnings()     # python-ecsclient silences every InsecureRequestWarning of the process
    models = _models()
    counts = {'synced': 0, 'errors': 0, 'ecs_calls': 0}
    for item in args.resource:
        name, url = item.split('=', 1)
        resource = models['Resource'].objects.get(name=name)
        if args.variant == 'design':
            ecs = DesignClient(url, os.environ['ECS_USER'], os.environ['ECS_PASS'], args.ca)
            sync_design(models, resource, ecs, counts)
            ecs.logout()
        else:
            ecs = sync_reference(models, resource, url, counts)
        counts['ecs_calls'] += ecs.calls if ecs else 0
    counts.update(variant=args.variant, seconds=round(time.monotonic() - started, 3))
    json.dump(counts, sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main())
