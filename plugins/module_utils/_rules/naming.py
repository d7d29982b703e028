# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Namespace and bucket names: derivation from ColdFront data and validation.

Everything that comes from ColdFront (project titles, ``Namespace``/``Bucket`` overrides a user can
edit) is untrusted.  A name is validated here before it is placed in any ECS URL path.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

MAX_NAME_LENGTH = 63

# Lower-case letters, digits and inner dashes; 1 to 63 characters for a namespace.
_NAMESPACE_RE = re.compile(r'^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$')
# DNS-style bucket names: 3 to 63 characters, no dots (no "..", no IPv4 look-alikes).
_BUCKET_RE = re.compile(r'^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$')
# Names ECS already holds, as the old in-Django plugin made them: its slug was cut at 63 characters after the dashes
# were trimmed, so a name of a long title may end in "-" (a bucket too).  Accepted for recorded and adopted names only;
# new names are made with the strict patterns above.
_HELD_NAMESPACE_RE = re.compile(r'^[a-z0-9][a-z0-9-]{0,62}$')
_HELD_BUCKET_RE = re.compile(r'^[a-z0-9][a-z0-9-]{2,62}$')
_NOT_SLUG_CHARS = re.compile(r'[^a-z0-9-]')
_DASH_RUNS = re.compile(r'-{2,}')
# What ECS itself accepts (ADM): namespaces [a-zA-Z0-9_-], buckets also '.', 1-255 characters; no '..' or edge dots.
# Wider than the names this collection derives (above): it guards any name a module is given before it goes in a URL.
_ECS_NAME_RULES = {
    'namespace': (re.compile(r'^[A-Za-z0-9_-]{1,255}$'), 'letters, digits, "-" and "_"'),
    'bucket': (re.compile(r'^[A-Za-z0-9_-](?:[A-Za-z0-9._-]{0,253}[A-Za-z0-9_-])?$'), 'letters, digits, "-", "_" and inner "."'),
}


class InvalidName(ValueError):
    """A namespace or bucket name that must not be sent to ECS."""


def check_name(kind, value):
    """``value`` if ECS accepts it as a ``kind`` (``namespace`` or ``bucket``) name, else :class:`InvalidName`."""
    pattern, allowed = _ECS_NAME_RULES[kind]
    if not isinstance(value, str) or not pattern.match(value) or '..' in value:
        raise InvalidName('%s name %r is not valid on ECS: use 1-255 characters from %s' % (kind, value, allowed))
    return value


def slugify(text):
    """The slug of a project title: lower-case, ``[^a-z0-9-]`` to ``-``, runs collapsed, trimmed, 63 max.

    Returns an empty string when nothing is left; callers refuse that (see :func:`derive_namespace`)
    instead of falling back to a shared ``default`` namespace that two labs could end up sharing.
    """
    slug = _NOT_SLUG_CHARS.sub('-', (text or '').lower())
    slug = _DASH_RUNS.sub('-', slug).strip('-')
    return slug[:MAX_NAME_LENGTH].strip('-')


def legacy_slug(text):
    """The old plugin's slug: as :func:`slugify`, but cut at 63 characters after trimming, so it may end in ``-``."""
    slug = _NOT_SLUG_CHARS.sub('-', (text or '').lower())
    return _DASH_RUNS.sub('-', slug).strip('-')[:MAX_NAME_LENGTH]


def legacy_names(project_title):
    """``(namespace, bucket)`` the old plugin gave a project title, or ``None`` when the title slugs to nothing."""
    namespace = legacy_slug(project_title)
    if not namespace:
        return None
    return namespace, legacy_slug('lab-%s-bucket' % namespace)


def validate_held_namespace(name, source='namespace'):
    """Like :func:`validate_namespace_name`, also accepting a trailing ``-`` (names the old plugin made)."""
    if not isinstance(name, str) or not _HELD_NAMESPACE_RE.match(name):
        raise InvalidName('%s %r is not a valid namespace name: use 1-%d characters from a-z, 0-9 and "-", starting '
                          'with a letter or digit' % (source, name, MAX_NAME_LENGTH))
    return name


def validate_held_bucket(name, source='bucket'):
    """Like :func:`validate_bucket_name`, also accepting a trailing ``-`` (names the old plugin made)."""
    if not isinstance(name, str) or not _HELD_BUCKET_RE.match(name):
        raise InvalidName('%s %r is not a valid bucket name: use 3-%d characters from a-z, 0-9 and "-", starting '
                          'with a letter or digit' % (source, name, MAX_NAME_LENGTH))
    return name


def validate_namespace_name(name, source='namespace'):
    """Return ``name`` when it is a safe ECS namespace name, else raise :class:`InvalidName`."""
    if not isinstance(name, str) or not _NAMESPACE_RE.match(name):
        raise InvalidName(
            '%s %r is not a valid namespace name: use 1-%d characters from a-z, 0-9 and inner "-"'
            % (source, name, MAX_NAME_LENGTH))
    return name


def validate_bucket_name(name, source='bucket'):
    """Return ``name`` when it is a safe ECS bucket name, else raise :class:`InvalidName`."""
    if not isinstance(name, str) or not _BUCKET_RE.match(name):
        raise InvalidName(
            '%s %r is not a valid bucket name: use 3-%d characters from a-z, 0-9 and inner "-"'
            % (source, name, MAX_NAME_LENGTH))
    return name


def derive_namespace(project_title, override=None):
    """Namespace for an allocation: the ``Namespace`` override, else the slug of the project title."""
    if override not in (None, ''):
        return validate_namespace_name(override, source='Namespace attribute')
    slug = slugify(project_title)
    if not slug:
        raise InvalidName(
            'project title %r is empty after slugging; set the Namespace allocation attribute'
            % (project_title,))
    return validate_namespace_name(slug, source='slug of project title %r' % (project_title,))


def derive_bucket(namespace, override=None):
    """Bucket for an allocation: the ``Bucket`` override, else the slug of ``lab-<namespace>-bucket``."""
    if override not in (None, ''):
        return validate_bucket_name(override, source='Bucket attribute')
    return validate_bucket_name(slugify('lab-%s-bucket' % namespace), source='derived bucket name')


def subdirectory(namespace, bucket):
    """The ``Subdirectory`` value recorded after provisioning: ``<namespace>:<bucket>``."""
    return '%s:%s' % (namespace, bucket)
