"""The quota_forecast filter: called directly and once through a real ansible-playbook run."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.coldfront_ecs.plugins.filter import quota as quota_filters
from support.ansible_run import run_playbook

FORECAST = quota_filters.FilterModule().filters()['quota_forecast']
HISTORY = [['2026-06-%02dT00:00:00Z' % day, 0.5 * day] for day in range(1, 30)]


def test_linear_history():
    result = FORECAST(HISTORY, 25, now='2026-06-30T00:00:00Z', unit='TB')
    assert result == {'growth_per_day': 0.5, 'days_until_full': 21.0, 'level': 'full_soon'}
    assert FORECAST(HISTORY, 25, now='2026-06-30T00:00:00Z', forecast_days=7)['level'] is None
    assert FORECAST(HISTORY, -1, now='2026-06-30T00:00:00Z')['days_until_full'] is None


@pytest.mark.parametrize('history, options', [
    ('not a list', {}), ([[1, 2, 3]], {}), ([['yesterday', 1]], {}), (HISTORY, {'forecast_days': 0}),
    (HISTORY, {'window_days': 'x'})])
def test_bad_input_is_a_filter_error(history, options):
    with pytest.raises(AnsibleFilterError, match='^quota_forecast: '):
        FORECAST(history, 10, **options)


def test_through_ansible():
    play = {'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'Forecast', 'ansible.builtin.assert': {'that': [
            "forecast.level == 'full_soon'", 'forecast.days_until_full == 14.5']},
         'vars': {'forecast': "{{ [['2026-06-01T00:00:00Z', 0], ['2026-06-11T00:00:00Z', 10], "
                              "['2026-06-21T00:00:00Z', 20]] | hpc.coldfront_ecs.quota_forecast(30, "
                              "now='2026-06-21T00:00:00Z') }}"}}]}
    result = run_playbook([play], env={'ANSIBLE_INVENTORY_ENABLED': 'ansible.builtin.ini'})
    assert result.rc == 0, result.output
