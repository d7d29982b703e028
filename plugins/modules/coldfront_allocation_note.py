#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_allocation_note
short_description: Tell ColdFront admins, on the allocation's page, why an allocation could not be provisioned
version_added: 1.0.0
description:
  - Writes provisioning failures as ColdFront allocation notes (the C(Notifications) of the allocation's page),
    once, and marks them resolved when the allocation later provisions.
  - 'A failing allocation gets one open note,
    C([hpc.coldfront_ecs] Provisioning failed since <YYYY-MM-DD>: <problem>). While the problem stays the same,
    later runs write nothing. A different problem rewrites that note (new text and date; ColdFront keeps no history
    of notes, its C(Last Modified) column shows the change), so the page never piles up one note per run.'
  - 'An allocation given in O(succeeded) that has an open note gets it rewritten as
    C([hpc.coldfront_ecs] Resolved <YYYY-MM-DD>: Provisioning failed since ...); resolved notes are never touched again.
    A new failure after that opens a new note.'
  - Notes are recognised by their C([hpc.coldfront_ecs] Provisioning failed since) prefix; other notes are left alone.
  - Everything is written in one database transaction; the task fails, writing nothing, when an item is malformed,
    a failing allocation does not exist or O(history_user) is not a ColdFront user.
  - Notes have no history in ColdFront, so O(change_reason) is accepted (for C(module_defaults) of the
    C(hpc.coldfront_ecs.coldfront) group) but not used.
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
extends_documentation_fragment:
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.coldfront.history
options:
  failures:
    description:
      - The allocations that failed, each a dict with C(allocation_id) and C(problem), the one line that says why.
      - C(error) is accepted instead of C(problem) and other keys are ignored, so that the entries of
        RV(hpc.coldfront_ecs.ecs_provision#module:results) that have an error can be given as they are.
      - Two problems of one allocation are joined with C(; ).
    type: list
    elements: dict
    default: []
  succeeded:
    description:
      - Ids of the allocations that provisioned (or had nothing to do); their open notes are marked resolved.
      - An allocation also in O(failures) counts as failed. Ids without an open note are ignored.
    type: list
    elements: int
    default: []
  private:
    description:
      - Whether new notes, and open notes rewritten, are private. ColdFront shows private notes to superusers
        only; V(false) shows them to everyone who can see the allocation, the PI included.
      - An open note whose privacy differs is rewritten with the new setting; resolved notes keep theirs.
    type: bool
    default: true
  history_user:
    description:
      - ColdFront user name shown as the author of new notes (C(Administrator) on the page).
      - If not set, the first active superuser (lowest id) signs them; the task fails when there is none.
attributes:
  diff_mode:
    description: The diff shows the text of every note created, rewritten or resolved.
notes:
  - ColdFront 1.1 shows a note's author first and last name under C(Administrator); give the service account a
    name that says it is the automation.
seealso:
  - module: hpc.coldfront_ecs.ecs_provision
  - module: hpc.coldfront_ecs.coldfront_allocation_attribute
'''

EXAMPLES = r'''
- name: Provision namespaces and buckets
  hpc.coldfront_ecs.ecs_provision:
    host: ecs1.example.org
    allocations: "{{ ecs_allocations }}"
    resource: ecs-east
  register: provisioned

- name: Tell ColdFront admins about the failures, resolve the notes of the allocations that now provisioned
  hpc.coldfront_ecs.coldfront_allocation_note:
    coldfront_env_file: /etc/coldfront/coldfront.env
    history_user: svc-ansible
    failures: "{{ provisioned.results | selectattr('error') }}"
    succeeded: "{{ provisioned.results | rejectattr('error') | map(attribute='allocation_id') }}"

- name: A note of its own, shown to the PI too
  hpc.coldfront_ecs.coldfront_allocation_note:
    private: false
    failures:
      - {allocation_id: 12, problem: "the namespace smith-lab exists on ECS already; an admin is looking into it"}
'''

RETURN = r'''
notes:
  description:
    - One entry per failing allocation and one per open note resolved, by allocation id. Allocations of
      O(succeeded) without an open note are not listed.
  returned: success
  type: list
  elements: dict
  contains:
    allocation_id:
      description: Allocation id.
      type: int
      sample: 12
    note_id:
      description: Id of the AllocationUserNote (null for one that check mode would create).
      type: int
      sample: 31
    action:
      description:
        - V(created) (a new open note), V(updated) (the open note rewritten for another problem or another privacy),
          V(resolved), V(unchanged) (the same problem is noted already; nothing written).
      type: str
      sample: created
    changed:
      description: Whether the note was (or would be) written.
      type: bool
    private:
      description: Whether the note is private (shown to superusers only).
      type: bool
    before:
      description: The note's text before (null when created).
      type: str
    after:
      description: The note's text after.
      type: str
      sample: "[hpc.coldfront_ecs] Provisioning failed since 2026-06-01: allocation 12 ...: it has no Storage Quota
        (TB) value: set the quota to provision it"
coldfront:
  description: The ColdFront reached.
  returned: success
  type: dict
  sample: {version: 1.1.10, database: postgresql coldfront@db.example.org:5432/coldfront}
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.notes import apply_failure_notes, diff_of


def main():
    module = ColdFrontModule('coldfront_allocation_note', dict(
        failures=dict(type='list', elements='dict', default=[]),
        succeeded=dict(type='list', elements='int', default=[]),
        private=dict(type='bool', default=True),
    ))

    def work():
        result = apply_failure_notes(module.params['failures'], module.params['succeeded'],
                                     private=module.params['private'], user=module.history_user,
                                     check_mode=module.check_mode)
        return module.with_diff(result, lambda: diff_of(result))

    module.run(work)


if __name__ == '__main__':
    main()
