# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Passwords inside connection strings, whatever their shape, found and hidden (standard library only).

A database URL typed with a slash or a colon missing (``postgres:/user:pw@host/db``, ``postgresql//user:pw@h/db``,
``postgres:user:pw@h/db``) is no URL for a parser, but still holds a password: the rule here does not parse URLs, it
looks for ``user:password@`` anywhere, the password running to the last ``@`` of the word (a password may hold
``@``), and for ``password=...`` options.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from urllib.parse import unquote

MASK = '***'
# [scheme:][/...]user:password@ : the user stops at : / @ or a quote, the password runs to the word's last @.  A
# password never starts with // (else the scheme of scheme://user@host would be taken for a user).
_USERINFO = re.compile(r'''(?P<lead>(?:[A-Za-z][A-Za-z0-9+.-]*:)?/*)(?P<user>[^\s:/@'"]*):(?P<password>(?!//)\S*)@''')
# password=... / passwd=... / pwd=... (a URL query, a libpq connection string).
_OPTION = re.compile(r'''(?P<key>\b(?:password|passwd|pwd)\s*=\s*)(?P<password>[^\s&;'",)]+)''', re.IGNORECASE)
# What a well-formed database URL starts with, and the schemes worth naming when one does not.
_URL_START = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://')
_BROKEN_START = re.compile(r'^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)(?P<separator>[:/]+)')
KNOWN_SCHEMES = ('postgres', 'postgresql', 'pgsql', 'psql', 'postgis', 'mysql', 'mysql2', 'mysqlgis', 'sqlite',
                 'spatialite', 'oracle', 'mssql')


def mask_credentials(text):
    """``text`` with every ``user:password@`` password and every ``password=`` value replaced by ``***``."""
    text = _USERINFO.sub(lambda m: '%s%s:%s@' % (m.group('lead'), m.group('user'), MASK), str(text))
    return _OPTION.sub(lambda m: m.group('key') + MASK, text)


def credential_secrets(text):
    """The passwords ``text`` holds (as written and percent-decoded), for masking them wherever they turn up."""
    found = set()
    for pattern in (_USERINFO, _OPTION):
        for match in pattern.finditer(str(text or '')):
            password = match.group('password')
            if password and password != MASK:
                found.update((password, unquote(password)))
    return found


def hide_secrets(text, secrets):
    """``text`` with each of ``secrets`` (3 characters or more, longest first) replaced by ``***``."""
    text = str(text)
    for secret in sorted(secrets, key=len, reverse=True):
        if secret and len(secret) >= 3:
            text = text.replace(secret, MASK)
    return text


def hide(text, *sources):
    """``text`` with URL credentials masked, and every password that ``sources`` (URLs of any shape) hold."""
    secrets = set()
    for source in sources:
        secrets.update(credential_secrets(source))
    return hide_secrets(mask_credentials(text), secrets)


def url_shape_problem(url):
    """``None`` when ``url`` starts like ``scheme://``, else what is wrong, naming no part but a known scheme."""
    text = str(url or '').strip()
    if not text or _URL_START.match(text):
        return None
    start = _BROKEN_START.match(text)
    if start and start.group('scheme').lower() in KNOWN_SCHEMES:
        return "it starts with %r where %r was expected" % (start.group(0), start.group('scheme') + '://')
    return 'it does not start with a scheme and "://"'
