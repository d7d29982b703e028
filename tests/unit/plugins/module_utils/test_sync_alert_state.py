"""Sync alert state (new / ongoing / recovered) from the usage ColdFront held before the sync, and the forecast."""

import datetime

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import sync_plan

NOW = datetime.datetime(2026, 6, 30, 12, tzinfo=datetime.timezone.utc)
DAY = datetime.timedelta(days=1)


def tree(*usages):
    return {'name': 'ecs-east', 'capacity': 1000, 'namespaces': [
        {'name': 'ns%d' % pk, 'allocation_id': pk, 'limit': 10, 'usage': usage,
         'buckets': [{'name': 'b%d' % pk, 'usage': usage, 'limit': 10}], 'bucket_count': 1}
        for pk, usage in enumerate(usages, 1)]}


def views(*usages):
    return [{'id': pk, 'usage_tb': usage, 'pi': 'pi%d' % pk, 'project': 'Lab %d' % pk}
            for pk, usage in enumerate(usages, 1)]


def test_states_from_the_usage_before_the_sync():
    now_tree, before = tree(9.5, 9.6, 2.0, 1.0), views(1.0, 9.5, 9.9, 1.0)
    found = sync_plan.alerts(now_tree, 0.9)
    previous = sync_plan.alerts(sync_plan.previous_tree(now_tree, before), 0.9)
    firing, recovered, digest = sync_plan.stated_alerts(found, previous, before)
    assert [(alert['allocation_id'], alert['state']) for alert in firing] == [(2, 'ongoing'), (1, 'new')]
    assert [(alert['allocation_id'], alert['state']) for alert in recovered] == [(3, 'recovered')]
    assert digest['pi']['pi3']['changed'] and not digest['pi']['pi2']['changed']
    assert 'pi4' not in digest['pi']


def test_unchanged_usage_gives_no_second_recovery():
    now_tree = tree(2.0)
    previous = sync_plan.alerts(sync_plan.previous_tree(now_tree, views(2.0)), 0.9)
    assert sync_plan.stated_alerts(sync_plan.alerts(now_tree, 0.9), previous, views(2.0))[:2] == ([], [])


def test_forecast_of_synced_namespaces():
    history = {1: [(NOW - DAY * (30 - day), 0.2 * day) for day in range(30)], 2: []}
    found, before, results = sync_plan.forecasts(tree(6.0, 1.0), history, NOW, 30, 30)
    assert results[1]['growth_per_day'] == 0.2 and results[1]['days_until_full'] == 20
    assert results[2]['growth_per_day'] is None
    assert [(alert['allocation_id'], alert['level']) for alert in found] == [(1, 'full_soon')]
    assert [alert['allocation_id'] for alert in before] == [1]
