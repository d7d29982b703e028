# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who owns which ECS namespace, recorded in ColdFront: the claim ledger of one ECS federation.

    with claim_ledger('ecs-east', ['urn:storageos:VirtualDataCenterData:1'], ClaimNames()) as ledger:
        ledger.holders('smith-lab')     # allocations that claimed or recorded it, any status, any resource of the federation
        ledger.claim_of(12)             # ('smith-lab', 'lab-smith-lab-bucket') or None
        ledger.pending()                # claims not provisioned yet, with their quota in TB
        ledger.claim(12, 'smith-lab', 'lab-smith-lab-bucket')
    # committed here, in one transaction: the new claims and the resource's federation

A claim is the allocation attribute ``ECS_Claim`` (``<namespace>:<bucket>``), written before anything is created on
ECS; ``Subdirectory`` is written after.  Namespaces are global in an ECS federation, so the ledger covers every
resource whose recorded federation shares a VDC with this endpoint's, and every ECS resource whose federation is not
known yet: a host string proves nothing.  The ledger is one transaction that first locks the rows of those resources
(SQLite: the whole database, its transactions start with ``BEGIN IMMEDIATE``), so two provision runs take turns and the
second sees the first's claims.  Decisions are the caller's; this module only reads and records.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.access import ColdFrontError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.write import apply_changes
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import DEFAULT_NAMES
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.systems import federation_ids, federation_key


class ClaimNames:
    """The attribute names the ledger reads and writes."""

    def __init__(self, claim=DEFAULT_NAMES['claim'], subdirectory=DEFAULT_NAMES['subdirectory'],
                 quota_tb=DEFAULT_NAMES['quota_tb'], federation=DEFAULT_NAMES['federation'], url=DEFAULT_NAMES['url']):
        self.claim = claim
        self.subdirectory = subdirectory
        self.quota_tb = quota_tb
        self.federation = federation
        self.url = url


def split_claim(value):
    """``(namespace, bucket)`` of a ``<namespace>:<bucket>`` value (no validation: the caller's views validate)."""
    namespace, _sep, bucket = str(value).partition(':')
    return namespace, bucket


def _models():
    from coldfront.core.allocation import models as allocation  # pylint: disable=import-outside-toplevel
    from coldfront.core.resource import models as resource  # pylint: disable=import-outside-toplevel
    return allocation, resource


class ClaimLedger:
    """The claims and records of one federation, read under lock; new claims are kept until :meth:`commit`."""

    def __init__(self, resource, vdcs, names):
        self.resource = resource
        self.vdcs = set(vdcs)
        self.names = names
        self.members = {}       # resource id: name, every resource of the federation (and of unknown federation)
        self.recorded_federation = None
        self.by_namespace = {}  # namespace: {allocation id: holder}
        self.claims = {}        # allocation id: (namespace, bucket)
        self.quotas = {}        # allocation id: Storage Quota (TB) text
        self.new_claims = []
        self.result = None

    # -- reading ---------------------------------------------------------------------------------------

    def load(self):
        allocation_models, resource_models = _models()
        ecs_rows = list(resource_models.ResourceAttribute.objects.filter(
            resource_attribute_type__name__in=[self.names.federation, self.names.url]).values_list(
            'resource_id', 'resource__name', 'resource_attribute_type__name', 'value'))
        this = resource_models.Resource.objects.filter(name=self.resource).values_list('pk', flat=True).first()
        if this is None:
            raise ColdFrontError('ColdFront resource %r does not exist: check the inventory host (coldfront_resource_name)'
                                 % self.resource)
        candidates = sorted(set([this] + [row[0] for row in ecs_rows]))
        # Lock first, in id order, so that two runs on one federation take turns (PostgreSQL; SQLite locks it all).
        list(resource_models.Resource.objects.select_for_update().filter(pk__in=candidates).order_by('pk')
             .values_list('pk', flat=True))
        self.select_members(this, ecs_rows)
        self.load_holders(allocation_models)

    def select_members(self, this, ecs_rows):
        federations, names = {}, {this: self.resource}
        for resource_id, name, attribute, value in ecs_rows:
            names[resource_id] = name
            if attribute == self.names.federation and value:
                federations[resource_id] = set(federation_ids(value))
        self.recorded_federation = federation_key(federations.get(this, ()))
        for resource_id, name in names.items():
            known = federations.get(resource_id)
            if resource_id == this or not known or known & self.vdcs:
                self.members[resource_id] = name

    def load_holders(self, allocation_models):
        rows = (allocation_models.AllocationAttribute.objects
                .filter(allocation_attribute_type__name__in=[self.names.claim, self.names.subdirectory],
                        allocation__resources__id__in=sorted(self.members))
                .exclude(value='').order_by('allocation_id', 'pk')
                .values_list('allocation_id', 'allocation__status__name', 'allocation__project__title',
                             'allocation__resources__name', 'allocation_attribute_type__name', 'value'))
        recorded = set()
        for allocation_id, status, project, resource, attribute, value in rows:
            namespace, bucket = split_claim(value.strip())
            how = 'claim' if attribute == self.names.claim else 'record'
            holder = self.by_namespace.setdefault(namespace, {}).setdefault(allocation_id, {
                'allocation_id': allocation_id, 'status': status, 'project': project, 'resource': resource,
                'namespace': namespace, 'bucket': bucket, 'how': how})
            if how == 'claim':
                self.claims[allocation_id] = (namespace, bucket)
            else:
                recorded.add(allocation_id)
                holder['how'] = 'record'
        unprovisioned = sorted(set(self.claims) - recorded)
        if unprovisioned:
            self.quotas = dict(allocation_models.AllocationAttribute.objects.filter(
                allocation_id__in=unprovisioned, allocation_attribute_type__name=self.names.quota_tb)
                .order_by('-pk').values_list('allocation_id', 'value'))

    def holders(self, namespace):
        """Allocations of the federation that claimed or recorded ``namespace``: dicts with allocation_id, status,
        project, resource, namespace, bucket and how (``claim`` or ``record``)."""
        return sorted(self.by_namespace.get(namespace, {}).values(), key=lambda holder: holder['allocation_id'])

    def claim_of(self, allocation_id):
        """``(namespace, bucket)`` this allocation claimed, or ``None``."""
        return self.claims.get(allocation_id)

    def pending(self):
        """Claims without a ``Subdirectory`` yet: ``[{allocation_id, namespace, quota_tb}]`` (quota text or None)."""
        provisioned = set(holder['allocation_id'] for holders in self.by_namespace.values()
                          for holder in holders.values() if holder['how'] == 'record')
        return [{'allocation_id': allocation_id, 'namespace': namespace, 'quota_tb': self.quotas.get(allocation_id)}
                for allocation_id, (namespace, _bucket) in sorted(self.claims.items()) if allocation_id not in provisioned]

    # -- writing ---------------------------------------------------------------------------------------

    def claim(self, allocation_id, namespace, bucket):
        """Claim ``namespace`` and ``bucket`` for the allocation (written at commit); the caller checked holders."""
        self.new_claims.append({'allocation_id': allocation_id, 'name': self.names.claim,
                                'value': '%s:%s' % (namespace, bucket)})
        self.claims[allocation_id] = (namespace, bucket)
        self.by_namespace.setdefault(namespace, {})[allocation_id] = {
            'allocation_id': allocation_id, 'status': None, 'project': None, 'resource': self.resource,
            'namespace': namespace, 'bucket': bucket, 'how': 'claim'}

    def commit(self, reason, user, check_mode):
        federation = federation_key(self.vdcs)
        resource_items = []
        if federation != self.recorded_federation:
            resource_items.append({'resource': self.resource, 'name': self.names.federation, 'value': federation})
        if self.new_claims or resource_items:
            self.result = apply_changes(allocation_attributes=self.new_claims, resource_attributes=resource_items,
                                        reason=reason, user=user, check_mode=check_mode)
        return self.result


@contextlib.contextmanager
def claim_ledger(resource, vdcs, names, reason=None, user=None, check_mode=False):
    """The :class:`ClaimLedger` of ``resource``'s federation (``vdcs``: its VDC ids, read from ECS), in one transaction.

    The claims made on it, and the federation when it changed, are written when the block ends without an exception
    (nothing in check mode); raises ``ColdFrontError`` (``ValidationFailed`` when an attribute type is missing).
    """
    from django.db import transaction  # pylint: disable=import-outside-toplevel
    if not vdcs:
        raise ColdFrontError('no VDC id read from the ECS endpoint of resource %r: its federation is unknown, so no '
                             'namespace can be claimed safely' % resource)
    with transaction.atomic():
        ledger = ClaimLedger(resource, vdcs, names)
        ledger.load()
        yield ledger
        ledger.commit(reason, user, check_mode)
