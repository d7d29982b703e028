"""Per-resource settings are picked in Python, and the soft quota percent and overcommit are checked in one place."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import overrides


def test_the_resource_entry_wins_and_null_means_no_limit():
    assert overrides.resource_threshold('east', 0.9, {'east': '0.8'}, {'east': 70}) == 0.8
    assert overrides.resource_threshold('east', 0.9, {}, {'east': 70}) == 0.7
    assert overrides.resource_threshold('west', 0.9, {'east': 0.8}, {'east': 70}) == 0.9
    assert overrides.resource_overcommit('east', 1.5, {'east': '1.2'}) == 1.2
    assert overrides.resource_overcommit('big', 1.5, {'big': None}) is None
    assert overrides.resource_overcommit('west', 1.5, {'east': 1.2}) == 1.5


@pytest.mark.parametrize('given, expected', [(90, 90), ('75', 75), (1, 1), (100, 100)])
def test_a_soft_quota_percent_is_a_whole_number_from_1_to_100(given, expected):
    assert overrides.checked_soft_quota_percent(given) == expected


@pytest.mark.parametrize('given', [0, 101, -5, 90.5, 'ninety', None])
def test_other_soft_quota_percents_are_refused(given):
    with pytest.raises(ValueError, match='must be between 1 and 100'):
        overrides.checked_soft_quota_percent(given)


@pytest.mark.parametrize('given', [0, -1.2, '0'])
def test_an_overcommit_is_positive_or_unset(given):
    assert overrides.checked_overcommit(None) is None and overrides.checked_overcommit('1.2') == 1.2
    with pytest.raises(ValueError, match='must be a positive factor'):
        overrides.checked_overcommit(given)


def test_the_checked_resource_settings_take_the_resource_entry_then_check_it():
    assert overrides.resource_soft_quota_percent('east', 90, {'east': '75'}) == 75
    assert overrides.resource_soft_quota_percent('west', 90, {'east': 75}) == 90
    assert overrides.resource_overcommit('east', 1.5, {'east': '1.2'}, checked=True) == 1.2
    assert overrides.resource_overcommit('big', 1.5, {'big': None}, checked=True) is None
    assert overrides.resource_overcommit('west', None, {}, checked=True) is None


@pytest.mark.parametrize('percent', [0, 101, None, 'ninety'])
def test_a_bad_resource_soft_quota_percent_is_refused(percent):
    with pytest.raises(ValueError, match='must be between 1 and 100'):
        overrides.resource_soft_quota_percent('east', 90, {'east': percent})


@pytest.mark.parametrize('allowance', [0, '-1', -1.2])
def test_a_bad_resource_overcommit_is_refused_when_checked(allowance):
    with pytest.raises(ValueError, match='must be a positive factor'):
        overrides.resource_overcommit('east', 1.5, {'east': allowance}, checked=True)
    assert overrides.resource_overcommit('east', 1.5, {'east': allowance}) == float(allowance)
