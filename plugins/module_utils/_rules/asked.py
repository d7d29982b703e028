# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why an allocation asked for by id (``-e allocation_id=N``, ``-e allocation_ids=[...]``) was not acted on.

One of :data:`REASONS`, checked in this order: it is not in ColdFront; none of its resources is an ECS resource
the inventory selects; its status is not one the role works on; or it is all of those and still was not read in
this run (its resource is not a host of the play, or the inventory does not read its status).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

NOT_FOUND = 'not_found'
NOT_ON_ECS_RESOURCE = 'not_on_ecs_resource'
NOT_IN_STATUS = 'not_in_status'
NOT_IN_RUN = 'not_in_run'
REASONS = (NOT_FOUND, NOT_ON_ECS_RESOURCE, NOT_IN_STATUS, NOT_IN_RUN)


def explain(allocation_id, record, ecs_resources, statuses):
    """``{id, project, status, resources, reason, message}`` for one id; ``record`` (``load_allocations``) is None
    when ColdFront has no allocation of that id, ``ecs_resources`` the names of the ECS resources selected."""
    if record is None:
        return _entry(allocation_id, None, NOT_FOUND,
                      'allocation %s was not found in ColdFront: check the id (the number in the address of the '
                      "allocation's ColdFront page, /allocation/<id>/)" % allocation_id)
    label = 'allocation %s (project %r, status %s)' % (allocation_id, record['project']['title'], record['status'])
    resources = list(record.get('resources') or ())
    on_ecs = [name for name in resources if name in ecs_resources]
    if not on_ecs:
        return _entry(allocation_id, record, NOT_ON_ECS_RESOURCE,
                      '%s is not on an ECS resource: its resources (%s) are not among the ECS resources the inventory '
                      "selects (%s); check the id, or the inventory's resource selection"
                      % (label, ', '.join(resources) or 'none', ', '.join(sorted(ecs_resources)) or 'none'))
    if record['status'] not in statuses:
        return _entry(allocation_id, record, NOT_IN_STATUS,
                      '%s on %s is not in a provisioned status: this run acts on %s allocations only; check the id, '
                      'or its status in ColdFront' % (label, ', '.join(on_ecs), '/'.join(statuses)))
    return _entry(allocation_id, record, NOT_IN_RUN,
                  '%s on %s was not read in this run: its resource is not a host of this play, or the inventory does '
                  'not read %s allocations; check --limit, coldfront_ecs_hosts and the inventory option '
                  'allocation_statuses' % (label, ', '.join(on_ecs), record['status']))


def _entry(allocation_id, record, reason, message):
    return {'id': allocation_id, 'project': record['project']['title'] if record else None,
            'status': record['status'] if record else None, 'resources': list(record['resources']) if record else [],
            'reason': reason, 'message': message}
