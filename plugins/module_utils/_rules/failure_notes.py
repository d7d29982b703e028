# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provisioning failures as ColdFront allocation notes: the note texts and what to write (pure, no I/O).

An allocation has at most one *open* note, which the next runs keep as it is while the problem stays the same:

    [hpc.coldfront_ecs] Provisioning failed since 2026-06-01: <problem>

A different problem rewrites that note (text and date; notes have no history, ``modified`` shows when).  When the
allocation later provisions, the note becomes *resolved* and is never touched again; a new failure after that opens
a new note:

    [hpc.coldfront_ecs] Resolved 2026-06-03: Provisioning failed since 2026-06-01: <problem>
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

PREFIX = '[hpc.coldfront_ecs] '
OPEN_PREFIX = PREFIX + 'Provisioning failed since '
_OPEN_RE = re.compile(r'^%s(?P<since>\d{4}-\d{2}-\d{2}): (?P<problem>.*)$' % re.escape(OPEN_PREFIX), re.DOTALL)

CREATE = 'created'
UPDATE = 'updated'
RESOLVE = 'resolved'
KEEP = 'unchanged'


def open_text(problem, since):
    """The open note of ``problem``, failing since ``since`` (YYYY-MM-DD)."""
    return '%s%s: %s' % (OPEN_PREFIX, since, problem)


def resolved_text(text, day):
    """The resolved form of open note ``text``, on ``day``."""
    return '%sResolved %s: %s' % (PREFIX, day, text[len(PREFIX):])


def parse_open(text):
    """``(problem, since)`` of an open note; None for any other text (resolved notes, people's notes)."""
    match = _OPEN_RE.match(text or '')
    return (match.group('problem'), match.group('since')) if match else None


def problems_by_allocation(failures):
    """``{allocation_id: problem}`` of ``[{allocation_id, problem}]``; two problems of one allocation are joined."""
    problems = {}
    for item in failures:
        known = problems.setdefault(item['allocation_id'], [])
        if item['problem'] not in known:
            known.append(item['problem'])
    return dict((allocation_id, '; '.join(texts)) for allocation_id, texts in problems.items())


def _entry(action, allocation_id, note, text, private):
    return {'allocation_id': allocation_id, 'note_id': None if note is None else note['id'], 'action': action,
            'changed': action != KEEP, 'private': private,
            'before': None if note is None else note['text'], 'after': text}


def _failure_entry(allocation_id, problem, note, day, private):
    """Create, keep or rewrite the open note of a failing allocation."""
    if note is None:
        return _entry(CREATE, allocation_id, None, open_text(problem, day), private)
    old_problem, since = parse_open(note['text'])
    if old_problem == problem and note['private'] == private:
        return _entry(KEEP, allocation_id, note, note['text'], private)
    return _entry(UPDATE, allocation_id, note, open_text(problem, since if old_problem == problem else day), private)


def plan_notes(notes, failures, succeeded, day, private=True):
    """What to write: one entry per failing allocation, and one per open note of an allocation that succeeded.

    ``notes``: the allocations' notes ``[{id, allocation_id, text, private}]`` (others than open ones are ignored);
    ``failures``: ``[{allocation_id, problem}]``; ``succeeded``: allocation ids; ``day``: today, YYYY-MM-DD.
    An entry: ``{allocation_id, note_id (None: to create), action (created, updated, resolved, unchanged), changed,
    private, before (None: to create), after}``.  An allocation listed in both is a failure.
    """
    open_notes = {}
    for note in sorted(notes, key=lambda item: item['id']):
        if parse_open(note['text']) is not None:
            open_notes.setdefault(note['allocation_id'], []).append(note)
    problems = problems_by_allocation(failures)
    plan = [_failure_entry(allocation_id, problem, (open_notes.get(allocation_id) or [None])[-1], day, private)
            for allocation_id, problem in sorted(problems.items())]
    for allocation_id in sorted(set(succeeded) - set(problems)):
        plan.extend(_entry(RESOLVE, allocation_id, note, resolved_text(note['text'], day), note['private'])
                    for note in open_notes.get(allocation_id, ()))
    return plan
