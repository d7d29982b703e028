"""ECS client: host parsing, token lifecycle, retries, re-login, error mapping, quoting, paging (mocked HTTP)."""

import threading

import pytest
import requests
from urllib3.exceptions import ReadTimeoutError

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import (
    HINT_CONNECTION, HINT_CREDENTIALS, HINT_FORBIDDEN, HINT_SESSION, HINT_TLS, HINT_TOKEN_LIMIT, HINT_UNAVAILABLE,
    EcsApiError, EcsConfigError, EcsNotFoundError, is_not_found, is_unsupported, parse_error_body)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import (
    HINT_LOGIN_TIMEOUT, RetryPolicy, build_base_url, path)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.ecs_client import EcsClient, federation_key
from support.ecs_fakes import PASSWORD, TOKEN_PREFIX, FakeEcs, FakeResponse

NOT_FOUND_BODY = {'code': 1004, 'description': 'Request parameter cannot be found',
                  'details': 'Unable to find entity with the given id ns1', 'retryable': False}
UNAVAILABLE = FakeResponse(503, {'code': 6000, 'description': 'Service unavailable', 'retryable': True},
                           reason='Service Unavailable')
NS_PATH = '/object/namespaces/namespace/ns1'


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)


def make_client(ecs, retries=3, password=PASSWORD, **kwargs):
    sleeps = Sleeps()
    policy = RetryPolicy(retries=retries, base_delay=0.5, max_delay=8.0, sleep=sleeps, rand=lambda: 1.0)
    client = EcsClient('ecs.example.org', 'root', password, session_factory=ecs.session, retry_policy=policy, **kwargs)
    return client, sleeps


# -- host and port ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('host, port, url', [
    ('ecs1.example.org', 4443, 'https://ecs1.example.org:4443'),
    ('https://ecs1.example.org', 4443, 'https://ecs1.example.org:4443'),
    ('HTTPS://ecs1.example.org/', 9011, 'https://ecs1.example.org:9011'),
    ('10.1.2.3', 4443, 'https://10.1.2.3:4443'),
    ('::1', 4443, 'https://[::1]:4443'),
    ('[fd00::5]', '4443', 'https://[fd00::5]:4443'),
])
def test_base_url(host, port, url):
    assert build_base_url(host, port) == url


@pytest.mark.parametrize('host, message', [
    ('http://ecs1.example.org', 'HTTPS only'),
    ('ecs1.example.org/api', 'contains a path'),
    ('https://ecs1.example.org/login', 'contains a path'),
    ('ecs1.example.org:4443', 'contains a port'),
    ('https://ecs1.example.org:4443', 'contains a port'),
    ('[::1]:4443', 'contains a port'),
    ('root:pw@ecs1', 'contains credentials'),
    ('', 'no ECS host'),
    ('bad host', 'not a valid host name'),
])
def test_bad_host_refused(host, message):
    with pytest.raises(EcsConfigError, match=message):
        build_base_url(host)


def test_bad_port_refused():
    with pytest.raises(EcsConfigError, match='out of range'):
        build_base_url('ecs1', 70000)


def test_path_quotes_every_segment():
    assert path('object', 'bucket', 'a/b c?', 'info') == '/object/bucket/a%2Fb%20c%3F/info'
    assert path('object', 'namespaces', 'namespace', 'ns1/../x') == '/object/namespaces/namespace/ns1%2F..%2Fx'


def test_query_values_go_through_params_not_the_path():
    ecs = FakeEcs({('GET', '/object/bucket/b%2F1/info'): FakeResponse(200, {'name': 'b/1'})})
    client, _sleeps = make_client(ecs)
    with client:
        client.get_bucket('ns&x=1', 'b/1')
    call = ecs.calls_to('GET', '/object/bucket/b%2F1/info')[0]
    assert call[2] == {'namespace': 'ns&x=1'}


# -- tokens ----------------------------------------------------------------------------------------------

def test_one_login_token_on_every_call_accept_json_and_logout():
    ecs = FakeEcs({('GET', NS_PATH): FakeResponse(200, {'name': 'ns1'}),
                   ('GET', '/object/capacity'): FakeResponse(200, {'totalProvisioned_gb': 10, 'totalFree_gb': 4})})
    client, _sleeps = make_client(ecs)
    with client:
        assert client.get_namespace('ns1')['name'] == 'ns1'
        assert client.capacity()['totalFree_gb'] == 4
        assert client.logged_in
    assert [c[1] for c in ecs.calls] == ['/login', NS_PATH, '/object/capacity', '/logout']
    for call in ecs.calls[1:]:
        assert call[4]['X-SDS-AUTH-TOKEN'] == TOKEN_PREFIX + '1'
        assert call[4]['Accept'] == 'application/json'
    assert 'X-SDS-AUTH-TOKEN' not in ecs.calls[0][4]
    assert ecs.live == set()
    assert client.calls == 2 and client.logins == 1
    assert all(session.closed for session in ecs.sessions)


def test_logout_on_failure():
    ecs = FakeEcs({('GET', NS_PATH): FakeResponse(500, {'code': 7000, 'description': 'API error', 'retryable': False})})
    client, _sleeps = make_client(ecs)
    with pytest.raises(EcsApiError):
        with client:
            client.get_namespace('ns1')
    assert ecs.live == set()
    assert ecs.calls[-1][1] == '/logout'


def test_no_login_no_logout_when_nothing_was_called():
    ecs = FakeEcs()
    client, _sleeps = make_client(ecs)
    with client:
        pass
    assert ecs.calls == []


def test_bad_credentials_are_not_retried_and_say_what_to_check():
    ecs = FakeEcs()
    client, sleeps = make_client(ecs, password='wrong')
    with pytest.raises(EcsApiError) as info:
        with client:
            client.capacity()
    assert len(ecs.calls_to('GET', '/login')) == 1 and not sleeps
    assert (info.value.status, info.value.kind, info.value.call) == (401, 'auth', 'GET /login')
    assert info.value.hint == HINT_CREDENTIALS


def test_relogin_once_on_401_then_replay():
    ecs = FakeEcs({('GET', NS_PATH): [FakeResponse(401, reason='Unauthorized'), FakeResponse(200, {'name': 'ns1'})]})
    client, _sleeps = make_client(ecs)
    with client:
        assert client.get_namespace('ns1') == {'name': 'ns1'}
    assert len(ecs.calls_to('GET', '/login')) == 2
    assert [c[4]['X-SDS-AUTH-TOKEN'] for c in ecs.calls_to('GET', NS_PATH)] == [TOKEN_PREFIX + '1', TOKEN_PREFIX + '2']
    # the refused token is released too, and the new one at the end
    assert ecs.live == set()


def test_redirect_to_login_is_an_expired_token():
    ecs = FakeEcs({('GET', NS_PATH): [FakeResponse(302, headers={'Location': 'https://ecs:4443/login?using-cookies=true'}),
                                      FakeResponse(200, {'name': 'ns1'})]})
    client, _sleeps = make_client(ecs)
    with client:
        assert client.get_namespace('ns1') == {'name': 'ns1'}
    assert len(ecs.calls_to('GET', '/login')) == 2


def test_second_401_after_relogin_fails_clearly():
    ecs = FakeEcs({('GET', NS_PATH): FakeResponse(401, reason='Unauthorized')})
    client, _sleeps = make_client(ecs)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.get_namespace('ns1')
    assert len(ecs.calls_to('GET', '/login')) == 2
    assert info.value.status == 401 and info.value.hint == HINT_SESSION
    assert ecs.live == set()


def test_parallel_401s_mint_one_new_token():
    barrier = threading.Barrier(4)

    def handler(token, **_kwargs):
        if token == TOKEN_PREFIX + '1':
            barrier.wait(timeout=5)
            return FakeResponse(401, reason='Unauthorized')
        return FakeResponse(200, {'blockSize': 1, 'notificationSize': 1})

    ecs = FakeEcs({('GET', '/object/namespaces/namespace/ns%d/quota' % i): handler for i in range(4)})
    client, _sleeps = make_client(ecs, max_workers=4)
    with client:
        results = client.map(client.get_namespace_quota, ['ns0', 'ns1', 'ns2', 'ns3'])
    assert [error for _item, _result, error in results] == [None] * 4
    assert ecs.minted == 2
    assert ecs.live == set()


def test_logins_from_parallel_first_calls_are_shared():
    ecs = FakeEcs({('GET', '/object/namespaces/namespace/ns%d/quota' % i): FakeResponse(200, {}) for i in range(8)})
    client, _sleeps = make_client(ecs, max_workers=4)
    with client:
        client.map(client.get_namespace_quota, ['ns%d' % i for i in range(8)])
    assert ecs.minted == 1
    assert len({c[4]['X-SDS-AUTH-TOKEN'] for c in ecs.calls if c[1] not in ('/login',)}) == 1
    assert len(ecs.sessions) >= 2  # one session per worker thread


# -- retries ---------------------------------------------------------------------------------------------

def test_get_retried_on_503_with_bounded_backoff():
    ecs = FakeEcs({('GET', NS_PATH): [UNAVAILABLE, UNAVAILABLE, FakeResponse(200, {'name': 'ns1'})]})
    client, sleeps = make_client(ecs)
    with client:
        assert client.get_namespace('ns1')['name'] == 'ns1'
    assert len(ecs.calls_to('GET', NS_PATH)) == 3
    assert sleeps == [0.5, 1.0]
    assert client.calls == 3


def test_retries_are_bounded_and_the_last_error_is_raised():
    ecs = FakeEcs({('GET', NS_PATH): UNAVAILABLE})
    client, sleeps = make_client(ecs, retries=4)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.get_namespace('ns1')
    assert len(ecs.calls_to('GET', NS_PATH)) == 5
    assert sleeps == [0.5, 1.0, 2.0, 4.0]
    assert info.value.retryable and info.value.status == 503 and info.value.code == 6000


def test_backoff_is_capped_and_jittered():
    policy = RetryPolicy(retries=10, base_delay=0.5, max_delay=8.0, rand=lambda: 0.0)
    assert [policy.delay(n) for n in range(6)] == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0]
    policy = RetryPolicy(retries=10, base_delay=0.5, max_delay=8.0, rand=lambda: 1.0)
    assert policy.delay(20) == 8.0
    assert policy.delay(0, retry_after=30) == 8.0
    assert policy.delay(0, retry_after=3) == 3


@pytest.mark.parametrize('response', [
    FakeResponse(429, text='', reason='Too Many Requests', headers={'Retry-After': '2'}),
    FakeResponse(502, text='<html>Bad Gateway</html>', reason='Bad Gateway'),
    FakeResponse(504, text='', reason='Gateway Timeout'),
    FakeResponse(500, {'code': 30026, 'description': 'busy', 'retryable': True}),
    requests.exceptions.ConnectionError('connection refused'),
    requests.exceptions.ReadTimeout('read timed out'),
])
def test_transient_failures_are_retried_on_idempotent_calls(response):
    ecs = FakeEcs({('PUT', NS_PATH + '/quota'): [response, FakeResponse(200, text='')]})
    client, sleeps = make_client(ecs)
    with client:
        assert client.set_namespace_quota('ns1', 10, 9) is None
    assert len(ecs.calls_to('PUT', NS_PATH + '/quota')) == 2
    assert len(sleeps) == 1


@pytest.mark.parametrize('response', [
    FakeResponse(500, {'code': 7000, 'description': 'API error', 'retryable': False}),
    FakeResponse(400, {'code': 1008, 'description': 'invalid', 'retryable': False}),
    FakeResponse(403, {'code': 3000, 'description': 'Insufficient permissions'}),
    requests.exceptions.SSLError('certificate verify failed'),
])
def test_permanent_failures_are_not_retried(response):
    ecs = FakeEcs({('GET', NS_PATH): response})
    client, sleeps = make_client(ecs)
    with pytest.raises(EcsApiError):
        with client:
            client.get_namespace('ns1')
    assert len(ecs.calls_to('GET', NS_PATH)) == 1 and not sleeps


def test_plain_post_is_never_retried():
    ecs = FakeEcs({('POST', '/object/foo'): UNAVAILABLE})
    client, sleeps = make_client(ecs)
    with pytest.raises(EcsApiError):
        with client:
            client.request('POST', '/object/foo', body={})
    assert len(ecs.calls_to('POST', '/object/foo')) == 1 and not sleeps


def test_uncertain_create_reads_back_before_deciding():
    created = FakeResponse(200, {'name': 'ns1', 'id': 'ns1'})
    ecs = FakeEcs({('POST', '/object/namespaces/namespace'): requests.exceptions.ReadTimeout('read timed out'),
                   ('GET', NS_PATH): created})
    client, _sleeps = make_client(ecs)
    with client:
        assert client.create_namespace('ns1', 'urn:rg1')['name'] == 'ns1'
    assert len(ecs.calls_to('POST', '/object/namespaces/namespace')) == 1
    assert ecs.calls_to('POST', '/object/namespaces/namespace')[0][3] == {
        'namespace': 'ns1', 'default_data_services_vpool': 'urn:rg1'}


def test_uncertain_create_retried_only_when_read_back_finds_nothing():
    ecs = FakeEcs({('POST', '/object/namespaces/namespace'): [UNAVAILABLE, FakeResponse(200, {'name': 'ns1'})],
                   ('GET', NS_PATH): [FakeResponse(400, NOT_FOUND_BODY), FakeResponse(200, {'name': 'ns1'})]})
    client, sleeps = make_client(ecs)
    with client:
        assert client.create_namespace('ns1')['name'] == 'ns1'
    assert len(ecs.calls_to('POST', '/object/namespaces/namespace')) == 2
    assert len(sleeps) == 1


def test_create_refused_is_not_retried():
    ecs = FakeEcs({('POST', '/object/namespaces/namespace'): FakeResponse(400, {'code': 1008, 'description': 'exists'})})
    client, _sleeps = make_client(ecs)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.create_namespace('ns1')
    assert (info.value.status, info.value.code) == (400, 1008)
    assert len(ecs.calls_to('POST', '/object/namespaces/namespace')) == 1
    assert not ecs.calls_to('GET', NS_PATH)


def test_uncertain_bucket_delete_checks_before_retrying():
    ecs = FakeEcs({('POST', '/object/bucket/b1/deactivate'): UNAVAILABLE,
                   ('GET', '/object/bucket/b1/info'): FakeResponse(400, NOT_FOUND_BODY)})
    client, _sleeps = make_client(ecs)
    with client:
        assert client.delete_bucket('ns1', 'b1') == (200, None)
    assert len(ecs.calls_to('POST', '/object/bucket/b1/deactivate')) == 1


# -- errors ----------------------------------------------------------------------------------------------

def test_json_error_mapping_and_not_found():
    ecs = FakeEcs({('GET', NS_PATH): FakeResponse(400, NOT_FOUND_BODY, reason='Bad Request')})
    client, _sleeps = make_client(ecs)
    with client:
        with pytest.raises(EcsNotFoundError) as info:
            client.get_namespace('ns1')
        assert client.find_namespace('ns1') is None
    error = info.value
    assert (error.status, error.code, error.method, error.path, error.retryable) == (400, 1004, 'GET', NS_PATH, False)
    assert error.details == 'Unable to find entity with the given id ns1'
    assert is_not_found(error)
    assert str(error) == ('GET /object/namespaces/namespace/ns1 failed (HTTP 400, ECS error 1004): '
                          'Request parameter cannot be found: Unable to find entity with the given id ns1')


def test_xml_error_body():
    xml = ('<?xml version="1.0" encoding="UTF-8"?><error><code>1004</code><description>Request parameter cannot be '
           'found</description><details>no ns1</details><retryable>false</retryable></error>')
    ecs = FakeEcs({('GET', NS_PATH): FakeResponse(400, text=xml, headers={'Content-Type': 'application/xml'})})
    client, _sleeps = make_client(ecs)
    with client:
        assert client.find_namespace('ns1') is None


@pytest.mark.parametrize('body', ['<html><body><h1>502 Bad Gateway</h1></body></html>', '', 'upstream gone'])
def test_proxy_bodies_fall_back_to_the_http_reason(body):
    ecs = FakeEcs({('GET', NS_PATH): FakeResponse(502, text=body, reason='Bad Gateway')})
    client, _sleeps = make_client(ecs, retries=0)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.find_namespace('ns1')
    assert info.value.status == 502 and info.value.code is None and info.value.retryable
    assert info.value.description == 'Bad Gateway' and info.value.hint == HINT_UNAVAILABLE
    assert not is_not_found(info.value)


def test_other_failures_are_not_not_found():
    ecs = FakeEcs({('GET', NS_PATH): FakeResponse(400, {'code': 1008, 'description': 'invalid'})})
    client, _sleeps = make_client(ecs)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.find_namespace('ns1')
    assert not isinstance(info.value, EcsNotFoundError)


def test_404_with_code_2000_is_not_found_and_bare_404_is_unsupported():
    assert parse_error_body('{"code": "2000", "description": "x", "retryable": "false"}') == (2000, 'x', None, False)
    ecs = FakeEcs({('GET', NS_PATH): FakeResponse(404, {'code': 2000, 'description': 'Entity not found'}),
                   ('POST', '/object/billing/namespace/info'): FakeResponse(404, text='', reason='Not Found')})
    client, _sleeps = make_client(ecs)
    with client:
        assert client.find_namespace('ns1') is None
        with pytest.raises(EcsApiError) as info:
            client.namespaces_billing_batch(['ns1'])
    assert is_unsupported(info.value) and not is_not_found(info.value)


def test_tls_failure_says_how_to_fix():
    ecs = FakeEcs({('GET', '/login'): requests.exceptions.SSLError('CERTIFICATE_VERIFY_FAILED')})
    client, _sleeps = make_client(ecs)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.capacity()
    assert info.value.kind == 'tls' and info.value.hint == HINT_TLS


def test_login_refused_for_too_many_tokens_points_at_stale_sessions():
    refused = FakeResponse(403, {'code': 1031, 'description': 'Limit exceeded', 'retryable': False,
                                 'details': 'User root has reached the maximum of 100 authentication tokens'})
    ecs = FakeEcs({('GET', '/login'): refused})
    client, sleeps = make_client(ecs)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.capacity()
    error = info.value
    assert (error.call, error.status, error.code, error.hint) == ('GET /login', 403, 1031, HINT_TOKEN_LIMIT)
    assert error.details == 'User root has reached the maximum of 100 authentication tokens'
    assert sleeps == []


def test_forbidden_call_blames_the_role():
    ecs = FakeEcs({('GET', '/object/capacity'): FakeResponse(403, {'code': 1032, 'description': 'Forbidden'})})
    client, _sleeps = make_client(ecs)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.capacity()
    assert (info.value.status, info.value.hint) == (403, HINT_FORBIDDEN)


def test_connection_failure_says_what_to_check():
    ecs = FakeEcs({('GET', '/object/capacity'): requests.exceptions.ConnectionError('Connection refused')})
    client, sleeps = make_client(ecs, retries=2)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.capacity()
    assert info.value.kind == 'connection' and info.value.hint == HINT_CONNECTION
    assert len(sleeps) == 2


# -- login retries ---------------------------------------------------------------------------------------


def login_read_timeout():
    return requests.exceptions.ReadTimeout(ReadTimeoutError(None, '/login', 'Read timed out. (read timeout=30.0)'))


@pytest.mark.parametrize('retries', [0, 1, 3])
def test_failing_login_is_tried_retries_plus_one_times_in_all(retries):
    """The login retries on its own; the call that needed the token does not start another round of logins."""
    ecs = FakeEcs({('GET', '/login'): UNAVAILABLE})
    client, sleeps = make_client(ecs, retries=retries)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.capacity()
    assert len(ecs.calls_to('GET', '/login')) == retries + 1
    assert sleeps == [0.5, 1.0, 2.0][:retries]
    assert not ecs.calls_to('GET', '/object/capacity') and not ecs.calls_to('GET', '/logout')
    error = info.value
    assert (error.status, error.code, error.path, error.retryable) == (503, 6000, '/login', False)
    assert error.call == 'GET /login' and error.hint == HINT_UNAVAILABLE


def test_failing_login_under_an_uncertain_write_is_not_repeated_by_the_read_back():
    ecs = FakeEcs({('GET', '/login'): UNAVAILABLE})
    client, _sleeps = make_client(ecs, retries=2)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.create_namespace('ns1')
    assert info.value.call == 'GET /login'
    assert len(ecs.calls_to('GET', '/login')) == 3
    assert [c[1] for c in ecs.calls] == ['/login'] * 3


def test_login_recovering_within_its_retries_goes_on():
    ecs = FakeEcs({('GET', '/login'): [UNAVAILABLE, UNAVAILABLE, None],
                   ('GET', '/object/capacity'): FakeResponse(200, {'totalFree_gb': 4})})
    client, sleeps = make_client(ecs)
    with client:
        assert client.capacity() == {'totalFree_gb': 4}
    assert len(ecs.calls_to('GET', '/login')) == 3 and sleeps == [0.5, 1.0]
    assert client.logins == 1 and ecs.live == set()


@pytest.mark.parametrize('timeout', [
    login_read_timeout(),
    requests.exceptions.ConnectionError(ReadTimeoutError(None, '/login', 'Read timed out.')),  # while reading the body
])
def test_login_read_timeout_is_not_retried_and_warns_of_an_unused_token(timeout):
    """The /login request reached ECS, which may have minted a token: another attempt could mint another."""
    ecs = FakeEcs({('GET', '/login'): timeout})
    client, sleeps = make_client(ecs, timeout=7)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.capacity()
    assert len(ecs.calls_to('GET', '/login')) == 1 and sleeps == []
    error = info.value
    assert (error.kind, error.path, error.retryable, error.status) == ('timeout', '/login', False, None)
    assert error.call == 'GET /login' and error.reason.startswith('ReadTimeoutError: ')
    assert error.hint == HINT_LOGIN_TIMEOUT % 7


def test_after_a_login_read_timeout_the_client_logs_in_no_more():
    """Later calls of the same client (or parallel workers waiting for the token) fail at once, same message."""
    ecs = FakeEcs({('GET', '/login'): [login_read_timeout(), None],
                   ('GET', '/object/namespaces/namespace/ns%d/quota' % 0): FakeResponse(200, {})})
    client, _sleeps = make_client(ecs, max_workers=4)
    with client:
        with pytest.raises(EcsApiError) as first:
            client.capacity()
        results = client.map(client.get_namespace_quota, ['ns0', 'ns1', 'ns2'])
    assert len(ecs.calls_to('GET', '/login')) == 1 and ecs.minted == 0
    assert [str(error) for _item, _result, error in results] == [str(first.value)] * 3
    assert first.value.kind == 'timeout' and first.value.hint == HINT_LOGIN_TIMEOUT % client.timeout


def test_token_renewal_that_times_out_is_not_retried():
    ecs = FakeEcs({('GET', '/login'): [None, login_read_timeout()],
                   ('GET', NS_PATH): FakeResponse(401, reason='Unauthorized')})
    client, _sleeps = make_client(ecs)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.get_namespace('ns1')
    assert info.value.kind == 'timeout' and info.value.hint == HINT_LOGIN_TIMEOUT % client.timeout
    assert len(ecs.calls_to('GET', '/login')) == 2 and len(ecs.calls_to('GET', NS_PATH)) == 1
    assert not info.value.retryable
    assert ecs.live == set()  # the refused token was logged out before the new login


@pytest.mark.parametrize('failure', [
    requests.exceptions.ConnectionError('Connection refused'),
    requests.exceptions.ConnectTimeout('connect timed out'),
])
def test_login_connect_failure_is_retried(failure):
    """Nothing reached ECS, so no token can have been minted: the login is retried (retries + 1 attempts)."""
    ecs = FakeEcs({('GET', '/login'): [failure, failure, None],
                   ('GET', '/object/capacity'): FakeResponse(200, {})})
    client, sleeps = make_client(ecs)
    with client:
        assert client.capacity() == {}
    assert len(ecs.calls_to('GET', '/login')) == 3 and sleeps == [0.5, 1.0]

    ecs = FakeEcs({('GET', '/login'): failure})
    client, sleeps = make_client(ecs, retries=2)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.capacity()
    assert len(ecs.calls_to('GET', '/login')) == 3 and sleeps == [0.5, 1.0]
    assert info.value.kind in ('connection', 'timeout') and info.value.hint != HINT_LOGIN_TIMEOUT % client.timeout


def test_no_secret_in_errors_or_repr():
    ecs = FakeEcs({('GET', NS_PATH): FakeResponse(401, reason='Unauthorized')})
    client, _sleeps = make_client(ecs)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.get_namespace('ns1')
    texts = [str(info.value), repr(info.value), repr(client), str(info.value.as_dict()), repr(vars(info.value))]
    for text in texts:
        assert PASSWORD not in text and TOKEN_PREFIX not in text
    assert 'ecs.example.org' in repr(client)


def test_verify_settings_on_sessions(monkeypatch):
    for name in ('REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'):
        monkeypatch.delenv(name, raising=False)
    ecs = FakeEcs({('GET', '/object/capacity'): FakeResponse(200, {})})
    for kwargs, verify in [({}, True), ({'ca_path': '/etc/ca.pem'}, '/etc/ca.pem'),
                           ({'validate_certs': False, 'ca_path': '/etc/ca.pem'}, False)]:
        client, _sleeps = make_client(ecs, **kwargs)
        with client:
            client.capacity()
        assert ecs.sessions[-1].verify == verify
        assert ecs.calls[-1][5] == verify  # per call too
        assert ecs.sessions[-1].trust_env is False  # requests does not rescan the environment on every call


def test_environment_is_read_once_as_requests_would(monkeypatch):
    """REQUESTS_CA_BUNDLE when no ca_path is given (ca_path wins), HTTPS_PROXY unless NO_PROXY names the host."""
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/site-ca.pem')
    monkeypatch.setenv('HTTPS_PROXY', 'http://proxy.example.org:3128')
    monkeypatch.delenv('NO_PROXY', raising=False)
    monkeypatch.delenv('no_proxy', raising=False)
    ecs = FakeEcs({('GET', '/object/capacity'): FakeResponse(200, {})})
    client, _sleeps = make_client(ecs)
    with client:
        client.capacity()
    assert ecs.calls[-1][5] == '/etc/site-ca.pem'
    assert ecs.sessions[-1].proxies.get('https') == 'http://proxy.example.org:3128'
    client, _sleeps = make_client(ecs, ca_path='/etc/ca.pem')
    assert client.verify == '/etc/ca.pem'
    monkeypatch.setenv('NO_PROXY', 'example.org')
    client, _sleeps = make_client(ecs)
    with client:
        client.capacity()
    assert 'https' not in ecs.sessions[-1].proxies


def test_credentials_required():
    with pytest.raises(EcsConfigError, match='ECS_USER and ECS_PASS'):
        EcsClient('ecs1', '', None, session_factory=object)


# -- paging ----------------------------------------------------------------------------------------------

def test_namespace_paging_follows_next_marker_and_tolerates_missing_keys():
    pages = [FakeResponse(200, {'namespace': [{'name': 'a'}, {'name': 'b'}], 'NextMarker': 'm1'}),
             FakeResponse(200, {'namespace': {'name': 'c'}, 'NextMarker': 'm2'}),
             FakeResponse(200, {'NextMarker': ''})]
    ecs = FakeEcs({('GET', '/object/namespaces'): pages})
    client, _sleeps = make_client(ecs)
    with client:
        assert [n['name'] for n in client.list_namespaces()] == ['a', 'b', 'c']
    markers = [c[2].get('marker') for c in ecs.calls_to('GET', '/object/namespaces')]
    assert markers == [None, 'm1', 'm2']


def test_paging_stops_on_a_repeated_marker():
    ecs = FakeEcs({('GET', '/object/bucket'): FakeResponse(200, {'object_bucket': [{'name': 'b'}], 'NextMarker': 'same'})})
    client, _sleeps = make_client(ecs)
    with client:
        assert len(client.list_buckets('ns1')) == 2
    assert len(ecs.calls_to('GET', '/object/bucket')) == 2


def test_empty_lists():
    ecs = FakeEcs({('GET', '/object/namespaces'): FakeResponse(200, {'namespace': None}),
                   ('GET', '/vdc/data-service/vpools'): FakeResponse(200, {})})
    client, _sleeps = make_client(ecs)
    with client:
        assert client.list_namespaces() == []
        assert client.replication_groups() == []
        with pytest.raises(EcsConfigError, match=r"replication group 'rg1' does not exist .*known: none"):
            client.resolve_replication_group('rg1')


def test_replication_group_by_name_or_id_read_once():
    groups = {'data_service_vpool': [{'id': 'urn:storageos:ReplicationGroupInfo:1:global', 'name': 'rg1'},
                                     {'id': 'urn:storageos:ReplicationGroupInfo:2:global', 'name': 'rg2'}]}
    ecs = FakeEcs({('GET', '/vdc/data-service/vpools'): FakeResponse(200, groups)})
    client, _sleeps = make_client(ecs)
    with client:
        assert client.resolve_replication_group('rg2')['id'].endswith(':2:global')
        assert client.resolve_replication_group('urn:storageos:ReplicationGroupInfo:1:global')['name'] == 'rg1'
        with pytest.raises(EcsConfigError, match='known: rg1, rg2'):
            client.resolve_replication_group('nope')
    assert len(ecs.calls_to('GET', '/vdc/data-service/vpools')) == 1


def test_billing_pages_of_bucket_detail_are_merged():
    pages = [FakeResponse(200, {'namespace': 'ns1', 'total_size': 3, 'bucket_billing_info': [{'name': 'a'}], 'next_marker': 'x'}),
             FakeResponse(200, {'namespace': 'ns1', 'bucket_billing_info': [{'name': 'b'}]})]
    ecs = FakeEcs({('GET', '/object/billing/namespace/ns1/info'): pages})
    client, _sleeps = make_client(ecs)
    with client:
        record = client.namespace_billing('ns1')
    assert [b['name'] for b in record['bucket_billing_info']] == ['a', 'b']
    params = [c[2] for c in ecs.calls_to('GET', '/object/billing/namespace/ns1/info')]
    assert params[0] == {'include_bucket_detail': 'true', 'sizeunit': 'KB'}
    assert params[1]['marker'] == 'x'


def test_batch_billing_accepts_both_root_keys():
    for key in ('namespace_billing_info', 'namespace_billing_infos'):
        ecs = FakeEcs({('POST', '/object/billing/namespace/info'): FakeResponse(200, {key: [{'namespace': 'a'}]})})
        client, _sleeps = make_client(ecs)
        with client:
            assert client.namespaces_billing_batch(['a']) == [{'namespace': 'a'}]
        assert ecs.calls_to('POST', '/object/billing/namespace/info')[0][3] == {'id': ['a']}


def test_namespace_update_resends_current_user_mapping():
    mapping = [{'domain': 'ad.example.org', 'groups': ['Smith Lab'], 'attributes': []}]
    ecs = FakeEcs({('GET', NS_PATH): FakeResponse(200, {'name': 'ns1', 'user_mapping': mapping}),
                   ('PUT', NS_PATH): FakeResponse(200, text='')})
    client, _sleeps = make_client(ecs)
    with client:
        client.update_namespace('ns1', {'default_data_services_vpool': 'urn:rg2'})
    assert ecs.calls_to('PUT', NS_PATH)[0][3] == {'default_data_services_vpool': 'urn:rg2', 'user_mapping': mapping}


# -- cluster identity ------------------------------------------------------------------------------------

VDC_SECRET = 'S3cretKeyOfTheVdc0001'
VDC_A = 'urn:storageos:VirtualDataCenterData:7d7d2ed5-e253-4be9-b8bb-5ff5b2697e6f'
VDC_B = 'urn:storageos:VirtualDataCenterData:a9faea85-d377-4a42-b5f1-fa15829f0c33'


def vdc_record(vdc_id, name, local):
    return {'id': vdc_id, 'vdcId': vdc_id, 'name': name, 'vdcName': name, 'local': local, 'inactive': False,
            'link': {'rel': 'self', 'href': '/object/vdcs/vdc/' + name}, 'managementEndPoints': '10.0.0.1',
            'secretKeys': VDC_SECRET + name}


def test_vdc_identity_is_one_call_without_secrets():
    listed = {'vdc': [vdc_record(VDC_B, 'paris', False), vdc_record(VDC_A, 'boston', True)]}
    ecs = FakeEcs({('GET', '/object/vdcs/vdc/list'): FakeResponse(200, listed)})
    client, _sleeps = make_client(ecs)
    with client:
        identity = client.vdc_identity()
    assert identity == {'local': VDC_A, 'name': 'boston', 'vdcs': [VDC_A, VDC_B]}
    assert [c[1] for c in ecs.calls] == ['/login', '/object/vdcs/vdc/list', '/logout']
    assert VDC_SECRET not in repr(identity) and VDC_SECRET not in repr(vars(client))


def test_vdc_identity_asks_for_the_local_vdc_only_when_none_is_marked():
    listed = {'vdc': [vdc_record(VDC_B, 'paris', 'false'), vdc_record(VDC_A, 'boston', None)]}
    ecs = FakeEcs({('GET', '/object/vdcs/vdc/list'): FakeResponse(200, listed),
                   ('GET', '/object/vdcs/vdc/local'): FakeResponse(200, vdc_record(VDC_A, 'boston', True))})
    client, _sleeps = make_client(ecs)
    with client:
        assert client.vdc_identity() == {'local': VDC_A, 'name': 'boston', 'vdcs': [VDC_A, VDC_B]}
    assert [c[1] for c in ecs.calls[1:-1]] == ['/object/vdcs/vdc/list', '/object/vdcs/vdc/local']


def test_vdc_identity_with_an_empty_list_uses_the_local_vdc():
    ecs = FakeEcs({('GET', '/object/vdcs/vdc/list'): FakeResponse(200, {'vdc': []}),
                   ('GET', '/object/vdcs/vdc/local'): FakeResponse(200, vdc_record(VDC_B, 'paris', True))})
    client, _sleeps = make_client(ecs)
    with client:
        assert client.vdc_identity() == {'local': VDC_B, 'name': 'paris', 'vdcs': [VDC_B]}


@pytest.mark.parametrize('local_answer', [
    FakeResponse(200, {'name': 'boston', 'secretKeys': VDC_SECRET}),
    FakeResponse(200, text='<vdc><secretKeys>%s</secretKeys></vdc>' % VDC_SECRET,
                 headers={'Content-Type': 'application/xml'}),
])
def test_vdc_identity_errors_never_carry_secret_keys(local_answer):
    listed = {'vdc': [{'name': 'boston', 'local': True, 'secretKeys': VDC_SECRET}]}
    ecs = FakeEcs({('GET', '/object/vdcs/vdc/list'): FakeResponse(200, listed),
                   ('GET', '/object/vdcs/vdc/local'): local_answer})
    client, _sleeps = make_client(ecs)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.vdc_identity()
    assert info.value.kind == 'protocol' and info.value.path == '/object/vdcs/vdc/local'
    for text in (str(info.value), repr(info.value), str(info.value.as_dict()), repr(vars(info.value))):
        assert VDC_SECRET not in text


def test_vdc_identity_failure_is_the_usual_error():
    ecs = FakeEcs({('GET', '/object/vdcs/vdc/list'): FakeResponse(403, {'code': 3000, 'description': 'Forbidden'})})
    client, _sleeps = make_client(ecs)
    with pytest.raises(EcsApiError) as info:
        with client:
            client.vdc_identity()
    assert (info.value.status, info.value.hint) == (403, HINT_FORBIDDEN)


def test_federation_key_is_sorted_and_unique():
    assert federation_key([VDC_B, VDC_A, VDC_B, '', None]) == VDC_A + ',' + VDC_B
    assert federation_key([]) == ''
