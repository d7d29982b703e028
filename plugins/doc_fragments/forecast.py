# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The forecast options of sync and the usage report: growth fitted to ColdFront's usage history."""

    DOCUMENTATION = r'''
options:
  forecast_window_days:
    description:
      - Days of usage history the growth is fitted over (a Theil-Sen fit of one sample a day, robust to one jump).
    type: int
    default: 30
  forecast_days:
    description:
      - An allocation or resource under its limit that the growth fills within this many days gets an alert of kind
        C(forecast), level C(full_soon).
    type: int
    default: 30
'''
