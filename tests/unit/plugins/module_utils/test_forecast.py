"""Forecast math on synthetic histories with known answers, and alert state / digest derivation."""

import datetime
import random

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import forecast as fc
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.judge import QuotaError

NOW = datetime.datetime(2026, 6, 30, 12, tzinfo=datetime.timezone.utc)


def history(values):
    """One history row per day, the last one today: ``values`` oldest first."""
    return [(NOW - fc.DAY * (len(values) - 1 - index), value) for index, value in enumerate(values)]


def test_linear_exact_slope():
    rows = history([10 + 0.5 * day for day in range(40)])
    assert fc.growth_per_day(rows, NOW, 30) == pytest.approx(0.5)
    result = fc.forecast(rows, NOW, limit=49.5, usage=29.5, window_days=30)
    assert (result['growth_per_day'], result['days_until_full'], result['level']) == (0.5, 40.0, None)


def test_linear_days_until_full_and_level():
    rows = history([10 + 0.5 * day for day in range(31)])  # 25 TB today
    result = fc.forecast(rows, NOW, limit=35, usage=25, unit='TB', forecast_days=30)
    assert result == {'growth_per_day': 0.5, 'days_until_full': 20.0, 'level': fc.FULL_SOON}
    assert fc.forecast(rows, NOW, limit=35, usage=25, unit='TB', forecast_days=10)['level'] is None


def test_step_is_not_growth():
    rows = history([10] * 10 + [20] * 21)  # one jump, a third into the window
    assert fc.growth_per_day(rows, NOW, 30) == 0
    assert fc.forecast(rows, NOW, limit=21, usage=20)['days_until_full'] is None


def test_flat_and_sparse_rows():
    # ColdFront keeps a row only on change: one row 40 days ago holds until now.
    rows = [(NOW - fc.DAY * 40, 7.0)]
    assert fc.growth_per_day(rows, NOW, 30, current=7.0) == 0
    assert fc.forecast(rows, NOW, limit=8, usage=7.0) == {'growth_per_day': 0, 'days_until_full': None,
                                                          'level': None}


def test_shrinking_has_no_days():
    rows = history([50 - day for day in range(31)])
    result = fc.forecast(rows, NOW, limit=60, usage=20)
    assert result['growth_per_day'] == pytest.approx(-1)
    assert result['days_until_full'] is None and result['level'] is None


def test_noisy_slope_within_tolerance():
    generator = random.Random(7)
    rows = history([5 + 0.2 * day + generator.gauss(0, 0.3) for day in range(61)])
    assert fc.growth_per_day(rows, NOW, 60) == pytest.approx(0.2, rel=0.1)


def test_too_little_history_and_unlimited():
    assert fc.growth_per_day([], NOW, 30, current=3) is None
    rows = history([1, 2, 3, 4])
    assert fc.forecast(rows, NOW, limit=-1, usage=4)['days_until_full'] is None
    assert fc.forecast(rows, NOW, limit=4.5, usage=5)['level'] is None  # exceeded already: not "soon"
    assert fc.forecast(rows, NOW, limit=4.5, usage=5)['days_until_full'] == 0


@pytest.mark.parametrize('value', [0, -3, 1.5, True, '30'])
def test_bad_days_refused(value):
    with pytest.raises(QuotaError):
        fc.forecast([], NOW, 1, 0, forecast_days=value)


def test_settings_take_the_defaults_and_the_given_days():
    assert fc.check_settings({}) == (fc.DEFAULT_WINDOW_DAYS, fc.DEFAULT_FORECAST_DAYS)
    assert fc.check_settings({'forecast_window_days': 7, 'forecast_days': 90, 'other': 'x'}) == (7, 90)
    assert fc.check_settings({'forecast_days': 1}) == (fc.DEFAULT_WINDOW_DAYS, 1)


@pytest.mark.parametrize('name', ['forecast_window_days', 'forecast_days'])
@pytest.mark.parametrize('value', [0, 1.5, True, '30', None])
def test_bad_settings_are_refused_naming_the_option(name, value):
    with pytest.raises(QuotaError) as refused:
        fc.check_settings({name: value})
    assert str(refused.value).startswith(name + ' ')


def test_forecast_alert():
    base = {'scope': 'namespace lab on resource r', 'resource': 'r', 'allocation_id': 3, 'quota': 'storage'}
    alert = fc.forecast_alert(base, {'growth_per_day': 0.5, 'days_until_full': 20.0, 'level': fc.FULL_SOON}, 30, 'TB')
    assert (alert['kind'], alert['level'], alert['days_until_full']) == ('forecast', 'full_soon', 20.0)
    assert fc.forecast_alert(base, {'growth_per_day': 0.5, 'days_until_full': 99.0, 'level': None}, 30, 'TB') is None


def _alert(allocation_id, level='warning', kind='namespace'):
    return {'resource': 'r', 'allocation_id': allocation_id, 'name': 'ns%s' % allocation_id, 'quota': 'storage',
            'kind': kind, 'level': level}


def test_alert_state_new_ongoing_recovered():
    stated = fc.alert_state([_alert(1), _alert(2, 'exceeded')], [_alert(2), _alert(3)])
    assert [(a['allocation_id'], a['state']) for a in stated] == [(1, 'new'), (2, 'ongoing'), (3, 'recovered')]


def test_alert_state_unchanged_usage_is_ongoing_and_recovery_listed_once():
    def unchanged(key):
        return key[1] != 1  # allocation 1 did not change at the last sync
    stated = fc.alert_state([_alert(1)], [], changed=unchanged)
    assert stated[0]['state'] == 'ongoing'
    assert fc.alert_state([], [_alert(1)], changed=unchanged) == []


def test_forecast_and_quota_alerts_are_distinct():
    stated = fc.alert_state([_alert(1, 'full_soon', 'forecast')], [_alert(1)])
    assert sorted(a['state'] for a in stated) == ['new', 'recovered']


def test_digest_per_pi_and_project():
    alerts = fc.alert_state([_alert(1), _alert(2)], [_alert(2)])
    alerts.append(dict(_alert(None, kind='resource'), state='new'))
    groups = fc.digest(alerts, {1: ('ann', 'Lab A'), 2: ('bob', 'Lab B')})
    assert groups['pi']['ann']['changed'] is True and groups['pi']['ann']['counts']['new'] == 1
    assert groups['pi']['bob']['changed'] is False and groups['pi']['bob']['counts']['ongoing'] == 1
    assert sorted(groups['project']) == ['Lab A', 'Lab B']
