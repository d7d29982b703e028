# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a ColdFront admin defines: attribute types (with their data types) and resources.

* :func:`ensure_attribute_type` makes a resource or allocation attribute type exist with the wanted
  data type and flags, creating a missing data type (such as the resource ``Float``) and NEVER a
  duplicate; duplicates it finds are reported, never modified.
* :func:`remove_attribute_type` deletes types of a name only when no attribute uses them.
* :func:`in_one_transaction` runs several of those (the ``types`` list of ``coldfront_attribute_type``) as ONE
  transaction: a refused item leaves nothing written, not even the items before it.
* :class:`AttributeTypesTask` is the work of the ``coldfront_attribute_type`` module (its options in, its result
  out).
* :func:`ensure_resource` creates or updates a resource, its type and its attributes in one transaction.

Call ``coldfront.setup_django()`` first.  Every write carries the change reason and history user.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.type_access import (
    ACCESS_FLAGS, access_flags, flag_differences)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.access import ColdFrontError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.write import (
    Plan, ValidationFailed, apply_planned, attributed, change_reason, history_user, plan_resource_item,
    save_with_reason, tag_history, types_by_name)

SCOPES = ('resource', 'allocation')
DATA_TYPES = ('Text', 'Int', 'Float', 'Yes/No', 'Date')
# Flags each scope's model has (ColdFront 1.1.10).
FLAGS = {
    'allocation': ('has_usage', 'is_private', 'is_changeable', 'is_required', 'is_unique'),
    'resource': ('is_required', 'is_unique_per_resource', 'is_value_unique'),
}
FLAG_NAMES = FLAGS['allocation'] + tuple(flag for flag in FLAGS['resource'] if flag not in FLAGS['allocation'])
RESOURCE_FIELDS = ('description', 'is_available', 'is_public', 'is_allocatable', 'requires_payment')


def _type_models(scope):
    if scope == 'allocation':
        from coldfront.core.allocation import models  # pylint: disable=import-outside-toplevel
        return models.AllocationAttributeType, models.AttributeType, models.AllocationAttribute, 'allocation_attribute_type'
    from coldfront.core.resource import models  # pylint: disable=import-outside-toplevel
    return models.ResourceAttributeType, models.AttributeType, models.ResourceAttribute, 'resource_attribute_type'


def type_record(scope, row):
    """A plain dict of an attribute type: id, name, scope, data_type and the scope's flags."""
    record = {'id': row.pk, 'name': row.name, 'scope': scope, 'data_type': row.attribute_type.name}
    for flag in FLAGS[scope]:
        record[flag] = getattr(row, flag)
    return record


def _check_type_request(scope, name, data_type, flags):
    errors = []
    if scope not in SCOPES:
        errors.append('scope %r: use one of %s' % (scope, ', '.join(SCOPES)))
        return errors
    if not name or not str(name).strip():
        errors.append('name must not be empty')
    elif scope == 'allocation' and len(name) > 50:
        errors.append('allocation attribute type name %r is %d characters long; ColdFront allows 50' % (name, len(name)))
    elif len(name) > 128:
        errors.append('resource attribute type name %r is longer than 128 characters' % name)
    unknown = sorted(flag for flag, value in flags.items() if value is not None and flag not in FLAGS[scope])
    if unknown:
        errors.append('%s attribute types have no %s (their flags: %s)' % (scope, ', '.join(unknown), ', '.join(FLAGS[scope])))
    if data_type is not None and data_type not in DATA_TYPES:
        errors.append('data_type %r: use one of %s' % (data_type, ', '.join(DATA_TYPES)))
    return errors


def _data_type(data_model, name, create, check_mode, errors):
    """The data type row named ``name`` (created when allowed); (row or None, created)."""
    rows = list(data_model.objects.filter(name=name).order_by('pk'))
    if len(rows) > 1:
        errors.append('data type %r is ambiguous: %d rows have that name (ids %s)'
                      % (name, len(rows), ', '.join(str(row.pk) for row in rows)))
        return None, False
    if rows:
        return rows[0], False
    if not create:
        errors.append('data type %r does not exist in ColdFront and create_data_type is false' % name)
        return None, False
    row = data_model(name=name)
    if not check_mode:
        row.save()  # data types are not historied
    return row, True


def ensure_attribute_type(scope, name, data_type='Text', flags=None, create_data_type=True, reason=None, user=None,
                          check_mode=False, keep=()):
    """Make attribute type ``name`` exist in ``scope`` with ``data_type`` and ``flags`` (None = leave as is).

    A new type gets every flag given; an existing one keeps its value of the flags named in ``keep`` and
    reports those that differ in ``kept_flags`` (``{flag: {'current', 'wanted'}}``).  Returns ``{'changed',
    'created', 'data_type_created', 'type': record or None, 'before', 'after', 'duplicates': [records],
    'kept_flags', 'warnings': [...]}``.  With duplicates (several types of that name) nothing is changed:
    they are returned and a warning names their ids.  Changing the data type of a type that attributes
    already use is refused.  Raises :class:`ValidationFailed`.
    """
    from django.db import transaction  # pylint: disable=import-outside-toplevel
    flags = dict((key, value) for key, value in (flags or {}).items() if value is not None)
    errors = _check_type_request(scope, name, data_type, flags)
    if errors:
        raise ValidationFailed(errors)
    type_model, data_model, attribute_model, link = _type_models(scope)
    reason_text = change_reason(reason)
    result = {'changed': False, 'created': False, 'data_type_created': False, 'type': None, 'before': None,
              'after': None, 'duplicates': [], 'kept_flags': {}, 'warnings': []}
    with transaction.atomic():
        plan = Plan()
        user_obj = history_user(user, plan)
        rows = list(type_model.objects.filter(name=name).select_related('attribute_type').order_by('pk'))
        if len(rows) > 1:
            result['duplicates'] = [type_record(scope, row) for row in rows]
            result['warnings'].append(
                '%d %s attribute types are named %r (ids %s): nothing changed; merge or rename them in ColdFront'
                % (len(rows), scope, name, ', '.join(str(row.pk) for row in rows)))
            return result
        current = rows[0] if rows else None
        wanted_data = data_type or (current.attribute_type.name if current else 'Text')
        data_row = None
        if current is None or current.attribute_type.name != wanted_data:
            data_row, result['data_type_created'] = _data_type(data_model, wanted_data, create_data_type, check_mode,
                                                               plan.errors)
        if current is not None and data_row is not None:
            used = attribute_model.objects.filter(**{link: current}).count()
            if used:
                plan.errors.append('%s attribute type %r (id %d) is %s and %d attribute(s) use it: refusing to change its '
                                   'data type to %s' % (scope, name, current.pk, current.attribute_type.name, used,
                                                        wanted_data))
        if plan.errors:
            raise ValidationFailed(plan.errors)
        with attributed(reason_text, user_obj):
            if current is None:
                _create_type(result, type_model(name=name, attribute_type=data_row, **flags), scope, data_row,
                             check_mode, (reason_text, user_obj))
            else:
                _update_type(result, current, scope, data_row, flags, keep, check_mode, (reason_text, user_obj))
    return result


def _create_type(result, row, scope, data_row, check_mode, history):
    """Save the new type ``row`` (not in check mode) and fill ``result``."""
    result['created'] = result['changed'] = True
    result['after'] = _unsaved_record(scope, row, data_row)
    if not check_mode:
        save_with_reason(row, *history)
        result['after'] = type_record(scope, row)
    result['type'] = result['after']


def _update_type(result, current, scope, data_row, flags, keep, check_mode, history):
    """Give the existing type ``current`` the data type ``data_row`` (None: keep) and the flags not in ``keep``."""
    result['before'] = type_record(scope, current)
    result['kept_flags'] = flag_differences(result['before'], dict(
        (flag, value) for flag, value in flags.items() if flag in keep))
    updates = dict((flag, value) for flag, value in flags.items()
                   if flag not in keep and getattr(current, flag) != value)
    for flag, value in updates.items():
        setattr(current, flag, value)
    if data_row is not None:
        current.attribute_type = data_row
        updates['data_type'] = data_row.name
    result['after'] = result['type'] = _unsaved_record(scope, current, current.attribute_type)
    result['changed'] = bool(updates)
    if updates and not check_mode:
        save_with_reason(current, *history)


def in_one_transaction(items, handle):
    """``handle(item)`` for every item, in order, inside ONE transaction; returns what each call returned.

    Each :func:`ensure_attribute_type` / :func:`remove_attribute_type` call opens its own ``atomic()`` block,
    which becomes a savepoint of this transaction (on SQLite the outer block starts with BEGIN IMMEDIATE, see
    ``coldfront.setup_django``, as every ColdFront write of the collection does).  When an item is refused the
    remaining items are still checked, so that one message lists every problem, then the whole transaction is
    rolled back: the items before the refused one are not written either.  Raises :class:`ValidationFailed`
    (problems prefixed ``types[<index>] (<scope> '<name>')``); a database error also rolls everything back.
    """
    from django.db import transaction  # pylint: disable=import-outside-toplevel
    results, errors = [], []
    with transaction.atomic():
        for index, item in enumerate(items):
            try:
                results.append(handle(item))
            except ValidationFailed as exc:
                errors.extend('types[%d] (%s %r): %s' % (index, item.get('scope'), item.get('name'), error)
                              for error in exc.errors)
        if errors:
            raise ValidationFailed(errors)  # leaves the atomic block: everything is rolled back
    return results


def _unsaved_record(scope, row, data_row):
    record = {'id': row.pk, 'name': row.name, 'scope': scope, 'data_type': data_row.name}
    for flag in FLAGS[scope]:
        record[flag] = getattr(row, flag)
    return record


def remove_attribute_type(scope, name, reason=None, user=None, check_mode=False):
    """Delete every ``scope`` attribute type named ``name`` if no attribute uses any of them.

    Returns ``{'changed', 'removed': [records]}``; raises :class:`ValidationFailed` when one is used.
    """
    from django.db import transaction  # pylint: disable=import-outside-toplevel
    errors = _check_type_request(scope, name, None, {})
    if errors:
        raise ValidationFailed(errors)
    type_model, _data_model, attribute_model, link = _type_models(scope)
    reason_text = change_reason(reason)
    with transaction.atomic():
        plan = Plan()
        user_obj = history_user(user, plan)
        rows = list(type_model.objects.filter(name=name).select_related('attribute_type').order_by('pk'))
        for row in rows:
            used = attribute_model.objects.filter(**{link: row}).count()
            if used:
                plan.errors.append('%s attribute type %r (id %d) is used by %d attribute(s): not removed (remove or '
                                   'move those attributes first)' % (scope, name, row.pk, used))
        if plan.errors:
            raise ValidationFailed(plan.errors)
        removed = [type_record(scope, row) for row in rows]
        if not check_mode:
            with attributed(reason_text, user_obj):
                for row in rows:
                    tag_history(row, reason_text, user_obj)
                    row.delete()
    return {'changed': bool(removed), 'removed': removed}


# ---- the coldfront_attribute_type module ---------------------------------------------------------
def item_flags(item):
    """The flags one type of ``coldfront_attribute_type`` asks for: its flag options, its ``access`` word applied."""
    flags = dict((flag, item.get(flag)) for flag in FLAG_NAMES)
    access = item.get('access')
    if access is None:
        return flags
    if item.get('scope') != 'allocation':
        raise ValidationFailed(['access applies to allocation attribute types only, not to the %s type %r'
                                % (item.get('scope'), item.get('name'))])
    given = [flag for flag in ACCESS_FLAGS if flags.get(flag) is not None]
    if given:
        raise ValidationFailed(['give access or %s, not both' % ' and '.join(given)])
    try:
        flags.update(access_flags(access))
    except ValueError as exc:
        raise ValidationFailed([str(exc)])
    return flags


class AttributeTypesTask:
    """What ``hpc.coldfront_ecs.coldfront_attribute_type`` does with its options ``params``; :meth:`run` -> result.

    ``warn(text)`` receives the warnings; ``diff`` adds the before/after of what changed.
    """

    def __init__(self, params, reason=None, user=None, check_mode=False, diff=False, warn=None):
        self.params = params
        self.history = {'reason': reason, 'user': user, 'check_mode': check_mode}
        self.diff = diff
        self.warn = warn or (lambda text: None)

    def handle(self, item):
        """Ensure (or remove) the one type ``item`` describes; the single-form result and the diff parts."""
        if item.get('state', 'present') == 'absent':
            result = remove_attribute_type(item['scope'], item['name'], **self.history)
            output = {'changed': result['changed'], 'removed': result['removed'], 'type': None, 'created': False,
                      'data_type_created': False, 'duplicates': [], 'kept_flags': {}, 'warnings': []}
            return output, {'types': result['removed']}, {'types': []}
        result = ensure_attribute_type(item['scope'], item['name'], item.get('data_type'), item_flags(item),
                                       create_data_type=self.params.get('create_data_type', True),
                                       keep=self.params.get('keep_existing_flags') or (), **self.history)
        output = dict((key, result[key]) for key in ('changed', 'created', 'data_type_created', 'type', 'duplicates',
                                                     'kept_flags', 'warnings'))
        return output, result['before'] or {}, result['after'] or {}

    def run(self):
        """The module result: the single form (``name``) or the list form (``types``)."""
        if self.params.get('types') is None:
            return self.one()
        return self.several(self.params['types'])

    def one(self):
        output, before, after = self.handle(self.params)
        for warning in output.pop('warnings'):
            self.warn(warning)
        if self.diff:
            output['diff'] = {'before': before, 'after': after}
        return output

    def several(self, items):
        outputs, diff = [], {'before': {}, 'after': {}}
        # One transaction for the whole list: a refused item leaves nothing written (ValidationFailed fails the task).
        for item, (output, before, after) in zip(items, in_one_transaction(items, self.handle)):
            for warning in output['warnings']:
                self.warn(warning)
            if output['changed']:
                key = '%s/%s' % (item['scope'], item['name'])
                diff['before'][key], diff['after'][key] = before, after
            outputs.append(dict(output, scope=item['scope'], name=item['name']))
        result = {'changed': any(output['changed'] for output in outputs), 'types': outputs}
        if self.diff:
            result['diff'] = diff
        return result


# ---- resources ---------------------------------------------------------------------------------
def resource_summary(resource, attributes):
    """The resource fields and attributes as a plain dict (for before/after)."""
    summary = {'name': resource.name, 'resource_type': resource.resource_type.name,
               'parent_resource': resource.parent_resource.name if resource.parent_resource_id else None}
    for field in RESOURCE_FIELDS:
        summary[field] = getattr(resource, field)
    summary['attributes'] = attributes
    return summary


def _resource_type(name, create, description, check_mode, errors):
    from coldfront.core.resource.models import ResourceType  # pylint: disable=import-outside-toplevel
    row = ResourceType.objects.filter(name=name).first()
    if row is not None:
        return row, False
    if not create:
        errors.append('resource type %r does not exist in ColdFront: set create_resource_type to create it' % name)
        return None, False
    return ResourceType(name=name, description=description or name), True


def ensure_resource(name, resource_type=None, fields=None, attributes=None, parent_resource=None,
                    create_resource_type=False, resource_type_description=None, reason=None, user=None,
                    check_mode=False, create_missing=True):
    """Create or update resource ``name`` (fields, type, parent) and set its ``attributes`` (``{name: value}``).

    ``fields``: ``description``, ``is_available``, ``is_public``, ``is_allocatable``, ``requires_payment``
    (None = leave as is / ColdFront default).  Everything is validated first and written in one
    transaction.  Returns ``{'changed', 'created', 'resource_type_created', 'before', 'after',
    'attributes': [resource attribute results]}``.  Raises :class:`ValidationFailed`.
    """
    from django.db import transaction  # pylint: disable=import-outside-toplevel
    from coldfront.core.resource import models  # pylint: disable=import-outside-toplevel
    fields = dict((key, value) for key, value in (fields or {}).items() if value is not None)
    attributes = attributes or {}
    reason_text = change_reason(reason)
    with transaction.atomic():
        plan = Plan()
        user_obj = history_user(user, plan)
        errors = plan.errors
        resource = models.Resource.objects.filter(name=name).select_related('resource_type', 'parent_resource').first()
        created = resource is None
        if created and not resource_type:
            errors.append('resource %r does not exist: resource_type is required to create it' % name)
        if len(name) > 128:
            errors.append('resource name %r is longer than 128 characters' % name)
        type_row, type_created = (None, False)
        if resource_type and (created or resource.resource_type.name != resource_type):
            type_row, type_created = _resource_type(resource_type, create_resource_type, resource_type_description,
                                                    check_mode, errors)
        parent = None
        if parent_resource:
            parent = models.Resource.objects.filter(name=parent_resource).first()
            if parent is None:
                errors.append('parent resource %r does not exist' % parent_resource)
        existing = [] if created else list(resource.resourceattribute_set.select_related('resource_attribute_type'))
        before = None if created else resource_summary(resource, _attribute_values(existing))
        if created:
            resource = models.Resource(name=name, description=fields.pop('description', '') or name)
        changes = dict((key, value) for key, value in fields.items() if created or getattr(resource, key) != value)
        if type_row is not None:
            changes['resource_type'] = type_row
        if parent is not None and (created or resource.parent_resource_id != parent.pk):
            changes['parent_resource'] = parent
        for key, value in changes.items():
            setattr(resource, key, value)
        types = types_by_name(models.ResourceAttributeType, list(attributes))
        for attribute_name, value in sorted(attributes.items()):
            plan_resource_item(plan, resource, existing, attribute_name, value, types, create_missing)
        if errors:
            raise ValidationFailed(errors)
        with attributed(reason_text, user_obj):
            if type_created and not check_mode:
                save_with_reason(type_row, reason_text, user_obj)
                resource.resource_type = type_row
            if (created or changes) and not check_mode:
                save_with_reason(resource, reason_text, user_obj)
            results = apply_planned(plan, reason_text, user_obj, check_mode)['resource_attributes']
    after_attributes = _attribute_values(existing)
    after_attributes.update(dict((item['name'], item['after']) for item in results))
    after = resource_summary(resource, after_attributes)
    return {'changed': created or bool(changes) or any(item['changed'] for item in results), 'created': created,
            'resource_type_created': type_created, 'before': before, 'after': after, 'attributes': results}


def _attribute_values(rows):
    values = {}
    for row in rows:
        values.setdefault(row.resource_attribute_type.name, row.value)
    return values


__all__ = ['ensure_attribute_type', 'remove_attribute_type', 'ensure_resource', 'type_record', 'AttributeTypesTask',
           'ColdFrontError']
