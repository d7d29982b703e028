# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ECS quotas (namespace and bucket): reading, the wanted value from module options, and the plan.

ECS keeps a hard quota (``blockSize``: writes blocked) and a soft quota (``notificationSize``: alert), both
in whole GB, ``-1`` meaning none.  The options shared by ``ecs_namespace``, ``ecs_bucket``,
``ecs_namespace_quota`` and ``ecs_bucket_quota`` are ``quota_gb`` or ``quota_tb`` (1 TB = 1024 GB) and
``soft_quota_percent`` (default 90 %, at least 1 GB) or ``soft_quota_gb``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsConfigError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import units
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.overrides import checked_soft_quota_percent

NO_QUOTA = {'hard_gb': units.UNLIMITED, 'soft_gb': units.UNLIMITED}

QUOTA_ARGUMENT_SPEC = dict(
    quota_gb=dict(type='int'),
    quota_tb=dict(type='float'),
    soft_quota_percent=dict(type='int'),
    soft_quota_gb=dict(type='int'),
)
QUOTA_MUTUALLY_EXCLUSIVE = [('quota_gb', 'quota_tb'), ('soft_quota_percent', 'soft_quota_gb')]


def _gb(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return units.UNLIMITED
    return units.UNLIMITED if number < 0 else number


def carries_quota(record):
    """Whether a namespace record holds its quota (a full namespace, or a list that carries quotas on some
    releases), so that no quota read is needed."""
    return 'blockSize' in (record or {}) and 'notificationSize' in record


def quota_from_record(record):
    """``{'hard_gb', 'soft_gb'}`` from a quota answer, a namespace (``blockSize``) or a bucket (``block_size``)."""
    record = record or {}
    hard = record.get('blockSize', record.get('block_size'))
    soft = record.get('notificationSize', record.get('notification_size'))
    return {'hard_gb': _gb(hard), 'soft_gb': _gb(soft)}


def wanted_quota(quota_gb=None, quota_tb=None, soft_quota_percent=None, soft_quota_gb=None):
    """The quota the options ask for: None (not managed), :data:`NO_QUOTA` (remove) or ``{'hard_gb', 'soft_gb'}``.

    Raises :class:`EcsConfigError` on values ECS would refuse (under 1 GB, soft above hard, percent out of 1-100).
    """
    if quota_gb is None and quota_tb is None:
        if soft_quota_percent is not None or soft_quota_gb is not None:
            raise EcsConfigError('a soft quota needs a hard quota: set quota_gb or quota_tb too')
        return None
    hard = int(quota_gb) if quota_gb is not None else units.tb_to_gb(quota_tb)
    if units.is_unlimited(hard):
        return dict(NO_QUOTA)
    if hard < 1:
        raise EcsConfigError('quota %s is below the ECS minimum of 1 GB: use at least 1 GB, or -1 for no quota'
                             % (('%s GB' % quota_gb) if quota_gb is not None else ('%s TB' % quota_tb)))
    if soft_quota_gb is not None:
        if soft_quota_gb != units.UNLIMITED and not 1 <= soft_quota_gb <= hard:
            raise EcsConfigError('soft_quota_gb %d must be between 1 and the hard quota (%d GB), or -1 for no soft quota'
                                 % (soft_quota_gb, hard))
        return {'hard_gb': hard, 'soft_gb': soft_quota_gb}
    try:
        percent = checked_soft_quota_percent(
            units.DEFAULT_SOFT_QUOTA_PERCENT if soft_quota_percent is None else soft_quota_percent)
    except ValueError as exc:
        raise EcsConfigError(str(exc))
    return {'hard_gb': hard, 'soft_gb': units.soft_quota_gb(hard, percent)}


def wanted_quota_from_params(params):
    """:func:`wanted_quota` from module parameters named as in :data:`QUOTA_ARGUMENT_SPEC`."""
    return wanted_quota(**dict((key, params.get(key)) for key in QUOTA_ARGUMENT_SPEC))


def quota_action(current, wanted):
    """``'set'``, ``'remove'`` or None (nothing to do) to go from ``current`` to ``wanted``."""
    if wanted is None or current == wanted:
        return None
    return 'remove' if wanted == NO_QUOTA else 'set'


def apply_quota(action, wanted, set_quota, remove_quota):
    """Run the planned ``action`` with the client callables ``set_quota(hard, soft)`` / ``remove_quota()``."""
    if action == 'set':
        set_quota(wanted['hard_gb'], wanted['soft_gb'])
    elif action == 'remove':
        remove_quota()


def ensure_quota(current, wanted, set_quota, remove_quota, check_mode):
    """Bring a quota from ``current`` to ``wanted`` (no write when equal or in check mode).

    Returns ``(changed, quota after)``; ``quota after`` is ``current`` when the quota is not managed.
    """
    action = quota_action(current, wanted)
    if action and not check_mode:
        apply_quota(action, wanted, set_quota, remove_quota)
    return bool(action), (dict(wanted) if action else current)


def quota_view(quota):
    """A quota for module output: GB as on ECS plus the hard quota in TB (``-1`` stays ``-1``)."""
    return {'hard_gb': quota['hard_gb'], 'soft_gb': quota['soft_gb'], 'hard_tb': units.gb_to_tb(quota['hard_gb'])}


def quota_module_result(current, params, set_quota, remove_quota, check_mode):
    """Result of ``ecs_namespace_quota`` / ``ecs_bucket_quota``: ``state=absent`` removes, else the options decide."""
    wanted = dict(NO_QUOTA) if params['state'] == 'absent' else wanted_quota_from_params(params)
    changed, after = ensure_quota(current, wanted, set_quota, remove_quota, check_mode)
    return {'changed': changed, 'quota': quota_view(after),
            'diff': {'before': quota_view(current), 'after': quota_view(after)}}
