"""Authentication tokens: opaque BAAc... strings with a lifetime, an idle timeout and a per-user cap."""

import base64
import secrets
import threading
from dataclasses import dataclass

from .errors import ApiError


@dataclass
class Session:
    """One live token."""

    user: str
    created: float
    last_used: float


class TokenStore:
    """Live tokens; lifetimes and the cap come from the Config at the time of each check."""

    def __init__(self, config):
        self.config = config
        self.lock = threading.Lock()
        self.sessions = {}

    def expired(self, session, now):
        """True once the token outlived its lifetime or its idle timeout."""
        return (now - session.created >= self.config.token_ttl_seconds
                or now - session.last_used >= self.config.token_idle_seconds)

    def purge(self, now):
        """Forget expired tokens (lock held)."""
        for token in [token for token, session in self.sessions.items() if self.expired(session, now)]:
            del self.sessions[token]

    def issue(self, user, now):
        """A new token for the user; 403/1031 once the user holds token_cap live tokens."""
        with self.lock:
            self.purge(now)
            live = sum(1 for session in self.sessions.values() if session.user == user)
            if live >= self.config.token_cap:
                raise ApiError(403, 1031, 'User %s already holds the maximum of %d authentication tokens: log out '
                               'unused tokens (GET /logout?force=true) or wait for them to expire'
                               % (user, self.config.token_cap))
            token = 'BAAc' + base64.b64encode(secrets.token_bytes(111)).decode('ascii')
            self.sessions[token] = Session(user, now, now)
            return token

    def resolve(self, token, now):
        """The user of a live token (refreshing its idle timer), else None."""
        with self.lock:
            session = self.sessions.get(token or '')
            if session is None:
                return None
            if self.expired(session, now):
                del self.sessions[token]
                return None
            session.last_used = now
            return session.user

    def revoke(self, token):
        """End one token."""
        with self.lock:
            self.sessions.pop(token, None)

    def revoke_user(self, user):
        """End every token of a user; returns how many."""
        with self.lock:
            tokens = [token for token, session in self.sessions.items() if session.user == user]
            for token in tokens:
                del self.sessions[token]
            return len(tokens)

    def clear(self):
        """End every token (fault `expire_tokens`, /_sim/reset)."""
        with self.lock:
            self.sessions.clear()

    def live(self, users, now):
        """{user: live token count} for the given users (and any other token holder)."""
        with self.lock:
            self.purge(now)
            counts = dict.fromkeys(users, 0)
            for session in self.sessions.values():
                counts[session.user] = counts.get(session.user, 0) + 1
            return counts


def short(token):
    """A token as logs may show it: the first 6 characters only."""
    return (token or '')[:6] + '...' if token else '-'
