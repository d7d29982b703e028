# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Adopt ECS namespaces made before this collection (module ``ecs_adopt``, role entry point ``ecs_provision: adopt``).

    outcome = Adopter(client, Settings(attributes), check_mode, ledger=ledger_factory).run(views, explicit)
    outcome['results'], outcome['records'], outcome['claims'], outcome['summary'], outcome['changed']

Provisioning proves ownership by a claim it records before it creates anything, so it refuses every namespace that
exists on ECS without one: those of the old ColdFront plugin and those made by hand.  Adoption is the one explicit
step that gives such a namespace its claim.  For each allocation view (and its explicit names, if any):

* the namespace is the explicit one, else the recorded one (``Subdirectory``, or an earlier claim), else the first
  that exists on ECS of the collection's name (``view['namespace']``) and the old plugin's spelling of the project
  title (:func:`naming.legacy_names`, which may end in ``-``); the bucket likewise, inside that namespace;
* in the ledger's one locked ColdFront step (``ledger_factory(vdcs)``, see ``_coldfront/claims.claim_ledger``), a
  namespace another allocation of the federation claimed or recorded is refused; otherwise it is claimed;
* the namespace and bucket quotas are read, and the records to write are handed back: ``Namespace``, ``Bucket``,
  ``Subdirectory``, ``Bucket_Quota_In_Bytes`` and the agreed ``Quota_In_Bytes`` - only when ColdFront's
  ``Storage Quota (TB)`` is ECS's quota in whole GB, or is not set (then it is written too, from ECS).  When they
  differ the allocation is a ``conflict``: its claim and names are recorded, its quotas are not, an old plugin's
  ``Quota_In_Bytes`` is removed (a ``None`` in the record, a ``remove`` item in ``records``) so that no value counts
  as agreed, and the message says how to settle it.

ECS is never changed: the client is wrapped in :class:`ReadOnlyEcs`, which has read calls only.  Only records that
differ from the view are handed back, so a second run records nothing.  One allocation's problem never stops the
others: it gets ``action: failed`` (or ``conflict``), an ``error`` and a ``kind`` (:data:`FAILURE_KINDS`).  Problems
of the endpoint itself (login, TLS, the VDC list) raise before anything is recorded.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsConfigError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.quota import quota_from_record
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import naming, outcomes, reconcile, units
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import attribute_names
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.outcomes import CONFLICT, FAILED
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.systems import federation_key
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._workflows.work import AllocationWork, holder_text

ADOPTED, ALREADY_ADOPTED = 'adopted', 'already_adopted'
ACTIONS = (ADOPTED, ALREADY_ADOPTED, CONFLICT, FAILED)
FAILURES = (CONFLICT, FAILED)
# The ``kind`` of a failed or conflicting result (``_rules/outcomes``).
FAILURE_KINDS = (outcomes.INVALID_DATA, outcomes.INVALID_NAME, outcomes.RECORD_MISMATCH, outcomes.NAMESPACE_MISSING,
                 outcomes.BUCKET_MISSING, outcomes.CLAIMED_ELSEWHERE, outcomes.SHARED_NAMESPACE,
                 outcomes.CLAIM_MISMATCH, outcomes.ECS_ERROR, outcomes.COLDFRONT_ERROR, outcomes.UNEXPECTED, CONFLICT)
# The view field holding what ColdFront has now for each attribute key.
VIEW_FIELDS = {'namespace': 'namespace_recorded', 'bucket': 'bucket_recorded', 'subdirectory': 'subdirectory',
               'quota_bytes': 'quota_bytes', 'bucket_quota_bytes': 'bucket_quota_bytes', 'quota_tb': 'quota_tb',
               'claim': 'claim'}
# Where a name came from, in the order they are tried.
EXPLICIT, RECORDED, CLAIMED, DERIVED, LEGACY = 'explicit', 'subdirectory', 'claim', 'derived', 'old plugin'
READ_CALLS = frozenset(('vdc_identity', 'find_namespace', 'find_bucket', 'get_namespace_quota', 'get_bucket_quota',
                        'map', 'base_url'))


class ReadOnlyEcs:
    """The ECS client with its read calls only: adoption cannot change ECS, whatever a later edit calls."""

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        if name not in READ_CALLS:
            raise AttributeError(name)
        return getattr(self._client, name)


class Settings:
    """The attribute names records are written under (keys of ``_rules/attributes``)."""

    def __init__(self, attributes=None):
        self.attributes = attribute_names(attributes)


def explicit_names(entries):
    """``{allocation id: (namespace, bucket or None)}`` from the ``namespaces`` option; two entries for one allocation
    raise (which one was meant cannot be told)."""
    names = {}
    for entry in entries or ():
        allocation_id = entry.get('allocation_id')
        if allocation_id in names:
            raise EcsConfigError('namespaces names allocation %s more than once: give one entry per allocation'
                                 % allocation_id)
        names[allocation_id] = (entry.get('namespace'), entry.get('bucket') or None)
    return names


def _size_text(gb):
    """``12 TB (13194139533312 bytes)``, or ``unlimited (-1)``: a quota in the units of both attributes."""
    if units.is_unlimited(gb):
        return 'unlimited (-1)'
    return '%s TB (%d bytes)' % (units.format_number(units.gb_to_tb(gb)), units.gb_to_bytes(gb))


def _same(current, wanted):
    """Whether ColdFront already holds ``wanted`` (numbers compare as numbers, ``10`` equals ``10.0``)."""
    if current is None:
        return False
    if isinstance(wanted, (int, float)):
        return units.same_number(current, wanted)
    return str(current) == str(wanted)


class Adoption(AllocationWork):
    """One allocation: which namespace and bucket it adopts, their quotas, what to record, and the result."""

    STEP_NOTE = ' (nothing was recorded for it)'

    def __init__(self, view, settings, explicit=None):
        super(Adoption, self).__init__(view, settings, {
            'namespace': None, 'bucket': None, 'found_by': None, 'action': None, 'claimed': False,
            'namespace_quota_gb': None, 'bucket_quota_gb': None})
        self.explicit = explicit
        self.pending = True
        self.candidates = []            # namespaces to look for: [(name, source)]
        self.namespace = self.bucket = None
        self.namespace_gb = self.bucket_gb = None
        self.new_claim = False
        self.conflict = None

    def stop(self):
        self.pending = False

    # -- phase 0: which names to look for (no ECS call) ---------------------------------------------------

    def classify(self):
        if self.refuse_view_errors():
            return
        try:
            self.candidates = self.namespace_candidates()
        except naming.InvalidName as exc:
            self.fail('%s; fix the name given in namespaces' % exc, outcomes.INVALID_NAME)
            return
        if self.pending and not self.candidates:
            self.fail('no namespace name to look for (the project title slugs to nothing): name it in namespaces',
                      outcomes.INVALID_NAME)

    def recorded(self):
        """``(source, namespace, bucket)`` of a recorded ``Subdirectory`` or claim, or ``None``."""
        if self.view.get('subdirectory'):
            return RECORDED, self.view.get('namespace'), self.view.get('bucket')
        if self.view.get('claim'):
            return CLAIMED, self.view.get('namespace'), self.view.get('bucket')
        return None

    def namespace_candidates(self):
        recorded = self.recorded()
        if self.explicit is not None:
            namespace, bucket = self.explicit
            naming.validate_held_namespace(namespace, source='the namespace given')
            if bucket is not None:
                naming.validate_held_bucket(bucket, source='the bucket given')
            if recorded is not None and (recorded[1] != namespace or bucket not in (None, recorded[2])):
                self.fail('%s records %s but %s was given: adoption does not replace a record; if the record is '
                          'wrong, correct or remove the %r attribute first'
                          % (self.attribute_of(recorded[0]), naming.subdirectory(*recorded[1:]),
                             naming.subdirectory(namespace, bucket or recorded[2]), self.attribute_of(recorded[0])),
                          outcomes.RECORD_MISMATCH)
                return []
            return [(namespace, EXPLICIT)]
        if recorded is not None:
            return [(recorded[1], recorded[0])]
        candidates = []
        if self.view.get('namespace'):
            candidates.append((self.view['namespace'], DERIVED))
        legacy = naming.legacy_names(self.view.get('project'))
        if legacy and not self.view.get('namespace_recorded') and legacy[0] not in [name for name, _s in candidates]:
            candidates.append((legacy[0], LEGACY))
        return candidates

    def attribute_of(self, source):
        return self.settings.attributes['subdirectory' if source == RECORDED else 'claim']

    def bucket_candidates(self, source):
        """Buckets to look for in the namespace found by ``source``, in order."""
        if source == EXPLICIT and self.explicit[1] is not None:
            return [self.explicit[1]]
        recorded = self.recorded()
        if recorded is not None:
            return [recorded[2]]
        if self.view.get('bucket_recorded'):
            return [self.view['bucket_recorded']]
        names = []
        if self.namespace == self.view.get('namespace') and self.view.get('bucket'):
            names.append(self.view['bucket'])
        names.append(naming.slugify('lab-%s-bucket' % self.namespace))
        names.append(naming.legacy_slug('lab-%s-bucket' % self.namespace))
        unique = []
        for name in names:
            if name and name not in unique:
                unique.append(name)
        return unique

    # -- phase 1: read ECS (parallel, reads only) ---------------------------------------------------------

    def read(self, client):
        step = 'look for its namespace'
        try:
            source = self.find_namespace(client)
            if source is None:
                return
            step = 'look for its bucket in namespace %s' % self.namespace
            if not self.find_bucket(client, source):
                return
            step = 'read the quota of namespace %s' % self.namespace
            self.namespace_gb = quota_from_record(client.get_namespace_quota(self.namespace))['hard_gb']
            step = 'read the quota of bucket %s' % self.bucket
            self.bucket_gb = quota_from_record(client.get_bucket_quota(self.namespace, self.bucket))['hard_gb']
        except Exception as error:  # pylint: disable=broad-except  # one allocation never stops the others
            self.fail_step(step, error)
            return
        self.result.update(namespace_quota_gb=self.namespace_gb, bucket_quota_gb=self.bucket_gb)

    def find_namespace(self, client):
        """The source of the first candidate that exists on ECS (and sets :attr:`namespace`), or ``None``."""
        tried = []
        for name, source in self.candidates:
            naming.validate_held_namespace(name, source='namespace')
            tried.append('%s (%s)' % (name, source))
            if client.find_namespace(name) is not None:
                self.namespace = name
                self.result.update(namespace=name, found_by=source)
                return source
        self.fail('nothing to adopt: no namespace %s exists on %s. Adoption never creates one: a new allocation is '
                  'provisioned by the playbook hpc.coldfront_ecs.provision; a namespace of another name is adopted by '
                  'naming it (adopt_namespaces)' % (' or '.join(tried), client.base_url), outcomes.NAMESPACE_MISSING)
        return None

    def find_bucket(self, client, source):
        tried = []
        for name in self.bucket_candidates(source):
            naming.validate_held_bucket(name, source='bucket')
            tried.append(name)
            if client.find_bucket(self.namespace, name) is not None:
                self.bucket = name
                self.result['bucket'] = name
                return True
        self.fail('namespace %s exists on %s but holds no bucket %s: nothing was adopted; name its bucket '
                  '(adopt_namespaces: [{allocation_id: %s, namespace: %s, bucket: ...}])'
                  % (self.namespace, client.base_url, ' or '.join(tried), self.id, self.namespace),
                  outcomes.BUCKET_MISSING)
        return False

    # -- phase 2: what to record (no ECS call) ------------------------------------------------------------

    def decide(self):
        attributes = self.settings.attributes
        wanted = {'namespace': self.namespace, 'bucket': self.bucket,
                  'subdirectory': naming.subdirectory(self.namespace, self.bucket),
                  'bucket_quota_bytes': units.gb_to_bytes(self.bucket_gb)}
        coldfront_gb = reconcile.quota_gb(self.view.get('quota_tb'))
        if coldfront_gb is None:
            wanted['quota_tb'] = units.gb_to_tb(self.namespace_gb)
        if coldfront_gb is None or coldfront_gb == self.namespace_gb:
            wanted['quota_bytes'] = units.gb_to_bytes(self.namespace_gb)
        self.result['record'] = dict((attributes[key], value) for key, value in wanted.items()
                                     if not _same(self.view.get(VIEW_FIELDS[key]), value))
        if 'quota_bytes' not in wanted:
            self.decide_conflict(coldfront_gb)

    def decide_conflict(self, coldfront_gb):
        """The quotas differ: an old plugin's ``Quota_In_Bytes`` is removed (a ``None`` in the record).

        The old plugin wrote it as a copy of ColdFront's quota, not as something ECS agreed to; left in place, the
        next sync or provision would take it as the agreed value and silently pull the ECS quota or push ColdFront's.
        Without it, both report the conflict until a person settles it.
        """
        old = self.view.get('quota_bytes')
        removed = old is not None and not self.agreed_by_collection()
        if removed:
            self.result['record'][self.settings.attributes['quota_bytes']] = None
        self.conflict = self.conflict_text(coldfront_gb, old, removed)

    def agreed_by_collection(self):
        """Whether ``Quota_In_Bytes`` is this collection's own agreement, to be kept.

        Only the collection writes a claim and ``Bucket_Quota_In_Bytes``, and it writes the latter together with
        ``Quota_In_Bytes`` (provision) or after settling it (adoption removes the old value in the same write).  An
        allocation holding both was provisioned or adopted already: its difference is an unpushed ColdFront change or
        an ECS change, which provision and sync tell apart by this value.
        """
        return self.view.get('claim') is not None and self.view.get('bucket_quota_bytes') is not None

    def conflict_text(self, coldfront_gb, old_bytes=None, removed=False):
        attributes = self.settings.attributes
        if units.is_unlimited(self.namespace_gb):
            keep_ecs = 'set %s to -1 (no quota)' % attributes['quota_tb']
        else:
            keep_ecs = 'set %s to %s' % (attributes['quota_tb'], units.format_number(units.gb_to_tb(self.namespace_gb)))
        return ('namespace %s is adopted (claim and names recorded) but its quotas differ: ColdFront %s %s, ECS %s; '
                '%s. To keep the ECS quota, %s (sync then records it); to keep the ColdFront quota, set %s to %d (the '
                'ECS value) and run the playbook hpc.coldfront_ecs.provision, which pushes it to ECS'
                % (self.namespace, attributes['quota_tb'], _size_text(coldfront_gb), _size_text(self.namespace_gb),
                   self.agreed_text(old_bytes, removed), keep_ecs, attributes['quota_bytes'],
                   units.gb_to_bytes(self.namespace_gb)))

    def agreed_text(self, old_bytes, removed):
        """What happened to ``Quota_In_Bytes``, for the conflict message."""
        name = self.settings.attributes['quota_bytes']
        if removed:
            return ('neither quota was changed, and the old %s value %d was removed: no value is agreed until the '
                    'conflict is settled' % (name, old_bytes))
        if old_bytes is not None:
            return ('neither quota was changed, and %s %d, recorded by this collection, was kept: provision and sync '
                    'decide from it' % (name, old_bytes))
        return '%s was not recorded and neither quota was changed' % name

    # -- phase 3: ownership, in the ledger's locked step --------------------------------------------------

    def check_ownership(self, ledger):
        """Refuse a namespace another allocation of the federation holds; note whether a claim is to be made."""
        others = [holder for holder in ledger.holders(self.namespace) if holder['allocation_id'] != self.id]
        own = ledger.claim_of(self.id)
        if others:
            self.fail('namespace %s is already %s by %s on the same ECS federation: refused, a namespace belongs to one '
                      'allocation. If that record is wrong, correct it on that allocation first; otherwise adopt '
                      'another namespace for this one (adopt_namespaces)' % (
                          self.namespace, 'recorded' if others[0]['how'] == 'record' else 'claimed',
                          ', '.join(holder_text(holder) for holder in others)), outcomes.CLAIMED_ELSEWHERE)
        elif own is not None and tuple(own) != (self.namespace, self.bucket):
            self.fail('the allocation already claimed %s (%r) but %s was found to adopt: refused; remove the claim '
                      'attribute if the earlier names are to be given up'
                      % (naming.subdirectory(*own), self.settings.attributes['claim'],
                         naming.subdirectory(self.namespace, self.bucket)), outcomes.CLAIM_MISMATCH)
        else:
            self.new_claim = own is None
            self.result['claimed'] = self.new_claim

    def finish(self):
        """The action, once ownership is settled."""
        if not self.pending:
            return
        if self.conflict is not None:
            self.result.update(action=CONFLICT, error='%s: %s' % (self.label, self.conflict), kind=CONFLICT)
        else:
            self.result['action'] = ADOPTED if (self.result['record'] or self.new_claim) else ALREADY_ADOPTED

    def diff(self):
        """ColdFront before and after, for ``--diff`` (only what changes)."""
        attributes = self.settings.attributes
        names = dict((attributes[key], key) for key in VIEW_FIELDS)
        changed = dict(self.result['record'])
        if self.new_claim:
            changed[attributes['claim']] = naming.subdirectory(self.namespace, self.bucket)
        before = dict((name, self.view.get(VIEW_FIELDS[names[name]])) for name in changed)
        return before, changed


class Adopter:
    """All allocations of one ECS endpoint: classify, read ECS, decide, claim in one locked step, report."""

    def __init__(self, client, settings, check_mode=False, ledger=None):
        self.client = ReadOnlyEcs(client)
        self.settings = settings
        self.check_mode = check_mode
        self.ledger = ledger
        self.identity = None
        self.claims = []
        self.federation_changed = False

    def run(self, views, explicit=None):
        explicit = explicit or {}
        items = [Adoption(view, self.settings, explicit.get(view.get('id'))) for view in views]
        for item in items:
            item.classify()
        if self.pending(items):
            # Login, TLS and connection problems fail the run here, before anything is recorded.
            self.identity = self.client.vdc_identity()
            self.client.map(lambda item: item.read(self.client), self.pending(items))
        for item in self.pending(items):
            item.decide()
        self.refuse_shared_namespaces(items)
        self.claim(items)
        for item in items:
            item.finish()
        return self.outcome(items)

    @staticmethod
    def pending(items):
        return [item for item in items if item.pending]

    @staticmethod
    def refuse_shared_namespaces(items):
        """Two allocations of this run found one namespace: refuse both (which lab's it is, a person decides)."""
        found = {}
        for item in Adopter.pending(items):
            found.setdefault(item.namespace, []).append(item)
        for namespace, claimants in found.items():
            if len(claimants) > 1:
                ids = ', '.join(str(item.id) for item in claimants)
                for item in claimants:
                    item.fail('namespace %s was found for allocations %s in this run: refused for all of them; name '
                              'each allocation\'s namespace (adopt_namespaces)' % (namespace, ids),
                              outcomes.SHARED_NAMESPACE)

    def claim(self, items):
        """In one locked ColdFront step: refuse what another allocation holds, claim the rest."""
        pending = sorted(self.pending(items), key=lambda item: item.id or 0)
        if not pending:
            return
        try:
            if self.ledger is None:
                raise EcsConfigError('no ColdFront claim ledger: adoption records a claim in ColdFront (give the '
                                     'ColdFront connection options)')
            with self.ledger(self.identity['vdcs']) as ledger:
                for item in pending:
                    item.check_ownership(ledger)
                    if item.pending and item.new_claim:
                        ledger.claim(item.id, item.namespace, item.bucket)
            result = getattr(ledger, 'result', None) or {}
            self.federation_changed = any(entry.get('changed') for entry in result.get('resource_attributes') or ())
        except Exception as error:  # pylint: disable=broad-except  # the ledger failed: nothing is recorded
            for item in self.pending(pending):
                item.fail_step('record the claim in ColdFront (nothing was changed on ECS)', error,
                               outcomes.COLDFRONT_ERROR)
            return
        for item in self.pending(pending):
            if item.new_claim:
                self.claims.append({'allocation_id': item.id, 'name': self.settings.attributes['claim'],
                                    'value': naming.subdirectory(item.namespace, item.bucket)})

    @property
    def federation(self):
        return federation_key(self.identity['vdcs']) if self.identity else None

    def outcome(self, items):
        results = [item.result for item in items]
        summary = dict((action, 0) for action in ACTIONS)
        for result in results:
            summary[result['action']] += 1
        summary['total'] = len(results)
        records = [_record_item(result['allocation_id'], name, value)
                   for result in results for name, value in sorted(result['record'].items())]
        diff = {'before': {}, 'after': {}}
        for item in self.pending(items):
            before, after = item.diff()
            if after:
                key = 'allocation %s %s' % (item.id, naming.subdirectory(item.namespace, item.bucket))
                diff['before'][key], diff['after'][key] = before, after
        report = dict((action, [_done_text(result) for result in results if result['action'] == action])
                      for action in (ADOPTED, ALREADY_ADOPTED))
        return {'changed': bool(records or self.claims or self.federation_changed), 'results': results,
                'records': records, 'claims': self.claims, 'summary': summary, 'report': report, 'diff': diff,
                'federation': self.federation,
                'failures': [result['error'] for result in results if result['action'] in FAILURES]}


def _record_item(allocation_id, name, value):
    """An item for ``coldfront_allocation_attribute``: a value to write, or (``None``) the attribute to remove."""
    if value is None:
        return {'allocation_id': allocation_id, 'name': name, 'remove': True}
    return {'allocation_id': allocation_id, 'name': name, 'value': value}


def _done_text(result):
    """``allocation 12 (Smith Lab): smith-lab:lab-smith-lab-bucket (Subdirectory)`` for the summary of a run."""
    return 'allocation %s (%s): %s (%s)' % (result['allocation_id'], result['project'],
                                            naming.subdirectory(result['namespace'], result['bucket']),
                                            result['found_by'])
