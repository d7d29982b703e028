# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One allocation's work in a run (provision, adopt): its view, the run's settings, its result, and how it fails.

A failed allocation never stops the others: its result gets ``action: failed``, one ``error`` line that names
the allocation (:func:`describe`), the step and what went wrong, and a ``kind`` (``_rules/outcomes``) that says why
in one word (None while the allocation goes through).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import traceback

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import (
    EcsApiError, EcsConfigError, EcsModuleFailure)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import describe
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.outcomes import (
    ECS_ERROR, FAILED, INVALID_DATA, UNEXPECTED)

ECS_FAILURES = (EcsApiError, EcsConfigError, EcsModuleFailure)


def holder_text(holder):
    """``allocation 7 (project 'Smith Lab', status Active, resource 'ecs-east')``: who holds a namespace."""
    text = 'allocation %s' % holder['allocation_id']
    if holder.get('project') is not None:
        text += ' (project %r, status %s, resource %r)' % (holder['project'], holder['status'], holder['resource'])
    return text


def unexpected_text(error):
    """How an exception nobody expected is reported: its type, message and where it was raised, and what now."""
    where = ''
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ is not None else []
    if frames:
        where = ' (raised in %s line %s)' % (os.path.basename(frames[-1][0]), frames[-1][1])
    return ('unexpected %s: %s%s - an ECS answer of an unexpected shape or a bug in hpc.coldfront_ecs (please report '
            'it); what was done before it stays done, nothing is recorded for this allocation, and a re-run resumes'
            % (type(error).__name__, str(error) or repr(error), where))


def failure_text(error):
    """One line for a failed step: ECS's message, a refusal's text, or what an unexpected exception was."""
    if isinstance(error, EcsApiError):
        return error.message
    if isinstance(error, ECS_FAILURES):
        return getattr(error, 'msg', None) or str(error)
    return unexpected_text(error)


def failure_kind(error):
    """The ``kind`` of a failed step: an ECS call or refusal, or an exception nobody expected."""
    return ECS_ERROR if isinstance(error, ECS_FAILURES) else UNEXPECTED


class AllocationWork:
    """The part of an allocation's work that every run shares; a subclass says how it stops (:meth:`stop`)."""

    STEP_NOTE = ''  # added to the message of a failed step

    def __init__(self, view, settings, result):
        self.view = view
        self.settings = settings
        self.id = view.get('id')
        self.result = dict({'allocation_id': self.id, 'project': view.get('project'), 'resource': view.get('resource'),
                            'record': {}, 'error': None, 'kind': None}, **result)

    @property
    def label(self):
        return describe(self.view)

    def stop(self):
        """No more work for this allocation in this run."""
        raise NotImplementedError

    def fail(self, message, kind, action=FAILED):
        self.stop()
        self.result.update(action=action, error='%s: %s' % (self.label, message), record={}, kind=kind)

    def fail_step(self, step, error, kind=None):
        """The step failed with ``error``; ``kind`` None: told by the error (:func:`failure_kind`)."""
        self.fail('%s: %s%s' % (step, failure_text(error), self.STEP_NOTE), kind or failure_kind(error))

    def refuse_view_errors(self):
        """Whether the view has errors; then the allocation is failed with them and never acted on."""
        errors = self.view.get('errors') or []
        if errors:
            self.stop()
            self.result.update(action=FAILED, error='; '.join(errors), kind=INVALID_DATA)
        return bool(errors)
