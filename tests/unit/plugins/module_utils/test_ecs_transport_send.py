"""ECS transport: token calls on a real ``requests.Session`` skip ``Session.request`` but send the same request."""

import http.client
import io
import types

import pytest
import requests
from urllib3.response import HTTPResponse

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import EcsTransport, path

SET_COOKIE = b'Set-Cookie: lb=node2; Path=/; Secure\r\n\r\n'


class Recorder(requests.adapters.HTTPAdapter):
    """Answers every request with 200 (and ``answer_headers``), keeping the prepared requests and send arguments."""

    def __init__(self, answer_headers=b'\r\n'):
        super().__init__()
        self.sent = []
        self.answer_headers = answer_headers

    def send(self, request, **kwargs):
        self.sent.append((request, kwargs))
        headers = http.client.parse_headers(io.BytesIO(self.answer_headers))
        raw = HTTPResponse(body=io.BytesIO(b'{"ok": true}'), status=200, preload_content=False,
                           headers=dict(headers.items(), **{'Content-Type': 'application/json'}),
                           original_response=types.SimpleNamespace(msg=headers, isclosed=lambda: True,
                                                                   close=lambda: None))
        return self.build_response(request, raw)


def recording_session(adapter):
    def factory():
        session = requests.Session()
        session.mount('https://', adapter)
        return session
    return factory


def what_requests_sends(transport, session, method, url_path, params=None, body=None, token='TOKEN1'):
    """The prepared request ``Session.request`` would build for the same call."""
    headers = {'X-SDS-AUTH-TOKEN': token}
    if body is not None:
        headers['Content-Type'] = 'application/json'
    return session.prepare_request(requests.Request(method, transport.base_url + url_path, params=params,
                                                    data=None if body is None else '{"a": 1}', headers=headers))


@pytest.mark.parametrize('method, url_path, params, body', [
    ('GET', '/object/capacity', None, None),
    ('GET', path('object', 'billing', 'namespace', 'smith lab+x', 'info'),
     {'include_bucket_detail': 'true', 'sizeunit': 'KB', 'marker': 'a b/c=='}, None),
    ('GET', '/object/bucket', {'namespace': 'ns1', 'limit': 1000, 'name': 'lab*'}, None),
    ('PUT', path('object', 'namespaces', 'namespace', 'ns1', 'quota'), None, {'a': 1}),
    ('POST', '/object/billing/namespace/info', {'sizeunit': 'KB'}, {'a': 1}),
])
def test_fast_path_sends_what_session_request_sends(method, url_path, params, body):
    adapter = Recorder()
    transport = EcsTransport('ecs1.example.org', 'root', 'pw', ca_path='/tmp/ca.pem',
                             session_factory=recording_session(adapter))
    session = transport._session()
    transport._exchange(method, url_path, params=params, body=body, token='TOKEN1')
    sent, kwargs = adapter.sent[-1]
    expected = what_requests_sends(transport, session, method, url_path, params, body)
    assert (sent.method, sent.url, sent.body) == (expected.method, expected.url, expected.body)
    assert dict(sent.headers) == dict(expected.headers)
    assert kwargs == {'stream': False, 'timeout': transport.timeout, 'verify': '/tmp/ca.pem', 'cert': None,
                      'proxies': {}}


def test_cookies_are_kept_and_sent_back():
    """A cookie ECS (or its load balancer) sets comes back on the next call, as with ``Session.request``."""
    adapter, twin = Recorder(SET_COOKIE), Recorder(SET_COOKIE)
    transport = EcsTransport('ecs1.example.org', 'root', 'pw', session_factory=recording_session(adapter))
    session = recording_session(twin)()
    for _call in range(2):
        transport._exchange('GET', '/object/capacity', token='TOKEN1')
        session.request('GET', transport.base_url + '/object/capacity', headers={'X-SDS-AUTH-TOKEN': 'TOKEN1'})
    assert [sent.headers.get('Cookie') for sent, _kwargs in adapter.sent] == [None, 'lb=node2']
    assert [sent.headers.get('Cookie') for sent, _kwargs in twin.sent] == [None, 'lb=node2']


def test_login_and_dot_segments_take_session_request(monkeypatch):
    calls = []
    original = requests.Session.request

    def spy(self, method, url, **kwargs):
        calls.append((method, url))
        return original(self, method, url, **kwargs)
    monkeypatch.setattr(requests.Session, 'request', spy)
    transport = EcsTransport('ecs1.example.org', 'root', 'pw', session_factory=recording_session(Recorder()))
    transport._exchange('GET', '/login', auth=('root', 'pw'), count=False)
    transport._exchange('GET', '/object/bucket/../info', token='TOKEN1')
    transport._exchange('GET', '/object/capacity', token='TOKEN1')
    assert [url.split(':4443', 1)[1] for _method, url in calls] == ['/login', '/object/bucket/../info']
