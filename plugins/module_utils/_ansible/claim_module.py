# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ECS modules that record claims share (``ecs_provision``, ``ecs_adopt``): the options of the doc fragment
``hpc.coldfront_ecs.claims`` and the opener of the claim ledger of the endpoint's federation."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import coldfront_argument_spec
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.access import setup_django
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.claims import ClaimNames, claim_ledger
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsConfigError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import attribute_names_spec


def claim_argument_spec():
    """The ColdFront connection and history options, ``resource`` and ``attribute_names``."""
    spec = coldfront_argument_spec(writes=True)
    spec.update(resource=dict(type='str'),
                attribute_names=dict(type='dict', default={}, options=attribute_names_spec()))
    return spec


def resource_of(params):
    """The resource whose federation is locked: the option, else the one every allocation names."""
    if params['resource']:
        return params['resource']
    resources = set(view.get('resource') for view in params['allocations'])
    if len(resources) != 1:
        raise EcsConfigError('resource is required: the allocations given name %s'
                             % (', '.join(sorted(str(name) for name in resources)) or 'no resource'))
    return resources.pop()


def ledger_opener(name, params, check_mode):
    """``open(vdcs)`` -> the claim ledger of the resource's federation; ColdFront is set up on the first use only.

    ``name`` (the module's short name) starts the change reason of the claims, as the ColdFront modules do.
    """
    resource = resource_of(params)

    def open_ledger(vdcs):
        setup_django(env_file=params['coldfront_env_file'], db_url=params['db_url'],
                     settings_module=params['settings_module'])
        attributes = params['attribute_names']
        names = ClaimNames(claim=attributes['claim'], subdirectory=attributes['subdirectory'],
                           quota_tb=attributes['quota_tb'], federation=attributes['federation'], url=attributes['url'])
        reason = '%s: %s' % (name, params['change_reason']) if params['change_reason'] else name
        return claim_ledger(resource, vdcs, names, reason=reason, user=params['history_user'], check_mode=check_mode)
    return open_ledger
