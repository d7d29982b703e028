# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTPS transport to the ECS Management API: base URL, token, retries, error mapping.

* One token per client: ``GET /login`` (basic auth) on the first call, sent as ``X-SDS-AUTH-TOKEN`` on every
  call, released with ``GET /logout`` by :meth:`EcsTransport.close` (use the client as a context manager).
  The token and the password live in memory only and never appear in messages or ``repr``.
* Threads share the token; each thread has its own ``requests.Session`` (sessions are not thread-safe).
  A 401 (or a 302 to ``/login``) triggers ONE re-login per call, coordinated so that parallel 401s for
  the same stale token mint a single new token, then the call is replayed.
* Bounded retries with exponential backoff and jitter on connection errors, timeouts, 429, 502/503/504 and
  ECS errors marked ``retryable``, for idempotent calls only (GET, PUT, DELETE, or a POST flagged as read-only).
* ``GET /login`` is retried by the login alone: at most ``retries + 1`` attempts per login, and a login that still
  fails is final (the call that needed the token is not retried, so the attempts never multiply).  A login whose
  answer never came (read timeout) is not retried at all: ECS may have minted a token this client never saw, and
  each retry could leave one more.  Such a token cannot be logged out; it idles out on ECS.  Later logins of the
  same client fail at once with the same error instead of risking more.  A connect timeout or a refused
  connection sent nothing, so those are retried.
* A logout that fails leaves the token live on ECS until it expires: :attr:`EcsTransport.warnings` says so, for the
  caller to show (this layer knows nothing of Ansible).
* Basic authentication sends latin-1 only: other characters in the username or password are refused before any
  call, with a message that shows none of them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import random
import threading
import time
import traceback
import warnings
from urllib.parse import quote, urlencode

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import (
    EcsApiError, EcsConfigError, HINT_SESSION, error_from_response, transport_error)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import endpoint, naming
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.endpoint import DEFAULT_PORT

try:
    import requests
    from requests.cookies import extract_cookies_to_jar
    from requests.structures import CaseInsensitiveDict
    from requests.utils import requote_uri
    from urllib3.exceptions import ReadTimeoutError as _ReadTimeoutError
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - reported by the modules through missing_required_lib
    requests = None
    _ReadTimeoutError = ()
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
TOKEN_HEADER = 'X-SDS-AUTH-TOKEN'
IDEMPOTENT_METHODS = frozenset(['GET', 'HEAD', 'PUT', 'DELETE'])
REDIRECTS = frozenset([301, 302, 303, 307, 308])
HINT_LOGIN_TIMEOUT = ('the login timed out (no answer within %ss) and was not retried, because ECS may have created a '
                      'token all the same: ECS may hold one unused token of this user until it expires (2 hours idle '
                      'by default; it counts against the limit of 100 live tokens per user); check the load on ECS '
                      'or raise the timeout option, then re-run')
WARNING_LOGOUT = ('%s: the session token stays live on ECS until it expires (2 hours idle by default) and counts '
                  "against ECS's limit of 100 tokens per user; if this repeats, end the user's stale tokens with "
                  'GET /logout?force=true')
ERROR_NOT_LATIN1 = ('the ECS %s contains characters that HTTP basic authentication cannot send (only latin-1: ASCII '
                    'letters, digits and punctuation, and Western European accented letters); nothing was sent to '
                    'ECS. Use only such characters in the ECS %s and in the %s option (or %s)')


def path(*segments):
    """``/a/b`` from segments, each percent-quoted (``/`` included) so no value can change the route."""
    return '/' + '/'.join(quote(str(segment), safe='') for segment in segments)


def build_base_url(host, port=DEFAULT_PORT):
    """``https://host:port`` (see :func:`endpoint.build_base_url`); a refused value raises :class:`EcsConfigError`."""
    try:
        return endpoint.build_base_url(host, port)
    except endpoint.InvalidEndpoint as exc:
        raise EcsConfigError(str(exc))


def check_name(kind, value):
    """Refuse a namespace or bucket name ECS would refuse (before it is placed in any URL) with :class:`EcsConfigError`."""
    try:
        return naming.check_name(kind, value)
    except naming.InvalidName as exc:
        raise EcsConfigError(str(exc))


class RetryPolicy:
    """Bounded exponential backoff with jitter: ``retries`` extra attempts, waits capped at ``max_delay``."""

    def __init__(self, retries=DEFAULT_RETRIES, base_delay=0.5, max_delay=8.0, sleep=time.sleep, rand=random.random):
        self.retries = max(0, int(retries))
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._rand = rand

    def delay(self, attempt, retry_after=None):
        """Seconds to wait before retry number ``attempt + 1`` (half to full exponential step, capped)."""
        step = min(self.max_delay, self.base_delay * (2 ** attempt))
        wait = step * (0.5 + self._rand() / 2)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.max_delay)

    def wait(self, attempt, retry_after=None):
        self._sleep(self.delay(attempt, retry_after))


def _retry_after(response):
    """Seconds from a ``Retry-After`` header (only the integer form), else None."""
    value = response.headers.get('Retry-After') if response is not None else None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return None


class EcsTransport:
    """Authenticated JSON calls to one ECS endpoint.  Use :meth:`request`; close (log out) when done."""

    def __init__(self, host, username, password, port=DEFAULT_PORT, validate_certs=True, ca_path=None,
                 timeout=DEFAULT_TIMEOUT, retries=DEFAULT_RETRIES, retry_policy=None, session_factory=None):
        if not HAS_REQUESTS and session_factory is None:
            raise EcsConfigError('the Python library "requests" is required to talk to ECS: pip install requests')
        self.base_url = build_base_url(host, port)
        self.host = self.base_url.split('://', 1)[1].rsplit(':', 1)[0]
        if not username or password is None:
            raise EcsConfigError('no ECS credentials given: set username and password (or ECS_USER and ECS_PASS)')
        check_latin1('username', username, 'ECS_USER')
        check_latin1('password', password, 'ECS_PASS')
        self.username = username
        self._password = password
        self.validate_certs = bool(validate_certs)
        self.ca_path = ca_path
        self.timeout = timeout
        # The environment is read once here, not by requests on every call (that scan of os.environ was a fifth of
        # the client's CPU per call): HTTPS_PROXY/NO_PROXY for this host, and REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE when
        # no ca_path is given, as requests itself would use them.
        self.verify = (ca_path or _environ_ca_bundle() or True) if self.validate_certs else False
        self.proxies = requests.utils.get_environ_proxies(self.base_url) if HAS_REQUESTS else {}
        self._url_prefix = _url_prefix(self.base_url) if HAS_REQUESTS else self.base_url
        self.retry = retry_policy or RetryPolicy(retries)
        self._session_factory = session_factory or requests.Session
        self._local = threading.local()
        self._sessions = []
        self._token_lock = threading.Lock()
        self._sessions_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._token = None
        self._login_lost = None     # reason of a login whose answer never came (read timeout): no more logins
        self.calls = 0
        self.logins = 0
        self.warnings = []          # what the caller should show: a failed logout
        if not self.validate_certs:
            # Only this host's "Unverified HTTPS request" warning is silenced; the module warns once instead.
            warnings.filterwarnings('ignore', message='Unverified HTTPS request is being made to host %r' % self.host.strip('[]'))

    def __repr__(self):
        return '%s(%r, username=%r)' % (type(self).__name__, self.base_url, self.username)

    # -- lifecycle ------------------------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def close(self):
        """Log out (release the token) and close every session; safe to call twice, never raises."""
        with self._token_lock:
            token, self._token = self._token, None
        if token:
            self._logout(token)
        for session in self._sessions:
            try:
                session.close()
            except Exception:  # pylint: disable=broad-except
                pass
        self._sessions = []

    @property
    def logged_in(self):
        return self._token is not None

    # -- sessions and tokens --------------------------------------------------------------------------

    def _session(self):
        session = getattr(self._local, 'session', None)
        if session is None:
            session = self._session_factory()
            session.trust_env = False
            session.proxies.update(self.proxies)
            session.verify = self.verify
            session.headers.update({'Accept': 'application/json'})
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _current_token(self):
        with self._token_lock:
            if self._token is None:
                self._token = self._login()
            return self._token

    def _renew_token(self, stale):
        """New token after ``stale`` was refused; threads refused with the same token share one new login."""
        with self._token_lock:
            if self._token is not None and self._token != stale:
                return self._token
            self._token = None
            self._logout(stale, quiet=True)
            self._token = self._login()
            return self._token

    def _login(self):
        """A new token: ``GET /login`` with at most ``retries`` retries, none after a read timeout.

        The error of a failed login is final (``retryable`` False): the login already did its own retries, so the
        call (or the read-back of an uncertain write) that needed the token must not start another round.
        """
        if self._login_lost is not None:
            raise self._login_timeout_error(self._login_lost)

        def attempt():
            try:
                response = self._exchange('GET', '/login', auth=(self.username, self._password), count=False)
            except EcsApiError as error:
                if getattr(error, 'answer_lost', False):
                    # The request reached ECS, which may have minted a token: another attempt could mint another.
                    self._login_lost = error.reason
                    raise self._login_timeout_error(error.reason)
                raise
            if response.status_code != 200:
                raise self._error(response, 'GET', '/login')
            token = response.headers.get(TOKEN_HEADER)
            if not token:
                raise EcsApiError('ECS answered without an %s header' % TOKEN_HEADER, status=response.status_code,
                                  method='GET', path='/login', kind='protocol',
                                  hint='check that host points at the ECS Management API (port 4443)')
            return token
        try:
            token = self._retrying(attempt, idempotent=True)
        except EcsApiError as error:
            error.retryable = False
            raise
        self.logins += 1
        return token

    def _login_timeout_error(self, reason):
        return EcsApiError(reason, method='GET', path='/login', retryable=False, kind='timeout',
                           hint=HINT_LOGIN_TIMEOUT % self.timeout)

    def _logout(self, token, quiet=False):
        """Release ``token``; never raises.  A failure (the token then expires on its own) is added to
        :attr:`warnings`, except with ``quiet`` (a stale token that ECS refused already)."""
        def attempt():
            response = self._exchange('GET', '/logout', token=token, count=False)
            if response.status_code >= 400 and response.status_code != 401:     # 401: the token is dead already
                raise self._error(response, 'GET', '/logout')
        try:
            if quiet:
                attempt()
            else:
                self._retrying(attempt, idempotent=True)
        except Exception as exc:  # pylint: disable=broad-except  # closing must never raise
            if not quiet:
                self.warnings.append(self._logout_warning(exc))

    def _logout_warning(self, exc):
        if isinstance(exc, EcsApiError):
            exc.hint = None
            what = exc.message
        else:
            what = 'GET /logout failed: %s' % type(exc).__name__
        return WARNING_LOGOUT % ('%s: %s' % (self.base_url, what))

    # -- calls ----------------------------------------------------------------------------------------

    def request(self, method, url_path, params=None, body=None, idempotent=None, with_status=False):
        """Call ``method url_path`` and return the decoded JSON body (None when empty).

        ``url_path`` must already be quoted (build it with :func:`path`); ``params`` values are encoded here.
        ``idempotent`` defaults from the method (POST is not); a read-only POST passes ``idempotent=True``.
        With ``with_status`` the result is ``(http_status, body)``.  Raises :class:`EcsApiError`.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in IDEMPOTENT_METHODS
        state = {'relogged': False}

        def attempt():
            token = self._current_token()
            response = self._exchange(method, url_path, params=params, body=body, token=token)
            if self._auth_refused(response):
                if state['relogged']:
                    raise self._error(response, method, url_path, hint=HINT_SESSION)
                state['relogged'] = True
                self._renew_token(token)
                return attempt()
            if response.status_code >= 300:
                raise self._error(response, method, url_path)
            data = self._decode(response, method, url_path)
            return (response.status_code, data) if with_status else data

        return self._retrying(attempt, idempotent)

    def _retrying(self, attempt, idempotent):
        tries = 0
        while True:
            try:
                return attempt()
            except EcsApiError as error:
                if not (idempotent and error.retryable and tries < self.retry.retries):
                    raise
                self.retry.wait(tries, error.retry_after)
                tries += 1

    def count_call(self):
        with self._count_lock:
            self.calls += 1

    def _exchange(self, method, url_path, params=None, body=None, token=None, auth=None, count=True):
        """One HTTP round trip.  Transport failures become :class:`EcsApiError` (tls, timeout, connection)."""
        headers = {}
        if token:
            headers[TOKEN_HEADER] = token
        data = None
        if body is not None:
            headers['Content-Type'] = 'application/json'
            data = json.dumps(body)
        if count:
            self.count_call()
        try:
            return self._send(self._session(), method, url_path, params, data, headers, auth)
        except requests.exceptions.SSLError as exc:
            raise transport_error('tls', method, url_path, _reason(exc))
        except requests.exceptions.ConnectTimeout as exc:
            # No connection, so nothing was sent: safe to send again.
            raise transport_error('timeout', method, url_path, _reason(exc), timeout=self.timeout)
        except requests.exceptions.Timeout as exc:
            raise self._answer_lost(transport_error('timeout', method, url_path, _reason(exc), timeout=self.timeout))
        except requests.exceptions.ConnectionError as exc:
            if exc.args and isinstance(exc.args[0], _ReadTimeoutError):    # the body did not come in time
                raise self._answer_lost(transport_error('timeout', method, url_path, _reason(exc), timeout=self.timeout))
            raise transport_error('connection', method, url_path, _reason(exc))
        except requests.exceptions.RequestException as exc:
            raise EcsApiError(_reason(exc), method=method, path=url_path, kind='protocol')

    def _send(self, session, method, url_path, params, data, headers, auth):
        """One request through ``session``; the response is read in full.

        A token call on a real ``requests.Session`` goes straight to the session's adapter, with what
        ``Session.request`` would send: the same URL, headers (the session's, then the call's), body and cookies.
        That skips the merging of settings that are fixed when the session is made (see :meth:`_session`), about a
        third of the client's CPU per call.  The login (basic auth), stand-in sessions and paths with dot segments
        (which URL parsing would rewrite) take ``Session.request`` itself.
        """
        if auth is not None or not isinstance(session, requests.Session) or '/.' in url_path:
            return session.request(method, self.base_url + url_path, params=params, data=data, headers=headers,
                                   auth=auth, timeout=self.timeout, verify=self.verify, allow_redirects=False)
        request = requests.PreparedRequest()
        request.method = method
        query = urlencode(params, doseq=True) if params else ''   # what requests encodes for a dict of parameters
        request.url = self._url_prefix + requote_uri(url_path + ('?' + query if query else ''))
        merged = CaseInsensitiveDict(session.headers)
        merged.update(headers)
        request.prepare_headers(merged)
        request.prepare_body(data, None)
        if session.cookies:
            request.prepare_cookies(session.cookies)
        response = session.get_adapter(request.url).send(request, stream=False, timeout=self.timeout,
                                                         verify=self.verify, cert=session.cert,
                                                         proxies=dict(session.proxies))
        if 'set-cookie' in response.headers or 'set-cookie2' in response.headers:
            extract_cookies_to_jar(session.cookies, request, response.raw)
        response.content  # pylint: disable=pointless-statement  # read it all: the connection goes back to the pool
        return response

    @staticmethod
    def _answer_lost(error):
        """Mark ``error``: the request was sent and its answer never came, so ECS may have acted on it."""
        error.answer_lost = True
        return error

    @staticmethod
    def _auth_refused(response):
        if response.status_code == 401:
            return True
        return response.status_code in REDIRECTS and '/login' in response.headers.get('Location', '')

    @staticmethod
    def _error(response, method, url_path, hint=None):
        if response.status_code in REDIRECTS:
            error = EcsApiError('unexpected redirect to %s' % response.headers.get('Location', '?'), status=response.status_code,
                                method=method, path=url_path, kind='protocol',
                                hint='check that host points at the ECS Management API')
        else:
            error = error_from_response(response.status_code, response.text, response.headers.get('Content-Type', ''),
                                        method, url_path, reason=response.reason, hint=hint)
        error.retry_after = _retry_after(response)
        return error

    @staticmethod
    def _decode(response, method, url_path):
        text = response.text
        if not text or not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError:
            if method != 'GET':
                return None  # a write answered with XML or text: its body is never used
            raise EcsApiError('ECS answered with a body that is not JSON (%s)' % response.headers.get('Content-Type', 'no type'),
                              status=response.status_code, method=method, path=url_path, kind='protocol',
                              hint='check that host points at the ECS Management API')


def _is_latin1(value):
    try:
        str(value).encode('latin-1')
    except UnicodeEncodeError:
        return False
    return True


def check_latin1(what, value, variable):
    """Refuse a ``username`` or ``password`` that basic authentication cannot encode, showing no character of it
    (the encoder's own message quotes the character and its position, so it is not chained)."""
    if not _is_latin1(value):
        raise EcsConfigError(ERROR_NOT_LATIN1 % (what, what, what, variable))


def _url_prefix(base_url):
    """``base_url`` as ``requests`` writes it in a request's URL (host IDNA-encoded, and so on)."""
    request = requests.PreparedRequest()
    request.prepare_url(base_url + '/', None)
    return request.url[:-1]


def _environ_ca_bundle():
    """The CA bundle requests would take from the environment for ``verify=True``, or None."""
    return os.environ.get('REQUESTS_CA_BUNDLE') or os.environ.get('CURL_CA_BUNDLE') or None


def _reason(exc):
    """The innermost cause of a requests exception, on one line (no headers, hence no token)."""
    cause = exc
    for _level in range(4):
        inner = getattr(cause, 'reason', None) or (cause.args[0] if getattr(cause, 'args', None) else None)
        if inner is None or inner is cause or isinstance(inner, str):
            break
        cause = inner
    return '%s: %s' % (type(cause).__name__, cause)
