# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status words an allocation's outcome shares across provision, adopt, sync and reconcile (returned values)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

CONFLICT = 'conflict'   # ColdFront and ECS both changed, differently: reported, neither is changed
FAILED = 'failed'       # an error stopped the work for this allocation; the message says what to do
UNCHANGED = 'unchanged'  # nothing to do

# Why an allocation was refused or failed: the ``kind`` of a provision or adopt result that did not go through
# (None when it did), and of each error of an allocation view (``error_kinds``, one per entry of ``errors``).
# The message says the same in words; a caller decides by the kind, never by the wording.
INVALID_DATA = 'invalid_data'            # the allocation's ColdFront data has errors (its view's ``errors``)
DUPLICATE_ATTRIBUTE = 'duplicate_attribute'  # an attribute the view reads occurs more than once
INVALID_NAME = 'invalid_name'            # a namespace or bucket name ECS would refuse, or no name at all
INVALID_RECORD = 'invalid_record'        # a recorded Subdirectory or claim that is not "<namespace>:<bucket>"
RECORD_MISMATCH = 'record_mismatch'      # names set or given that disagree with the recorded ones
INVALID_QUOTA = 'invalid_quota'          # a quota value that is refused, or none where one is needed
UNSUPPORTED_OPTION = 'unsupported_option'  # an automation option this collection does not support
NO_LDAP_GROUP = 'no_ldap_group'          # no LDAP group for the group mapping of a new namespace
INVALID_SETTINGS = 'invalid_settings'    # a resource setting is missing or wrong (ldap_domain, replication group)
CLAIMED_ELSEWHERE = 'claimed_elsewhere'  # another allocation holds (claimed or recorded) the namespace
SHARED_NAMESPACE = 'shared_namespace'    # several allocations ask for one namespace and none of them wins
CLAIM_MISMATCH = 'claim_mismatch'        # this allocation claimed other names earlier
NOT_CLAIMED = 'not_claimed'              # the namespace exists on ECS without this allocation's claim: adopt it
LEGACY_EXISTS = 'legacy_exists'          # the old plugin's namespace for this project title exists: adopt it
NAMESPACE_MISSING = 'namespace_missing'  # the namespace is recorded or looked for, and missing on ECS
BUCKET_MISSING = 'bucket_missing'        # the bucket looked for is missing in the namespace on ECS
OVERCOMMITTED = 'overcommitted'          # the quota would exceed the resource's capacity x overcommit
ECS_ERROR = 'ecs_error'                  # an ECS call failed, or ECS's state refused the step
COLDFRONT_ERROR = 'coldfront_error'      # ColdFront could not be read or written (the claim ledger)
UNEXPECTED = 'unexpected'                # an exception nobody expected (a bug or an ECS answer of an odd shape)
FAILURE_KINDS = (INVALID_DATA, DUPLICATE_ATTRIBUTE, INVALID_NAME, INVALID_RECORD, RECORD_MISMATCH, INVALID_QUOTA,
                 UNSUPPORTED_OPTION, NO_LDAP_GROUP, INVALID_SETTINGS, CLAIMED_ELSEWHERE, SHARED_NAMESPACE,
                 CLAIM_MISMATCH, NOT_CLAIMED, LEGACY_EXISTS, NAMESPACE_MISSING, BUCKET_MISSING, OVERCOMMITTED,
                 ECS_ERROR, COLDFRONT_ERROR, UNEXPECTED, CONFLICT)
