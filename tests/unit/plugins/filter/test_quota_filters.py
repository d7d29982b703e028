"""Unit and quota filters: called directly, and once through a real ansible-playbook run."""

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.coldfront_ecs.plugins.filter import quota as quota_filters, units as unit_filters
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.quota import (
    evaluate_thresholds, rollup, validate_change)
from support.ansible_run import run_playbook

UNITS = unit_filters.FilterModule().filters()
QUOTAS = quota_filters.FilterModule().filters()

RESOURCE = {
    'name': 'ecs-east', 'capacity': 100, 'used': 91,
    'namespaces': [
        {'name': 'smith-lab', 'allocation_id': 12, 'limit': 10,
         'buckets': [{'name': 'lab-smith-lab-bucket', 'limit': 10, 'usage': 9.5}]},
        {'name': 'big-lab', 'allocation_id': 13, 'limit': -1, 'usage': 40},
        {'name': 'jones-lab', 'allocation_id': 14, 'limit': 100, 'usage': 101},
    ],
}


def test_filter_names():
    assert sorted(UNITS) == ['bytes_to_tb', 'gb_to_bytes', 'gb_to_tb', 'kb_to_bytes', 'kb_to_tb', 'soft_quota_gb',
                             'tb_to_bytes', 'tb_to_gb']
    assert sorted(QUOTAS) == ['quota_alerts', 'quota_exceeded', 'quota_forecast', 'quota_rollup',
                              'quota_validate_change']


@pytest.mark.parametrize('name, value, expected', [
    ('gb_to_tb', 10240, 10), ('gb_to_tb', '512', 0.5), ('gb_to_tb', -1, -1),
    ('tb_to_gb', 1.5, 1536), ('tb_to_gb', '0.0001', 1), ('tb_to_gb', -1, -1),
    ('gb_to_bytes', 2, 2 * 1024 ** 3), ('gb_to_bytes', -1, -1),
    ('tb_to_bytes', 2, 2 * 1024 ** 4), ('tb_to_bytes', '-1', -1),
    ('kb_to_bytes', 3, 3072), ('kb_to_tb', 1024 ** 3, 1.0), ('bytes_to_tb', 1024 ** 4 / 2, 0.5),
    ('soft_quota_gb', 100, 90), ('soft_quota_gb', 1, 1), ('soft_quota_gb', -1, -1),
])
def test_unit_filters(name, value, expected):
    assert UNITS[name](value) == expected


def test_soft_quota_percent():
    assert UNITS['soft_quota_gb'](100, 80) == 80
    assert UNITS['soft_quota_gb']('100', percent='50') == 50


@pytest.mark.parametrize('value, message', [
    (None, 'gb_to_tb: input must be a number, got null'),
    ('ten', "gb_to_tb: argument 'ten' must be a number"),
    (True, 'gb_to_tb: argument True must be a number'),
])
def test_unit_filters_refuse_non_numbers(value, message):
    with pytest.raises(AnsibleFilterError, match=message):
        UNITS['gb_to_tb'](value)


def test_quota_exceeded_filter():
    exceeded = QUOTAS['quota_exceeded']
    assert exceeded({'limit': 10, 'usage': 12})
    assert not exceeded({'limit': 10, 'usage': 10})
    assert exceeded({'limit': 10, 'usage': 8}, 3)
    assert not exceeded({'limit': 10, 'usage': 12}, delta=-1)
    assert not exceeded({'limit': 10, 'usage': 9}, threshold=0.9)
    assert exceeded({'limit': '10', 'usage': '9.5'}, threshold='0.9')
    assert not exceeded({'limit': -1, 'usage': 500})
    assert not exceeded({'limit': 0})
    assert exceeded({'limit': 0}, delta=1)
    with pytest.raises(AnsibleFilterError, match='quota_exceeded: input must be a dict with limit and usage'):
        exceeded(10)


def test_quota_filters_match_module_utils():
    assert QUOTAS['quota_rollup'](RESOURCE, overcommit=1.2) == rollup(RESOURCE, 1.2)
    assert QUOTAS['quota_validate_change'](RESOURCE, 'smith-lab', 20, overcommit=1.2, unit='TB') == \
        validate_change(RESOURCE, 'smith-lab', 20, overcommit=1.2, unit='TB')
    assert QUOTAS['quota_alerts'](RESOURCE, 0.8, {'ecs-east': 0.9}) == \
        evaluate_thresholds(RESOURCE, 0.8, {'ecs-east': 0.9})


def test_quota_filters_report_bad_input():
    with pytest.raises(AnsibleFilterError, match='quota_rollup: a resource must be a dict'):
        QUOTAS['quota_rollup']('ecs-east')
    with pytest.raises(AnsibleFilterError, match=r'quota_alerts: default threshold must be a fraction in \(0, 1\]'):
        QUOTAS['quota_alerts'](RESOURCE, threshold=90)
    with pytest.raises(AnsibleFilterError, match='quota_validate_change: requested limit must be a number'):
        QUOTAS['quota_validate_change'](RESOURCE, 'smith-lab', 'more')


def _fact(result, task, name):
    events = result.results(task)
    assert len(events) == 1, result.output
    return events[0]['ansible_facts'][name]


def test_filters_in_a_real_playbook():
    play = {
        'name': 'Quota filters in templates', 'hosts': 'localhost', 'gather_facts': False,
        'vars': {'resource': RESOURCE},
        'tasks': [
            {'name': 'Convert units', 'ansible.builtin.set_fact': {'converted': {
                'tb': '{{ 10240 | hpc.coldfront_ecs.gb_to_tb }}',
                'gb': "{{ '1.5' | hpc.coldfront_ecs.tb_to_gb }}",
                'bytes': '{{ 2 | hpc.coldfront_ecs.tb_to_bytes }}',
                'gb_bytes': '{{ 2 | hpc.coldfront_ecs.gb_to_bytes }}',
                'kb_bytes': '{{ 3 | hpc.coldfront_ecs.kb_to_bytes }}',
                'kb_tb': '{{ 1073741824 | hpc.coldfront_ecs.kb_to_tb }}',
                'bytes_tb': '{{ 2199023255552 | hpc.coldfront_ecs.bytes_to_tb }}',
                'soft': '{{ 1.5 | hpc.coldfront_ecs.tb_to_gb | hpc.coldfront_ecs.soft_quota_gb }}',
                'soft80': '{{ 100 | hpc.coldfront_ecs.soft_quota_gb(percent=80) }}',
                'unlimited': '{{ -1 | hpc.coldfront_ecs.tb_to_gb }}',
            }}},
            {'name': 'Roll up', 'ansible.builtin.set_fact': {
                'rolled': '{{ resource | hpc.coldfront_ecs.quota_rollup(overcommit=1.2) }}'}},
            {'name': 'Validate', 'ansible.builtin.set_fact': {
                'raise_ok': "{{ rolled | hpc.coldfront_ecs.quota_validate_change('smith-lab', 11, unit='TB') }}",
                'raise_refused': "{{ rolled | hpc.coldfront_ecs.quota_validate_change('new-lab', 20, "
                                 "allocation_id=99, unit='TB') }}"}},
            {'name': 'Alerts', 'ansible.builtin.set_fact': {
                'alerts': "{{ [rolled] | hpc.coldfront_ecs.quota_alerts(overrides={'ecs-east': 0.95}, unit='TB') }}",
                'over': '{{ rolled.namespaces | map(attribute="quotas.storage") '
                        '| map("hpc.coldfront_ecs.quota_exceeded") | list }}'}},
            {'name': 'Render report', 'ansible.builtin.set_fact': {
                'report': '{% for alert in alerts %}{{ alert.level }}: {{ alert.message }}\n{% endfor %}'}},
            {'name': 'Assert in the play', 'ansible.builtin.assert': {'that': [
                'converted.tb == 10.0', 'converted.gb == 1536', 'converted.soft == 1382', 'converted.unlimited == -1',
                'rolled.allocated == 110', "rolled.unlimited_namespaces == ['big-lab']",
                'rolled.quotas.allocated.limit == 120', 'raise_ok.allowed', 'not raise_refused.allowed',
                "alerts[0].level == 'exceeded'",
            ]}},
            {'name': 'Refuse in the play', 'ignore_errors': True, 'ansible.builtin.assert': {
                'that': 'raise_refused.allowed', 'fail_msg': '{{ raise_refused.message }}', 'quiet': True}},
            {'name': 'Bad input fails clearly', 'ignore_errors': True, 'ansible.builtin.debug': {
                'msg': "{{ 'lots' | hpc.coldfront_ecs.gb_to_tb }}"}},
        ],
    }
    # Only the ini inventory is needed; the collection's own inventory plugin is not under test here.
    result = run_playbook([play], env={'ANSIBLE_INVENTORY_ENABLED': 'ansible.builtin.ini'})
    assert result.rc == 0, result.output

    assert _fact(result, 'Convert units', 'converted') == {
        'tb': 10.0, 'gb': 1536, 'bytes': 2 * 1024 ** 4, 'gb_bytes': 2 * 1024 ** 3, 'kb_bytes': 3072, 'kb_tb': 1.0,
        'bytes_tb': 2.0, 'soft': 1382, 'soft80': 80, 'unlimited': -1}
    rolled = _fact(result, 'Roll up', 'rolled')
    assert rolled == rollup(RESOURCE, 1.2)
    assert _fact(result, 'Validate', 'raise_ok') == validate_change(rolled, 'smith-lab', 11, unit='TB')
    refused = _fact(result, 'Validate', 'raise_refused')
    assert refused['message'] == (
        'Refusing quota 20 TB for allocation 99 (namespace new-lab) on resource ecs-east (new namespace): '
        'resource ecs-east allocated limit 120 TB, would need 130 TB. To allow it: resource ecs-east allows capacity '
        '100 TB x overcommit 1.2 = 120 TB allocated in total and 110 TB is allocated already; lower the request or '
        'raise the capacity or the overcommit allowance.')
    alerts = _fact(result, 'Alerts', 'alerts')
    assert alerts == evaluate_thresholds([RESOURCE], overrides={'ecs-east': 0.95}, overcommit=1.2, unit='TB')
    assert _fact(result, 'Alerts', 'over') == [False, False, True]
    assert _fact(result, 'Render report', 'report') == (
        'exceeded: namespace jones-lab on resource ecs-east: storage usage 101 TB exceeds limit 100 TB (101%)\n'
        'warning: namespace smith-lab on resource ecs-east: storage usage 9.5 TB is at 95% of limit 10 TB (threshold 95%)\n')
    assert [e['status'] for e in result.task('Assert in the play')] == ['ok']
    refusal = result.task('Refuse in the play')[0]
    assert refusal['status'] == 'ignored' and refusal['result']['msg'] == refused['message']
    bad = result.task('Bad input fails clearly')[0]
    assert bad['status'] == 'ignored'
    assert "gb_to_tb: argument 'lots' must be a number" in bad['result']['msg']
