# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where an ECS Management API answers: ``https://host:port`` from a host value and a port.

One parser for the ECS client (its ``host`` option) and for the inventory side (the ``url`` attribute of a ColdFront
resource).  A refused value raises :class:`InvalidEndpoint` with a message that says what to give instead.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

DEFAULT_PORT = 4443
_HOSTNAME_RE = re.compile(r'^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$')


class InvalidEndpoint(ValueError):
    """A host or port value that does not name an ECS Management API endpoint."""


def build_base_url(host, port=DEFAULT_PORT):
    """``https://host:port`` from ``host`` (name, IP or ``https://name``) and ``port``.

    Refuses ``http://``, a path, credentials or a port inside ``host`` with a message that says what to give.
    """
    if not host or not str(host).strip():
        raise InvalidEndpoint('no ECS host given: set the host option or ECS_HOST (a host name, an IP or https://host)')
    text = str(host).strip()
    if '://' in text:
        scheme, text = text.split('://', 1)
        if scheme.lower() != 'https':
            raise InvalidEndpoint('host %r uses %s://: the ECS Management API is HTTPS only; give the host name or https://host'
                                  % (host, scheme))
    text = text.rstrip('/')
    if '/' in text or '?' in text or '#' in text:
        raise InvalidEndpoint('host %r contains a path: give only the host name (the API paths are fixed)' % (host,))
    if '@' in text:
        raise InvalidEndpoint('host %r contains credentials: use the username and password options' % (host,))
    name = _host_name(text, host)
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise InvalidEndpoint('port %r is not a number: use the port option (default %d)' % (port, DEFAULT_PORT))
    if not 0 < port < 65536:
        raise InvalidEndpoint('port %d is out of range 1-65535' % port)
    return 'https://%s:%d' % (name, port)


def _host_name(text, original):
    """The host part of a URL for ``text``: IPv6 in brackets, IPv4 or a DNS name; a port is refused."""
    port_msg = 'host %r contains a port: set the port option (ECS_PORT, default %d) instead' % (original, DEFAULT_PORT)
    if text.startswith('['):
        address, _sep, rest = text[1:].partition(']')
        if rest:
            raise InvalidEndpoint(port_msg)
        text = address
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    if address is not None:
        return '[%s]' % address if address.version == 6 else str(address)
    if ':' in text:
        raise InvalidEndpoint(port_msg)
    if not _HOSTNAME_RE.match(text):
        raise InvalidEndpoint('host %r is not a valid host name' % (original,))
    return text


def host_name(host, port=DEFAULT_PORT):
    """The host name or IP of ``host`` as it appears in :func:`build_base_url` (an IPv6 address in brackets)."""
    return build_base_url(host, port)[len('https://'):].rsplit(':', 1)[0]
