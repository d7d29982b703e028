# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provisioning failures as ColdFront allocation notes (``AllocationUserNote``), written only when they differ.

    result = apply_failure_notes([{'allocation_id': 9, 'problem': 'it has no Storage Quota (TB) value'}],
                                 succeeded=[4, 5], private=True, user='svc-ansible')

The texts and the decisions are in ``_rules/failure_notes.py``.  Everything happens in one transaction, with the
allocations to write locked (as ``write.apply_changes`` does), so two runs never open two notes for one failure.
Notes have no history rows; ``change_reason`` does not apply.  Call ``coldfront.setup_django()`` first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.access import ColdFrontError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.write import (
    ValidationFailed, history_user, lock_targets)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import failure_notes as rules


def _models():
    from django.contrib.auth.models import User  # pylint: disable=import-outside-toplevel
    from coldfront.core.allocation import models as allocation  # pylint: disable=import-outside-toplevel
    return User, allocation


def _allocation_id(value):
    """An id given as a number or as digits (Jinja may hand over either)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise ValueError(value)


def check_failures(failures):
    """``[{allocation_id, problem}]`` from items that give ``problem`` or ``error`` (the key of ecs_provision's
    results); other keys are ignored.  Raises :class:`ValidationFailed` listing every bad item."""
    checked, errors = [], []
    for index, item in enumerate(failures or ()):
        item = item if isinstance(item, dict) else {}
        problem = item.get('problem') or item.get('error')
        try:
            allocation_id = _allocation_id(item.get('allocation_id'))
        except (TypeError, ValueError):
            errors.append('failures[%d]: allocation_id %r is not an allocation id' % (index, item.get('allocation_id')))
            continue
        if not isinstance(problem, str) or not problem.strip():
            errors.append('failures[%d] (allocation %s): give the problem as text in problem (or error)'
                          % (index, allocation_id))
            continue
        checked.append({'allocation_id': allocation_id, 'problem': problem.strip()})
    if errors:
        raise ValidationFailed(errors)
    return checked


def first_superuser():
    """The ``User`` who signs new notes when no ``history_user`` is given: the first active superuser."""
    User, _allocation = _models()
    user = User.objects.filter(is_superuser=True, is_active=True).order_by('pk').first()
    if user is None:
        raise ColdFrontError('ColdFront has no active superuser to sign the provisioning failure notes: set '
                             'history_user (coldfront_ecs_history_user in the roles) to a ColdFront user name')
    return user


def _targets(allocation_models, failing, succeeded):
    """Allocations that may get a write: the failing ones, and the succeeded ones that have an open note."""
    opened = set(allocation_models.AllocationUserNote.objects.filter(note__startswith=rules.OPEN_PREFIX)
                 .values_list('allocation_id', flat=True))
    return sorted(failing | (succeeded & opened))


def _check_allocations(allocation_models, failing):
    found = set(allocation_models.Allocation.objects.filter(pk__in=sorted(failing)).values_list('pk', flat=True))
    missing = sorted(failing - found)
    if missing:
        raise ValidationFailed(['allocation %s does not exist in ColdFront: nothing written' % allocation_id
                                for allocation_id in missing])


def _read_notes(allocation_models, targets):
    rows = allocation_models.AllocationUserNote.objects.filter(
        allocation_id__in=targets, note__startswith=rules.OPEN_PREFIX)
    return [{'id': row.pk, 'allocation_id': row.allocation_id, 'text': row.note, 'private': row.is_private}
            for row in rows]


def _write(allocation_models, entry, author):
    """Save one planned entry; returns the note id."""
    notes = allocation_models.AllocationUserNote.objects
    if entry['note_id'] is None:
        return notes.create(allocation_id=entry['allocation_id'], author=author, note=entry['after'],
                            is_private=entry['private']).pk
    note = notes.get(pk=entry['note_id'])
    note.note, note.is_private = entry['after'], entry['private']
    note.save(update_fields=['note', 'is_private', 'modified'])
    return note.pk


def apply_failure_notes(failures, succeeded=(), private=True, user=None, check_mode=False):
    """Open, keep, rewrite or resolve the failure notes; returns ``{'notes': [entry...], 'changed': bool}``.

    An entry is a ``_rules.failure_notes.plan_notes`` entry (``note_id`` set once written).  Raises
    :class:`ValidationFailed` for bad items, unknown failing allocations or an unknown ``user``.
    """
    from django.db import transaction  # pylint: disable=import-outside-toplevel
    from django.utils import timezone  # pylint: disable=import-outside-toplevel
    failures = check_failures(failures)
    failing = set(item['allocation_id'] for item in failures)
    succeeded = set(int(value) for value in succeeded or ())
    _User, allocation_models = _models()
    with transaction.atomic():
        targets = _targets(allocation_models, failing, succeeded)
        lock_targets([{'allocation_id': allocation_id} for allocation_id in targets], ())
        _check_allocations(allocation_models, failing)
        author = history_user(user)  # an unknown name is an error even when no note is to be created
        plan = rules.plan_notes(_read_notes(allocation_models, targets), failures, succeeded,
                                timezone.localdate().isoformat(), private)
        if author is None and any(entry['note_id'] is None for entry in plan):
            author = first_superuser()
        for entry in plan:
            if entry['changed'] and not check_mode:
                entry['note_id'] = _write(allocation_models, entry, author)
    return {'notes': plan, 'changed': any(entry['changed'] for entry in plan)}


def diff_of(result):
    """Ansible ``diff`` of the changed notes, keyed ``allocation <id> note <id or new>``."""
    before, after = {}, {}
    for entry in result['notes']:
        if entry['changed']:
            key = 'allocation %s note %s' % (entry['allocation_id'], entry['note_id'] or 'new')
            before[key], after[key] = entry['before'], entry['after']
    return {'before': before, 'after': after}
