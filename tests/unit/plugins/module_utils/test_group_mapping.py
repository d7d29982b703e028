"""The LDAP group of a new namespace: the template over the project, the name rules, the override, the view."""

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import group_mapping
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import (
    allocation_view, settings_from_names)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._workflows import provision

PROJECT = {'id': 7, 'title': 'Smith Lab', 'pi': 'jsmith', 'status': 'Active',
           'attributes': {'Unix Group': 'smith-grp', 'Empty': ''}}
RESOURCE = {'id': 3, 'name': 'ecs-east'}


def allocation(project=None, group=None, subdirectory=None):
    attributes = {'Storage Quota (TB)': {'value': '1'}}
    if group is not None:
        attributes['ECS_Group'] = {'value': group}
    if subdirectory is not None:
        attributes['Subdirectory'] = {'value': subdirectory}
    return {'id': 12, 'status': 'Active', 'project': dict(PROJECT, **(project or {})), 'attributes': attributes}


def view(template=None, rules=None, **kwargs):
    settings = settings_from_names({}, group_template=template, group_name_rules=rules)
    return allocation_view(RESOURCE, allocation(**kwargs), settings)


# ---- the template -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('template, expected', [
    ('{title}', 'Smith Lab'),
    ('{pi}', 'jsmith'),
    ('ecs-{project_id}', 'ecs-7'),
    ('{attr:Unix Group}', 'smith-grp'),
    ('ECS {title} ({pi})', 'ECS Smith Lab (jsmith)'),
    ('fixed-group', 'fixed-group'),
])
def test_placeholders_take_project_values(template, expected):
    assert group_mapping.render(template, PROJECT) == expected


def test_the_default_template_is_the_raw_title():
    assert group_mapping.DEFAULT_TEMPLATE == '{title}'
    odd = '  Chen & Patel: Über-Lab (2024)!! '
    assert view(project={'title': odd})['ldap_group'] == odd     # unchanged, and valid LDAP (the default rules)


@pytest.mark.parametrize('title', ['{pi}', '{attr:Unix Group}', "{{ lookup('pipe', 'id') }}", '{', '}{title}'])
def test_braces_in_project_values_are_never_expanded(title):
    assert group_mapping.render('{title}-x', dict(PROJECT, title=title)) == title + '-x'
    assert view(project={'title': title})['ldap_group'] == title


@pytest.mark.parametrize('template', ['{titel}', '{ title}', '{attr:}', '{pi', 'pi}', '{{title}}', '', '  ', None,
                                      '{0}', '{title.__class__}', '{attr:x}{'])
def test_a_template_that_cannot_work_is_refused_as_a_setting(template):
    with pytest.raises(group_mapping.GroupTemplateError):
        group_mapping.parse_template(template)
    assert group_mapping.template_attributes(template) == []


def test_the_project_attributes_a_template_needs():
    assert group_mapping.template_attributes('{title}') == []
    assert group_mapping.template_attributes('{attr:B}-{attr:A}-{attr:B}-{pi}') == ['B', 'A']


@pytest.mark.parametrize('template', ['{attr:Missing}', '{attr:Empty}', 'x-{pi}'])
def test_a_missing_value_gives_no_group(template):
    project = dict(PROJECT, pi=None) if template == 'x-{pi}' else PROJECT
    with pytest.raises(group_mapping.GroupNameError):
        group_mapping.render(template, project)


# ---- the name rules -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('name', ['Smith Lab', 'smith-lab_2024', 'Über Lab', 'a', 'x' * 64, 'Lab (2024) & Co.!'])
def test_ad_accepts(name):
    assert group_mapping.check_group(name, 'ad') == name


@pytest.mark.parametrize('name', ['Chen: Lab', 'a/b', 'a\\b', '[x]', 'a;b', 'a|b', 'a=b', 'a,b', 'a+b', 'a*b', 'a?b',
                                  '<a>', 'say "hi"', ' lead', 'trail ', 'ends.', 'x' * 65, '', '   ', 'tab\there',
                                  'new\nline', 'del\x7f'])
def test_ad_refuses(name):
    with pytest.raises(group_mapping.GroupNameError):
        group_mapping.check_group(name, 'ad')


@pytest.mark.parametrize('name, valid', [('Chen: Lab', True), ('  spaced  ', True), ('x' * 256, True),
                                         ('x' * 257, False), ('', False), ('  ', False), ('a\x00b', False),
                                         ('a\nb', False)])
def test_ldap_rules(name, valid):
    if valid:
        assert group_mapping.check_group(name, 'ldap') == name
    else:
        with pytest.raises(group_mapping.GroupNameError):
            group_mapping.check_group(name, 'ldap')


def test_unknown_rules_are_a_setting_error():
    with pytest.raises(group_mapping.GroupTemplateError):
        group_mapping.check_group('x', 'posix')


# ---- the allocation view ------------------------------------------------------------------------------------------

def test_the_view_holds_the_templated_group():
    found = view('{attr:Unix Group}', 'ad')
    assert (found['ldap_group'], found['errors']) == ('smith-grp', [])


def test_the_allocation_attribute_overrides_the_template_and_is_taken_literally():
    assert view('{attr:Unix Group}', group='Override Group')['ldap_group'] == 'Override Group'
    assert view(group='{pi}')['ldap_group'] == '{pi}'


def test_an_invalid_override_is_an_error_not_a_fallback():
    found = view('{attr:Unix Group}', 'ad', group='bad:group')
    assert found['ldap_group'] is None
    [error] = found['errors']
    assert error.startswith("allocation 12 (project 'Smith Lab', resource 'ecs-east'): ")
    assert "'bad:group'" in error and "'ECS_Group' attribute" in error


def test_an_invalid_group_is_an_error_naming_allocation_template_and_value():
    found = view('{title}: staff', 'ad')
    assert found['ldap_group'] is None and found['namespace'] == 'smith-lab'
    [error] = found['errors']
    assert error.startswith("allocation 12 (project 'Smith Lab', resource 'ecs-east'): ")
    assert "'Smith Lab: staff'" in error and "group_template '{title}: staff'" in error and 'ECS_Group' in error


def test_a_too_long_group_is_refused_never_cut():
    long_title = 'The ' + 'Very ' * 20 + 'Long Lab'
    assert view(project={'title': long_title})['ldap_group'] == long_title          # LDAP: up to 256
    found = view(project={'title': long_title}, rules='ad')
    assert found['ldap_group'] is None and len(found['errors']) == 1 and long_title in found['errors'][0]


def test_a_missing_project_attribute_is_an_error():
    found = view('{attr:Missing}')
    assert found['ldap_group'] is None and "'Missing'" in found['errors'][0]


def test_a_provisioned_allocation_keeps_its_mapping_and_gets_no_group_error():
    found = view('{title}: staff', 'ad', subdirectory='smith-lab:lab-smith-lab-bucket')
    assert (found['ldap_group'], found['errors'], found['provisioned']) == (None, [], True)
    assert view(subdirectory='smith-lab:lab-smith-lab-bucket')['ldap_group'] == 'Smith Lab'


def test_a_duplicated_override_attribute_is_an_error():
    record = allocation(group='g')
    record['duplicate_attributes'] = ['ECS_Group']
    assert any("'ECS_Group' attribute occurs more than once" in error
               for error in allocation_view(RESOURCE, record)['errors'])


def test_renamed_override_attribute():
    record = allocation()
    record['attributes']['AD Group'] = {'value': 'renamed'}
    settings = settings_from_names({'group': 'AD Group'})
    assert allocation_view(RESOURCE, record, settings)['ldap_group'] == 'renamed'


# ---- provisioning maps the view's group ---------------------------------------------------------------------------

def test_provision_maps_the_views_group():
    assert provision.group_mapping('ad.example.org', 'smith-grp') == [
        {'domain': 'ad.example.org', 'groups': ['smith-grp'], 'attributes': []}]
    assert provision.ldap_group({'project': 'Smith Lab', 'ldap_group': 'smith-grp'}) == 'smith-grp'
    assert provision.ldap_group({'project': 'Smith Lab'}) == 'Smith Lab'          # a view made without one
    assert provision.ldap_group({'project': 'Smith Lab', 'ldap_group': None}) is None
