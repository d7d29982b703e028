"""ECS transport: a failed logout becomes a warning (the token stays live), and credentials basic authentication
cannot send are refused before any call, showing none of their characters (mocked HTTP)."""

import pytest
import requests

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsConfigError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import RetryPolicy
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.ecs_client import EcsClient
from support.ecs_fakes import PASSWORD, FakeEcs, FakeResponse

BASE_URL = 'https://ecs.example.org:4443'
CAPACITY = ('GET', '/object/capacity')
LIMIT_TEXT = "counts against ECS's limit of 100 tokens per user"


class LogoutFaults(FakeEcs):
    """A FakeEcs whose ``GET /logout`` answers from ``handlers`` when one is given (the token then stays live)."""

    def handle(self, method, url, **kwargs):
        if url.endswith('/logout') and ('GET', '/logout') in self.handlers:
            self.calls.append((method, '/logout', None, None, dict(kwargs.get('headers') or {}), None))
            return self._answer(self._next('GET', '/logout'))
        return super(LogoutFaults, self).handle(method, url, **kwargs)


def client_for(ecs, username='root', password=PASSWORD):
    policy = RetryPolicy(retries=2, sleep=lambda seconds: None, rand=lambda: 1.0)
    return EcsClient('ecs.example.org', username, password, session_factory=ecs.session, retry_policy=policy)


def run_once(ecs):
    client = client_for(ecs)
    with client:
        client.capacity()
    return client


@pytest.mark.parametrize('answer, retried, said', [
    (FakeResponse(500, {'code': 7000, 'description': 'An error occurred in the API Service', 'retryable': False},
                  reason='Internal Server Error'), 1, 'GET /logout failed (HTTP 500, ECS error 7000)'),
    (FakeResponse(503, {'code': 6000, 'description': 'Service unavailable', 'retryable': True}), 3,
     'GET /logout failed (HTTP 503, ECS error 6000)'),
    (requests.exceptions.ConnectionError('connection reset by peer'), 3,
     'GET /logout failed: ConnectionError: connection reset by peer'),
    (FakeResponse(403, {'code': 3000, 'description': 'Forbidden', 'retryable': False}), 1,
     'GET /logout failed (HTTP 403, ECS error 3000)'),
])
def test_failed_logout_is_a_warning_naming_the_endpoint(answer, retried, said):
    ecs = LogoutFaults({CAPACITY: FakeResponse(200, {}), ('GET', '/logout'): answer})
    client = run_once(ecs)          # closing never raises
    assert len(ecs.calls_to('GET', '/logout')) == retried
    [warning] = client.warnings
    assert warning.startswith('%s: %s' % (BASE_URL, said)), warning
    assert 'the session token stays live on ECS until it expires' in warning and LIMIT_TEXT in warning
    assert 'BAAcTOKEN' not in warning and PASSWORD not in warning


@pytest.mark.parametrize('answer', [
    FakeResponse(200, {'user': 'root'}),
    FakeResponse(401, text='', reason='Unauthorized'),                  # the token is dead already
    FakeResponse(302, headers={'Location': '/login'}),                 # idled out: ECS redirects to /login
])
def test_logout_that_leaves_no_live_token_is_no_warning(answer):
    ecs = LogoutFaults({CAPACITY: FakeResponse(200, {}), ('GET', '/logout'): answer})
    assert run_once(ecs).warnings == []


def test_no_warning_without_a_token_nor_for_a_stale_token_replaced():
    """Nothing called: no logout at all. A token refused mid-run is logged out quietly (ECS refused it already);
    only the last token's logout counts."""
    assert run_once_nothing() == []
    ecs = LogoutFaults({CAPACITY: [FakeResponse(401, text=''), FakeResponse(200, {})],
                        ('GET', '/logout'): [FakeResponse(500, {'code': 7000}), FakeResponse(200, {'user': 'root'})]})
    client = run_once(ecs)
    assert client.logins == 2 and len(ecs.calls_to('GET', '/logout')) == 2
    assert client.warnings == []


def run_once_nothing():
    client = client_for(FakeEcs())
    with client:
        pass
    return client.warnings


@pytest.mark.parametrize('what, username, password, variable', [
    ('password', 'root', 'p\u00e4ssw\u00f6rd\u20ac', 'ECS_PASS'),
    ('password', 'root', 'Zq7-\u0441\u0435\u043a\u0440\u0435\u0442', 'ECS_PASS'),     # Cyrillic
    ('username', 'j\u00fcrgen\u2013svc', PASSWORD, 'ECS_USER'),                      # an en dash
])
def test_credentials_outside_latin1_refused_before_any_call(what, username, password, variable):
    ecs = FakeEcs()
    with pytest.raises(EcsConfigError) as info:
        client_for(ecs, username=username, password=password)
    message = str(info.value)
    assert message.startswith('the ECS %s contains characters that HTTP basic authentication cannot send (only '
                              'latin-1' % what), message
    assert '(or %s)' % variable in message
    secret = username if what == 'username' else password
    assert message.isascii(), message       # none of the refused characters (all of them are non-ASCII here)
    assert secret[:3] not in message and '\\u' not in message and 'position' not in message
    assert info.value.__cause__ is None and info.value.__context__ is None
    assert ecs.calls == []


def test_latin1_credentials_are_sent():
    """Accented Western European letters are latin-1: they go to ECS (encoded by requests), nothing is refused."""
    ecs = FakeEcs()
    client = client_for(ecs, password='p\u00e4ssw\u00f6rd')
    with client:
        with pytest.raises(Exception):      # the fake ECS knows another password: 401, final
            client.capacity()
    assert [call[1] for call in ecs.calls] == ['/login']
