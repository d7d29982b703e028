"""Authentication: /login, /logout, /user/whoami."""

import base64
import binascii
import hmac

from . import clock
from .errors import forbidden, not_found, unauthenticated
from .routes import ANY, PUBLIC, Reply, Route, ok

TOKEN_HEADER = 'X-SDS-AUTH-TOKEN'


def basic_credentials(header):
    """(user, password) from an `Authorization: Basic` header, else None."""
    scheme, _space, encoded = (header or '').partition(' ')
    if scheme.lower() != 'basic':
        return None
    try:
        user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode('utf-8').partition(':')
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def login(ctx):
    """GET /login: Basic credentials in, token out in the X-SDS-AUTH-TOKEN header (and cookie on request)."""
    credentials = basic_credentials(ctx.request.headers.get('Authorization'))
    challenge = [('WWW-Authenticate', 'Basic realm="EMC ECS Management"')]
    if credentials is None:
        raise unauthenticated('Authentication required: use HTTP Basic credentials', challenge)
    name, password = credentials
    user = ctx.world.users.get(name)
    if user is None or not hmac.compare_digest(password.encode('utf-8'), user.password.encode('utf-8')):
        raise unauthenticated('Invalid username or password', challenge)
    token = ctx.tokens.issue(user.name, ctx.now)
    ctx.stats.count_login()
    headers = [(TOKEN_HEADER, token)]
    if ctx.flag('using-cookies'):
        headers.append(('Set-Cookie', '%s=%s; Path=/; Secure; HttpOnly' % (TOKEN_HEADER, token)))
    return Reply(200, {'user': user.name}, 'loggedIn', headers)


def logout(ctx):
    """GET /logout: ends this token; `force=true` ends all of the caller's; `username=` (SYSTEM_ADMIN) another's."""
    target = ctx.params.get('username') or ctx.user.name
    if target != ctx.user.name:
        if not ctx.has_role('SYSTEM_ADMIN'):
            raise forbidden('Only a SYSTEM_ADMIN may log out another user')
        if target not in ctx.world.users:
            raise not_found(target)
        ctx.tokens.revoke_user(target)
    elif ctx.flag('force'):
        ctx.tokens.revoke_user(target)
    else:
        ctx.tokens.revoke(ctx.token)
    ctx.stats.count_logout()
    return Reply(200, {'user': target}, 'LoggedOut')


def whoami(ctx):
    """GET /user/whoami."""
    user = ctx.user
    roles = list(user.roles)
    if 'NAMESPACE_ADMIN' not in roles and ctx.has_role('NAMESPACE_ADMIN'):
        roles.append('NAMESPACE_ADMIN')
    return ok({'common_name': user.name, 'distinguished_name': '', 'namespace': user.namespace, 'roles': roles,
               'last_time_password_changed': clock.iso_ms(ctx.sim.started)}, 'user')


ROUTES = [
    Route('GET', '/login', login, PUBLIC),
    Route('GET', '/logout', logout, ANY),
    Route('GET', '/user/whoami', whoami, ANY),
]
