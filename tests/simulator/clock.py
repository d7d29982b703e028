"""Time helpers: the timestamp formats the ECS API uses."""

import time
from datetime import datetime, timezone


def now():
    """Seconds since the epoch (float)."""
    return time.time()


def epoch_ms(seconds):
    """Epoch milliseconds, as ECS `creation_time` fields carry them."""
    return int(seconds * 1000)


def iso_ms(seconds):
    """ISO-8601 UTC with milliseconds, e.g. 2015-06-15T18:39:11.957Z (bucket `created`)."""
    moment = datetime.fromtimestamp(seconds, timezone.utc)
    return moment.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (moment.microsecond // 1000)


def iso_seconds(seconds):
    """yyyy-MM-dd'T'HH:mm:ss'Z' (billing `sample_time`)."""
    return datetime.fromtimestamp(seconds, timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_iso_ms(text):
    """Inverse of iso_ms (also accepts plain seconds precision)."""
    text = text.rstrip('Z')
    fmt = '%Y-%m-%dT%H:%M:%S.%f' if '.' in text else '%Y-%m-%dT%H:%M:%S'
    return datetime.strptime(text, fmt).replace(tzinfo=timezone.utc).timestamp()
