"""Request counters for GET /_sim/stats (API calls only, never /_sim/*)."""

import threading
from collections import Counter


class Stats:
    """Counts by `METHOD /route/{template}`, by status, and logins/logouts."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = Counter()
        self.by_status = Counter()
        self.logins = 0
        self.logouts = 0

    def reset(self):
        """Zero every counter."""
        with self.lock:
            self.requests.clear()
            self.by_status.clear()
            self.logins = self.logouts = 0

    def count(self, route_key, status):
        """One answered (or dropped: status 'reset') request."""
        with self.lock:
            self.requests[route_key] += 1
            self.by_status[str(status)] += 1

    def count_login(self):
        """A token was issued."""
        with self.lock:
            self.logins += 1

    def count_logout(self):
        """A logout succeeded."""
        with self.lock:
            self.logouts += 1

    def snapshot(self, live_tokens):
        """The /_sim/stats document."""
        with self.lock:
            return {'requests': dict(sorted(self.requests.items())), 'total': sum(self.requests.values()),
                    'by_status': dict(sorted(self.by_status.items())), 'logins': self.logins,
                    'logouts': self.logouts, 'live_tokens': live_tokens,
                    'live_tokens_total': sum(live_tokens.values())}
