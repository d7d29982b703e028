# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of hpc.coldfront_ecs.coldfront_attribute_type: the play's name is the default change reason."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.plugin_utils.coldfront_history import ColdFrontWriteAction


class ActionModule(ColdFrontWriteAction):
    """See :class:`ColdFrontWriteAction`."""
