# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status words an allocation's outcome shares across provision, adopt, sync and reconcile (returned values)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

CONFLICT = 'conflict'   # ColdFront and ECS both changed, differently: reported, neither is changed
FAILED = 'failed'       # an error stopped the work for this allocation; the message says what to do
UNCHANGED = 'unchanged'  # nothing to do
