"""The AWX credential types of docs/awx/credential_types: valid for AWX, and their injectors give the collection
exactly the environment it reads, with safe values for every field left empty.
"""

import os

import pytest
import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ansible_collections.hpc.coldfront_ecs.plugins.inventory import coldfront as inventory_plugin
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import coldfront_argument_spec
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import ecs_argument_spec
from integration.awx.awx_support import AWX_DOCS, inject, load_credential_type
from support.ansible_run import run_playbook

NAMES = ('ecs', 'coldfront')
# What AWX's CredentialTypeInputField / CredentialTypeInjectorField accept (AWX 24).
TYPE_KEYS = {'name', 'description', 'kind', 'inputs', 'injectors'}
FIELD_KEYS = {'id', 'label', 'type', 'help_text', 'secret', 'multiline', 'format', 'choices', 'default', 'ask_at_runtime'}
INJECTOR_KEYS = {'file', 'env', 'extra_vars'}


def env_fallbacks(spec):
    return {name for option in spec.values() if option.get('fallback') for name in option['fallback'][1]}


def inventory_env():
    options = yaml.safe_load(inventory_plugin.DOCUMENTATION)['options']
    return {entry['name'] for option in options.values() for entry in option.get('env', [])}


def template_names(template):
    return meta.find_undeclared_variables(ImmutableSandboxedEnvironment().parse(template))


@pytest.mark.parametrize('name', NAMES)
def test_credential_type_is_what_awx_accepts(name):
    ctype = load_credential_type(name)
    assert set(ctype) <= TYPE_KEYS and ctype['kind'] == 'cloud' and ctype['name'].endswith('(hpc.coldfront_ecs)')
    fields = ctype['inputs']['fields']
    ids = [field['id'] for field in fields]
    assert len(set(ids)) == len(ids) and len({field['label'] for field in fields}) == len(fields)
    for field in fields:
        assert set(field) <= FIELD_KEYS, field
        assert field.get('type', 'string') in ('string', 'boolean')
        if field.get('type') == 'boolean':
            assert not field.get('secret') and not field.get('multiline')
    assert set(ctype['inputs'].get('required', [])) <= set(ids)

    injectors = ctype['injectors']
    assert set(injectors) <= INJECTOR_KEYS
    labels = list(injectors.get('file', {}))
    assert labels == ['template'] or all(label.startswith('template.') for label in labels)   # never mixed
    file_ids = {label.split('.', 1)[1] for label in labels if '.' in label}
    for group in ('file', 'env', 'extra_vars'):
        for key, template in injectors.get(group, {}).items():
            if group == 'env':
                assert key.isidentifier() and key.isascii() and not key.startswith('ANSIBLE_'), key
            # Every name a template uses is an input field or AWX's `tower` namespace ...
            assert template_names(template) <= set(ids) | {'tower'}, (key, template)
            # ... and every tower.filename.<x> is a file this type writes.
            for used in set(part.split('}')[0].split()[0] for part in template.split('tower.filename.')[1:]):
                assert used in file_ids, (key, used)


def test_injectors_set_only_variables_the_collection_reads():
    ecs_env = set(load_credential_type('ecs')['injectors']['env'])
    coldfront_env = set(load_credential_type('coldfront')['injectors']['env'])
    assert ecs_env == {'ECS_USER', 'ECS_PASS', 'ECS_CA_PATH', 'ECS_VALIDATE_CERTS'}
    assert ecs_env <= env_fallbacks(ecs_argument_spec())
    assert coldfront_env == {'COLDFRONT_ENV', 'DJANGO_SETTINGS_MODULE'}
    assert coldfront_env <= env_fallbacks(coldfront_argument_spec())
    assert 'COLDFRONT_ENV' in inventory_env()         # the inventory source gets the ColdFront credential too


def test_ecs_injectors_default_to_verified_tls(tmp_path):
    ctype = load_credential_type('ecs')
    env, safe_env, extra_vars = inject(ctype, {'username': 'monitor', 'password': 's3cret'}, str(tmp_path))
    assert env == {'ECS_USER': 'monitor', 'ECS_PASS': 's3cret', 'ECS_CA_PATH': '', 'ECS_VALIDATE_CERTS': 'true'}
    assert safe_env['ECS_PASS'] == '**********' and extra_vars == {}

    env, _safe, _extra = inject(ctype, {'username': 'u', 'password': 'p', 'ca_path': '/etc/pki/ecs.pem'}, str(tmp_path))
    assert (env['ECS_CA_PATH'], env['ECS_VALIDATE_CERTS']) == ('/etc/pki/ecs.pem', 'true')

    pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'
    env, _safe, _extra = inject(ctype, {'username': 'u', 'password': 'p', 'ca_bundle': pem, 'ca_path': '/ignored'},
                                str(tmp_path))
    assert os.path.dirname(env['ECS_CA_PATH']) == str(tmp_path / 'env')
    with open(env['ECS_CA_PATH']) as handle:
        assert handle.read() == pem
    assert oct(os.stat(env['ECS_CA_PATH']).st_mode & 0o777) == '0o600'

    env, _safe, _extra = inject(ctype, {'username': 'u', 'password': 'p', 'skip_tls_verify': True}, str(tmp_path))
    assert env['ECS_VALIDATE_CERTS'] == 'false'


def test_coldfront_injector_writes_one_env_file_where_the_url_field_wins(tmp_path):
    ctype = load_credential_type('coldfront')

    def rendered(**inputs):
        env, safe_env, _extra = inject(ctype, inputs, str(tmp_path))
        assert env['DJANGO_SETTINGS_MODULE'] == (inputs.get('settings_module') or 'coldfront.config.settings')
        assert safe_env['COLDFRONT_ENV'] == env['COLDFRONT_ENV']
        with open(env['COLDFRONT_ENV']) as handle:
            return handle.read()

    portal = 'DB_URL=postgresql://cf:a@db/cf\nSECRET_KEY=x\n'
    assert rendered(env_file=portal) == portal + '\n'
    assert rendered(db_url='postgresql://u:p@h/db') == "\nDB_URL='postgresql://u:p@h/db'\n"
    both = rendered(env_file=portal, db_url='postgresql://u:p@h/db', settings_module='site.settings')
    assert both.index('postgresql://cf:a@db/cf') < both.index("DB_URL='postgresql://u:p@h/db'")   # the last wins
    assert rendered() == '\n'


@pytest.mark.coldfront
@pytest.mark.simulator
def test_rendered_credentials_work_with_the_modules(ecs_sim, coldfront_site, tmp_path):
    """Real module runs with each rendered environment: TLS is verified unless turned off; the URL field works."""
    ecs = load_credential_type('ecs')
    login = {'username': ecs_sim.admin.username, 'password': ecs_sim.admin.password}
    with open(ecs_sim.ca_path) as handle:
        pem = handle.read()
    envs = {name: inject(ecs, dict(login, **inputs), str(tmp_path))[0] for name, inputs in (
        ('system_trust', {}), ('ca_bundle', {'ca_bundle': pem}), ('ca_path', {'ca_path': ecs_sim.ca_path}),
        ('insecure', {'skip_tls_verify': True}))}
    coldfront_env = inject(load_credential_type('coldfront'), {'db_url': coldfront_site.db_url}, str(tmp_path))[0]
    tasks = [{'name': name, 'hpc.coldfront_ecs.ecs_namespace_info': {'host': ecs_sim.host, 'port': ecs_sim.port},
              'environment': env, 'ignore_errors': True} for name, env in envs.items()]
    tasks.append({'name': 'coldfront', 'hpc.coldfront_ecs.coldfront_allocation_info': {'resources': ['ecs-east']},
                  'environment': coldfront_env})
    result = run_playbook([{'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}])
    outcome = {event['task']: event['result'] for event in result.events}
    assert 'certificate verify failed' in outcome['system_trust']['msg']
    for name in ('ca_bundle', 'ca_path', 'insecure'):
        assert not outcome[name].get('failed'), outcome[name]
    assert any('validate_certs is false' in warning for warning in outcome['insecure'].get('warnings', []))
    assert outcome['coldfront'].get('allocations'), outcome['coldfront']


def test_credential_type_files_are_listed_in_the_awx_page():
    with open(os.path.join(AWX_DOCS, 'README.md')) as handle:
        page = handle.read()
    for name in NAMES:
        assert 'credential_types/%s.yml' % name in page
        assert load_credential_type(name)['name'] in page
