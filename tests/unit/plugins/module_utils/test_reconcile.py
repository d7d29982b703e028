"""DESIGN section 5: which side wins when a quota differs (all values in ECS GB)."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import reconcile as r


@pytest.mark.parametrize('coldfront, agreed, ecs, expected', [
    (10240, 10240, 10240, r.IN_SYNC),
    (20480, 10240, 10240, r.PUSH),       # approved change request not pushed yet
    (10240, 10240, 5120, r.PULL),        # changed directly on ECS
    (20480, 10240, 20480, r.RECORD),     # both sides moved to the same value
    (20480, 10240, 5120, r.CONFLICT),    # both moved differently: touch neither
    (10240, None, 5120, r.CONFLICT),     # never agreed and different: nobody can tell which side changed
    (10240, None, 10240, r.IN_SYNC),
    (None, None, 10240, r.BASELINE),
    (10240, 10240, -1, r.PULL),          # quota removed on ECS
])
def test_quota_decision(coldfront, agreed, ecs, expected):
    assert r.quota_decision(coldfront, agreed, ecs) == expected


def test_gb_granularity_avoids_flapping():
    # 0.3333 TB is 342 GB on ECS once pushed; the agreed value recorded from it must not look like a change.
    assert r.quota_gb(0.3333) == 342
    assert r.agreed_gb(int(0.3333 * 1024 ** 4)) == 342
    assert r.quota_decision(r.quota_gb(0.3333), r.agreed_gb(int(0.3333 * 1024 ** 4)), 342) == r.IN_SYNC
    assert r.agreed_gb(-1) == -1
    assert r.agreed_gb(None) is None


def test_conflict_message_names_everything():
    text = r.conflict_message(12, 'ecs-east', 'smith-lab', 20480, 10240, 5120)
    assert 'allocation 12 on ecs-east' in text
    assert 'ColdFront 20 TB, ECS 5 TB, last agreed 10 TB' in text
    assert 'nothing was changed' in text
