# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ColdFront resources as ECS endpoints, with the ECS views of their allocations (no Django import).

One code path for the inventory plugin (host vars) and for ``coldfront_ecs_allocation_info`` (the same views
read at run time when the inventory leaves allocations out of the host vars):

* :func:`usable_resources`: the resources whose ``url`` attribute gives an ECS host; every other one is
  named in a warning and left out.
* :func:`system_views`: the ECS views of every usable resource's allocations.  Resources of one ECS federation
  share one namespace name space, so namespace collisions are marked across them (``mark_collisions``): resources
  whose recorded federations (VDC ids read from ECS by provisioning) intersect, or whose hosts are the same.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import (
    allocation_view, mark_collisions)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import DEFAULT_NAMES
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.credentials import hide, mask_credentials
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.endpoint import InvalidEndpoint, host_name

# Resource attribute where provisioning records the VDC ids of the endpoint's ECS federation.
DEFAULT_FEDERATION_ATTRIBUTE = DEFAULT_NAMES['federation']


def scrub_credentials(records):
    """Resource records with any password inside an attribute value (``https://user:pw@host``) masked."""
    for record in records:
        attributes = record.get('attributes') or {}
        for name, value in attributes.items():
            if isinstance(value, str) and '@' in value:
                attributes[name] = mask_credentials(value)
    return records


def usable_resources(records, url_attribute, port):
    """``([(record, ecs host)], [warning])``: resources (by name) with a usable ``url_attribute``, and why not the others."""
    usable, warnings = [], []
    for record in sorted(records, key=lambda item: item['name']):
        url = (record.get('attributes') or {}).get(url_attribute)
        where = 'ColdFront resource %r (id %s)' % (record['name'], record['id'])
        if url_attribute in (record.get('duplicate_attributes') or ()):
            warnings.append('%s has more than one %r attribute (attribute types with the same name): left out of the '
                            'inventory; delete the duplicate type or value' % (where, url_attribute))
            continue
        if not url:
            warnings.append('%s has no %r attribute: left out of the inventory; set it to the ECS host name or '
                            'https://host' % (where, url_attribute))
            continue
        try:
            usable.append((record, host_name(url, port)))
        except InvalidEndpoint as exc:
            warnings.append(hide('%s: %r attribute %r refused (%s): left out of the inventory'
                                 % (where, url_attribute, url, exc), url))
    return usable, warnings


def unique_vdc_ids(vdc_ids):
    """Sorted distinct VDC ids, blanks left out."""
    return sorted(set(text for text in (str(vdc_id or '').strip() for vdc_id in vdc_ids) if text))


def federation_key(vdc_ids):
    """The text stored in ColdFront for an endpoint's federation: its VDC ids, sorted, de-duplicated, ','-joined.

    Namespaces are global in an ECS federation, so two endpoints share one namespace name space when their VDC
    id sets intersect, whatever host names reach them.
    """
    return ','.join(unique_vdc_ids(vdc_ids))


def federation_ids(value):
    """The VDC ids of a recorded federation (the text of :func:`federation_key`); empty when unset."""
    return unique_vdc_ids(str(value or '').split(','))


def ecs_systems(usable, federation_attribute):
    """``{resource id: system key}``: resources sharing a VDC of their recorded federations, or a host, share a key."""
    parent = {}

    def root(token):
        while parent.setdefault(token, token) != token:
            token = parent[token]
        return token

    tokens = {}
    for record, host in usable:
        own = ['host:' + host.lower()] + ['vdc:' + vdc for vdc in
                                          federation_ids((record.get('attributes') or {}).get(federation_attribute))]
        tokens[record['id']] = own
        for token in own[1:]:
            parent[root(token)] = root(own[0])
    return dict((resource_id, root(own[0])) for resource_id, own in tokens.items())


def system_views(usable, settings, federation_attribute=DEFAULT_FEDERATION_ATTRIBUTE):
    """``{resource id: [view, ...]}`` for ``usable`` (from :func:`usable_resources`), collisions marked per federation."""
    views_by_resource, views_per_system, claims_per_system = {}, {}, {}
    systems = ecs_systems(usable, federation_attribute)
    for record, _host in usable:
        allocations = sorted(record.get('allocations') or (), key=lambda allocation: allocation['id'])
        views = [allocation_view(record, allocation, settings) for allocation in allocations]
        views_by_resource[record['id']] = views
        views_per_system.setdefault(systems[record['id']], []).extend(views)
        claims_per_system.setdefault(systems[record['id']], []).extend(record.get('other_claims') or ())
    for system, views in views_per_system.items():
        mark_collisions(views, settings, claims_per_system[system])
    return views_by_resource
