# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every ECS module shares: the connection options (doc fragment ``hpc.coldfront_ecs.ecs``), the
client built from them, and one way to run, log out and report (one actionable line on failure).

    module = EcsModule(dict(name=dict(type='str', required=True)))
    module.run(lambda ecs: {'changed': False, 'namespace': ecs.find_namespace(module.params['name'])})
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.base_module import CollectionModule

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.client import DEFAULT_MAX_WORKERS, EcsClient
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import (
    EcsApiError, EcsConfigError, EcsModuleFailure)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.quota import (
    QUOTA_ARGUMENT_SPEC, QUOTA_MUTUALLY_EXCLUSIVE)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import (
    DEFAULT_PORT, DEFAULT_RETRIES, DEFAULT_TIMEOUT, HAS_REQUESTS, REQUESTS_IMPORT_ERROR)

MAX_WORKERS_LIMIT = 16


def ecs_argument_spec(workers=False, quota=False):
    """Connection options (+ ``max_workers`` and the quota options when asked for)."""
    spec = dict(
        host=dict(type='str', required=True, fallback=(env_fallback, ['ECS_HOST'])),
        port=dict(type='int', default=DEFAULT_PORT, fallback=(env_fallback, ['ECS_PORT'])),
        username=dict(type='str', required=True, fallback=(env_fallback, ['ECS_USER'])),
        password=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['ECS_PASS'])),
        validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['ECS_VALIDATE_CERTS'])),
        ca_path=dict(type='path', fallback=(env_fallback, ['ECS_CA_PATH'])),
        timeout=dict(type='float', default=DEFAULT_TIMEOUT),
        retries=dict(type='int', default=DEFAULT_RETRIES),
    )
    if workers:
        spec['max_workers'] = dict(type='int', default=DEFAULT_MAX_WORKERS)
    if quota:
        spec.update(QUOTA_ARGUMENT_SPEC)
    return spec


def client_from_params(params):
    """An :class:`EcsClient` from module parameters (raises :class:`EcsConfigError` on bad values)."""
    if params['timeout'] <= 0:
        raise EcsConfigError('timeout must be more than 0 seconds')
    if params['retries'] < 0:
        raise EcsConfigError('retries must be 0 or more')
    workers = params.get('max_workers')
    workers = DEFAULT_MAX_WORKERS if workers is None else workers   # 0 is refused like -3, not taken as the default
    if not 1 <= workers <= MAX_WORKERS_LIMIT:
        raise EcsConfigError('max_workers must be between 1 and %d (ECS copes badly with more than about 4 parallel calls)'
                             % MAX_WORKERS_LIMIT)
    return EcsClient(params['host'], params['username'], params['password'], port=params['port'],
                     validate_certs=params['validate_certs'], ca_path=params['ca_path'], timeout=params['timeout'],
                     retries=params['retries'], max_workers=workers)


class EcsModule(CollectionModule):
    """An ``AnsibleModule`` with the ECS options, check mode, and :meth:`run` that always logs out."""

    def __init__(self, argument_spec, workers=False, quota=False, mutually_exclusive=None, **kwargs):
        spec = ecs_argument_spec(workers=workers, quota=quota)
        spec.update(argument_spec)
        exclusive = list(mutually_exclusive or [])
        if quota:
            exclusive += QUOTA_MUTUALLY_EXCLUSIVE
        super(EcsModule, self).__init__(argument_spec=spec, supports_check_mode=True,
                                        mutually_exclusive=exclusive or None, **kwargs)

    def run(self, work):
        """``work(client)`` returns the result dict; the token is released before the module exits."""
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        session = EcsSession(self)
        try:
            result = session.run(work)
            result.setdefault('ecs_calls', session.calls)
        except EcsModuleFailure as failure:
            self.fail_json(msg=failure.msg, ecs_calls=session.calls, **failure.extra)
        except EcsApiError as error:
            self.fail_json(msg=error.message, error=error.as_dict(), ecs_calls=session.calls)
        except EcsConfigError as error:
            self.fail_json(msg=str(error), ecs_calls=session.calls)
        self.exit_with(result)


class EcsSession:
    """One logged-in use of the ECS endpoint of ``module.params`` (any module with the ECS options).

    :meth:`run` warns when certificates are not verified, logs in, runs ``work(client)``, logs out, and hands the
    client's warnings (a failed ``GET /logout`` leaves a token live on ECS) to the module; ECS errors propagate.
    """

    def __init__(self, module):
        self.module = module
        self.client = None

    @property
    def calls(self):
        return self.client.calls if self.client is not None else 0

    def run(self, work):
        self.client = client = client_from_params(self.module.params)
        if not client.validate_certs:
            self.module.warn('validate_certs is false: the ECS certificate of %s is not verified, so the password and '
                             'token could be intercepted; set ca_path to the CA bundle instead' % client.base_url)
        try:
            with client:
                return work(client)
        finally:
            for warning in client.warnings:
                self.module.warn(warning)
