"""Pure helpers of the coldfront inventory plugin: host names, endpoints, secrets kept out of output, core version."""

import pytest
from ansible.errors import AnsibleParserError

from ansible_collections.hpc.coldfront_ecs.plugins.inventory import coldfront as coldfront_inventory
from ansible_collections.hpc.coldfront_ecs.plugins.inventory.coldfront import (
    InventoryModule, host_names, require_untrusted_strings)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsConfigError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import build_base_url
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.credentials import hide
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.endpoint import InvalidEndpoint, host_name
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.systems import scrub_credentials


@pytest.mark.parametrize('url, host', [
    ('ecs1.example.org', 'ecs1.example.org'),
    ('https://ecs1.example.org', 'ecs1.example.org'),
    ('HTTPS://ecs1.example.org/', 'ecs1.example.org'),
    ('  ecs1.example.org ', 'ecs1.example.org'),
    ('10.0.0.5', '10.0.0.5'),
    ('https://[2001:db8::1]', '[2001:db8::1]'),
])
def test_ecs_host_accepts_names_and_https(url, host):
    assert host_name(url, 4443) == host


@pytest.mark.parametrize('url, reason', [
    ('http://ecs1.example.org', 'HTTPS only'),
    ('ecs1.example.org:4443', 'contains a port'),
    ('https://ecs1.example.org:9021', 'contains a port'),
    ('https://ecs1.example.org/login', 'contains a path'),
    ('https://admin:pw@ecs1.example.org', 'contains credentials'),
    ('ecs 1.example.org', 'not a valid host name'),
])
def test_ecs_host_refuses_ports_paths_http(url, reason):
    with pytest.raises(InvalidEndpoint, match=reason):
        host_name(url, 4443)
    with pytest.raises(EcsConfigError, match=reason):  # the same rule, as the ECS client reports it
        build_base_url(url, 4443)


def test_host_names_keep_real_names_and_never_collide():
    records = [{'id': 1, 'name': 'ecs-east'}, {'id': 2, 'name': 'ECS tier/1'}, {'id': 3, 'name': 'ECS_tier_1'},
               {'id': 4, 'name': 'ECS tier:1'}]
    assert host_names(records) == {1: 'ecs-east', 2: 'ECS_tier_1_2', 3: 'ECS_tier_1', 4: 'ECS_tier_1_4'}


def test_hide_masks_the_passwords_a_url_holds_wherever_they_appear():
    url = 'postgresql://coldfront:p%40ss-word@db.example.org:5432/coldfront'
    message = 'cannot connect to %s (password p%%40ss-word, decoded p@ss-word)' % url
    hidden = hide(message, url)
    assert 'p%40ss-word' not in hidden and 'p@ss-word' not in hidden
    assert hidden.startswith('cannot connect to postgresql://coldfront:***@db.example.org:5432/coldfront')
    assert hide('nothing secret', None, '') == 'nothing secret'


def test_scrub_credentials_masks_passwords_in_resource_attributes():
    records = [{'id': 1, 'name': 'ecs', 'attributes': {'url': 'https://root:hunter22@ecs.example.org',
                                                       'contact': 'storage@example.org', 'ldap_domain': 'ad'}}]
    scrub_credentials(records)
    assert records[0]['attributes'] == {'url': 'https://root:***@ecs.example.org',
                                        'contact': 'storage@example.org', 'ldap_domain': 'ad'}


@pytest.mark.parametrize('name, accepted', [
    ('coldfront.yml', True), ('coldfront.yaml', True), ('prod.coldfront.yml', True), ('my_coldfront.yaml', True),
    ('inventory.yml', False), ('coldfront.json', False), ('coldfront.yml.bak', False)])
def test_verify_file_by_name(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text('plugin: hpc.coldfront_ecs.coldfront\n')
    assert InventoryModule().verify_file(str(path)) is accepted


@pytest.mark.parametrize('version', ['2.16.14', '2.18.9', '2.18.0rc1'])
def test_cores_that_would_template_coldfront_text_are_refused(version):
    with pytest.raises(AnsibleParserError) as caught:
        require_untrusted_strings(version)
    message = str(caught.value)
    assert 'needs ansible-core 2.19 or later (this is %s)' % version in message
    assert 'upgrade ansible-core or the execution environment' in message


@pytest.mark.parametrize('version', ['2.19.0', '2.19.14', '2.20.1', '2.21.0.dev0'])
def test_cores_that_keep_coldfront_text_untrusted_are_accepted(version):
    assert require_untrusted_strings(version) is None  # returns without refusing


def test_parse_refuses_an_old_core_before_reading_anything(monkeypatch, tmp_path):
    monkeypatch.setattr(coldfront_inventory, 'ansible_core_version', '2.18.9')
    monkeypatch.setattr(coldfront_inventory.InventoryModule, '_load_records',
                        lambda self: pytest.fail('ColdFront must not be read on a refused ansible-core'))
    with pytest.raises(AnsibleParserError, match='needs ansible-core 2.19'):
        InventoryModule().parse(None, None, str(tmp_path / 'x.coldfront.yml'))
