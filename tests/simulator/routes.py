"""Routing and the per-request context handlers work with (authorization, parameters, body, paging)."""

import base64
import binascii
from dataclasses import dataclass, field
from urllib.parse import unquote

from .errors import ApiError, forbidden, invalid, missing
from .payload import as_str, body_object
from .render import parse_body

# Who may call a route (SYSTEM_ADMIN always may). Namespace-scoped checks happen again in the handler.
PUBLIC, ANY, READ, SYSTEM_READ, NS_ADMIN, ADMIN = 'public', 'any', 'read', 'system_read', 'ns_admin', 'admin'


@dataclass
class Reply:
    """A handler's answer: status, body (rendered as JSON or XML under `root`), extra headers."""

    status: int = 200
    body: object = None
    root: str = ''
    headers: list = field(default_factory=list)


def ok(body, root):
    """200 with a body."""
    return Reply(200, body, root)


def error_reply(error):
    """The reply for an ApiError."""
    return Reply(error.status, error.body(), 'error', list(error.headers))


@dataclass
class Route:
    """One API route: `METHOD /template/{param}` and its handler."""

    method: str
    template: str
    handler: object
    access: str

    def match(self, segments):
        """Path parameters when the path fits the template, else None."""
        parts = self.template.strip('/').split('/')
        if len(parts) != len(segments):
            return None
        params = {}
        for part, segment in zip(parts, segments):
            if part.startswith('{'):
                if not segment:
                    return None
                params[part[1:-1]] = unquote(segment)
            elif part != segment:
                return None
        return params

    def literal_count(self):
        """More literal segments = more specific."""
        return sum(1 for part in self.template.split('/') if part and not part.startswith('{'))


class Router:
    """Finds the route for a method and path; 404/2000 for unknown paths, 405/1007 for wrong methods."""

    def __init__(self, routes):
        self.routes = sorted(routes, key=lambda route: -route.literal_count())

    def resolve(self, method, path):
        """(route or None, path params, template or None, ApiError or None)."""
        segments = path.strip('/').split('/')
        other_method = None
        for route in self.routes:
            params = route.match(segments)
            if params is None:
                continue
            if route.method == method:
                return route, params, route.template, None
            other_method = other_method or route
        if other_method:
            return None, {}, other_method.template, ApiError(
                405, 1007, 'Method %s is not supported for %s' % (method, other_method.template))
        return None, {}, None, ApiError(404, 2000, 'No API resource matches %s %s' % (method, path))


def encode_marker(name):
    """An opaque continuation marker for the item after `name`."""
    return base64.urlsafe_b64encode(name.encode('utf-8')).decode('ascii').rstrip('=')


def decode_marker(marker):
    """Inverse of encode_marker; 400/1008 for a marker this server never issued."""
    try:
        return base64.urlsafe_b64decode(marker + '=' * (-len(marker) % 4)).decode('utf-8')
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid('Invalid marker %r' % marker) from None


def name_filter(pattern):
    """`name` list filter: `prefix*` is a case-sensitive prefix, no `*` an exact name, empty/`*` everything."""
    if not pattern or pattern == '*':
        return lambda name: True
    if pattern.endswith('*'):
        return lambda name: name.startswith(pattern[:-1])
    return lambda name: name == pattern


class Context:
    """Everything a handler needs for one request. Handlers run with the world lock held."""

    def __init__(self, sim, request, params, now):
        self.sim = sim
        self.world = sim.world
        self.config = sim.config
        self.tokens = sim.tokens
        self.stats = sim.stats
        self.request = request
        self.params = params
        self.now = now
        self.user = None
        self.token = None

    def body(self):
        """The request body as an object, else 400/1013."""
        return body_object(parse_body(self.request.body, self.request.headers.get('Content-Type')))

    def has_role(self, role):
        """True when the caller holds the role (NAMESPACE_ADMIN: for any namespace)."""
        if role == 'NAMESPACE_ADMIN':
            return bool(self.world.user_namespaces(self.user))
        return role in self.user.roles

    def allowed(self, access, namespace=None):
        """Role check; with `namespace`, a NAMESPACE_ADMIN must administer that namespace."""
        if access in (PUBLIC, ANY) or self.has_role('SYSTEM_ADMIN'):
            return True
        if access in (READ, SYSTEM_READ) and self.has_role('SYSTEM_MONITOR'):
            return True
        if access in (READ, NS_ADMIN):
            admin_of = self.world.user_namespaces(self.user)
            return bool(admin_of) if namespace is None else namespace in admin_of
        return False

    def require(self, access, namespace=None):
        """403/3000 unless allowed."""
        if not self.allowed(access, namespace):
            where = ' on namespace %s' % namespace if namespace else ''
            raise forbidden('User %s (roles %s) may not call %s %s%s' % (
                self.user.name, ', '.join(self.user.roles), self.request.method, self.request.path, where))

    def namespace_param(self, body=None):
        """The namespace of a bucket call: body/query `namespace`, else the caller's own (none for admins)."""
        value = as_str((body or {}).get('namespace'), 'namespace') or self.params.get('namespace') or self.user.namespace
        if not value:
            raise missing('namespace')
        return value

    def flag(self, name):
        """A true/false query parameter (any case, as python-ecsclient sends `True`)."""
        value = self.params.get(name, '').strip().lower()
        if value in ('', 'false'):
            return False
        if value == 'true':
            return True
        raise invalid('%s must be true or false, got %r' % (name, self.params[name]))

    def page(self, names):
        """(names on this page, next marker or None, page size) from `limit`/`marker` over sorted names."""
        limit = self.params.get('limit')
        size = self.config.page_size_default
        if limit:
            if not limit.isdigit() or int(limit) < 1:
                raise invalid('limit must be a positive integer, got %r' % limit)
            size = min(int(limit), self.config.page_size_max)
        marker = self.params.get('marker')
        after = decode_marker(marker) if marker else None
        remaining = [name for name in sorted(names) if after is None or name > after]
        chunk = remaining[:size]
        return chunk, encode_marker(chunk[-1]) if len(remaining) > size else None, size
