# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who may see an allocation attribute type and who may ask to change it: one word for two ColdFront flags.

ColdFront 1.1 hides an attribute whose type ``is_private`` from everybody but superusers (the attribute table and
its usage gauge on the allocation page), and offers an attribute whose type ``is_changeable`` in the change request
form of the project's managers. A private but changeable type would be offered in a form that hides it, so the
collection names the three sensible combinations.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

ACCESS_FLAGS = ('is_private', 'is_changeable')

# access word: (is_private, is_changeable)
ACCESS = {
    'private': (True, False),       # superusers only: what the playbooks write, and operator overrides
    'public': (False, False),       # shown to the project, read only
    'changeable': (False, True),    # shown, and the project's managers may request a new value
}


def access_flags(access):
    """``{'is_private': ..., 'is_changeable': ...}`` of an access word; ValueError for another word."""
    if access not in ACCESS:
        raise ValueError('access %r: use one of %s' % (access, ', '.join(ACCESS)))
    return dict(zip(ACCESS_FLAGS, ACCESS[access]))


def flag_differences(current, wanted):
    """``{flag: {'current': value, 'wanted': value}}`` for the flags of ``wanted`` whose value ``current`` lacks."""
    return dict((flag, {'current': current.get(flag), 'wanted': value}) for flag, value in sorted(wanted.items())
                if current.get(flag) != value)
