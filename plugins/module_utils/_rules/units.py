# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit conversions, in one place, exactly as the reference plugin computes them.

* 1 TB = 1024 GB (ECS quotas are integer GB), so ``Storage Quota (TB)`` = quota GB / 1024.
* ``Quota_In_Bytes`` = TB x 1024**4.
* ECS billing sizes are read in KB (``sizeunit=KB``, binary) and x 1024 give bytes.
* -1 means "no quota" on ECS and is carried through unchanged (never scaled).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

UNLIMITED = -1
GB_PER_TB = 1024
BYTES_PER_KB = 1024
BYTES_PER_TB = 1024 ** 4
KB_PER_TB = 1024 ** 3
DEFAULT_SOFT_QUOTA_PERCENT = 90


def is_unlimited(value):
    """True for the ECS "no quota" marker (-1, or any negative number)."""
    return value is None or float(value) < 0


def gb_to_tb(gb):
    """ECS quota GB to ColdFront TB; -1 stays -1."""
    return UNLIMITED if is_unlimited(gb) else gb / GB_PER_TB


def tb_to_gb(tb):
    """ColdFront TB to whole ECS quota GB (rounded up so a quota is never made smaller); -1 stays -1."""
    if is_unlimited(tb):
        return UNLIMITED
    return int(math.ceil(float(tb) * GB_PER_TB - 1e-9))


def tb_to_bytes(tb):
    """ColdFront TB to bytes (``Quota_In_Bytes``); -1 stays -1."""
    return UNLIMITED if is_unlimited(tb) else int(round(float(tb) * BYTES_PER_TB))


def gb_to_bytes(gb):
    """ECS quota GB to bytes; -1 stays -1."""
    return UNLIMITED if is_unlimited(gb) else int(gb) * 1024 ** 3


def kb_to_bytes(kb):
    """ECS billing KB to bytes."""
    return int(round(float(kb) * BYTES_PER_KB))


def kb_to_tb(kb):
    """ECS billing KB to TB (1024**3 KB per TB)."""
    return float(kb) / KB_PER_TB


def bytes_to_tb(size):
    """Bytes to TB."""
    return float(size) / BYTES_PER_TB


def soft_quota_gb(hard_gb, percent=DEFAULT_SOFT_QUOTA_PERCENT):
    """ECS ``notificationSize`` for a hard quota: ``percent`` of it, at least 1 GB; -1 stays -1."""
    if is_unlimited(hard_gb):
        return UNLIMITED
    return max(1, int(hard_gb * percent // 100))


def format_number(value):
    """Canonical text for a ColdFront attribute value: ``10`` not ``10.0``, full float precision otherwise."""
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return repr(number)


def same_number(left, right, rel_tol=1e-12):
    """Numeric equality of two attribute values (text or numbers); False if either is not a number."""
    try:
        return math.isclose(float(left), float(right), rel_tol=rel_tol, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False
