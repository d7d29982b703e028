# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit conversion filters: thin wrappers of module_utils/_rules/units.py.

Documentation: one YAML file per filter next to this file (gb_to_tb.yml, ...).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import units
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.quota import QuotaError, as_number


def _numeric(name, convert):
    """A filter applying ``convert`` to numeric input (numbers or numeric text; null is refused)."""
    def apply(value, *args, **kwargs):
        try:
            numbers = [as_number(item, '%s: argument %r' % (name, item)) for item in (value,) + args]
            options = dict((key, as_number(item, '%s: %s' % (name, key))) for key, item in kwargs.items())
        except QuotaError as exc:
            raise AnsibleFilterError(str(exc))
        if numbers[0] is None:
            raise AnsibleFilterError('%s: input must be a number, got null (write -1 for unlimited)' % name)
        return convert(*numbers, **options)
    apply.__name__ = name
    apply.__doc__ = convert.__doc__
    return apply


def soft_quota_gb(hard_gb, percent=units.DEFAULT_SOFT_QUOTA_PERCENT):
    """ECS notification size for a hard quota in GB (default 90 %, at least 1 GB, -1 stays -1)."""
    return units.soft_quota_gb(hard_gb, units.DEFAULT_SOFT_QUOTA_PERCENT if percent is None else percent)


CONVERSIONS = ('gb_to_tb', 'tb_to_gb', 'gb_to_bytes', 'tb_to_bytes', 'kb_to_bytes', 'kb_to_tb', 'bytes_to_tb')


class FilterModule(object):
    """hpc.coldfront_ecs unit conversion filters."""

    def filters(self):
        found = dict((name, _numeric(name, getattr(units, name))) for name in CONVERSIONS)
        found['soft_quota_gb'] = _numeric('soft_quota_gb', soft_quota_gb)
        return found
