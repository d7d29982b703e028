"""Pure logic of the ColdFront access layer: selection, masking, versions, value rules, reasons."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront import access as cf, write as cw


def _record(name, resource_type='Storage', **attributes):
    return {'id': len(name), 'name': name, 'resource_type': resource_type, 'description': '', 'is_available': True,
            'attributes': attributes, 'duplicate_attributes': [], 'allocations': [{'id': 1}]}


RECORDS = [
    _record('ecs-east', url='ecs1.example.org', replication_group='rg1'),
    _record('ECS-Archive', replication_group='rg-old'),
    _record('ecs-west', 'Cloud', url='https://ecs2.example.org'),
    _record('Cluster A', 'Cluster'),
]


def names(records):
    return [record['name'] for record in records]


@pytest.mark.parametrize('selection, expected', [
    (None, ['ecs-east', 'ECS-Archive', 'ecs-west']),
    ({}, ['ecs-east', 'ECS-Archive', 'ecs-west']),
    ({'name_contains': None}, ['ecs-east', 'ECS-Archive', 'ecs-west', 'Cluster A']),
    ({'name_contains': ''}, ['ecs-east', 'ECS-Archive', 'ecs-west', 'Cluster A']),
    ({'name_contains': 'CLUSTER'}, ['Cluster A']),
    ({'resource_types': ['Storage']}, ['ecs-east', 'ECS-Archive']),
    ({'attribute': {'name': 'url'}}, ['ecs-east', 'ecs-west']),
    ({'attribute': {'name': 'replication_group', 'value': 'rg1'}}, ['ecs-east']),
    ({'names': ['ecs-west', 'Cluster A']}, ['ecs-west']),
    ({'name_contains': None, 'query': "resource_type == 'Cluster'"}, ['Cluster A']),
    ({'query': "attributes.url && !starts_with(attributes.url, 'https://')"}, ['ecs-east']),
    ({'query': 'allocations'}, []),  # the query never sees allocations
    ({'resource_types': ['Storage'], 'attribute': {'name': 'url'}}, ['ecs-east']),
])
def test_select_resources(selection, expected):
    assert names(cf.select_resources(RECORDS, selection)) == expected


@pytest.mark.parametrize('selection, message', [
    ({'name': 'x'}, 'unknown selection key(s) name'),
    ({'names': 'ecs-east'}, 'selection.names must be a list'),
    ({'attribute': {'value': 'x'}}, 'selection.attribute must be'),
    ({'query': 'attributes.['}, 'is not a valid JMESPath expression'),
    ('ecs', 'selection must be a dict'),
])
def test_select_resources_refuses_bad_selections(selection, message):
    with pytest.raises(cf.InvalidSelection) as info:
        cf.select_resources(RECORDS, selection)
    assert message in str(info.value)


def test_mask_hides_passwords():
    url = 'postgresql://coldfront:s3cr%40t@db.example.org:5432/coldfront'
    assert cf.mask_url(url) == 'postgresql://coldfront:***@db.example.org:5432/coldfront'
    cf._remember_secret_from_url(url)  # pylint: disable=protected-access
    assert 's3cr%40t' not in cf.mask('failed for %s and again s3cr%%40t' % url)
    assert cf.mask_url('sqlite:////srv/cf.db') == 'sqlite:////srv/cf.db'


@pytest.mark.parametrize('version', ['1.1.10', '1.1', '1.1.0'])
def test_supported_versions(version):
    assert cf.check_version(version) == version


@pytest.mark.parametrize('version', ['2.0.0', '1.10.1', '1.0.3', None])
def test_unsupported_versions(version):
    with pytest.raises(cf.ColdFrontError, match='is not supported: hpc.coldfront_ecs works with ColdFront 1.1.x'):
        cf.check_version(version)


@pytest.mark.parametrize('value, data_type, text', [
    (10, 'Float', '10'), (10.0, 'Float', '10'), (2 ** 60 + 1, 'Int', '1152921504606846977'), (2.5, 'Float', '2.5'), (' 7 ', 'Int', '7'),
    (True, 'Yes/No', 'Yes'), (False, 'Yes/No', 'No'), ('smith-lab', 'Text', 'smith-lab'),
])
def test_to_text(value, data_type, text):
    assert cw.to_text(value, data_type) == text


@pytest.mark.parametrize('value, data_type', [(True, 'Text'), (float('nan'), 'Float'), ([1], 'Text')])
def test_to_text_refuses(value, data_type):
    with pytest.raises(ValueError):
        cw.to_text(value, data_type)


@pytest.mark.parametrize('text, data_type, error', [
    ('10', 'Int', None), ('-1', 'Int', None), ('1.5', 'Int', "value '1.5' is not an Int"),
    ('ten', 'Int', "value 'ten' is not an Int"), ('', 'Int', "value '' is not an Int"),
    ('2.5', 'Float', None), ('1e3', 'Float', None), ('abc', 'Float', "value 'abc' is not a Float"),
    ('nan', 'Float', "value 'nan' is not a Float"),
    ('Yes', 'Yes/No', None), ('yes', 'Yes/No', 'value \'yes\' is not Yes/No: use exactly "Yes" or "No"'),
    ('2026-01-31', 'Date', None), ('01/31/2026', 'Date', "value '01/31/2026' is not a Date in the format YYYY-MM-DD"),
    ('x' * 128, 'Text', None), ('x' * 129, 'Text', 'value is 129 characters long; ColdFront allows at most 128'),
])
def test_allocation_value_rules(text, data_type, error):
    assert cw.validate_allocation_value(text, data_type) == error


@pytest.mark.parametrize('text, data_type, error', [
    ('500', 'Int', None), ('-1', 'Int', "value '-1' is not an Int: ColdFront wants digits only for resource attributes"),
    ('12.5', 'Float', None), ('01/31/2026', 'Date', None),
    ('2026-01-31', 'Date', "value '2026-01-31' is not a Date in the format MM/DD/YYYY"),
    ('Active', 'Active/Inactive', None), ('active', 'Active/Inactive',
                                          'value \'active\' is not Active/Inactive: use exactly "Active" or "Inactive"'),
    ('x' * 500, 'Text', None),
])
def test_resource_value_rules(text, data_type, error):
    assert cw.validate_resource_value(text, data_type) == error


def test_same_value_is_numeric_for_numbers_only():
    assert cw.same_value('10', '10.0', 'Float') and cw.same_value('10.0', '10', 'Int')
    assert not cw.same_value('10.0', '10', 'Text')
    assert cw.same_value(' smith ', 'smith', 'Text')
    assert not cw.same_value('10995116277760', '10995116277761', 'Int')  # bytes: exact, not float-close
    assert cw.same_value('+10', '10', 'Int')
    assert not cw.same_value(None, '1', 'Int')


def test_change_reason():
    assert cw.change_reason('sync') == 'hpc.coldfront_ecs: sync'
    assert cw.change_reason(None) == 'hpc.coldfront_ecs'
    assert len(cw.change_reason('x' * 300)) == 100


def test_to_usage():
    assert cw.to_usage('2.5') == 2.5
    for bad in (True, 'abc', float('inf'), None):
        with pytest.raises(ValueError):
            cw.to_usage(bad)
