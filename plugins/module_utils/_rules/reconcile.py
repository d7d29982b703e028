# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Two directions, one truth: who wins when a quota differs between ColdFront and ECS.

Three values decide it, all compared in whole ECS GB (the granularity ECS keeps):

* ``coldfront``: ``Storage Quota (TB)`` value, the limit people edit (change requests);
* ``agreed``: ``Quota_In_Bytes`` value, written only by this collection, the last value both sides agreed on
  (set by provision after a push or create, and by sync after a pull);
* ``ecs``: the namespace ``blockSize`` on ECS.

``coldfront != agreed`` means a ColdFront change not pushed yet; ``ecs != agreed`` means a change made on ECS.
Sync pulls only ECS changes and never overwrites an unpushed ColdFront change; provision pushes only
ColdFront changes and never overwrites an ECS change; when both changed to different values it is a
conflict and neither side is touched.  Without an agreed value (an allocation made before this collection) nobody
can tell which side changed: a difference is a conflict too, never "ECS wins".
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import units
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import attribute_names
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.outcomes import CONFLICT

IN_SYNC = 'in_sync'        # nothing to do
PULL = 'pull'              # ECS changed: write ECS value into ColdFront (sync)
PUSH = 'push'              # ColdFront changed: set ECS quota (provision)
RECORD = 'record'          # both sides already equal, only the agreed value is stale: record it
BASELINE = 'baseline'      # no agreed value and no ColdFront value: ECS is taken as the baseline
# CONFLICT (from outcomes): both changed differently: report, change neither


def quota_gb(tb):
    """A ColdFront TB value as whole ECS GB (None stays None, -1 stays -1)."""
    return None if tb is None else units.tb_to_gb(tb)


def agreed_gb(quota_bytes):
    """The ``Quota_In_Bytes`` value as whole ECS GB (None when never recorded)."""
    if quota_bytes is None:
        return None
    if units.is_unlimited(quota_bytes):
        return units.UNLIMITED
    return units.tb_to_gb(units.bytes_to_tb(quota_bytes))


def quota_decision(coldfront_gb, agreed, ecs_gb):
    """Classify one allocation's quota as one of the module constants (all arguments in GB or None)."""
    if agreed is None:
        if coldfront_gb is None:
            return BASELINE
        return IN_SYNC if coldfront_gb == ecs_gb else CONFLICT
    coldfront_changed = coldfront_gb != agreed
    ecs_changed = ecs_gb != agreed
    if not coldfront_changed and not ecs_changed:
        return IN_SYNC
    if coldfront_changed and ecs_changed:
        return RECORD if coldfront_gb == ecs_gb else CONFLICT
    return PUSH if coldfront_changed else PULL


def conflict_fix(coldfront_gb, ecs_gb, names=None):
    """Both quotas in bytes and the exact values that settle a conflict, as ``{attribute name: value}``.

    ``keep_coldfront``: ``Quota_In_Bytes`` set to the ECS value makes the ColdFront value a change that provision
    pushes (None when ColdFront has no quota); ``keep_ecs``: ``Storage Quota (TB)`` set to the ECS value makes both
    sides equal, which sync (or provision) records.  ``names`` are attribute names (``attributes.attribute_names``).
    """
    names = attribute_names(names)
    return {'coldfront_quota_bytes': quota_bytes(coldfront_gb), 'ecs_quota_bytes': quota_bytes(ecs_gb),
            'keep_coldfront': None if coldfront_gb is None else {names['quota_bytes']: _bytes(ecs_gb)},
            'keep_ecs': {names['quota_tb']: units.format_number(units.gb_to_tb(ecs_gb))}}


def conflict_message(allocation_id, resource, namespace, coldfront_gb, agreed, ecs_gb, names=None):
    """One line for a quota conflict: each side in TB and bytes, and the exact value to set to settle it."""
    fix = conflict_fix(coldfront_gb, ecs_gb, names)
    if agreed is None:
        what = 'has no agreed quota (%s) yet and the two sides differ' % attribute_names(names)['quota_bytes']
    else:
        what = 'quota changed on both sides since they last agreed on %s' % _both_text(agreed)
    [(tb_name, tb_value)] = fix['keep_ecs'].items()
    keep = ['To keep the ECS value, set %s to %s and sync records it' % (tb_name, tb_value)]
    if fix['keep_coldfront']:
        [(name, value)] = fix['keep_coldfront'].items()
        keep.insert(0, 'To keep the ColdFront value, set %s to %s (what ECS has) and provision pushes %s'
                    % (name, value, _tb_text(coldfront_gb)))
    return ('allocation %s on %s: namespace %s %s: ColdFront %s, ECS %s; nothing was changed on either side. %s'
            % (allocation_id, resource, namespace, what, _both_text(coldfront_gb), _both_text(ecs_gb), '. '.join(keep)))


def change_text(old_gb, new_gb):
    """``10 TB -> 12 TB``: a quota change for a summary (``unset``, ``unlimited`` for the special values)."""
    return '%s -> %s' % (_tb_text(old_gb), _tb_text(new_gb))


def quota_bytes(gb):
    """A quota in ECS GB as bytes for a structured result: None stays None, -1 (no quota) stays -1."""
    return None if gb is None else _bytes(gb)


def _bytes(gb):
    return units.UNLIMITED if units.is_unlimited(gb) else units.tb_to_bytes(units.gb_to_tb(gb))


def _both_text(gb):
    """``2 TB (2199023255552 bytes)``, ``unlimited (-1 bytes)``: a quota in the units of both attributes."""
    if gb is None:
        return 'unset'
    return '%s (%d bytes)' % (_tb_text(gb), _bytes(gb))


def _tb_text(gb):
    if gb is None:
        return 'unset'
    if units.is_unlimited(gb):
        return 'unlimited'
    return '%s TB' % units.format_number(units.gb_to_tb(gb))
