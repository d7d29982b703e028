# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Errors of the ECS Management API client: one exception type, built from any failure.

Every failed call (HTTP error with a JSON, XML, HTML or empty body, TLS failure, refused connection,
timeout) becomes an :class:`EcsApiError` that carries the HTTP status, the ECS error code, description and
details, the call (method and path), whether a retry may help, and a hint that tells a person what to do.
"Not found" (HTTP 400 with code 1004, HTTP 404 with code 2000) is the subclass :class:`EcsNotFoundError`,
so callers never mistake an outage for a missing namespace.  No message ever carries a token or password.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from xml.etree import ElementTree

# (HTTP status, ECS code) pairs that mean "the entity in the request does not exist".
NOT_FOUND = frozenset([(400, 1004), (404, 2000)])
# HTTP statuses worth retrying on an idempotent call whatever the body says.
RETRYABLE_STATUSES = frozenset([429, 502, 503, 504])
# Codes that mean "this call does not exist here" (method not supported) for feature detection.
UNSUPPORTED_CODES = frozenset([1007])
UNSUPPORTED_STATUSES = frozenset([404, 405, 501])

_MAX_TEXT = 300

HINT_CREDENTIALS = 'check username and password (ECS_USER / ECS_PASS) and that the user may log in to the ECS Management API'
HINT_TLS = ('the ECS certificate could not be verified: set ca_path (ECS_CA_PATH) to the CA bundle that signed it, '
            'or validate_certs: false (ECS_VALIDATE_CERTS=false) only on a trusted network')
HINT_CONNECTION = 'check host and port (ECS_HOST / ECS_PORT, default port 4443) and that the ECS Management API is reachable'
HINT_TIMEOUT = 'ECS did not answer in time: raise the timeout option or check the load on ECS'
HINT_FORBIDDEN = 'the ECS user lacks the role for this call (writes need SYSTEM_ADMIN, reads SYSTEM_MONITOR)'
HINT_UNAVAILABLE = 'ECS is temporarily unavailable: retry later'
HINT_SESSION = 'ECS refused a fresh token: check the user account, its roles and its token limit (100 per user)'
HINT_TOKEN_LIMIT = ('ECS refused the login: the user may hold its maximum of live tokens (100 per user); end stale '
                    'sessions of this user (GET /logout?force=true) or wait for their tokens to expire, then re-run')
TOKEN_LIMIT_CODE = 1031


def _text(value):
    """Short one-line text of a body value (code, description, details)."""
    if value is None:
        return None
    text = ' '.join(str(value).split())
    return text[:_MAX_TEXT] + '...' if len(text) > _MAX_TEXT else text


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _bool(value):
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == 'true'


class EcsConfigError(ValueError):
    """A request that cannot be made as asked (bad host value, unknown replication group, ...); no call failed."""


class EcsModuleFailure(Exception):
    """A refusal decided by a module (e.g. "namespace still holds buckets"); ``extra`` goes into the result."""

    def __init__(self, msg, **extra):
        super(EcsModuleFailure, self).__init__(msg)
        self.msg = msg
        self.extra = extra


class EcsApiError(Exception):
    """A failed ECS Management API call.

    Attributes: ``status`` (HTTP status or None when no answer came), ``code`` (ECS error code, int or None),
    ``description``, ``details``, ``method``, ``path``, ``retryable`` (a retry may succeed), ``kind``
    (``http``, ``auth``, ``tls``, ``connection``, ``timeout``, ``protocol``) and ``hint`` (what to do).
    """

    def __init__(self, message=None, status=None, code=None, description=None, details=None,
                 method=None, path=None, retryable=False, kind='http', hint=None):
        self.status = status
        self.code = code
        self.description = description
        self.details = details
        self.method = method
        self.path = path
        self.retryable = retryable
        self.kind = kind
        self.hint = hint
        self.reason = message
        self.retry_after = None
        super(EcsApiError, self).__init__(self.message)

    @property
    def call(self):
        """``GET /object/namespaces`` style name of the failed call."""
        if not self.method:
            return 'ECS call'
        return '%s %s' % (self.method, self.path or '/')

    @property
    def message(self):
        """One line: the call, what ECS said, what to do."""
        parts = []
        if self.status is not None:
            parts.append('HTTP %s' % self.status)
        if self.code is not None:
            parts.append('ECS error %s' % self.code)
        what = ', '.join(parts)
        said = ': '.join(p for p in (self.description, self.details) if p)
        if self.reason:
            said = '%s: %s' % (self.reason, said) if said else self.reason
        line = '%s failed' % self.call
        if what:
            line += ' (%s)' % what
        if said:
            line += ': %s' % said
        if self.hint:
            line += ' - %s' % self.hint
        return line

    @property
    def not_found(self):
        return False

    def as_dict(self):
        """JSON-able record for a ``failures`` list."""
        return {'method': self.method, 'path': self.path, 'status': self.status, 'code': self.code,
                'description': self.description, 'details': self.details, 'retryable': self.retryable,
                'kind': self.kind, 'message': self.message}

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.message)

    def __str__(self):
        return self.message


class EcsNotFoundError(EcsApiError):
    """The namespace, bucket or other entity named in the call does not exist (400/1004, 404/2000)."""

    @property
    def not_found(self):
        return True


def is_not_found(error):
    """True when ``error`` says the entity does not exist (and nothing else went wrong)."""
    return isinstance(error, EcsApiError) and error.not_found


def is_unsupported(error):
    """True when ``error`` says the called API does not exist on this ECS (for feature detection)."""
    if not isinstance(error, EcsApiError) or error.kind != 'http' or error.not_found:
        return False
    return error.code in UNSUPPORTED_CODES or (error.status in UNSUPPORTED_STATUSES and error.code is None)


def parse_error_body(body, content_type=''):
    """``(code, description, details, retryable)`` from an ECS error body (JSON or XML); Nones otherwise."""
    body = (body or '').strip()
    if not body:
        return None, None, None, None
    fields = None
    if body.startswith('{') or 'json' in (content_type or ''):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            fields = data
    elif body.startswith('<?xml') or body.startswith('<error'):
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            root = None
        if root is not None and root.tag == 'error':
            fields = dict((child.tag, child.text) for child in root)
    if not fields:
        return None, None, None, None
    code = _int_or_none(fields.get('code'))
    retryable = fields.get('retryable')
    return (code, _text(fields.get('description')), _text(fields.get('details')),
            None if retryable is None else _bool(retryable))


def _hint_for_status(status, path, code=None):
    if status == 401:
        return HINT_CREDENTIALS if path == '/login' else HINT_SESSION
    if path == '/login' and (status == 403 or code == TOKEN_LIMIT_CODE):
        return HINT_TOKEN_LIMIT
    if status == 403:
        return HINT_FORBIDDEN
    if status in RETRYABLE_STATUSES:
        return HINT_UNAVAILABLE
    return None


def error_from_response(status, body, content_type, method, path, reason=None, hint=None):
    """The :class:`EcsApiError` for an HTTP error answer.

    A body that is not an ECS error (an HTML page or nothing, e.g. from a proxy) falls back to the HTTP reason.
    """
    code, description, details, retryable = parse_error_body(body, content_type)
    if code is None and description is None:
        description = _text(reason) or 'no ECS error body'
    if retryable is None:
        retryable = status in RETRYABLE_STATUSES
    else:
        retryable = retryable or status in RETRYABLE_STATUSES
    kind = 'auth' if status == 401 else 'http'
    hint = hint or _hint_for_status(status, path, code)
    if retryable and hint is None:
        hint = HINT_UNAVAILABLE
    cls = EcsNotFoundError if (status, code) in NOT_FOUND else EcsApiError
    return cls(status=status, code=code, description=description, details=details, method=method, path=path,
               retryable=retryable, kind=kind, hint=hint)


def transport_error(kind, method, path, reason, timeout=None):
    """The :class:`EcsApiError` for a call that got no HTTP answer (``tls``, ``connection`` or ``timeout``)."""
    hints = {'tls': HINT_TLS, 'connection': HINT_CONNECTION, 'timeout': HINT_TIMEOUT}
    hint = hints[kind]
    if kind == 'timeout' and timeout is not None:
        hint = 'ECS did not answer within %ss: raise the timeout option or check the load on ECS' % timeout
    return EcsApiError(message=_text(reason), method=method, path=path, retryable=kind != 'tls', kind=kind, hint=hint)
