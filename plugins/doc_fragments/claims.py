# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options of the ECS modules that record claims in ColdFront (``ecs_provision``, ``ecs_adopt``)."""

    DOCUMENTATION = r'''
options:
  resource:
    description:
      - The ColdFront resource of this ECS endpoint (the host var C(coldfront_resource_name)).
      - Default, the C(resource) that every allocation given names; required when they name several, or none.
    type: str
notes:
  - Namespaces are global in an ECS federation, so a name is checked against the claims and records of every resource
    whose recorded federation (resource attribute O(attribute_names.federation), the VDC ids read from ECS) shares a
    VDC with this endpoint's. Resources that have an endpoint (O(attribute_names.url)) but no recorded federation
    count as part of every federation until provisioning records theirs.
'''
