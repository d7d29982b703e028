"""Deterministic fault injection (POST /_sim/faults): errors, connection resets, hangs, outages, latency.

A plan replaces the previous one as a whole (`{}` clears everything). Random faults draw from a RNG seeded
with the plan's `seed`, once per in-scope request, so a sequential run is reproducible.
"""

import fnmatch
import random
import threading
from dataclasses import dataclass

from .errors import ApiError, for_status

PLAN_KEYS = ('seed', 'error_rate', 'error_status', 'error_code', 'error_retryable', 'routes', 'match', 'fail_next',
             'reset_rate', 'hang_rate', 'hang_seconds', 'hang_then', 'down', 'expire_tokens', 'latency_ms')
FAIL_NEXT_KEYS = ('route', 'match', 'status', 'count', 'retryable', 'code', 'details')


@dataclass
class Decision:
    """What to do with one request: `action` is '', 'down', 'reset', 'hang' or 'error'."""

    action: str = ''
    latency_ms: float = 0
    error: ApiError = None
    hang_seconds: float = 0
    hang_then: str = 'answer'


def _rate(spec, key):
    value = spec.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError('%s must be a number between 0 and 1' % key)
    return float(value)


def _patterns(value, key):
    if value is None:
        return None
    patterns = [value] if isinstance(value, str) else value
    if not isinstance(patterns, list) or not all(isinstance(item, str) for item in patterns):
        raise ValueError('%s must be a route pattern or a list of them' % key)
    return patterns


def _text(value, key):
    if value is not None and not isinstance(value, str):
        raise ValueError('%s must be a string' % key)
    return value


def _status(value, key):
    if isinstance(value, bool) or not isinstance(value, int) or not 400 <= value <= 599:
        raise ValueError('%s must be an HTTP error status (400-599)' % key)
    return value


def in_scope(patterns, match, method, template, target):
    """True when the request matches one of the route patterns (if any) and contains `match` (if given).

    A pattern is a glob compared with `METHOD /template`, with `/template` and with the request path;
    `match` is a substring of the request target (path and query, e.g. a namespace name).
    """
    if match and match not in target:
        return False
    if not patterns:
        return True
    path = target.split('?', 1)[0]
    candidates = ('%s %s' % (method, template), template, path)
    return any(fnmatch.fnmatchcase(candidate, pattern) for pattern in patterns for candidate in candidates)


class FaultPlan:
    """The active fault plan."""

    def __init__(self, spec=None):
        spec = {} if spec is None else spec
        if not isinstance(spec, dict):
            raise ValueError('the fault plan must be a JSON object')
        unknown = set(spec) - set(PLAN_KEYS)
        if unknown:
            raise ValueError('unknown fault keys: %s (known: %s)' % (', '.join(sorted(unknown)), ', '.join(PLAN_KEYS)))
        self.lock = threading.Lock()
        self.spec = spec
        self.rng = random.Random(spec.get('seed', 0))
        self.down = bool(spec.get('down', False))
        self.routes = _patterns(spec.get('routes'), 'routes')
        self.match = _text(spec.get('match'), 'match')
        self.rates = [(action, _rate(spec, action + '_rate')) for action in ('reset', 'hang', 'error')]
        if sum(rate for _action, rate in self.rates) > 1:
            raise ValueError('reset_rate + hang_rate + error_rate must not exceed 1')
        self.error_status = _status(spec.get('error_status', 503), 'error_status')
        self.hang_seconds = float(spec.get('hang_seconds', 5))
        self.hang_then = spec.get('hang_then', 'answer')
        if self.hang_then not in ('answer', 'close'):
            raise ValueError("hang_then must be 'answer' or 'close'")
        self.latency = self._latency(spec.get('latency_ms', 0))
        self.fail_next = [self._fail_next(entry) for entry in spec.get('fail_next') or []]

    @staticmethod
    def _latency(value):
        """latency_ms: a number (every API route) or {route pattern: ms}."""
        if isinstance(value, dict):
            items = list(value.items())
        else:
            items = [('*', value)]
        for _pattern, delay in items:
            if isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay < 0:
                raise ValueError('latency_ms values must be numbers >= 0')
        return items

    @staticmethod
    def _fail_next(entry):
        if not isinstance(entry, dict) or set(entry) - set(FAIL_NEXT_KEYS):
            raise ValueError('fail_next items are objects with keys %s' % ', '.join(FAIL_NEXT_KEYS))
        count = entry.get('count', 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError('fail_next count must be an integer >= 0')
        return dict(entry, route=_patterns(entry.get('route'), 'fail_next route'), count=count,
                    match=_text(entry.get('match'), 'fail_next match'),
                    status=_status(entry.get('status', 500), 'fail_next status'))

    def describe(self):
        """The plan as given, with the fail_next counts still to come."""
        with self.lock:
            plan = {key: value for key, value in self.spec.items() if key != 'fail_next'}
            if self.fail_next:
                plan['fail_next'] = [dict(entry) for entry in self.fail_next]
            return plan

    def decide(self, method, template, target):
        """The fault (if any) for one API request."""
        with self.lock:
            if self.down:
                return Decision('down')
            decision = Decision(latency_ms=sum(delay for pattern, delay in self.latency
                                               if in_scope([pattern], None, method, template, target)))
            for entry in self.fail_next:
                if entry['count'] > 0 and in_scope(entry['route'], entry.get('match'), method, template, target):
                    entry['count'] -= 1
                    decision.action = 'error'
                    decision.error = for_status(entry['status'], entry.get('code'), entry.get('details'),
                                                entry.get('retryable'))
                    return decision
            if any(rate for _action, rate in self.rates) and in_scope(self.routes, self.match, method, template, target):
                draw = self.rng.random()
                for action, rate in self.rates:
                    if draw < rate:
                        decision.action = action
                        break
                    draw -= rate
            if decision.action == 'hang':
                decision.hang_seconds, decision.hang_then = self.hang_seconds, self.hang_then
            elif decision.action == 'error':
                decision.error = for_status(self.error_status, self.spec.get('error_code'), None,
                                            self.spec.get('error_retryable'))
            return decision
