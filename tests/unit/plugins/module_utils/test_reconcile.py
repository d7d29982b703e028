"""Which side wins when a quota differs (all values in ECS GB), as docs/quotas.md says."""

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
    assert 'ColdFront 20 TB (21990232555520 bytes), ECS 5 TB (5497558138880 bytes)' in text
    assert 'last agreed on 10 TB (10995116277760 bytes)' in text
    assert 'nothing was changed' in text


@pytest.mark.parametrize('coldfront, agreed, ecs', [(20480, 10240, 5120), (10240, None, 5120), (20480, 10240, -1)])
def test_conflict_fix_settles_the_conflict_either_way(coldfront, agreed, ecs):
    """The values the conflict message gives, once set, turn the conflict into a push or a record."""
    fix = r.conflict_fix(coldfront, ecs)
    assert fix['coldfront_quota_bytes'] == coldfront * 1024 ** 3 and fix['ecs_quota_bytes'] == r.quota_bytes(ecs)
    [(name, quota_bytes)] = fix['keep_coldfront'].items()
    assert name == 'Quota_In_Bytes'
    assert r.quota_decision(coldfront, r.agreed_gb(quota_bytes), ecs) == r.PUSH
    [(name, tb_text)] = fix['keep_ecs'].items()
    assert name == 'Storage Quota (TB)'
    assert r.quota_decision(r.quota_gb(float(tb_text)), agreed, ecs) in (r.RECORD, r.IN_SYNC)
    text = r.conflict_message(3, 'ecs-east', 'lab', coldfront, agreed, ecs)
    assert 'set Quota_In_Bytes to %d' % quota_bytes in text and 'set Storage Quota (TB) to %s' % tb_text in text


def test_conflict_fix_names_the_site_attributes_and_skips_an_unset_coldfront_quota():
    fix = r.conflict_fix(None, 5120, {'quota_tb': 'Quota TB', 'quota_bytes': 'Agreed Bytes'})
    assert fix['keep_coldfront'] is None and fix['keep_ecs'] == {'Quota TB': '5'}
    assert fix['coldfront_quota_bytes'] is None


def test_change_text():
    assert r.change_text(10240, 12288) == '10 TB -> 12 TB'
    assert r.change_text(None, -1) == 'unset -> unlimited'
