# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Public entry point: read ColdFront through its Django models, for re-use outside this collection's modules.

    from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.coldfront import load_resources, setup_django

    setup_django(env_file='/etc/coldfront/coldfront.env')
    for resource in load_resources({'name_contains': 'ecs'}):
        print(resource['name'], len(resource['allocations']))

Meant for re-use, and kept stable: :func:`setup_django`, :func:`load_resources`, :func:`load_allocations`,
:func:`select_resources`, :func:`mask` (hides secrets seen in connection strings) and the errors
:class:`ColdFrontError`, :class:`ColdFrontUnavailable` and :class:`InvalidSelection`.  The records are plain
dicts and lists, no Django objects.  Everything under ``module_utils/_coldfront`` and the other underscore
packages is private and may change in any release.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.access import (
    ColdFrontError, ColdFrontUnavailable, InvalidSelection, load_allocations, load_resources, mask, select_resources,
    setup_django)

__all__ = ('ColdFrontError', 'ColdFrontUnavailable', 'InvalidSelection', 'load_allocations', 'load_resources', 'mask',
           'select_resources', 'setup_django')
