# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Public entry point: the Dell ECS Management API client, for re-use outside this collection's modules.

    from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.ecs_client import EcsClient, EcsApiError

    with EcsClient('ecs1.example.org', 'root', password, ca_path='/etc/pki/ecs-ca.pem') as ecs:
        namespace = ecs.find_namespace('smith-lab')          # None when it does not exist

Meant for re-use, and kept stable: :class:`EcsClient` (plain arguments, no Ansible), :func:`federation_key`,
``DEFAULT_PORT``, ``DEFAULT_MAX_WORKERS`` and the error classes (:class:`EcsApiError` with its ``kind`` and
``code``, :class:`EcsNotFoundError`, :class:`EcsConfigError`, :class:`EcsModuleFailure`).  Everything under
``module_utils/_ecs`` and the other underscore packages is private and may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.client import DEFAULT_MAX_WORKERS, EcsClient
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import (
    EcsApiError, EcsConfigError, EcsModuleFailure, EcsNotFoundError)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import DEFAULT_PORT
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.systems import federation_key

__all__ = ('DEFAULT_MAX_WORKERS', 'DEFAULT_PORT', 'EcsApiError', 'EcsClient', 'EcsConfigError', 'EcsModuleFailure',
           'EcsNotFoundError', 'federation_key')
