"""A scripted stand-in for ``requests.Session`` to unit-test the ECS client's retry, auth and error logic."""

import json
import threading

PASSWORD = 'S3cr3t-Pa55!'
TOKEN_PREFIX = 'BAAcTOKEN'


class FakeResponse:
    def __init__(self, status=200, body=None, headers=None, reason='OK', text=None):
        self.status_code = status
        self.headers = dict(headers or {})
        self.reason = reason
        if text is not None:
            self.text = text
        elif body is None:
            self.text = ''
        else:
            self.text = json.dumps(body)
            self.headers.setdefault('Content-Type', 'application/json')


class FakeEcs:
    """Routes calls to ``handlers[(method, path)]`` (a response, an exception, or a list consumed in order).

    ``/login`` mints ``BAAcTOKEN1``, ``BAAcTOKEN2``, ... for the right password; ``/logout`` retires a token.
    ``calls`` records ``(method, path, params, body, headers, verify)`` of every request, login and logout included.
    """

    def __init__(self, handlers=None):
        self.handlers = dict(handlers or {})
        self.calls = []
        self.live = set()
        self.minted = 0
        self.sessions = []
        self.lock = threading.Lock()

    def session(self):
        session = FakeSession(self)
        self.sessions.append(session)
        return session

    def calls_to(self, method, path):
        return [c for c in self.calls if c[0] == method and c[1] == path]

    def handle(self, method, url, params=None, data=None, headers=None, auth=None, verify=None, **_kwargs):
        path = '/' + url.split('/', 3)[3] if url.count('/') >= 3 else '/'
        with self.lock:
            self.calls.append((method, path, params, json.loads(data) if data else None, dict(headers or {}), verify))
        if path == '/login':
            if auth != ('root', PASSWORD):
                return FakeResponse(401, text='', reason='Unauthorized')
            handler = self._next(method, path)
            if handler is not None:
                return self._answer(handler)
            with self.lock:
                self.minted += 1
                token = '%s%d' % (TOKEN_PREFIX, self.minted)
                self.live.add(token)
            return FakeResponse(200, {'user': 'root'}, headers={'X-SDS-AUTH-TOKEN': token})
        token = (headers or {}).get('X-SDS-AUTH-TOKEN')
        if path == '/logout':
            with self.lock:
                self.live.discard(token)
            return FakeResponse(200, {'user': 'root'})
        handler = self._next(method, path)
        if callable(handler) and not isinstance(handler, (FakeResponse, BaseException)):
            handler = handler(token=token, params=params, data=data)
        if handler is None:
            raise AssertionError('unexpected call %s %s' % (method, path))
        return self._answer(handler)

    def _next(self, method, path):
        with self.lock:
            handler = self.handlers.get((method, path))
            if isinstance(handler, list):
                handler = handler.pop(0) if len(handler) > 1 else handler[0]
        return handler

    @staticmethod
    def _answer(handler):
        if isinstance(handler, BaseException):
            raise handler
        return handler


class FakeSession:
    def __init__(self, ecs):
        self.ecs = ecs
        self.headers = {}
        self.proxies = {}
        self.trust_env = True
        self.verify = None
        self.closed = False

    def request(self, method, url, **kwargs):
        headers = dict(self.headers)
        headers.update(kwargs.pop('headers', None) or {})
        return self.ecs.handle(method, url, headers=headers, **kwargs)

    def close(self):
        self.closed = True
