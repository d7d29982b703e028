# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Report retention filter: a thin wrapper of module_utils/_rules/report_retention.py.

Documentation: report_retention.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report_retention import expired_runs


def report_retention(directories, files, keep):
    """The report run directories to delete."""
    try:
        return expired_runs(directories or [], files or [], keep)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError('report_retention: %s' % exc)


class FilterModule(object):
    """hpc.coldfront_ecs report filters."""

    def filters(self):
        return {'report_retention': report_retention}
