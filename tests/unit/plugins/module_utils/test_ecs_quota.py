"""Quota options of the ECS modules: wanted value, plan, and names ECS would refuse."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsConfigError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.quota import (
    NO_QUOTA, ensure_quota, quota_action, quota_from_record, wanted_quota)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import check_name


@pytest.mark.parametrize('kwargs, expected', [
    ({}, None),
    ({'quota_gb': 1000}, {'hard_gb': 1000, 'soft_gb': 900}),
    ({'quota_gb': 1}, {'hard_gb': 1, 'soft_gb': 1}),
    ({'quota_tb': 10}, {'hard_gb': 10240, 'soft_gb': 9216}),
    ({'quota_tb': 0.5, 'soft_quota_percent': 50}, {'hard_gb': 512, 'soft_gb': 256}),
    ({'quota_gb': 100, 'soft_quota_gb': 80}, {'hard_gb': 100, 'soft_gb': 80}),
    ({'quota_gb': 100, 'soft_quota_gb': -1}, {'hard_gb': 100, 'soft_gb': -1}),
    ({'quota_gb': -1}, NO_QUOTA),
    ({'quota_tb': -1}, NO_QUOTA),
])
def test_wanted_quota(kwargs, expected):
    assert wanted_quota(**kwargs) == expected


@pytest.mark.parametrize('kwargs, message', [
    ({'quota_gb': 0}, 'below the ECS minimum of 1 GB'),
    ({'quota_tb': 0.0001}, None),
    ({'quota_gb': 10, 'soft_quota_gb': 11}, 'between 1 and the hard quota'),
    ({'quota_gb': 10, 'soft_quota_percent': 0}, 'between 1 and 100'),
    ({'quota_gb': 10, 'soft_quota_percent': 101}, 'between 1 and 100'),
    ({'soft_quota_gb': 5}, 'needs a hard quota'),
])
def test_wanted_quota_refusals(kwargs, message):
    if message is None:  # 0.0001 TB rounds up to 1 GB: accepted
        assert wanted_quota(**kwargs) == {'hard_gb': 1, 'soft_gb': 1}
        return
    with pytest.raises(EcsConfigError, match=message):
        wanted_quota(**kwargs)


def test_quota_from_namespace_bucket_and_quota_records():
    assert quota_from_record({'blockSize': 10, 'notificationSize': 9}) == {'hard_gb': 10, 'soft_gb': 9}
    assert quota_from_record({'block_size': 10, 'notification_size': 9}) == {'hard_gb': 10, 'soft_gb': 9}
    assert quota_from_record({}) == NO_QUOTA
    assert quota_from_record({'blockSize': None, 'notificationSize': -5}) == NO_QUOTA


def test_plan_and_apply():
    calls = []
    current = {'hard_gb': 10, 'soft_gb': 9}
    assert quota_action(current, None) is None
    assert quota_action(current, dict(current)) is None
    assert quota_action(current, NO_QUOTA) == 'remove'
    assert quota_action(NO_QUOTA, NO_QUOTA) is None
    assert ensure_quota(current, {'hard_gb': 20, 'soft_gb': 18}, lambda h, s: calls.append((h, s)),
                        lambda: calls.append('rm'), check_mode=True) == (True, {'hard_gb': 20, 'soft_gb': 18})
    assert calls == []
    assert ensure_quota(current, NO_QUOTA, lambda h, s: calls.append((h, s)), lambda: calls.append('rm'), False)[0]
    assert ensure_quota(current, {'hard_gb': 20, 'soft_gb': 18}, lambda h, s: calls.append((h, s)),
                        lambda: calls.append('rm'), False)[0]
    assert calls == ['rm', (20, 18)]


@pytest.mark.parametrize('kind, name', [('namespace', 'smith-lab'), ('namespace', 'Lab_01'), ('bucket', 'a.b-c_d')])
def test_names_ecs_accepts(kind, name):
    assert check_name(kind, name) == name


@pytest.mark.parametrize('kind, name', [('namespace', ''), ('namespace', 'a/b'), ('namespace', '..'), ('namespace', 'a.b'),
                                        ('bucket', '.a'), ('bucket', 'a..b'), ('bucket', 'a b'), ('bucket', 'x' * 256)])
def test_names_ecs_refuses(kind, name):
    with pytest.raises(EcsConfigError, match='not valid on ECS'):
        check_name(kind, name)
