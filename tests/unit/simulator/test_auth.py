"""Authentication: login, tokens (header, cookie, expiry, cap), logout, whoami and roles."""

from xml.etree import ElementTree

import pytest
import requests

from support.simulator import SimulatorError, ecs_error

pytestmark = pytest.mark.simulator


def login(sim, user='root', password='ChangeMe', **kwargs):
    """GET /login with Basic credentials."""
    return requests.get(sim.url + '/login', auth=(user, password), verify=sim.ca_path, timeout=10, **kwargs)


def call(sim, token, path='/user/whoami', **headers):
    """An authenticated JSON GET."""
    headers = {'Accept': 'application/json', 'X-SDS-AUTH-TOKEN': token, **headers}
    return requests.get(sim.url + path, headers=headers, verify=sim.ca_path, timeout=10, allow_redirects=False)


def test_login_returns_an_opaque_token_and_the_user_in_json(ecs_sim):
    response = login(ecs_sim, headers={'Accept': 'application/json'})
    token = response.headers['X-SDS-AUTH-TOKEN']
    assert response.status_code == 200
    assert response.json() == {'user': 'root'}
    assert token.startswith('BAAc') and len(token) >= 140


def test_login_body_is_xml_by_default_and_json_with_the_suffix(ecs_sim):
    xml = login(ecs_sim)
    assert xml.headers['Content-Type'] == 'application/xml'
    root = ElementTree.fromstring(xml.content)
    assert (root.tag, root.findtext('user')) == ('loggedIn', 'root')
    suffixed = requests.get(ecs_sim.url + '/login.json', auth=('root', 'ChangeMe'), verify=ecs_sim.ca_path, timeout=10)
    assert suffixed.json() == {'user': 'root'}


def test_every_login_mints_a_new_token(ecs_sim):
    tokens = {login(ecs_sim).headers['X-SDS-AUTH-TOKEN'] for _attempt in range(3)}
    assert len(tokens) == 3
    assert ecs_sim.stats()['live_tokens'] == {'root': 3}


@pytest.mark.parametrize('user, password', [('root', 'wrong'), ('nobody', 'ChangeMe'), ('root', '')])
def test_bad_credentials_are_401(ecs_sim, user, password):
    response = login(ecs_sim, user, password)
    assert response.status_code == 401
    assert 'X-SDS-AUTH-TOKEN' not in response.headers


def test_login_without_credentials_is_401(ecs_sim):
    response = requests.get(ecs_sim.url + '/login', verify=ecs_sim.ca_path, timeout=10)
    assert response.status_code == 401


def test_token_header_name_is_case_insensitive(ecs_sim):
    token = login(ecs_sim).headers['X-SDS-AUTH-TOKEN']
    response = requests.get(ecs_sim.url + '/user/whoami', verify=ecs_sim.ca_path, timeout=10,
                            headers={'x-sds-auth-token': token, 'Accept': 'application/json'})
    assert response.status_code == 200


def test_using_cookies_sets_a_cookie_that_authenticates(ecs_sim):
    session = requests.Session()
    response = session.get(ecs_sim.url + '/login', params={'using-cookies': 'true'}, auth=('root', 'ChangeMe'),
                           verify=ecs_sim.ca_path, timeout=10)
    assert session.cookies.get('X-SDS-AUTH-TOKEN') == response.headers['X-SDS-AUTH-TOKEN']
    whoami = session.get(ecs_sim.url + '/user/whoami.json', verify=ecs_sim.ca_path, timeout=10)
    assert whoami.json()['common_name'] == 'root'


@pytest.mark.parametrize('token', [None, 'BAAcnot-a-real-token'])
def test_missing_or_unknown_token_is_401_with_an_ecs_error(ecs_sim, token):
    headers = {'Accept': 'application/json', **({'X-SDS-AUTH-TOKEN': token} if token else {})}
    response = requests.get(ecs_sim.url + '/object/namespaces', headers=headers, verify=ecs_sim.ca_path, timeout=10)
    status, code, _details, retryable = ecs_error(response)
    assert (status, code, retryable) == (401, 4000, False)


def test_whoami_describes_the_user(api):
    body = api.get('/user/whoami').json()
    assert body['common_name'] == 'root'
    assert body['roles'] == ['SYSTEM_ADMIN']
    assert body['namespace'] == ''
    assert set(body) >= {'distinguished_name', 'last_time_password_changed'}


def test_logout_ends_only_that_token(ecs_sim):
    first, second = (login(ecs_sim).headers['X-SDS-AUTH-TOKEN'] for _attempt in range(2))
    response = call(ecs_sim, first, '/logout')
    assert (response.status_code, response.json()) == (200, {'user': 'root'})
    assert call(ecs_sim, first).status_code == 401
    assert call(ecs_sim, second).status_code == 200
    assert ecs_sim.stats()['logouts'] == 1


def test_logout_answers_xml_by_default(ecs_sim):
    token = login(ecs_sim).headers['X-SDS-AUTH-TOKEN']
    response = requests.get(ecs_sim.url + '/logout', headers={'X-SDS-AUTH-TOKEN': token}, verify=ecs_sim.ca_path,
                            timeout=10)
    root = ElementTree.fromstring(response.content)
    assert (root.tag, root.findtext('user')) == ('LoggedOut', 'root')


@pytest.mark.parametrize('force', ['true', 'True'])
def test_forced_logout_ends_every_token_of_the_user(ecs_sim, force):
    ecs_sim.seed({'users': {'mon': {'password': 'pw', 'roles': ['SYSTEM_MONITOR']}}})
    tokens = [login(ecs_sim).headers['X-SDS-AUTH-TOKEN'] for _attempt in range(3)]
    other = login(ecs_sim, 'mon', 'pw').headers['X-SDS-AUTH-TOKEN']
    assert call(ecs_sim, tokens[0], '/logout', ).status_code == 200
    assert call(ecs_sim, tokens[1], '/logout?force=%s' % force).status_code == 200
    assert [call(ecs_sim, token).status_code for token in tokens] == [401, 401, 401]
    assert call(ecs_sim, other).status_code == 200


def test_admin_can_log_out_another_user_but_a_monitor_cannot(ecs_sim):
    ecs_sim.seed({'users': {'mon': {'password': 'pw', 'roles': ['SYSTEM_MONITOR']}}})
    monitor = login(ecs_sim, 'mon', 'pw').headers['X-SDS-AUTH-TOKEN']
    root = login(ecs_sim).headers['X-SDS-AUTH-TOKEN']
    assert ecs_error(call(ecs_sim, monitor, '/logout?username=root'))[:2] == (403, 3000)
    response = call(ecs_sim, root, '/logout?username=mon')
    assert (response.status_code, response.json()) == (200, {'user': 'mon'})
    assert call(ecs_sim, monitor).status_code == 401
    assert call(ecs_sim, root).status_code == 200


def test_token_cap_refuses_logins_until_tokens_are_released(ecs_sim):
    ecs_sim.config(token_cap=3)
    tokens = [login(ecs_sim).headers['X-SDS-AUTH-TOKEN'] for _attempt in range(3)]
    refused = login(ecs_sim, headers={'Accept': 'application/json'})
    status, code, details, retryable = ecs_error(refused)
    assert (status, code, retryable) == (403, 1031, False)
    assert 'maximum of 3' in details
    assert call(ecs_sim, tokens[0], '/logout?force=true').status_code == 200
    assert login(ecs_sim).status_code == 200


def test_command_line_token_cap(ecs_sim_factory):
    sim = ecs_sim_factory(extra_args=('--token-cap', '1'))
    assert login(sim).status_code == 200
    assert login(sim).status_code == 403


@pytest.mark.parametrize('setting', ['token_ttl_seconds', 'token_idle_seconds'])
def test_expired_tokens_are_401(ecs_sim, setting):
    token = login(ecs_sim).headers['X-SDS-AUTH-TOKEN']
    assert call(ecs_sim, token).status_code == 200
    ecs_sim.config(**{setting: 0})
    assert ecs_error(call(ecs_sim, token))[:2] == (401, 4000)
    assert ecs_sim.stats()['live_tokens'] == {'root': 0}


def test_expired_token_redirects_to_login_in_302_mode(ecs_sim):
    token = login(ecs_sim).headers['X-SDS-AUTH-TOKEN']
    ecs_sim.config(expired_token_response=302, token_ttl_seconds=0)
    response = call(ecs_sim, token, '/object/namespaces')
    assert response.status_code == 302
    assert response.headers['Location'].endswith('/login')
    followed = requests.get(ecs_sim.url + '/object/namespaces', headers={'X-SDS-AUTH-TOKEN': token},
                            verify=ecs_sim.ca_path, timeout=10)
    assert followed.status_code == 401  # the redirected GET /login carries no credentials


def test_expire_tokens_fault_ends_every_live_token(ecs_sim):
    token = login(ecs_sim).headers['X-SDS-AUTH-TOKEN']
    ecs_sim.faults(expire_tokens=True)
    assert call(ecs_sim, token).status_code == 401
    assert login(ecs_sim).status_code == 200


def test_a_monitor_reads_but_cannot_write(ecs_sim, rg_ids):
    ecs_sim.seed({'users': {'mon': {'password': 'pw', 'roles': ['SYSTEM_MONITOR']}}, 'namespaces': {'lab': {}}})
    monitor = ecs_sim.api('mon', 'pw')
    assert monitor.get('/object/namespaces').status_code == 200
    assert monitor.get('/object/namespaces/namespace/lab/quota').status_code == 200
    assert monitor.get('/object/capacity').status_code == 200
    for method, path, body in [
            ('POST', '/object/namespaces/namespace', {'namespace': 'x', 'default_data_services_vpool': rg_ids['rg1']}),
            ('PUT', '/object/namespaces/namespace/lab/quota', {'blockSize': 1, 'notificationSize': 1}),
            ('POST', '/object/bucket', {'name': 'b', 'namespace': 'lab'}),
            ('POST', '/object/namespaces/namespace/lab/deactivate', None)]:
        assert ecs_error(monitor.request(method, path, json=body))[:2] == (403, 3000), path
    assert ecs_sim.state()['namespaces'].keys() == {'lab'}


def test_a_namespace_admin_manages_buckets_of_its_own_namespace_only(ecs_sim):
    ecs_sim.seed({'namespaces': {'lab': {'vpool': 'rg1'}, 'other': {'vpool': 'rg1', 'namespace_admins': 'alice'}},
                  'users': {'nsadmin': {'password': 'pw', 'roles': ['NAMESPACE_ADMIN'], 'namespace': 'lab'},
                            'alice': {'password': 'pw', 'roles': ['SYSTEM_MONITOR']}}})
    nsadmin = ecs_sim.api('nsadmin', 'pw')
    assert nsadmin.post('/object/bucket', json={'name': 'mine', 'namespace': 'lab'}).status_code == 200
    assert nsadmin.put('/object/bucket/mine/quota', json={'namespace': 'lab', 'blockSize': 2,
                                                          'notificationSize': 1}).status_code == 200
    assert nsadmin.post('/object/bucket', json={'name': 'theirs'}).status_code == 200  # own namespace by default
    assert ecs_error(nsadmin.post('/object/bucket', json={'name': 'x', 'namespace': 'other'}))[:2] == (403, 3000)
    assert ecs_error(nsadmin.get('/object/namespaces'))[:2] == (403, 3000)
    assert ecs_error(nsadmin.put('/object/namespaces/namespace/lab/quota',
                                 json={'blockSize': 1, 'notificationSize': 1}))[:2] == (403, 3000)
    assert set(ecs_sim.state()['namespaces']['lab']['buckets']) == {'mine', 'theirs'}
    alice = ecs_sim.api('alice', 'pw')  # made a namespace admin through the namespace's namespace_admins
    assert 'NAMESPACE_ADMIN' in alice.get('/user/whoami').json()['roles']
    assert alice.post('/object/bucket', json={'name': 'hers', 'namespace': 'other'}).status_code == 200


def test_support_api_raises_on_failed_login(ecs_sim):
    with pytest.raises(SimulatorError, match='login as root failed: HTTP 401'):
        ecs_sim.api('root', 'wrong')
