"""Runtime behaviour switches (command line defaults, changed at run time by POST /_sim/config)."""

from dataclasses import asdict, dataclass, fields


def _choice(*allowed):
    def check(value):
        if value not in allowed:
            raise ValueError('must be one of %s' % ', '.join(str(item) for item in allowed))
        return value
    return check


def _switch(value):
    if isinstance(value, bool):
        return value
    if str(value).lower() in ('on', 'true', '1', 'yes'):
        return True
    if str(value).lower() in ('off', 'false', '0', 'no'):
        return False
    raise ValueError('must be on/off or true/false')


def _number(minimum, kind=float):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
            raise ValueError('must be a number >= %s' % minimum)
        if kind is int and not float(value).is_integer():
            raise ValueError('must be a whole number')
        return kind(value)
    return check


@dataclass
class Config:
    """Behaviour switches; see README.md for what each one models."""

    namespace_list: str = 'full'
    batch_billing: bool = True
    latency_ms: float = 0
    token_cap: int = 100
    token_ttl_seconds: float = 8 * 3600
    token_idle_seconds: float = 2 * 3600
    expired_token_response: int = 401
    page_size_default: int = 100
    page_size_max: int = 1000
    empty_bucket_seconds: float = 2.0
    put_without_user_mapping: str = 'clear'
    metering_lag_seconds: float = 0

    CHECKS = {
        'namespace_list': _choice('brief', 'full'),
        'batch_billing': _switch,
        'latency_ms': _number(0),
        'token_cap': _number(1, int),
        'token_ttl_seconds': _number(0),
        'token_idle_seconds': _number(0),
        'expired_token_response': _choice(401, 302),
        'page_size_default': _number(1, int),
        'page_size_max': _number(1, int),
        'empty_bucket_seconds': _number(0),
        'put_without_user_mapping': _choice('clear', 'keep'),
        'metering_lag_seconds': _number(0),
    }

    def update(self, changes):
        """Validate then apply a dict of changes (all or nothing); ValueError names the bad key."""
        if not isinstance(changes, dict):
            raise ValueError('the config must be a JSON object')
        checked = {}
        for key, value in changes.items():
            if key not in self.CHECKS:
                raise ValueError('unknown config key %r (known: %s)' % (key, ', '.join(sorted(self.CHECKS))))
            try:
                checked[key] = self.CHECKS[key](value)
            except ValueError as error:
                raise ValueError('%s %s' % (key, error)) from None
        for key, value in checked.items():
            setattr(self, key, value)

    def to_dict(self):
        """The current switches."""
        return asdict(self)

    def copy(self):
        """An independent copy (the start-up configuration that /_sim/reset returns to)."""
        return Config(**{item.name: getattr(self, item.name) for item in fields(self)})
