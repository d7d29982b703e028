# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Provision ColdFront allocations on one ECS endpoint (module ``ecs_provision``, role ``ecs_provision``).

    settings = Settings(replication_group='rg1', ldap_domain='ad.example.org', overcommit=None)
    outcome = Provisioner(client, settings, ledger=ledger_factory).run(views)   # views: ecs_allocation views
    outcome['results'], outcome['records'], outcome['summary'], outcome['changed'], outcome['diff']

``ledger_factory(vdcs)`` opens the claim ledger of the endpoint's federation (``_coldfront/claims.claim_ledger``): a
context manager whose claims are recorded in ColdFront when it closes.  For each allocation view:

* not recorded (no ``Subdirectory``): validate (view errors, names, automation options, a positive quota), read ECS,
  then, in the ledger's one locked step, check ownership and the quota against capacity x ``overcommit`` (when set,
  counting the claims of other runs) and record the claim; only then create on ECS the namespace (default
  replication group, the view's ``ldap_group`` as group mapping, hard quota and soft quota at ``soft_quota_percent``)
  and the bucket (``filesystem_enabled`` iff ``nfs_share``, the same quota when ``bucket_quota``), and hand back what to
  record (``Namespace``, ``Bucket``, ``Subdirectory``, ``Quota_In_Bytes``).  A namespace that exists on ECS is
  completed only when this allocation claimed it (a run interrupted after its claim); any other one is refused
  ("already exists"), whatever its name, group mapping or owner: adoption is a separate, explicit step.  A name that
  another allocation of the federation claimed or recorded, in any status, is refused before any ECS change.
* recorded: when ``Storage Quota (TB)`` differs from the last agreed ``Quota_In_Bytes``, read the ECS quota and
  apply :func:`reconcile.quota_decision`: push (validated like a raise), record only, or report a conflict.  When
  the bucket quota mirrors the namespace and the recorded bucket quota differs from the agreed one (sync pulled a
  namespace quota changed on ECS), the bucket quota is set to match.

Nothing raises for one allocation: each gets a result with an ``action`` (see :data:`ACTIONS`) and, on failure,
an ``error`` that names the allocation, the project, the resource, the step and the ECS call, and a ``kind`` that
says why in one word (:data:`FAILURE_KINDS`; None when the allocation went through).  That holds for any
exception of one allocation's work, also one nobody expected (a bug, or an ECS answer of an unexpected shape): it
is reported as that allocation's failure, with its type and message, and the other allocations go on.  Only
problems of the endpoint itself (login, TLS, connection, reading capacity for the overcommit check) raise, all of
them before any change; ``KeyboardInterrupt`` and ``SystemExit`` are never caught.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.bucket import BucketState
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsConfigError, is_not_found
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.namespace import NamespaceState
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.quota import quota_from_record, wanted_quota
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import naming, outcomes, reconcile, units
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import (
    parse_options, unsupported_options)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import attribute_names
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.outcomes import CONFLICT, FAILED, UNCHANGED
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.quota import validate_change
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.systems import federation_key
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._workflows.work import ECS_FAILURES, AllocationWork, holder_text

CREATED, RESUMED, QUOTA_PUSHED, BUCKET_QUOTA_SET, RECORDED = (
    'created', 'resumed', 'quota_pushed', 'bucket_quota_set', 'recorded')
ACTIONS = (CREATED, RESUMED, QUOTA_PUSHED, BUCKET_QUOTA_SET, RECORDED, UNCHANGED, FAILED, CONFLICT)
FAILURES = (FAILED, CONFLICT)
# The ``kind`` of a failed or conflicting result (``_rules/outcomes``).
FAILURE_KINDS = (outcomes.INVALID_DATA, outcomes.INVALID_NAME, outcomes.INVALID_QUOTA, outcomes.UNSUPPORTED_OPTION,
                 outcomes.NO_LDAP_GROUP, outcomes.INVALID_SETTINGS, outcomes.CLAIMED_ELSEWHERE,
                 outcomes.SHARED_NAMESPACE, outcomes.CLAIM_MISMATCH, outcomes.NOT_CLAIMED, outcomes.LEGACY_EXISTS,
                 outcomes.NAMESPACE_MISSING, outcomes.OVERCOMMITTED, outcomes.ECS_ERROR, outcomes.COLDFRONT_ERROR,
                 outcomes.UNEXPECTED, CONFLICT)
# What each allocation needs (internal).
NEW, PUSH, IDLE, DONE = 'new', 'push', 'idle', 'done'
# A bucket-only push: the namespace quota is agreed, the bucket has not followed it yet.
FOLLOW = 'follow'


class Settings:
    """What the ECS resource (host) and the role decide for every allocation of one run."""

    def __init__(self, replication_group=None, ldap_domain=None, soft_quota_percent=units.DEFAULT_SOFT_QUOTA_PERCENT,
                 bucket_quota=True, overcommit=None, default_options=None, attributes=None, recorded_federation=None,
                 resource=None):
        self.replication_group = replication_group or None
        self.ldap_domain = ldap_domain or None
        self.soft_quota_percent = soft_quota_percent
        self.bucket_quota = bucket_quota
        self.overcommit = overcommit
        self.default_options = default_options
        self.attributes = attribute_names(attributes)
        # The federation ColdFront holds for this resource (as far as the caller knows): recorded again when it differs.
        self.recorded_federation = recorded_federation or ''
        self.resource = resource


def group_mapping(ldap_domain, group):
    """The namespace user mapping provisioning creates: ``group`` (the view's ``ldap_group``) in ``ldap_domain``."""
    return [{'domain': ldap_domain, 'groups': [group], 'attributes': []}]


def ldap_group(view):
    """The view's ``ldap_group``; a view made without one (by hand, by an older inventory) maps the project title."""
    return view['ldap_group'] if 'ldap_group' in view else view.get('project')


class Allocation(AllocationWork):
    """One allocation's work and result."""

    def __init__(self, view, settings):
        super(Allocation, self).__init__(view, settings, {
            'namespace': view.get('namespace'), 'bucket': view.get('bucket'), 'action': UNCHANGED, 'changes': [],
            'old_quota_bytes': None, 'new_quota_bytes': None, 'quota_change': None, 'resolve': None})
        self.namespace = view.get('namespace')
        self.bucket = view.get('bucket')
        self.kind = IDLE
        self.plan = None            # new: 'create' or 'resume'; push: a reconcile decision
        self.current = None         # new: the ECS namespace record; push: the ECS namespace quota
        self.legacy = None          # new: the old plugin's namespace for this title, when it exists on ECS
        self.new_claim = False      # new: the claim is recorded by this run
        self.limit_tb = None        # the quota to validate against the resource (overcommit)
        self.group = None
        self.diff = None

    @property
    def quota_tb(self):
        return self.view.get('quota_tb')

    def stop(self):
        self.kind = DONE

    # -- phase 0: what is there to do (no ECS call) -----------------------------------------------------

    def classify(self):
        if self.refuse_view_errors():
            return
        if self.view.get('subdirectory'):
            self.classify_recorded()
        else:
            self.classify_new()

    def classify_recorded(self):
        coldfront_gb = reconcile.quota_gb(self.quota_tb)
        agreed = reconcile.agreed_gb(self.view.get('quota_bytes'))
        if coldfront_gb is None or agreed is None:
            return  # no agreement yet: sync compares both sides and reports a difference as a conflict
        if coldfront_gb == agreed and not self.bucket_behind():
            return
        if not (self.namespace and self.bucket):
            self.fail('no usable namespace and bucket names to push the quota to', outcomes.INVALID_NAME)
            return
        self.kind = PUSH

    def bucket_behind(self):
        """The bucket quota mirrors the namespace, and what was last set on the bucket is not the agreed quota."""
        recorded = self.view.get('bucket_quota_bytes')
        return bool(self.settings.bucket_quota and recorded is not None and self.view.get('quota_bytes') is not None
                    and reconcile.agreed_gb(recorded) != reconcile.agreed_gb(self.view['quota_bytes']))

    def classify_new(self):
        """Check what a new namespace needs; every problem is in the message, the first one is the ``kind``."""
        problems = []           # (kind, message)
        try:
            naming.validate_namespace_name(self.namespace)
            naming.validate_bucket_name(self.bucket)
        except naming.InvalidName as exc:
            problems.append((outcomes.INVALID_NAME, str(exc)))
        options, source = self.options()
        problems.append((outcomes.UNSUPPORTED_OPTION, unsupported_options(options, source)))
        quota, quota_name = self.quota_tb, self.settings.attributes['quota_tb']
        if quota is None:
            problems.append((outcomes.INVALID_QUOTA, 'it has no %s value: set the quota to provision it' % quota_name))
        elif units.is_unlimited(quota) or quota <= 0:
            problems.append((outcomes.INVALID_QUOTA, '%s %s is not a positive number of TB: a new namespace needs a '
                             'quota' % (quota_name, units.format_number(quota))))
        if not self.settings.ldap_domain:
            problems.append((outcomes.INVALID_SETTINGS, 'resource %r has no ldap_domain attribute: set it (the '
                             'namespace group mapping needs it)' % self.view.get('resource')))
        if not ldap_group(self.view):
            problems.append((outcomes.NO_LDAP_GROUP, 'it has no ldap_group for the namespace group mapping: build the '
                             'allocations with the inventory or coldfront_ecs_allocation_info, whose errors say why'))
        problems = [(kind, problem) for kind, problem in problems if problem]
        if problems:
            self.fail('; '.join(problem for _kind, problem in problems), problems[0][0])
            return
        self.result['filesystem_enabled'] = 'nfs_share' in options
        self.result['options'] = options
        self.limit_tb = quota
        self.kind = NEW

    def options(self):
        """``(options, where they come from)``; ``default_options`` fill in for an allocation without any."""
        options = list(self.view.get('options') or [])
        if (self.settings.default_options is not None and not options
                and self.view.get('options_source', 'default') == 'default'):
            return parse_options(self.settings.default_options), 'ecs_provision_default_options'
        return options, 'the allocation'

    # -- phase 1: read ECS (parallel) -----------------------------------------------------------------

    def read(self, client):
        step = 'read namespace %s' % self.namespace
        try:
            if self.kind == NEW:
                self.current = client.find_namespace(self.namespace)
                legacy = self.legacy_name()
                if self.current is None and legacy is not None:
                    step = 'read namespace %s' % legacy
                    self.legacy = legacy if client.find_namespace(legacy) is not None else None
            else:
                step = 'read quota of namespace %s' % self.namespace
                self.current = quota_from_record(client.get_namespace_quota(self.namespace))
        except ECS_FAILURES as error:
            if self.kind == PUSH and is_not_found(error):
                self.fail('namespace %s is recorded (Subdirectory %r) but does not exist on %s: provisioning never '
                          'recreates a recorded namespace; find out what happened to it, or remove the Subdirectory '
                          'attribute to have it provisioned again'
                          % (self.namespace, self.view.get('subdirectory'), client.base_url),
                          outcomes.NAMESPACE_MISSING)
            else:
                self.fail_step(step, error)
        except Exception as error:  # pylint: disable=broad-except  # one allocation never stops the others
            self.fail_step(step, error)

    # -- phase 2: decide (no ECS call) ------------------------------------------------------------------

    def decide(self, client):
        try:
            if self.kind == NEW:
                self.decide_new(client)
            elif self.kind == PUSH:
                self.decide_push(client)
        except Exception as error:  # pylint: disable=broad-except  # an ECS answer of an unexpected shape
            self.fail_step('check namespace %s as read from ECS' % self.namespace, error)

    def legacy_name(self):
        """The old plugin's namespace for this title when it differs from ours (only without override or claim)."""
        if self.view.get('namespace_recorded') or self.view.get('claim'):
            return None
        legacy = naming.legacy_names(self.view.get('project'))
        return legacy[0] if legacy and legacy[0] != self.namespace else None

    def decide_new(self, client):
        if self.legacy is not None:
            self.fail('namespace %s, which the old ColdFront plugin made for a project of this title, exists on %s: '
                      'provisioning does not create a second namespace beside it. If it is this lab\'s, adopt it '
                      '(playbook hpc.coldfront_ecs.adopt); otherwise set a Namespace attribute on the allocation'
                      % (self.legacy, client.base_url), outcomes.LEGACY_EXISTS)
            return
        # An existing namespace is completed only if the ledger shows this allocation's claim (see check_ownership).
        self.plan = 'create' if self.current is None else 'resume'

    def check_ownership(self, ledger, base_url):
        """Refuse a name another allocation of the federation holds, or one on ECS this allocation never claimed."""
        others = [holder for holder in ledger.holders(self.namespace) if holder['allocation_id'] != self.id]
        own = ledger.claim_of(self.id)
        if others:
            self.fail('namespace %s is already %s by %s on the same ECS federation; refused before any ECS change: '
                      'give this allocation its own Namespace attribute' % (
                          self.namespace, 'recorded' if others[0]['how'] == 'record' else 'claimed',
                          ', '.join(holder_text(holder) for holder in others)), outcomes.CLAIMED_ELSEWHERE)
        elif own is not None and own != (self.namespace, self.bucket):
            self.fail('the allocation claimed %s earlier but is now asked to provision %s: re-run with a fresh '
                      'inventory, or remove the claim attribute if the earlier names are to be given up'
                      % (naming.subdirectory(*own), naming.subdirectory(self.namespace, self.bucket)),
                      outcomes.CLAIM_MISMATCH)
        elif own is None and self.plan == 'resume':
            self.fail('namespace %s already exists on %s and is not claimed by this allocation: provisioning never '
                      'takes over a namespace it did not create for this allocation, whatever its name, group mapping '
                      'or quota. If it is this lab\'s (made by the old ColdFront plugin or by hand), adopt it (playbook '
                      'hpc.coldfront_ecs.adopt); otherwise set another Namespace attribute on the allocation'
                      % (self.namespace, base_url), outcomes.NOT_CLAIMED)
        else:
            self.new_claim = own is None

    def decide_push(self, client):
        coldfront_gb = reconcile.quota_gb(self.quota_tb)
        agreed = reconcile.agreed_gb(self.view.get('quota_bytes'))
        ecs_gb = self.current['hard_gb']
        self.plan = reconcile.quota_decision(coldfront_gb, agreed, ecs_gb)
        if self.plan == reconcile.IN_SYNC and self.bucket_behind():
            self.plan = FOLLOW
        if self.plan == reconcile.CONFLICT:
            self.kind = DONE
            names = self.settings.attributes
            self.result.update(action=CONFLICT, kind=CONFLICT, error=reconcile.conflict_message(
                self.id, self.view.get('resource'), self.namespace, coldfront_gb, agreed, ecs_gb, names),
                resolve=reconcile.conflict_fix(coldfront_gb, ecs_gb, names))
        elif self.plan == reconcile.PUSH:
            self.limit_tb = self.quota_tb
        elif self.plan not in (reconcile.RECORD, FOLLOW):
            self.kind = DONE  # PULL, BASELINE, IN_SYNC: the ECS side changed or nothing to do; sync's job

    # -- phase 3: change ECS (parallel) -------------------------------------------------------------------

    def wanted(self):
        return wanted_quota(quota_tb=self.quota_tb, soft_quota_percent=self.settings.soft_quota_percent)

    def apply(self, client, check_mode):
        try:
            if self.kind == NEW:
                self.provision(client, check_mode)
            elif self.kind == PUSH:
                self.push(client, check_mode)
        except _StepFailed as failed:
            self.fail_step(failed.step, failed.error)
        except Exception as error:  # pylint: disable=broad-except  # one allocation never stops the others
            work = ('provision namespace %s and bucket %s' % (self.namespace, self.bucket) if self.kind == NEW
                    else 'push quota to namespace %s and bucket %s' % (self.namespace, self.bucket))
            self.fail_step(work, error)

    def provision(self, client, check_mode):
        wanted = self.wanted()
        creating = self.plan == 'create'
        namespace = NamespaceState(client, {'name': self.namespace}, check_mode)
        ns_changes = {'changes': namespace.changes, 'prefix': 'namespace %s: ' % self.namespace}
        if creating:
            mapping = group_mapping(self.settings.ldap_domain, ldap_group(self.view))
            ns_result = self.step('create namespace %s' % self.namespace, namespace.create, self.group, mapping, wanted,
                                  **ns_changes)
        else:
            ns_result = self.step('complete namespace %s' % self.namespace, namespace.ensure, self.current, wanted,
                                  **ns_changes)
        bucket = BucketState(client, {'name': self.bucket, 'namespace': self.namespace,
                                      'filesystem_enabled': self.result['filesystem_enabled'],
                                      'immutable_mismatch': 'fail'}, check_mode)
        current_bucket = None
        if not creating:
            current_bucket = self.step('read bucket %s' % self.bucket, client.find_bucket, self.namespace, self.bucket)
        b_result = self.step(('create bucket %s' if current_bucket is None else 'complete bucket %s') % self.bucket,
                             bucket.ensure, current_bucket, wanted if self.settings.bucket_quota else None,
                             ns_result['namespace'], changes=bucket.changes, prefix='bucket %s: ' % self.bucket)
        self.diff = {'before': {'namespace': ns_result['diff']['before'], 'bucket': b_result['diff']['before']},
                     'after': {'namespace': ns_result['diff']['after'], 'bucket': b_result['diff']['after']}}
        self.result['action'] = CREATED if creating else (RESUMED if self.result['changes'] else RECORDED)
        attributes = self.settings.attributes
        self.result['record'] = {
            attributes['namespace']: self.namespace,
            attributes['bucket']: self.bucket,
            attributes['subdirectory']: naming.subdirectory(self.namespace, self.bucket),
            attributes['quota_bytes']: units.tb_to_bytes(self.quota_tb),
        }
        if self.settings.bucket_quota:
            self.result['record'][attributes['bucket_quota_bytes']] = units.tb_to_bytes(self.quota_tb)

    def push(self, client, check_mode):
        wanted = self.wanted()
        before, after = {'namespace_quota_gb': self.current['hard_gb']}, {}
        if self.plan == reconcile.PUSH:
            namespace = NamespaceState(client, {'name': self.namespace}, check_mode)
            quota = self.step('set quota of namespace %s' % self.namespace, namespace.apply_quota, self.current, wanted,
                              changes=namespace.changes, prefix='namespace %s: ' % self.namespace)
            after['namespace_quota_gb'] = quota['hard_gb']
            self.result.update(old_quota_bytes=reconcile.quota_bytes(self.current['hard_gb']),
                               new_quota_bytes=reconcile.quota_bytes(quota['hard_gb']),
                               quota_change=reconcile.change_text(self.current['hard_gb'], quota['hard_gb']))
        if self.settings.bucket_quota:
            bucket = BucketState(client, {'name': self.bucket, 'namespace': self.namespace}, check_mode)
            current = quota_from_record(self.step('read quota of bucket %s' % self.bucket, client.get_bucket_quota,
                                                  self.namespace, self.bucket))
            quota = self.step('set quota of bucket %s' % self.bucket, bucket.apply_quota, current, wanted,
                              changes=bucket.changes, prefix='bucket %s: ' % self.bucket)
            before['bucket_quota_gb'], after['bucket_quota_gb'] = current['hard_gb'], quota['hard_gb']
        self.diff = {'before': before, 'after': dict(before, **after)}
        self.result['action'] = {reconcile.PUSH: QUOTA_PUSHED, FOLLOW: BUCKET_QUOTA_SET}.get(self.plan, RECORDED)
        if self.plan == FOLLOW and not self.result['changes']:
            self.result['action'] = RECORDED
        self.result['record'] = {self.settings.attributes['quota_bytes']: units.tb_to_bytes(self.quota_tb)}
        if self.settings.bucket_quota:
            self.result['record'][self.settings.attributes['bucket_quota_bytes']] = units.tb_to_bytes(self.quota_tb)

    def step(self, name, func, *args, **kwargs):
        """``func(*args)``; its ``changes`` (prefixed) join the result, also when it fails half-way."""
        changes, prefix = kwargs.get('changes'), kwargs.get('prefix', '')
        try:
            return func(*args)
        except Exception as error:  # pylint: disable=broad-except  # ECS failures and the unexpected alike
            raise _StepFailed(name, error)
        finally:
            if changes:
                self.result['changes'].extend(prefix + change for change in changes)
                del changes[:]


class _StepFailed(Exception):
    def __init__(self, step, error):
        super(_StepFailed, self).__init__(step)
        self.step = step
        self.error = error


class Provisioner:
    """All allocations of one ECS endpoint: classify, read, decide, validate, change, in bulk."""

    def __init__(self, client, settings, check_mode=False, ledger=None):
        self.client = client
        self.settings = settings
        self.check_mode = check_mode
        self.ledger = ledger
        self.identity = None
        self.claims = []
        self.warnings = []

    def run(self, views):
        items = [Allocation(view, self.settings) for view in views]
        for item in items:
            item.classify()
        self.refuse_shared_namespaces(items)
        if not self.pending(items):
            return self.outcome(items)      # nothing to do: not even a login
        # One cheap call first: login, TLS and connection problems fail the run here, before any change, and the
        # endpoint's federation (its VDCs) is known for the claims and recorded when it changed.
        self.identity = self.client.vdc_identity()
        self.client.map(lambda item: item.read(self.client), self.pending(items))
        for item in self.pending(items):
            item.decide(self.client)
        self.resolve_replication_group(items)
        self.claim(items)
        self.client.map(lambda item: item.apply(self.client, self.check_mode), self.pending(items))
        return self.outcome(items)

    @property
    def federation(self):
        return federation_key(self.identity['vdcs']) if self.identity else self.settings.recorded_federation

    def claim(self, items):
        """In one locked ColdFront step: ownership of new names, the quota checks, the new claims (and the federation)."""
        new = [item for item in self.pending(items) if item.kind == NEW]
        checked = [item for item in self.pending(items) if item.limit_tb is not None]
        if self.settings.overcommit is None:
            checked = []
        if not new and not checked and self.federation == self.settings.recorded_federation:
            return
        try:
            if self.ledger is None:
                raise EcsConfigError('no ColdFront claim ledger: provisioning records a claim in ColdFront before it '
                                     'creates anything on ECS (give the ColdFront connection options)')
            with self.ledger(self.identity['vdcs']) as ledger:
                for item in sorted(new, key=lambda entry: entry.id or 0):
                    item.check_ownership(ledger, self.client.base_url)
                if checked:
                    self.validate_quotas(checked, ledger.pending())
                for item in new:
                    if item.kind == NEW and item.new_claim:
                        ledger.claim(item.id, item.namespace, item.bucket)
                        self.claims.append({'allocation_id': item.id, 'name': self.settings.attributes['claim'],
                                            'value': naming.subdirectory(item.namespace, item.bucket)})
        except Exception as error:  # pylint: disable=broad-except  # the ledger failed: nothing is created
            for item in self.pending(new + checked):
                item.fail_step('record the claim in ColdFront (nothing was changed on ECS)', error,
                               outcomes.COLDFRONT_ERROR)
            if not new and not checked:
                self.warnings.append('the ECS federation of resource %s (%s) could not be recorded in ColdFront: %s'
                                     % (self.settings.resource, self.federation, error))

    @staticmethod
    def pending(items):
        return [item for item in items if item.kind in (NEW, PUSH)]

    @staticmethod
    def refuse_shared_namespaces(items):
        """Two new allocations asking for one namespace in one run: refuse both (the inventory should prevent it)."""
        claims = {}
        for item in items:
            if item.kind == NEW:
                claims.setdefault(item.namespace, []).append(item)
        for namespace, claimants in claims.items():
            if len(claimants) > 1:
                ids = ', '.join(str(item.id) for item in claimants)
                for item in claimants:
                    item.fail('namespace %s is asked for by allocations %s in this run: give each its own Namespace '
                              'attribute' % (namespace, ids), outcomes.SHARED_NAMESPACE)

    def resolve_replication_group(self, items):
        creating = [item for item in self.pending(items) if item.plan == 'create']
        if not creating:
            return
        name = self.settings.replication_group
        try:
            if not name:
                raise EcsConfigError('resource %r has no replication_group attribute: set it to the replication group '
                                     'of its namespaces' % creating[0].view.get('resource'))
            group = self.client.resolve_replication_group(name)
        except EcsConfigError as error:
            for item in creating:
                item.fail_step('resolve replication group', error, outcomes.INVALID_SETTINGS)
            return
        for item in creating:
            item.group = group

    def validate_quotas(self, checked, claims=()):
        """New quotas and raises against capacity x overcommit, in allocation order, each counted for the next.

        ``claims`` (the ledger's claims not provisioned yet) count with their quota when ECS does not show them yet:
        two runs started together cannot pass the check with more than it allows between them.
        """
        checked = [item for item in checked if item.kind in (NEW, PUSH)]
        if not checked:
            return
        resource = self.resource_quotas(checked[0].view.get('resource'))
        known = dict((namespace['name'], namespace) for namespace in resource['namespaces'])
        running = set(item.id for item in checked)
        for claim in claims:
            if claim['namespace'] not in known and claim['allocation_id'] not in running:
                entry = {'name': claim['namespace'], 'allocation_id': claim['allocation_id'],
                         'limit': _claimed_tb(claim['quota_tb'])}
                resource['namespaces'].append(entry)
                known[claim['namespace']] = entry
        for item in sorted(checked, key=lambda entry: entry.id or 0):
            entry = known.get(item.namespace)
            check = validate_change(resource, item.namespace, item.limit_tb,
                                    current=entry['limit'] if entry else None, allocation_id=item.id,
                                    overcommit=self.settings.overcommit, unit='TB')
            if not check['allowed']:
                item.fail(check['message'], outcomes.OVERCOMMITTED)
                continue
            if entry is None:
                entry = {'name': item.namespace, 'allocation_id': item.id}
                resource['namespaces'].append(entry)
                known[item.namespace] = entry
            entry['limit'] = item.limit_tb

    def resource_quotas(self, name):
        """The resource as :func:`quota.validate_change` takes it, in TB: ECS capacity and every namespace quota."""
        capacity = self.client.capacity().get('totalProvisioned_gb')
        namespaces = self.client.list_namespaces()
        brief = [item for item in namespaces if 'blockSize' not in item]
        for item, answer, error in self.client.map(
                lambda entry: self.client.get_namespace_quota(entry.get('name') or entry.get('id')), brief):
            if error is not None:
                raise error
            item['blockSize'] = answer.get('blockSize')
        return {'name': name, 'capacity': None if capacity is None else units.gb_to_tb(capacity),
                'namespaces': [{'name': item.get('name') or item.get('id'),
                                'limit': units.gb_to_tb(quota_from_record(item)['hard_gb'])} for item in namespaces]}

    def outcome(self, items):
        results = [item.result for item in items]
        summary = dict((action, 0) for action in ACTIONS)
        for result in results:
            summary[result['action']] += 1
        summary['total'] = len(results)
        records = [{'allocation_id': result['allocation_id'], 'name': name, 'value': value}
                   for result in results for name, value in sorted(result['record'].items())]
        diff = {'before': {}, 'after': {}}
        for item in items:
            if item.diff and item.result['changes']:
                key = 'allocation %s %s' % (item.id, item.namespace)
                diff['before'][key] = item.diff['before']
                diff['after'][key] = item.diff['after']
        report = dict((action, [_done_text(result) for result in results if result['action'] == action])
                      for action in (CREATED, RESUMED, QUOTA_PUSHED, BUCKET_QUOTA_SET, RECORDED))
        return {'changed': any(result['changes'] for result in results) or bool(self.claims), 'results': results,
                'records': records, 'summary': summary, 'report': report, 'diff': diff, 'federation': self.federation,
                'claims': self.claims, 'warnings': self.warnings,
                'failures': [result['error'] for result in results if result['action'] in FAILURES]}


def _claimed_tb(text):
    """A claim's ``Storage Quota (TB)`` text as TB for the overcommit check (unreadable: 0, the view reports it)."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return 0.0


def _done_text(result):
    """``allocation 12 (Smith Lab): smith-lab:lab-smith-lab-bucket`` for the summary of a run, with
    ``: 10 TB -> 12 TB`` when its quota was pushed."""
    text = 'allocation %s (%s): %s' % (result['allocation_id'], result['project'],
                                       naming.subdirectory(result['namespace'], result['bucket']))
    return text + ': ' + result['quota_change'] if result.get('quota_change') else text
