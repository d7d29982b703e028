# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Quota model: limits and usage of buckets, namespaces and ECS resources.

* A :class:`Quota` is a limit and a usage, judged by :func:`judge.judge` (the one verdict of sync, the report, the
  filters and the alerts); a limit of -1 (or ``None``) is unlimited and never exceeded; other negatives are refused.
* A :class:`Scope` is a resource, a namespace (= allocation) or a bucket, with its quotas and children.
* :func:`build_tree` / :func:`rollup` roll usage up (bucket -> namespace -> resource) and compute the
  resource quotas: ``capacity`` (used storage), ``allocated`` (sum of namespace limits against
  capacity x overcommit allowance), ``namespaces`` and ``buckets`` (counts).
* :func:`validate_change` checks a new or raised namespace quota against every ancestor quota.
* :func:`evaluate_thresholds` lists every quota at or over its alert threshold, worst first: one alert per resource
  quota and at most one per namespace (= allocation), its buckets as detail.

Numbers are unit-agnostic: every storage number in one tree must use the same unit (TB in playbooks;
convert with :mod:`units`); with ``unit`` ``TB`` or ``GB``, namespace and bucket limits are judged as the whole GB
ECS enforces.  Inputs and outputs are plain dicts and lists, so filters and modules can
pass them through Ansible, and :func:`rollup` output is valid input again.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.judge import (  # noqa: F401 (re-exported)
    DEFAULT_THRESHOLD, EXCEEDED, GB_PER_UNIT, WARNING, QuotaError, as_number, at_least, check_threshold,
    greater, judge, ratio, would_exceed)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.units import (
    UNLIMITED, format_number, is_unlimited, same_number)

RESOURCE, NAMESPACE, BUCKET = 'resource', 'namespace', 'bucket'
KINDS = (RESOURCE, NAMESPACE, BUCKET)
STORAGE, CAPACITY, ALLOCATED, NAMESPACES, BUCKETS = 'storage', 'capacity', 'allocated', 'namespaces', 'buckets'
# Quotas measured in storage units (the others are counts), for the unit suffix in messages.
STORAGE_QUOTAS = (STORAGE, CAPACITY, ALLOCATED)
INFINITY = float('inf')


def resource_value(overrides, resource, default):
    """The per-resource setting of ``resource`` (``{resource name: value}``; a null value counts), else ``default``."""
    return overrides[resource] if resource in (overrides or {}) else default


_greater, _at_least = greater, at_least


def _text(value, unit=None):
    """A number for messages: -1 (or infinity) is ``unlimited``; ``unit`` appended when given."""
    if value is None or value == INFINITY or is_unlimited(value):
        return 'unlimited'
    text = format_number(round(value, 6))
    return '%s %s' % (text, unit) if unit else text


class Quota:
    """One limit and its usage, judged by :func:`judge.judge`.  A limit of -1 or ``None`` is unlimited; any other
    negative limit or usage is refused (:class:`QuotaError`).  ``unit`` (``TB``/``GB``) makes a ``storage`` limit the
    whole GB ECS enforces."""

    def __init__(self, name, limit=UNLIMITED, usage=0, unit=None):
        self.name = name
        limit = as_number(limit, '%s limit' % name)
        usage = as_number(usage, '%s usage' % name) or 0
        problem = judge(usage, limit)['problem']
        if problem:
            raise QuotaError('%s %s' % (name, problem))
        self.limit = UNLIMITED if limit is None else limit
        self.usage = usage
        self.unit = unit

    @property
    def is_unlimited(self):
        return self.limit == UNLIMITED

    def verdict(self, threshold=DEFAULT_THRESHOLD):
        """:func:`judge.judge` of this quota (the unit's enforced rounding applies to ``storage`` quotas only)."""
        return judge(self.usage, self.limit, self.unit if self.name == STORAGE else None, threshold)

    def is_exceeded(self, delta=0, threshold=1.0):
        """``usage + delta > enforced limit x threshold``.  Never for a negative delta (decreases are always allowed)
        nor for an unlimited quota.  With limit 0, any positive usage + delta is exceeded, 0 is not."""
        return would_exceed(self.verdict(), delta, threshold)

    @property
    def ratio(self):
        """usage / limit; ``None`` when unlimited; for limit 0: 0.0 when nothing is used, infinity otherwise."""
        return ratio(self.verdict())

    @property
    def percent_used(self):
        """usage as a percentage of the limit; ``None`` when unlimited or when limit 0 has usage (no finite value)."""
        value = self.ratio
        return None if value is None or value == INFINITY else value * 100

    def level(self, threshold=DEFAULT_THRESHOLD):
        """``exceeded`` over the limit, ``warning`` at or over ``threshold`` (a fraction), else ``None``."""
        level = self.verdict(threshold)['level']
        return level if level in (WARNING, EXCEEDED) else None

    def to_dict(self):
        """``{limit, usage, percent}`` (percent of the enforced limit, 2 decimals, ``None`` as in
        :attr:`percent_used`)."""
        return {'limit': self.limit, 'usage': self.usage, 'percent': self.verdict()['percent']}

    def amount(self, value, unit):
        """``value`` as text for messages, with ``unit`` for storage quotas (counts have none)."""
        return _text(value, unit if self.name in STORAGE_QUOTAS else None)


class Scope:
    """A resource, namespace (= allocation) or bucket: its quotas, its children and its parent."""

    def __init__(self, kind, name, quotas=(), children=(), parent=None, allocation_id=None):
        if kind not in KINDS:
            raise QuotaError('scope kind must be one of %s, got %r' % (', '.join(KINDS), kind))
        if not name:
            raise QuotaError('every %s needs a name' % kind)
        self.kind = kind
        self.name = str(name)
        self.allocation_id = allocation_id
        self.quotas = dict((quota.name, quota) for quota in quotas)
        self.parent = parent
        self.children = []
        self.facts = {}
        for child in children:
            self.add(child)

    def add(self, child):
        child.parent = self
        self.children.append(child)
        return child

    @property
    def label(self):
        """``<kind> <name>``, the scope as messages name it."""
        return '%s %s' % (self.kind, self.name)

    def _ancestor(self, kind):
        scope = self
        while scope is not None and scope.kind != kind:
            scope = scope.parent
        return scope

    @property
    def resource(self):
        """Name of the resource this scope belongs to (``None`` for a detached namespace or bucket)."""
        scope = self._ancestor(RESOURCE)
        return scope.name if scope else None

    @property
    def namespace(self):
        scope = self._ancestor(NAMESPACE)
        return scope.name if scope else None

    def walk(self):
        """This scope and all its descendants, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self):
        """The scope as plain data; valid input for :func:`build_tree` again."""
        data = {'kind': self.kind, 'name': self.name}
        if self.kind != RESOURCE:
            storage = self.quotas[STORAGE]
            data.update(resource=self.resource, allocation_id=self.allocation_id, limit=storage.limit, usage=storage.usage)
        if self.kind == BUCKET:
            data['namespace'] = self.namespace
        data.update(self.facts)
        data['quotas'] = dict((name, quota.to_dict()) for name, quota in self.quotas.items())
        if self.kind != BUCKET:
            data[BUCKETS if self.kind == NAMESPACE else NAMESPACES] = [child.to_dict() for child in self.children]
        return data


def _mapping(data, what):
    if not isinstance(data, dict):
        raise QuotaError('a %s must be a dict, got %r' % (what, data))
    return data


def _explicit_or(data, key, label, computed):
    """``data[key]`` when given (explicit values win), else the value computed from the children."""
    value = as_number(data.get(key), '%s %s' % (label, key))
    return computed if value is None else value


def _children(data, key, label):
    children = data.get(key) or []
    if not isinstance(children, list):
        raise QuotaError('%s %s must be a list, got %r' % (label, key, children))
    return children


def _storage_scope(kind, data, children, allocation_id, unit=None):
    """A namespace or bucket: ``storage`` quota whose usage is explicit or the sum of the children's."""
    data = _mapping(data, kind)
    scope = Scope(kind, data.get('name'), children=children, allocation_id=data.get('allocation_id', allocation_id))
    usage = _explicit_or(data, 'usage', scope.label, sum(child.quotas[STORAGE].usage for child in children))
    try:
        scope.quotas[STORAGE] = Quota(STORAGE, data.get('limit'), usage, unit)
    except QuotaError as exc:
        raise QuotaError('%s: %s' % (scope.label, exc))
    return scope


def _namespace_scope(data, unit=None):
    data = _mapping(data, NAMESPACE)
    buckets = [_storage_scope(BUCKET, bucket, (), data.get('allocation_id'), unit)
               for bucket in _children(data, BUCKETS, 'namespace %s' % data.get('name'))]
    scope = _storage_scope(NAMESPACE, data, buckets, None, unit)
    scope.facts['bucket_count'] = _explicit_or(data, 'bucket_count', scope.label, len(buckets))
    return scope


def build_tree(resource, overcommit=None, unit=None):
    """A resource :class:`Scope` (with namespace and bucket children) from a resource dict.

    ``unit`` (``TB`` or ``GB``) judges the namespace and bucket limits as the whole GB ECS enforces (rounded up);
    without it every number is taken as it is.

    Resource keys: ``name``; ``capacity`` (absent/None/-1 = unknown, no limit); ``used``, ``allocated``,
    ``namespace_count``, ``bucket_count`` (explicit values win; else rolled up from ``namespaces``);
    ``overcommit`` (allowance on allocated / capacity; else the ``overcommit`` argument; None = unlimited);
    ``max_namespaces``, ``max_buckets`` (count limits, default -1); ``namespaces``: list of
    ``{name, allocation_id, limit, usage, bucket_count, buckets: [{name, limit, usage}]}``.
    """
    data = _mapping(resource, RESOURCE)
    label = 'resource %s' % data.get('name')
    namespaces = [_namespace_scope(namespace, unit) for namespace in _children(data, NAMESPACES, label)]
    scope = Scope(RESOURCE, data.get('name'), children=namespaces)
    storage = [namespace.quotas[STORAGE] for namespace in namespaces]
    used = _explicit_or(data, 'used', label, sum(q.usage for q in storage))
    try:
        capacity = Quota(CAPACITY, data.get('capacity'), used)
    except QuotaError as exc:
        raise QuotaError('%s: %s' % (label, exc))
    allowance = as_number(overcommit if data.get('overcommit') is None else data['overcommit'], '%s overcommit' % label)
    if allowance is not None and allowance <= 0:
        raise QuotaError('%s overcommit must be a positive factor (1.2 = 120 %% of capacity), got %r' % (label, allowance))
    allocated_limit = UNLIMITED if allowance is None or capacity.is_unlimited else capacity.limit * allowance
    allocated = _explicit_or(data, 'allocated', label,
                             sum(q.verdict()['enforced_limit'] for q in storage if not q.is_unlimited))
    counts = {
        NAMESPACES: _explicit_or(data, 'namespace_count', label, len(namespaces)),
        BUCKETS: _explicit_or(data, 'bucket_count', label, sum(ns.facts['bucket_count'] for ns in namespaces)),
    }
    scope.quotas = {
        CAPACITY: capacity,
        ALLOCATED: Quota(ALLOCATED, allocated_limit, allocated),
        NAMESPACES: Quota(NAMESPACES, data.get('max_namespaces'), counts[NAMESPACES]),
        BUCKETS: Quota(BUCKETS, data.get('max_buckets'), counts[BUCKETS]),
    }
    scope.facts = {
        'capacity': capacity.limit, 'used': capacity.usage, 'allocated': allocated, 'overcommit': allowance,
        'unlimited_namespaces': [ns.name for ns in namespaces if ns.quotas[STORAGE].is_unlimited],
        'namespace_count': counts[NAMESPACES], 'bucket_count': counts[BUCKETS],
        'max_namespaces': scope.quotas[NAMESPACES].limit, 'max_buckets': scope.quotas[BUCKETS].limit,
    }
    return scope


def _resources(tree, overcommit, unit=None):
    """Resource scopes from a resource dict, a Scope, or a list of either."""
    items = tree if isinstance(tree, (list, tuple)) else [tree]
    return [item if isinstance(item, Scope) else build_tree(item, overcommit, unit) for item in items]


def rollup(resource, overcommit=None, unit=None):
    """:func:`build_tree` as plain data: the resource dict (or list of them) with every roll-up filled in."""
    scopes = [scope.to_dict() for scope in _resources(resource, overcommit, unit)]
    return scopes if isinstance(resource, (list, tuple)) else scopes[0]


def _violation(scope, quota, delta, unit):
    """The violation dict when ``delta`` more would exceed ``quota`` of ``scope``, else ``None``."""
    if not quota.is_exceeded(delta):
        return None
    need = UNLIMITED if delta == INFINITY else quota.usage + delta
    return {
        'scope': scope.label, 'kind': scope.kind, 'name': scope.name, 'quota': quota.name,
        'limit': quota.limit, 'usage': quota.usage, 'need': need,
        'message': '%s %s limit %s, would need %s' % (scope.label, quota.name, quota.amount(quota.limit, unit), quota.amount(need, unit)),
    }


def _change_kind(current, requested):
    if current is None:
        return 'create'
    if is_unlimited(current):
        return 'unchanged' if is_unlimited(requested) else 'decrease'
    if is_unlimited(requested) or _greater(requested, current):
        return 'increase'
    return 'unchanged' if same_number(requested, current) else 'decrease'


def _find_namespace(resource, name, allocation_id):
    """The namespace of allocation ``allocation_id``, else the one named ``name`` unless it is another allocation's."""
    by_id = [ns for ns in resource.children if allocation_id is not None and ns.allocation_id == allocation_id]
    by_name = [ns for ns in resource.children
               if ns.name == name and (allocation_id is None or ns.allocation_id in (None, allocation_id))]
    return (by_id + by_name + [None])[0]


def validate_change(resource, namespace, limit, current=None, usage=None, allocation_id=None, overcommit=None,
                    new_buckets=1, unit=None):
    """Check setting namespace ``namespace`` (allocation ``allocation_id``) to quota ``limit`` on ``resource``.

    ``resource`` is a resource dict (see :func:`build_tree`) or Scope.  ``current`` is the namespace's present
    limit; when None it is looked up in the resource's namespaces (by name or allocation id), and a namespace
    not found there is new: it adds ``limit`` to ``allocated``, one namespace and ``new_buckets`` buckets.
    Only a creation or an increase is checked (a decrease or no change is always allowed).
    Returns ``{allowed, change, violations: [...], warnings: [...], message, resource, namespace,
    allocation_id, current, limit}``; ``message`` is empty when allowed.
    """
    if isinstance(resource, (list, tuple)):
        raise QuotaError('validate a change against one resource, got a list of %d' % len(resource))
    scope = _resources(resource, overcommit)[0]
    found = _find_namespace(scope, namespace, allocation_id)
    limit = Quota(STORAGE, as_number(limit, 'requested limit')).limit
    current = as_number(current, 'current limit')
    new_buckets = as_number(new_buckets, 'new_buckets')
    if current is None and found is not None:
        current = found.quotas[STORAGE].limit
    if usage is None and found is not None:
        usage = found.quotas[STORAGE].usage
    usage = as_number(usage, 'usage')
    if allocation_id is None and found is not None:
        allocation_id = found.allocation_id
    change = _change_kind(current, limit)
    violations, warnings = [], []
    if change in ('create', 'increase'):
        delta = INFINITY if limit == UNLIMITED else limit - (current or 0)
        checks = [(ALLOCATED, delta)]
        if change == 'create':
            checks += [(NAMESPACES, 1), (BUCKETS, new_buckets)]
        violations = [v for v in (_violation(scope, scope.quotas[name], d, unit) for name, d in checks) if v]
        if scope.facts['overcommit'] is not None and scope.quotas[CAPACITY].is_unlimited:
            warnings.append('resource %s has no known capacity: overcommit allowance %s not checked'
                            % (scope.name, _text(scope.facts['overcommit'])))
    elif usage is not None and limit != UNLIMITED and _greater(usage, limit):
        warnings.append('namespace %s storage limit %s is below its usage %s: ECS refuses writes until usage drops'
                        % (namespace, _text(limit, unit), _text(usage, unit)))
    return {
        'allowed': not violations, 'change': change, 'violations': violations, 'warnings': warnings,
        'message': _refusal(scope, namespace, allocation_id, limit, current, violations, unit) if violations else '',
        'resource': scope.name, 'namespace': namespace, 'allocation_id': allocation_id, 'current': current, 'limit': limit,
    }


def _refusal(scope, namespace, allocation_id, limit, current, violations, unit):
    """One message for all violations: which allocation, which resource, which numbers, what to do."""
    who = 'allocation %s (namespace %s)' % (allocation_id, namespace) if allocation_id is not None else 'namespace %s' % namespace
    was = 'new namespace' if current is None else 'currently %s' % _text(current, unit)
    details = '; '.join(v['message'] for v in violations)
    hints = []
    if any(v['quota'] == ALLOCATED for v in violations):
        allocated = scope.quotas[ALLOCATED]
        hints.append('%s allows capacity %s x overcommit %s = %s allocated in total and %s is allocated already; '
                     'lower the request or raise the capacity or the overcommit allowance'
                     % (scope.label, _text(scope.quotas[CAPACITY].limit, unit), _text(scope.facts['overcommit']),
                        _text(allocated.limit, unit), _text(allocated.usage, unit)))
    for name, key in ((NAMESPACES, 'max_namespaces'), (BUCKETS, 'max_buckets')):
        if any(v['quota'] == name for v in violations):
            hints.append('raise %s of %s' % (key, scope.label))
    return 'Refusing quota %s for %s on %s (%s): %s. To allow it: %s.' % (
        _text(limit, unit), who, scope.label, was, details, '; '.join(hints))


def _limit_text(quota, verdict, unit):
    """The limit for messages, with the whole GB ECS enforces when that differs (``0.1 TB (103 GB on ECS)``)."""
    text = quota.amount(quota.limit, unit)
    enforced = verdict['enforced_limit']
    if quota.name != STORAGE or unit not in GB_PER_UNIT or same_number(enforced, quota.limit):
        return text
    return '%s (%s GB on ECS)' % (text, format_number(round(enforced * GB_PER_UNIT[unit])))


def _alert(scope, quota, verdict, unit):
    level, threshold = verdict['level'], verdict['threshold']
    alert = {'limit': quota.limit, 'enforced_limit': verdict['enforced_limit'], 'usage': quota.usage,
             'percent': verdict['percent']}
    limit = _limit_text(quota, verdict, unit)
    if level == EXCEEDED:
        percent = '' if alert['percent'] is None else ' (%s%%)' % _text(alert['percent'])
        state = 'exceeds limit %s%s' % (limit, percent)
    else:
        state = 'is at %s%% of limit %s (threshold %s%%)' % (_text(alert['percent']), limit, _text(threshold * 100))
    where = scope.label if scope.kind == RESOURCE else '%s on resource %s' % (scope.label, scope.resource)
    alert.update({
        'scope': scope.label, 'kind': scope.kind, 'name': scope.name, 'resource': scope.resource,
        'namespace': scope.namespace, 'allocation_id': scope.allocation_id, 'quota': quota.name,
        'threshold': threshold, 'level': level, 'buckets': [],
        'message': '%s: %s usage %s %s' % (where, quota.name, quota.amount(quota.usage, unit), state),
    })
    return alert


def _scope_alerts(scope, threshold, unit):
    """``[(usage / limit, alert)]`` of the quotas of ``scope`` at or over ``threshold``."""
    found = []
    for quota in scope.quotas.values():
        verdict = quota.verdict(threshold)
        if verdict['level'] in (WARNING, EXCEEDED):
            found.append((ratio(verdict), _alert(scope, quota, verdict, unit)))
    return found


def _severity(item):
    return (item[1]['level'] != EXCEEDED, -item[0])


def _allocation_alerts(namespace, threshold, unit):
    """At most ONE alert per namespace (= allocation): the worst of its own and its buckets' (its own on a tie),
    with every bucket alert as detail in ``buckets``; a one-bucket namespace over its quota is one alert, not two."""
    own = _scope_alerts(namespace, threshold, unit)
    buckets = [item for bucket in namespace.children for item in _scope_alerts(bucket, threshold, unit)]
    if not own and not buckets:
        return []
    worst_ratio, worst = min(own + buckets, key=_severity)
    keys = ('name', 'level', 'limit', 'enforced_limit', 'usage', 'percent', 'message')
    detail = [dict((key, alert[key]) for key in keys) for _ratio, alert in buckets]
    return [(worst_ratio, dict(worst, buckets=detail))]


def evaluate_thresholds(tree, default_threshold=DEFAULT_THRESHOLD, overrides=None, overcommit=None, unit=None):
    """The quotas at or over their threshold, as alert dicts sorted worst first: one per resource quota and at most
    one per namespace (= allocation), whose bucket alerts are its ``buckets`` detail (see :func:`_allocation_alerts`).

    ``tree``: a resource dict or Scope, or a list of them.  ``overrides``: ``{resource name: threshold}``.
    Thresholds are fractions (0.9 = 90 %).  ``level`` is ``exceeded`` over the hard limit, else ``warning``; every
    verdict is :func:`judge.judge`'s, ``unit`` (``TB``/``GB``) judging storage limits in the whole GB ECS enforces.
    Sorted by level (exceeded first), then usage/limit (highest first), then resource, kind, name, quota.
    """
    default = check_threshold(default_threshold, 'default threshold')
    overrides = dict((name, check_threshold(value, 'threshold of resource %s' % name))
                     for name, value in _mapping(overrides or {}, 'threshold overrides dict').items())
    alerts = []
    for resource in _resources(tree, overcommit, unit):
        threshold = overrides.get(resource.name, default)
        alerts += _scope_alerts(resource, threshold, unit)
        for namespace in resource.children:
            alerts += _allocation_alerts(namespace, threshold, unit)
    alerts.sort(key=lambda item: _severity(item) + (item[1]['resource'], KINDS.index(item[1]['kind']),
                                                    item[1]['name'], item[1]['quota']))
    return [alert for _ratio, alert in alerts]
