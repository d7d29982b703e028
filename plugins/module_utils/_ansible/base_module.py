# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one module wrapper style of the collection: a subclass of ``AnsibleModule``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.basic import AnsibleModule


class CollectionModule(AnsibleModule):
    """``AnsibleModule`` plus what every module of the collection reads from Ansible."""

    @property
    def diff(self):
        """Whether Ansible runs with --diff (AnsibleModule keeps it in a private attribute)."""
        return self._diff

    def with_diff(self, result, diff):
        """``result``, with ``diff()`` as its ``diff`` when Ansible runs with --diff."""
        if self.diff:
            result['diff'] = diff()
        return result

    def exit_with(self, result):
        """``exit_json`` with the result of a job; its ``warnings`` (a list of texts) become the module's warnings."""
        for warning in result.pop('warnings', None) or ():
            self.warn(warning)
        self.exit_json(**result)
