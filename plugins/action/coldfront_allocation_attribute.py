# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of hpc.coldfront_ecs.coldfront_allocation_attribute, and of every other module that writes ColdFront
history (meta/runtime.yml routes them here): the play's name becomes the default change reason."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action.normal import ActionModule as NormalAction


class ActionModule(NormalAction):
    """Runs the module like ``normal``; without ``change_reason`` the history rows name the play."""

    def run(self, tmp=None, task_vars=None):
        play = (task_vars or {}).get('ansible_play_name')
        if play and not self._task.args.get('change_reason'):
            self._task.args = dict(self._task.args, change_reason=play)
        return super(ActionModule, self).run(tmp, task_vars)
