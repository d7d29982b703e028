"""One judge (plugins/module_utils/_rules/judge.py): sync, the report, the filters and the alerts give the same verdict
and the same alert count for the same numbers (issue 18, with its numbers)."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.coldfront_ecs.plugins.filter import quota as quota_filters
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import report as R, sync_plan
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import merge_settings
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.judge import (
    QuotaError, check_threshold, enforced_limit, judge)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.quota import Quota, evaluate_thresholds
from integration.report.report_support import NOW, allocation, resource

TB, GB = 1024 ** 4, 1024 ** 3
FILTERS = quota_filters.FilterModule().filters()


# ---- the judge ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('usage, limit, unit, level, percent, enforced', [
    (9, 10, None, 'warning', 90.0, 10),
    (10, 10, None, 'warning', 100.0, 10),               # at the limit: not over it
    (10.5, 10, None, 'exceeded', 105.0, 10),
    (1, 10, None, 'ok', 10.0, 10),
    (None, 10, None, 'ok', 0.0, 10),                     # no usage counts as 0
    (500, -1, 'TB', 'unlimited', None, -1),
    (500, None, 'TB', 'unlimited', None, -1),
    (1, 0, 'TB', 'exceeded', None, 0),
    (0, 0, 'TB', 'ok', 0.0, 0),
    (110e9 / TB, 0.1, 'TB', 'warning', 99.46, 103 / 1024),   # 0.1 TB is 103 whole GB on ECS
    (110e9 / TB, 0.1, None, 'exceeded', 100.04, 0.1),        # unit-agnostic: the number as it is
    (10.4, 10.2, 'GB', 'warning', 94.55, 11),
])
def test_levels_against_the_enforced_limit(usage, limit, unit, level, percent, enforced):
    verdict = judge(usage, limit, unit, 0.9)
    assert (verdict['level'], verdict['percent'], verdict['problem']) == (level, percent, None)
    assert verdict['enforced_limit'] == pytest.approx(enforced)


@pytest.mark.parametrize('usage, limit, problem', [
    (-1, 10, 'usage -1 is negative'),
    (5, -5, 'limit -5 is negative'),
    ('lots', 10, "usage must be a number, got 'lots'"),
    (5, float('nan'), 'limit must be a finite number'),
])
def test_invalid_values_are_invalid_never_unlimited(usage, limit, problem):
    verdict = judge(usage, limit, 'TB')
    assert verdict['level'] == 'invalid' and verdict['percent'] is None
    assert verdict['problem'].startswith(problem)


@pytest.mark.parametrize('threshold', [90, 0, -0.5, 1.01, 'high', None])
def test_a_threshold_is_a_fraction_everywhere(threshold):
    for call in (lambda: check_threshold(threshold), lambda: judge(1, 10, None, threshold),
                 lambda: evaluate_thresholds({'name': 'r'}, threshold),
                 lambda: sync_plan.alerts({'name': 'r'}, threshold)):
        with pytest.raises(QuotaError, match=r'must be a fraction in \(0, 1\] \(0.9 = 90 %\)'):
            call()
    if threshold is not None:  # the report's None is "not set": the default
        with pytest.raises(R.ReportError, match=r'must be a fraction in \(0, 1\]'):
            R.report_options(threshold=threshold)
    for name, args in (('quota_exceeded', ({'limit': 10, 'usage': 9},)), ('quota_alerts', ({'name': 'r'},))):
        if threshold is None:
            continue
        with pytest.raises(AnsibleFilterError, match=r'%s: .*must be a fraction in \(0, 1\]' % name):
            FILTERS[name](*args, threshold=threshold)


def test_quota_exceeded_uses_the_judge():
    exceeded = FILTERS['quota_exceeded']
    assert exceeded({'limit': 10, 'usage': 9.5}, threshold=0.9)
    assert not exceeded({'limit': 0.1, 'usage': 110e9 / TB}, unit='TB')     # 103 GB on ECS: not over
    assert exceeded({'limit': 0.1, 'usage': 110e9 / TB})                    # the number as it is: over
    for bad in ({'limit': -5, 'usage': 1}, {'limit': 10, 'usage': -1}):
        with pytest.raises(AnsibleFilterError, match='is negative'):
            exceeded(bad)


def test_enforced_limit_and_trees_refuse_negative_values():
    assert [enforced_limit(v, 'TB') for v in (1e-9, 0.1, 2, -1, None)] == [1 / 1024, 103 / 1024, 2, -1, None]
    assert enforced_limit(0.1) == 0.1
    with pytest.raises(QuotaError, match='storage limit -5 is negative'):
        Quota('storage', -5, 1)
    with pytest.raises(QuotaError, match='namespace a: storage usage -1 is negative'):
        evaluate_thresholds({'name': 'r', 'namespaces': [{'name': 'a', 'limit': 10, 'usage': -1}]})


# ---- sync and report: the same data, the same verdict and count -------------------------------------------------

def sync_alerts(quota_tb, ecs_gb, usage_bytes, threshold=0.9):
    """Sync's alerts: the namespace on ECS with ``ecs_gb``, one bucket holding all of ``usage_bytes``."""
    view = {'id': 1, 'project': 'Smith Lab', 'namespace': 'smith-lab', 'bucket': 'lab-smith-lab-bucket',
            'quota_tb': quota_tb, 'quota_bytes': ecs_gb * GB, 'provisioned': True, 'errors': []}
    usage = {'endpoint': 'https://ecs:4443', 'capacity': {'total_provisioned_gb': 10240, 'total_free_gb': 4096},
             'namespaces': {'smith-lab': {'name': 'smith-lab', 'hard_quota_gb': ecs_gb}}, 'allocated_gb': ecs_gb,
             'unlimited_namespaces': [], 'failures': [],
             'usage': {'smith-lab': {'total_size_kb': usage_bytes / 1024,
                                     'buckets': {'lab-smith-lab-bucket': {'size_kb': usage_bytes / 1024}}}}}
    plan = sync_plan.plan_sync('ecs-east', [view], usage, merge_settings(), bucket_limits='namespace')
    return sync_plan.alerts(plan['quota_tree'], threshold)


def report_of(quota_tb, agreed_bytes, usage_bytes, **options):
    """The report of the same allocation as ColdFront holds it after sync (capacity 10 TB, used 6 TB)."""
    extra = {'Quota_In_Bytes': {'id': 3001, 'type': 'Int', 'value': str(agreed_bytes), 'usage': usage_bytes}}
    record = resource(1, 'ecs-east', [allocation(1, 'Smith Lab', str(quota_tb), usage_bytes / TB, extra=extra)],
                      capacity_tb=10, used_tb=6, allocated_tb=agreed_bytes / TB)
    return R.summarize([record], R.report_options(**options), NOW)


def shape(alerts):
    return [(a['kind'], a['allocation_id'], a['level'], round(a['percent'], 2)) for a in alerts]


def test_point_one_tb_is_103_gb_for_sync_and_report():
    found = sync_alerts(0.1, 103, 110e9)
    report = report_of(0.1, 103 * GB, 110e9)
    assert shape(found) == [('namespace', 1, 'warning', 99.46)]         # one alert, the bucket as detail
    assert [b['name'] for b in found[0]['buckets']] == ['lab-smith-lab-bucket']
    assert shape(report['alerts']) == shape(found)
    [row] = report['allocations']
    assert (row['limit'], row['enforced'], row['level'], row['percent'], row['quota_state']) == (
        0.1, 0.1006, 'warning', 99.46, 'agreed')
    assert report['alerts'][0]['message'] == found[0]['message'] == (
        'namespace smith-lab on resource ecs-east: storage usage 0.100044 TB is at 99.46% of limit 0.100586 TB '
        '(threshold 90%)')
    # Not agreed yet: judged against the requested 0.1 TB as ECS would hold it, and the message says so.
    tree = {'name': 'ecs-east', 'namespaces': [{'name': 'smith-lab', 'limit': 0.1, 'usage': 110e9 / TB}]}
    assert evaluate_thresholds(tree, unit='TB')[0]['message'] == (
        'namespace smith-lab on resource ecs-east: storage usage 0.100044 TB is at 99.46% of limit 0.1 TB '
        '(103 GB on ECS) (threshold 90%)')


def test_a_billionth_of_a_tb_is_one_gb_for_sync_and_report():
    assert sync_alerts(1e-9, 1, 500e6) == []
    report = report_of(1e-9, GB, 500e6)
    assert report['alerts'] == []
    [row] = report['allocations']
    assert (row['enforced'], row['percent'], row['level']) == (0.001, 46.57, None)   # 1 GB, not "limit 0 TB"


def test_sync_and_report_count_one_alert_per_allocation():
    found = sync_alerts(1, 1024, 1.2 * TB)                             # namespace and its bucket both over 1 TB
    report = report_of(1, TB, 1.2 * TB)
    assert shape(found) == shape(report['alerts']) == [('namespace', 1, 'exceeded', 120.0)]
    assert report['totals']['alerts'] == len(found) == 1


def test_a_pending_push_is_judged_against_what_ecs_holds():
    report = report_of(2, TB, 1.5 * TB)                                 # raised to 2 TB, not pushed: ECS keeps 1 TB
    [row] = report['allocations']
    assert (row['limit'], row['enforced'], row['agreed'], row['quota_state']) == (2, 1, 1, 'pending_push')
    assert (row['level'], report['totals']['pending_push']) == ('exceeded', 1)
    assert shape(report['alerts']) == shape(sync_alerts(2, 1024, 1.5 * TB)) == [('namespace', 1, 'exceeded', 150.0)]


@pytest.mark.parametrize('limit, usage, problem', [
    ('-5', 1.0, 'Storage Quota (TB) value -5 is negative (only -1 means unlimited)'),
    ('10', -1.0, 'usage -1 is negative (only a limit of -1 means unlimited)'),
])
def test_bad_values_are_data_problems_never_unlimited(limit, usage, problem):
    report = R.summarize([resource(1, 'ecs-east', [allocation(1, 'Smith Lab', limit, usage)], capacity_tb=10)],
                         R.report_options(), NOW)
    [row] = report['allocations']
    assert row['level'] == 'invalid' and row['percent'] is None and row['problems'] == [problem]
    assert row['limit'] != -1 and row['enforced'] is None or row['usage'] is None
    assert report['warnings'] == ['allocation 1 (Smith Lab) on resource ecs-east: %s' % problem]
    assert report['resources'][0]['unlimited_allocations'] == 0 and report['totals']['invalid'] == 1
    assert report['alerts'] == []
