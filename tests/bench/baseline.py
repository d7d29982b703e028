"""The baseline: the reference Django plugin's ``ecs_sync`` algorithm (DESIGN section 6), against the same
simulators and database as the collection.

What the reference plugin does, and so what this does, sequentially, in one process with ColdFront's models:

* per ECS resource: log in, read the capacity, list the namespaces, read the quota of every namespace (to sum
  ``allocated``), then save ``capacity_tb``, ``used_tb`` and ``allocated_tb``;
* per Active allocation of the resource: read its namespace quota, then its bucket's billing; save the value of
  ``Storage Quota (TB)`` and of ``Quota_In_Bytes`` (``save()``), then ``set_usage()`` on both: 4 saves, so 4 history
  rows, every run, whether anything changed or not;
* autocommit (a management command), ``requests`` with ``verify=<CA>`` on every call, one keep-alive session.

Names come from the ``Namespace``/``Bucket`` attributes, else the project title's slug (DESIGN section 3); units go
through ``module_utils/_rules/units.py`` like everything else.  Run as a script by the harness (its own process, so its
memory and Django start-up are measured like a management command's):

    DB_URL=... python tests/bench/baseline.py --resource bench-ecs-0=https://127.0.0.1:PORT ... --ca CA.pem
"""

import argparse
import json
import os
import sys
import time

import requests

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(BENCH_DIR))
sys.path.insert(0, os.path.join(REPO, '.build', 'collections'))

# pylint: disable=wrong-import-position
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import naming, units  # noqa: E402

QUOTA_TB, QUOTA_BYTES = 'Storage Quota (TB)', 'Quota_In_Bytes'


class Ecs:
    """The plugin's ECS access: one logged-in ``requests`` session, TLS verified on every call."""

    def __init__(self, url, username, password, ca_path):
        self.url = url
        self.ca_path = ca_path
        self.session = requests.Session()
        self.session.headers['Accept'] = 'application/json'
        self.calls = 0
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
        self.session.get(self.url + '/logout', verify=self.ca_path, timeout=60)
        self.session.close()


def sync_resource(models, resource, ecs):
    """One resource, the reference way; returns the number of saves."""
    saves = 0
    capacity = ecs.get('/object/capacity')
    allocated_gb = 0
    for namespace in ecs.namespaces():
        hard_gb = ecs.get('/object/namespaces/namespace/%s/quota' % namespace).get('blockSize', -1)
        allocated_gb += max(hard_gb, 0)
    provisioned, free = capacity['totalProvisioned_gb'], capacity['totalFree_gb']
    for name, value in (('capacity_tb', units.gb_to_tb(provisioned)), ('used_tb', units.gb_to_tb(provisioned - free)),
                        ('allocated_tb', units.gb_to_tb(allocated_gb))):
        attribute_type = models['ResourceAttributeType'].objects.get(name=name)
        attribute, _created = models['ResourceAttribute'].objects.get_or_create(
            resource=resource, resource_attribute_type=attribute_type, defaults={'value': '0'})
        attribute.value = units.format_number(value)
        attribute.save()
        saves += 1
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
        saves += 4
    return saves


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--resource', action='append', required=True, metavar='NAME=URL',
                        help='a ColdFront resource and the ECS URL that serves it (repeat)')
    parser.add_argument('--ca', required=True, help='CA bundle of the ECS endpoints')
    args = parser.parse_args(argv)
    started = time.monotonic()
    import django  # pylint: disable=import-outside-toplevel
    django.setup()
    from coldfront.core.allocation.models import Allocation  # pylint: disable=import-outside-toplevel
    from coldfront.core.resource.models import Resource, ResourceAttribute, ResourceAttributeType  # pylint: disable=import-outside-toplevel
    models = {'Allocation': Allocation, 'ResourceAttribute': ResourceAttribute,
              'ResourceAttributeType': ResourceAttributeType}
    calls = saves = 0
    for item in args.resource:
        name, url = item.split('=', 1)
        ecs = Ecs(url, os.environ['ECS_USER'], os.environ['ECS_PASS'], args.ca)
        saves += sync_resource(models, Resource.objects.get(name=name), ecs)
        ecs.logout()
        calls += ecs.calls
    json.dump({'ecs_calls': calls, 'saves': saves, 'seconds': round(time.monotonic() - started, 3)}, sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main())
