# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ECS view of a ColdFront allocation: names, quota, usage, automation options and errors.

Pure functions over the read-model records of ``module_utils/coldfront.py`` (``_coldfront/access``) (no Django import), used by
the inventory plugin (host var ``ecs_allocations``) and by the provision and sync roles.

``allocation_view(resource, allocation, settings)`` never raises for bad data: whatever cannot be used
(an invalid ``Namespace`` override, a non-numeric quota, an unsupported automation option, a namespace
that belongs to another lab, ...) becomes a message in the view's ``errors`` list, with its kind (``_rules/outcomes``)
at the same place in ``error_kinds``, and an allocation with errors must not be acted on. ``mark_collisions(views)``
adds the errors that need every allocation of one ECS system at once (two allocations mapping to the same namespace).

Decisions (documented in docs/inventory.md):

* Names: a recorded ``Subdirectory`` (``<namespace>:<bucket>``, written after
  provisioning) is the truth; ``Namespace``/``Bucket`` attributes that disagree with it are errors. Without
  a ``Subdirectory``, the namespace is the ``Namespace`` attribute, else the slug of the project title, and
  the bucket is the ``Bucket`` attribute, else the slug of ``lab-<namespace>-bucket``. A project renamed
  after provisioning keeps its recorded namespace.
* Quotas: ``-1`` means no quota (ECS's marker). Zero, other negative numbers, NaN, infinity, text and values
  over 2**63-1 bytes are errors (ECS refuses quotas under 1 GB and stores sizes as 64-bit integers).
* One namespace per allocation: when several allocations map to one namespace, a recorded one
  (``Subdirectory``) owns it, else one derived from its own project title, never a ``Namespace`` override
  naming another lab's namespace. Ties between different projects refuse all of them; between allocations
  of the same project the lowest allocation id keeps it and the others need their own ``Namespace``.
  A namespace recorded by an allocation in a status not listed (an Expired lab's) is refused to every
  allocation that has not recorded it itself: its data and quota are not taken over by a title match.
* LDAP group (``ldap_group``): the ``ECS_Group`` attribute, else ``group_template`` over the project (default
  ``{title}``), checked against ``group_name_rules`` (``_rules/group_mapping``). A group that cannot be made is an
  error of an allocation not provisioned yet; a provisioned one keeps the mapping it was created with.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import group_mapping, naming, outcomes, units
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import DEFAULT_NAMES, attribute_names

# The attribute keys an allocation view reads, and the settings that hold their names (``<key>_attribute``).
ATTRIBUTE_NAME_SETTINGS = tuple(
    (key, 'automation_options_attribute' if key == 'options' else '%s_attribute' % key)
    for key in ('namespace', 'bucket', 'subdirectory', 'quota_tb', 'quota_bytes', 'bucket_quota_bytes', 'claim',
                'options', 'group'))

DEFAULT_SETTINGS = dict((setting, DEFAULT_NAMES[key]) for key, setting in ATTRIBUTE_NAME_SETTINGS)
DEFAULT_SETTINGS['default_automation_options'] = ()
# The LDAP group of a new namespace's group mapping (``_rules/group_mapping``).
DEFAULT_SETTINGS['group_template'] = group_mapping.DEFAULT_TEMPLATE
DEFAULT_SETTINGS['group_name_rules'] = group_mapping.DEFAULT_RULES

# Automation options a new allocation may ask for, and what each turns on.
SUPPORTED_OPTIONS = ('nfs_share',)
# ECS stores sizes as signed 64-bit integers.
MAX_QUOTA_BYTES = 2 ** 63 - 1

_OPTION_SEPARATORS = re.compile(r'[\s,;\[\]\'"]+')

# The kinds of a view's errors (``error_kinds``), as ``_rules/outcomes`` names them.
ERROR_KINDS = (outcomes.DUPLICATE_ATTRIBUTE, outcomes.INVALID_NAME, outcomes.INVALID_RECORD, outcomes.RECORD_MISMATCH,
               outcomes.INVALID_QUOTA, outcomes.UNSUPPORTED_OPTION, outcomes.NO_LDAP_GROUP, outcomes.CLAIMED_ELSEWHERE,
               outcomes.SHARED_NAMESPACE)

# How strongly an allocation claims its namespace (see mark_collisions).
_RECORDED, _OWN_TITLE, _OVERRIDE = 3, 2, 1


def settings_from_names(names, default_automation_options=None, group_template=None, group_name_rules=None):
    """Merged settings from attribute ``names`` (keys of ``_rules/attributes``; a missing key keeps the default).

    ``group_template`` and ``group_name_rules`` (``None``: the defaults) decide the views' ``ldap_group``.
    """
    names = attribute_names(names)
    settings = dict((setting, names[key]) for key, setting in ATTRIBUTE_NAME_SETTINGS)
    settings.update(default_automation_options=default_automation_options, group_template=group_template,
                    group_name_rules=group_name_rules)
    return merge_settings(settings)


def merge_settings(settings=None):
    """``DEFAULT_SETTINGS`` updated with ``settings`` (``None`` values keep the default); unknown keys raise."""
    merged = dict(DEFAULT_SETTINGS)
    for key, value in (settings or {}).items():
        if key not in DEFAULT_SETTINGS:
            raise ValueError('unknown ECS allocation setting %r (known: %s)' % (key, ', '.join(sorted(DEFAULT_SETTINGS))))
        if value is not None:
            merged[key] = value
    return merged


def parse_options(value):
    """Automation options from an attribute value or a list: comma/space separated, lower-cased, unique."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else [value]
    options = []
    for item in items:
        for option in _OPTION_SEPARATORS.split(str(item).strip().lower()):
            if option and option not in options:
                options.append(option)
    return options


def parse_quota_tb(value):
    """``Storage Quota (TB)`` text to a float; ``None`` when unset. Raises ValueError with the reason."""
    number = _parse_quota_number(value)
    if number is not None:
        _check_quota_size(units.tb_to_bytes(number))
    return number


def parse_quota_bytes(value):
    """``Quota_In_Bytes`` text to an int; ``None`` when unset. Raises ValueError with the reason."""
    number = _parse_quota_number(value)
    if number is None:
        return None
    if not number.is_integer():
        raise ValueError('%r is not a whole number of bytes' % (value,))
    _check_quota_size(number)
    return int(number)


def _parse_quota_number(value):
    if value is None or str(value).strip() == '':
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError('%r is not a number' % (value,))
    if not math.isfinite(number):
        raise ValueError('%r is not a finite number' % (value,))
    if number == units.UNLIMITED:
        return float(units.UNLIMITED)
    if number < 0:
        raise ValueError('%r is negative (use -1 for no quota)' % (value,))
    if number == 0:
        raise ValueError('0 would block every write and ECS refuses quotas under 1 GB (use -1 for no quota)')
    return number


def _check_quota_size(size_bytes):
    if size_bytes > MAX_QUOTA_BYTES:
        raise ValueError('it exceeds the largest size ECS can store (%d bytes)' % MAX_QUOTA_BYTES)


def parse_subdirectory(value):
    """``(namespace, bucket)`` from a recorded ``<namespace>:<bucket>`` (a claim or a ``Subdirectory``).

    Names ECS already holds are accepted as the old plugin made them (a trailing ``-``); raises ``naming.InvalidName``.
    """
    namespace, sep, bucket = str(value).partition(':')
    if not sep:
        raise naming.InvalidName('%r is not "<namespace>:<bucket>"' % (value,))
    return (naming.validate_held_namespace(namespace, source='its namespace'),
            naming.validate_held_bucket(bucket, source='its bucket'))


def describe(view):
    """``allocation 12 (project 'Smith Lab', resource 'ecs-east')``: how messages name an allocation.

    A view given by hand may lack keys (its problems are being reported): they show as None."""
    return 'allocation %s (project %r, resource %r)' % (view.get('id'), view.get('project'), view.get('resource'))


def _attribute(allocation, name):
    return (allocation.get('attributes') or {}).get(name) or {}


def _value(allocation, name):
    """Attribute value text, ``None`` when the attribute is missing or empty."""
    value = _attribute(allocation, name).get('value')
    return None if value in (None, '') else value


def _usage(allocation, name):
    """Attribute usage as a finite float, ``None`` when there is none."""
    usage = _attribute(allocation, name).get('usage')
    try:
        usage = float(usage)
    except (TypeError, ValueError):
        return None
    return usage if math.isfinite(usage) else None


class _ViewBuilder:
    """Builds one view; every problem becomes an error message instead of an exception."""

    def __init__(self, resource, allocation, settings):
        self.allocation = allocation
        self.settings = settings
        project = allocation.get('project') or {}
        self.view = {
            'id': allocation.get('id'),
            'project': project.get('title'),
            'project_id': project.get('id'),
            'pi': project.get('pi'),
            'status': allocation.get('status'),
            'resource': resource.get('name'),
            'namespace': None,
            'bucket': None,
            'namespace_recorded': _value(allocation, settings['namespace_attribute']),
            'bucket_recorded': _value(allocation, settings['bucket_attribute']),
            'subdirectory': _value(allocation, settings['subdirectory_attribute']),
            'claim': _value(allocation, settings['claim_attribute']),
            'provisioned': False,
            'quota_tb': None,
            'usage_tb': None,
            'quota_bytes': None,
            'bucket_quota_bytes': None,
            'usage_bytes': None,
            'options': [],
            'options_source': 'default',
            'filesystem_enabled': False,
            'ldap_group': None,
            'errors': [],
            'error_kinds': [],
        }

    def error(self, message, kind):
        _add_error(self.view, message, kind)

    def build(self):
        self.check_duplicates()
        self.names()
        self.group()
        self.quotas()
        self.options()
        return self.view

    def check_duplicates(self):
        duplicated = set(self.allocation.get('duplicate_attributes') or ())
        for key in ('namespace_attribute', 'bucket_attribute', 'subdirectory_attribute', 'claim_attribute',
                    'quota_tb_attribute', 'quota_bytes_attribute', 'bucket_quota_bytes_attribute',
                    'automation_options_attribute', 'group_attribute'):
            name = self.settings[key]
            if name in duplicated:
                self.error('the %r attribute occurs more than once; ColdFront reads only the first one, '
                           'delete the duplicates' % name, outcomes.DUPLICATE_ATTRIBUTE)

    def names(self):
        view, settings = self.view, self.settings
        view['provisioned'] = view['subdirectory'] is not None
        if view['provisioned']:
            self.names_from_record('subdirectory_attribute', view['subdirectory'])
            return
        if view['claim'] is not None:
            # Claimed by an earlier run that did not finish: the claim is the truth, whatever the title says now.
            self.names_from_record('claim_attribute', view['claim'])
            return
        try:
            namespace = naming.derive_namespace(view['project'], view['namespace_recorded'])
        except naming.InvalidName as exc:
            self.error('%s; fix the %r allocation attribute' % (exc, settings['namespace_attribute']),
                       outcomes.INVALID_NAME)
            namespace = None
        else:
            view['namespace'] = namespace
        if namespace is None and view['bucket_recorded'] is None:
            return
        try:
            view['bucket'] = naming.derive_bucket(namespace, view['bucket_recorded'])
        except naming.InvalidName as exc:
            self.error('%s; fix the %r allocation attribute' % (exc, settings['bucket_attribute']),
                       outcomes.INVALID_NAME)

    def names_from_record(self, key, value):
        """Names from a recorded ``<namespace>:<bucket>`` (``key``: the setting naming its attribute)."""
        view, settings = self.view, self.settings
        try:
            namespace, bucket = parse_subdirectory(value)
        except naming.InvalidName as exc:
            self.error('the %r attribute %s; it must hold "<namespace>:<bucket>" as written by provisioning'
                       % (settings[key], exc), outcomes.INVALID_RECORD)
            return
        conflicts = [(settings[key], recorded, actual)
                     for key, recorded, actual in (('namespace_attribute', view['namespace_recorded'], namespace),
                                                   ('bucket_attribute', view['bucket_recorded'], bucket))
                     if recorded is not None and recorded != actual]
        for attribute, recorded, actual in conflicts:
            self.error('the %r attribute %r disagrees with the recorded %r %r (%r); make them agree'
                       % (attribute, recorded, settings[key], value, actual), outcomes.RECORD_MISMATCH)
        if not conflicts:
            view.update(namespace=namespace, bucket=bucket)

    def group(self):
        """``ldap_group``: the ``group`` attribute, else the template over the project, checked by the name rules.

        A recorded (provisioned) namespace keeps the mapping it was made with: its group is shown when valid, never
        an error.
        """
        view, settings = self.view, self.settings
        name = settings['group_attribute']
        group = _value(self.allocation, name)
        source = 'the %r attribute' % name
        try:
            if group is None:
                source = 'group_template %r' % settings['group_template']
                group = group_mapping.render(settings['group_template'], self.allocation.get('project'))
            view['ldap_group'] = group_mapping.check_group(group, settings['group_name_rules'])
        except group_mapping.GroupTemplateError as exc:
            if not view['provisioned']:
                self.error('no LDAP group for the namespace group mapping: %s' % exc, outcomes.NO_LDAP_GROUP)
        except group_mapping.GroupNameError as exc:
            if not view['provisioned']:
                self.error('no LDAP group for the namespace group mapping: %s (from %s); set the %r allocation '
                           'attribute to the group to map, or change group_template / group_name_rules'
                           % (exc, source, name), outcomes.NO_LDAP_GROUP)

    def quotas(self):
        view, settings = self.view, self.settings
        for key, parse, field in (('quota_tb_attribute', parse_quota_tb, 'quota_tb'),
                                  ('quota_bytes_attribute', parse_quota_bytes, 'quota_bytes'),
                                  ('bucket_quota_bytes_attribute', parse_quota_bytes, 'bucket_quota_bytes')):
            name = settings[key]
            try:
                view[field] = parse(_value(self.allocation, name))
            except ValueError as exc:
                self.error('the %r value is refused: %s' % (name, exc), outcomes.INVALID_QUOTA)
        usage_tb = _usage(self.allocation, settings['quota_tb_attribute'])
        usage_bytes = _usage(self.allocation, settings['quota_bytes_attribute'])
        view['usage_tb'] = usage_tb
        view['usage_bytes'] = None if usage_bytes is None else int(round(usage_bytes))

    def options(self):
        view, settings = self.view, self.settings
        name = settings['automation_options_attribute']
        if name in (self.allocation.get('attributes') or {}):
            source = 'the %r attribute' % name
            options = parse_options(_attribute(self.allocation, name).get('value'))
        else:
            source = 'default_automation_options'
            options = parse_options(settings['default_automation_options'])
        view['options'] = options
        view['options_source'] = 'default' if source == 'default_automation_options' else 'attribute'
        view['filesystem_enabled'] = 'nfs_share' in options
        problem = unsupported_options(options, source)
        if problem:
            self.error(problem, outcomes.UNSUPPORTED_OPTION)


def unsupported_options(options, source):
    """The problem with the automation ``options`` read from ``source``, or None when all are supported."""
    unsupported = [option for option in options if option not in SUPPORTED_OPTIONS]
    if not unsupported:
        return None
    return ('automation option(s) %s from %s are not supported (supported: %s); remove them'
            % (', '.join(repr(option) for option in unsupported), source, ', '.join(SUPPORTED_OPTIONS)))


def allocation_view(resource, allocation, settings=None):
    """The ECS view (plain dict) of ``allocation`` on ``resource`` (read-model records); never raises for bad data."""
    return _ViewBuilder(resource, allocation, merge_settings(settings)).build()


def _claim(view):
    """``(namespace, strength)`` this allocation holds or asks for, or ``None``."""
    namespace = view['namespace']
    recorded = view['subdirectory'] or view.get('claim')
    if recorded:
        try:
            return parse_subdirectory(recorded)[0], _RECORDED
        except naming.InvalidName:
            return None
    if namespace is None:
        return None
    return namespace, _OWN_TITLE if namespace == naming.slugify(view['project']) else _OVERRIDE


def mark_collisions(views, settings=None, other_claims=()):
    """Refuse namespaces claimed by more than one allocation among ``views`` (one ECS system); returns ``views``.

    Refused views get an error naming the allocation that keeps the namespace (or every competitor on a
    tie) and their ``namespace``/``bucket`` set to ``None``. The same allocation seen through several
    resources counts once. ``other_claims`` (``other_claims`` of the resource records: allocations in other
    statuses with a recorded ``Subdirectory`` or claim) keep their namespaces from every view that has not recorded it.
    """
    merged = merge_settings(settings)
    claims = {}
    for view in views:
        claim = _claim(view)
        if claim is not None:
            claims.setdefault(claim[0], []).append((claim[1], view))
    for namespace, claimants in claims.items():
        if len(set(view['id'] for _strength, view in claimants)) > 1:
            _refuse_losers(namespace, claimants, merged['namespace_attribute'])
    _refuse_claimed_elsewhere(views, other_claims, merged)
    return views


def _refuse_claimed_elsewhere(views, other_claims, settings):
    owners = {}
    for claim in other_claims:
        try:
            owners.setdefault(parse_subdirectory(claim['subdirectory'])[0], claim)
        except naming.InvalidName:
            continue
    for view in views:
        owner = owners.get(view['namespace'])
        if owner is None or view['provisioned'] or view.get('claim') or owner['id'] == view['id']:
            continue
        _refuse(view, 'namespace %r is recorded by allocation %s (project %r, status %s), whose data it holds; refused: '
                      'give this allocation its own %r attribute, or to take the namespace over on purpose record %r on '
                      'this one' % (view['namespace'], owner['id'], owner['project'], owner['status'],
                                    settings['namespace_attribute'], settings['subdirectory_attribute']),
                outcomes.CLAIMED_ELSEWHERE)


def _refuse_losers(namespace, claimants, attribute):
    strongest = max(strength for strength, _view in claimants)
    top = [view for strength, view in claimants if strength == strongest]
    top_ids = set(view['id'] for view in top)
    top_projects = set(view['project_id'] for view in top)
    if len(top_projects) > 1 or (strongest == _RECORDED and len(top_ids) > 1):
        owner = None
    else:
        owner_id = min(top_ids)
        owner = [view for view in top if view['id'] == owner_id][0]
    for _strength, view in claimants:
        if owner is not None and view['id'] == owner['id']:
            continue
        kind = outcomes.CLAIMED_ELSEWHERE
        if owner is None:
            kind = outcomes.SHARED_NAMESPACE
            others = [other for _s, other in claimants if other['id'] != view['id']]
            message = ('namespace %r is also claimed by %s; refused for all of them, give each lab its own '
                       '%r attribute' % (namespace, ', '.join(_unique_descriptions(others)), attribute))
        elif view['project_id'] == owner['project_id']:
            message = ('namespace %r is already used by %s of the same project; one namespace per allocation, '
                       'set a distinct %r attribute on this one' % (namespace, describe(owner), attribute))
        else:
            message = ('namespace %r belongs to %s, another lab; refused' % (namespace, describe(owner)))
        _refuse(view, message, kind)


def _add_error(view, message, kind):
    """``message`` (prefixed with the allocation) joins the view's ``errors``, and its ``kind`` its ``error_kinds``."""
    view['errors'].append('%s: %s' % (describe(view), message))
    view.setdefault('error_kinds', []).append(kind)


def _refuse(view, message, kind):
    """The view loses its namespace and bucket, with ``message`` (prefixed with the allocation) as the reason."""
    _add_error(view, message, kind)
    view['namespace'] = view['bucket'] = None


def _unique_descriptions(views):
    seen = []
    for view in views:
        text = describe(view)
        if text not in seen:
            seen.append(text)
    return seen


def resource_views(resource, settings=None):
    """Views of every allocation of a resource record, with collisions among them (and its other claims) marked."""
    merged = merge_settings(settings)
    return mark_collisions([allocation_view(resource, allocation, merged)
                            for allocation in resource.get('allocations') or ()], merged,
                           resource.get('other_claims') or ())
