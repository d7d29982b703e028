"""Reading request fields the way ECS's JSON/XML binding does: lenient about types, strict about values."""

import ipaddress
import re

from .errors import ApiError, bad_body, invalid, missing, out_of_range

UNSET = -1
NAMESPACE_NAME = re.compile(r'[A-Za-z0-9_-]{1,255}')
BUCKET_NAME = re.compile(r'[A-Za-z0-9-][A-Za-z0-9._-]{0,254}')
INTEGER_TEXT = re.compile(r'\s*-?\d+\s*')


def body_object(body):
    """The request body as a dict (JSON object or XML root's children); 400/1013 otherwise."""
    if isinstance(body, dict):
        return body
    raise bad_body('The request body must be a JSON object or an XML document, got %s' % type(body).__name__)


def as_bool(value, name, default=False):
    """A boolean from true/false, or their text in any case (Jackson and JAXB both coerce text)."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ('true', 'false'):
        return value.strip().lower() == 'true'
    raise invalid('%s must be true or false, got %r' % (name, value))


def as_int(value, name, default=None):
    """An integer from a JSON integer, an integral float (10.0) or integer text ('10')."""
    if value is None or value == '':
        return default
    if isinstance(value, bool):
        raise invalid('%s must be an integer, got %r' % (name, value))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and INTEGER_TEXT.fullmatch(value):
        return int(value)
    raise invalid('%s must be an integer, got %r' % (name, value))


def as_str(value, name, default=''):
    """Text; numbers and booleans are coerced like Jackson does, objects and lists are refused."""
    if value is None:
        return default
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (str, int, float)):
        return str(value)
    raise invalid('%s must be a string, got %s' % (name, type(value).__name__))


def as_list(value, name):
    """A list; None is empty and a single XML element (scalar or object) becomes a one-item list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, (str, dict)):
        return [value]
    raise invalid('%s must be a list, got %s' % (name, type(value).__name__))


def require_str(body, key):
    """A non-empty text field, else 400/1005."""
    value = as_str(body.get(key), key).strip()
    if not value:
        raise missing(key)
    return value


def check_namespace_name(name):
    """Namespace names: 1-255 characters from [a-zA-Z0-9-_] (ECS Administration Guide)."""
    if not NAMESPACE_NAME.fullmatch(name):
        raise invalid('Invalid namespace name %r: use 1-255 characters from a-z, A-Z, 0-9, - and _' % name)


def check_bucket_name(name):
    """Bucket names: 1-255 of [a-zA-Z0-9._-], starting with an alphanumeric or '-', no trailing '.', no '..', not an IPv4."""
    valid = BUCKET_NAME.fullmatch(name) and not name.endswith('.') and '..' not in name
    if valid:
        try:
            ipaddress.IPv4Address(name)
            valid = False
        except ValueError:
            pass
    if not valid:
        raise ApiError(400, 40009, 'Invalid bucket name %r' % name)


def quota_value(value, name, required=True):
    """One quota figure: integer GB, -1 (unset) or at least 1."""
    number = as_int(value, name)
    if number is None:
        if required:
            raise missing(name)
        return UNSET
    if number != UNSET and number < 1:
        raise out_of_range('%s must be -1 (no quota) or a whole number of GB >= 1, got %d' % (name, number))
    return number


def quota_pair(body, required=True, allow_unset_pair=True):
    """(blockSize, notificationSize) from a quota body, with ECS's rules for the pair."""
    block = quota_value(body.get('blockSize'), 'blockSize', required)
    notification = quota_value(body.get('notificationSize'), 'notificationSize', required)
    if block != UNSET and notification != UNSET and notification > block:
        raise invalid('notificationSize (%d) must not exceed blockSize (%d)' % (notification, block))
    if not allow_unset_pair and block == UNSET and notification == UNSET:
        raise invalid('blockSize and notificationSize cannot both be -1: delete the quota instead')
    return block, notification
