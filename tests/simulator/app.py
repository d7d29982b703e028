"""The simulator core, independent of HTTP: faults, latency, authentication, dispatch, rendering, counting."""

import json
import sys
import time
import traceback
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from . import api_auth, api_billing, api_buckets, api_namespaces, api_system, clock
from .config import Config
from .errors import ApiError, unauthenticated
from .faults import FaultPlan
from .models import DEFAULT_VDC, vdc_urn
from .render import encode, split_suffix, wants_json
from .routes import PUBLIC, Context, Reply, Router, error_reply
from .stats import Stats
from .tokens import TokenStore, short
from .world import World, default_world

ROUTES = api_auth.ROUTES + api_namespaces.ROUTES + api_buckets.ROUTES + api_billing.ROUTES + api_system.ROUTES


@dataclass
class Request:
    """One HTTP request as the simulator sees it. `headers` must be case-insensitive (http.client.HTTPMessage);
    `vdc` is the key of the VDC whose address it arrived on."""

    method: str
    target: str
    headers: object
    body: bytes = b''
    vdc: str = ''

    @property
    def path(self):
        """The path without the query."""
        return urlsplit(self.target).path

    @property
    def params(self):
        """Query parameters (first value of each)."""
        return {key: values[0] for key, values in parse_qs(urlsplit(self.target).query, keep_blank_values=True).items()}


@dataclass
class Outcome:
    """What the HTTP layer must do: send `status` with headers and payload, or (status 0) reset the connection."""

    status: int = 0
    headers: list = field(default_factory=list)
    payload: bytes = b''


def cookie_token(header):
    """The X-SDS-AUTH-TOKEN cookie value, if any."""
    for part in (header or '').split(';'):
        name, _equals, value = part.strip().partition('=')
        if name.lower() == api_auth.TOKEN_HEADER.lower():
            return value.strip('"')
    return None


def parse_users(text):
    """`user:pass[:ROLE[+ROLE][@namespace]]`,... into a seed `users` object (password may contain ':')."""
    users = {}
    for item in filter(None, (entry.strip() for entry in text.split(','))):
        name, _colon, rest = item.partition(':')
        password, roles, namespace = rest, ['SYSTEM_ADMIN'], ''
        head, _colon, last = rest.rpartition(':')
        role_text, _at, ns = last.partition('@')
        if head and role_text and all(role.isupper() and role.replace('_', '').isalpha() for role in role_text.split('+')):
            password, roles, namespace = head, role_text.split('+'), ns
        if not name or not password:
            raise ValueError('bad --users entry %r: expected user:password[:ROLE]' % item)
        users[name] = {'password': password, 'roles': roles, 'namespace': namespace}
    return users


class Simulator:
    """A stateful ECS Management API. `handle()` is thread-safe."""

    def __init__(self, users=None, state=None, config=None, log=None, vdcs=None):
        self.started = clock.now()
        self.served_vdcs = dict(vdcs or {DEFAULT_VDC: {'id': vdc_urn(), 'hosts': []}})
        self.start_config = config or Config()
        self.config = self.start_config.copy()
        self.world = World()
        self.tokens = TokenStore(self.config)
        self.stats = Stats()
        self.faults = FaultPlan()
        self.router = Router(ROUTES)
        self.log = log
        state = dict(state or {})
        base = state.pop('base', 'default')
        if base not in ('default', 'empty'):
            raise ValueError("state 'base' must be 'default' or 'empty'")
        self.initial = ([default_world()] if base == 'default' else []) + [state, {'users': users or {}}]
        self.reset()

    def reset(self):
        """Back to the start: world, configuration, tokens, faults and counters."""
        with self.world.lock:
            self.config.update(self.start_config.to_dict())
            self.world.clear()
            for key, vdc in self.served_vdcs.items():
                self.world.serve_vdc(key, vdc['id'], vdc['hosts'])
            for spec in self.initial:
                self.world.seed(spec)
        self.tokens.clear()
        self.faults = FaultPlan()
        self.stats.reset()

    def handle(self, request):
        """Answer one API request (never /_sim): the Outcome to send."""
        path, suffix = split_suffix(request.path)
        route, params, template, error = self.router.resolve(request.method, path)
        key = '%s %s' % (request.method, template or '(unmatched)')
        decision = self.faults.decide(request.method, template or path, request.target)
        if decision.action == 'down':
            return self.finish(request, key, None)
        delay = self.config.latency_ms + decision.latency_ms
        if delay:
            time.sleep(delay / 1000.0)
        if decision.action == 'reset':
            return self.finish(request, key, None)
        if decision.action == 'hang':
            time.sleep(decision.hang_seconds)
            if decision.hang_then == 'close':
                return self.finish(request, key, None)
        if decision.error is not None:
            reply = error_reply(decision.error)
        elif error is not None:
            reply = error_reply(error)
        else:
            reply = self.dispatch(route, params, request)
        return self.finish(request, key, reply, wants_json(request.headers.get('Accept'), suffix))

    def dispatch(self, route, params, request):
        """Authenticate, authorize and run the handler under the world lock."""
        now = clock.now()
        ctx = Context(self, request, request.params, now)
        try:
            with self.world.lock:
                self.world.settle(now)
                if route.access != PUBLIC:
                    refused = self.authenticate(ctx)
                    if refused:
                        return refused
                    ctx.require(route.access)
                return route.handler(ctx, *params.values())
        except ApiError as error:
            return error_reply(error)
        except Exception as error:  # pylint: disable=broad-exception-caught  # a simulator bug must still answer
            traceback.print_exc(file=sys.stderr)
            return error_reply(ApiError(500, 7000, 'Simulator internal error: %r' % error))

    def authenticate(self, ctx):
        """Set ctx.user from the token (header, any case, or cookie); 401, or 302 to /login when so configured."""
        headers = ctx.request.headers
        token = headers.get(api_auth.TOKEN_HEADER) or cookie_token(headers.get('Cookie'))
        name = self.tokens.resolve(token, ctx.now)
        user = self.world.users.get(name) if name else None
        if user is None:
            if self.config.expired_token_response == 302:
                return Reply(302, headers=[('Location', 'https://%s/login' % headers.get('Host', 'localhost'))])
            raise unauthenticated('Invalid or expired authentication token: log in again' if token else
                                  'Authentication required: send the X-SDS-AUTH-TOKEN header')
        ctx.user, ctx.token = user, token
        return None

    def finish(self, request, key, reply, as_json=False):
        """Render, count and log; reply None means reset the connection."""
        if reply is None:
            outcome = Outcome()
        else:
            payload, content_type = encode(reply.body, reply.root, as_json)
            headers = list(reply.headers) + ([('Content-Type', content_type)] if content_type else [])
            outcome = Outcome(reply.status, headers, payload)
        self.stats.count(key, outcome.status or 'reset')
        if self.log:
            token = request.headers.get(api_auth.TOKEN_HEADER) or cookie_token(request.headers.get('Cookie'))
            self.log('%s %s %s token=%s' % (request.method, request.target, outcome.status or 'RESET', short(token)))
        return outcome

    # ----- /_sim admin API ----------------------------------------------------------------------------------
    def admin(self, method, path, raw_body):
        """(status, JSON-able body) for a /_sim request."""
        handlers = {
            ('GET', '/_sim/stats'): lambda body: self.stats.snapshot(self.live_tokens()),
            ('POST', '/_sim/stats/reset'): lambda body: self.stats.reset() or {'reset': 'stats'},
            ('POST', '/_sim/reset'): lambda body: self.reset() or {'reset': 'all'},
            ('POST', '/_sim/seed'): self.seed,
            ('GET', '/_sim/state'): lambda body: self.state(),
            ('GET', '/_sim/config'): lambda body: self.config.to_dict(),
            ('POST', '/_sim/config'): lambda body: self.config.update(body) or self.config.to_dict(),
            ('GET', '/_sim/faults'): lambda body: self.faults.describe(),
            ('POST', '/_sim/faults'): self.set_faults,
        }
        handler = handlers.get((method, path.rstrip('/')))
        if handler is None:
            return 404, {'error': 'unknown admin endpoint %s %s' % (method, path),
                         'endpoints': sorted('%s %s' % pair for pair in handlers)}
        try:
            body = json.loads(raw_body.decode('utf-8')) if raw_body.strip() else {}
            return 200, handler(body)
        except ValueError as error:
            return 400, {'error': str(error)}

    def live_tokens(self):
        """{user: live tokens} for every user."""
        with self.world.lock:
            users = list(self.world.users)
        return self.tokens.live(users, clock.now())

    def seed(self, body):
        """POST /_sim/seed: applies the document; answers with the world's sizes (GET /_sim/state for details)."""
        with self.world.lock:
            self.world.seed(body)
            return self.world.counts()

    def state(self):
        """GET /_sim/state."""
        with self.world.lock:
            self.world.settle(clock.now())
            return self.world.snapshot()

    def set_faults(self, body):
        """POST /_sim/faults: replace the plan; `expire_tokens` acts at once."""
        plan = FaultPlan(body)
        if body.get('expire_tokens'):
            self.tokens.clear()
        self.faults = plan
        return plan.describe()
