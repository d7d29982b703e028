# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write allocation and resource attributes: validate everything, then write only differences, in one transaction.

    results = apply_allocation_attributes(
        [{'allocation_id': 12, 'name': 'Storage Quota (TB)', 'value': '10', 'usage': 2.5}],
        reason='sync', user='svc-ansible', check_mode=False)
    results = apply_changes(allocation_attributes=[...], resource_attributes=[...], reason='sync')
    apply_allocation_attributes([{'allocation_id': 12, 'name': 'Quota_In_Bytes', 'remove': True}], reason='adopt')

Every call first plans every item (a constant number of queries) and validates values like
ColdFront's ``clean()`` does; if any item is bad, :class:`ValidationFailed` lists all of them and
nothing is written.  Then, in ONE ``transaction.atomic()``, only values that differ are saved; each
save carries ``_change_reason`` ("hpc.coldfront_ecs: <reason>") and ``_history_user`` when a user is
given, so ColdFront's history tells our writes from a person's.  An item with ``remove: True`` deletes the
attribute and its usage row instead, in the same transaction and with the same reason and user on the deletion's
history rows; it is an explicit key so that only attributes a caller names (this collection's own) are deleted.
A no-op call adds no history row.
Call ``coldfront.setup_django()`` first.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import math
import re
from datetime import datetime

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.access import ColdFrontError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.units import format_number, same_number

COLLECTION = 'hpc.coldfront_ecs'
# simple_history stores the reason in a CharField(max_length=100).
MAX_REASON_LENGTH = 100
MAX_ALLOCATION_VALUE_LENGTH = 128
NUMERIC_TYPES = ('Int', 'Float')
# Rows per bulk UPDATE / history INSERT statement (Django lowers it where the database needs fewer parameters).
BULK_BATCH = 500
_INT_RE = re.compile(r'^[+-]?\d+$')
_FLOAT_RE = re.compile(r'^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$')


class ValidationFailed(ColdFrontError):
    """Some items cannot be written; ``errors`` lists every one.  Nothing was written."""

    def __init__(self, errors):
        self.errors = list(errors)
        super(ValidationFailed, self).__init__(
            '%d problem(s), nothing written: %s' % (len(self.errors), '; '.join(self.errors)))


def change_reason(reason=None):
    """``hpc.coldfront_ecs: <reason>``, shortened to the 100 characters ColdFront's history can hold at a word
    boundary, with an ellipsis (a single word longer than half of that is cut where it must be)."""
    text = COLLECTION if not reason else '%s: %s' % (COLLECTION, reason)
    if len(text) <= MAX_REASON_LENGTH:
        return text
    head = text[:MAX_REASON_LENGTH]
    boundary = head.rfind(' ')
    head = head[:boundary] if boundary >= MAX_REASON_LENGTH // 2 else head[:MAX_REASON_LENGTH - 1]
    return head.rstrip(' ,;:')[:MAX_REASON_LENGTH - 1] + '\u2026'


# ---- values ------------------------------------------------------------------------------------
def to_text(value, data_type):
    """The text ColdFront stores for ``value`` (numbers canonical, booleans Yes/No); stripped."""
    if isinstance(value, bool):
        if data_type != 'Yes/No':
            raise ValueError('a boolean is only valid for a Yes/No attribute')
        return 'Yes' if value else 'No'
    if isinstance(value, int):
        return str(value)  # exact, even beyond float precision (Quota_In_Bytes)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError('%r is not a finite number' % value)
        return format_number(value)
    if isinstance(value, str):
        return value.strip()
    raise ValueError('%r is not text or a number' % (value,))


def validate_allocation_value(text, data_type):
    """ColdFront's AllocationAttribute.clean() rules; returns an error text or None."""
    if len(text) > MAX_ALLOCATION_VALUE_LENGTH:
        return 'value is %d characters long; ColdFront allows at most %d' % (len(text), MAX_ALLOCATION_VALUE_LENGTH)
    return _validate_common(text, data_type, date_format=('%Y-%m-%d', 'YYYY-MM-DD'))


def validate_resource_value(text, data_type):
    """ColdFront's ResourceAttribute.clean() rules (Int is digits only; dates MM/DD/YYYY) plus Float and Yes/No."""
    if data_type == 'Int' and not text.isdigit():
        return 'value %r is not an Int: ColdFront wants digits only for resource attributes' % text
    for allowed in (('Active', 'Inactive'), ('Public', 'Private')):
        if data_type == '/'.join(allowed) and text not in allowed:
            return 'value %r is not %s: use exactly "%s" or "%s"' % (text, data_type, allowed[0], allowed[1])
    return _validate_common(text, data_type, date_format=('%m/%d/%Y', 'MM/DD/YYYY'))


def _validate_common(text, data_type, date_format):
    if data_type == 'Int' and not _INT_RE.match(text):
        return 'value %r is not an Int' % text
    if data_type == 'Float' and not _FLOAT_RE.match(text):
        return 'value %r is not a Float' % text
    if data_type == 'Yes/No' and text not in ('Yes', 'No'):
        return 'value %r is not Yes/No: use exactly "Yes" or "No"' % text
    if data_type == 'Date':
        try:
            datetime.strptime(text, date_format[0])
        except ValueError:
            return 'value %r is not a Date in the format %s' % (text, date_format[1])
    return None


def to_usage(usage):
    """A usage as a float; raises ValueError for text, booleans, NaN and infinities."""
    if isinstance(usage, bool):
        raise ValueError('usage %r is not a number' % (usage,))
    try:
        number = float(usage)
    except (TypeError, ValueError):
        raise ValueError('usage %r is not a number' % (usage,))
    if not math.isfinite(number):
        raise ValueError('usage %r is not a finite number' % (usage,))
    return number


def same_value(current, wanted, data_type):
    """Whether a stored value already says ``wanted``: exact integers for Int, numeric equality for Float."""
    if current is None:
        return False
    current = current.strip()
    if data_type == 'Int' and _INT_RE.match(current) and _INT_RE.match(wanted):
        return int(current) == int(wanted)
    if data_type in NUMERIC_TYPES and same_number(current, wanted):
        return True
    return current == wanted


# ---- type lookups ------------------------------------------------------------------------------
def types_by_name(model, names):
    """``{name: [types...]}`` for ``names`` in one query (names are NOT unique in ColdFront)."""
    found = {}
    for row in model.objects.filter(name__in=sorted(set(names))).select_related('attribute_type').order_by('pk'):
        found.setdefault(row.name, []).append(row)
    return found


def single_type(found, name, scope):
    """The only type named ``name``, else an error text (missing, or duplicates with their ids)."""
    rows = found.get(name, [])
    if not rows:
        return None, ("%s attribute type %r does not exist in ColdFront: create it first "
                      "(hpc.coldfront_ecs.coldfront_attribute_type)" % (scope, name))
    if len(rows) > 1:
        return None, ('%s attribute type name %r is ambiguous: %d types have it (ids %s); merge or rename them in '
                      'ColdFront before writing' % (scope, name, len(rows), ', '.join(str(row.pk) for row in rows)))
    return rows[0], None


# ---- plans -------------------------------------------------------------------------------------
class Plan:
    """The checked changes of one call: allocation and resource attribute items, then errors."""

    def __init__(self):
        self.allocation_items = []
        self.resource_items = []
        self.errors = []


def _models():
    from django.contrib.auth.models import User  # pylint: disable=import-outside-toplevel
    from coldfront.core.allocation import models as allocation  # pylint: disable=import-outside-toplevel
    from coldfront.core.resource import models as resource  # pylint: disable=import-outside-toplevel
    return User, allocation, resource


def _allocation_label(allocation_id, name):
    return 'allocation %s %r' % (allocation_id, name)


def _item_keys(item, required, optional, label):
    if not isinstance(item, dict):
        return '%s: not a dict' % label
    unknown = sorted(set(item) - set(required) - set(optional))
    missing = [key for key in required if item.get(key) in (None, '')]
    if unknown:
        return '%s: unknown key(s) %s' % (label, ', '.join(unknown))
    if missing:
        return '%s: missing %s' % (label, ', '.join(missing))
    return None


def _allocation_item(index, item):
    """``(error, item)``: one item checked on its own, with its id an int and a false ``remove`` dropped."""
    error = _item_keys(item, ('allocation_id', 'name'), ('value', 'usage', 'remove'), 'item %d' % index)
    if error:
        return error, item
    try:
        item = dict(item, allocation_id=int(item['allocation_id']), name=str(item['name']))
    except (TypeError, ValueError):
        return 'item %d: allocation_id %r is not an integer' % (index, item['allocation_id']), item
    label = _allocation_label(item['allocation_id'], item['name'])
    if item.get('remove') is False:
        del item['remove']
    if 'remove' in item:
        # An explicit key, never a missing value: only attributes the caller names for removal are deleted.
        if item['remove'] is not True:
            return '%s: remove %r is not true or false' % (label, item['remove']), item
        if item.get('value') is not None or item.get('usage') is not None:
            return '%s: remove takes neither a value nor a usage' % label, item
    elif item.get('value') is None and item.get('usage') is None:
        return '%s: give a value, a usage or both' % label, item
    return None, item


def plan_allocation_attributes(plan, items, create_missing=True):
    """Check ``[{allocation_id, name, value?, usage?, remove?}]`` and add the planned changes to ``plan``."""
    _User, allocation_models, _resource = _models()
    good, seen = [], {}
    for index, item in enumerate(items):
        error, item = _allocation_item(index, item)
        if not error and (item['allocation_id'], item['name']) in seen:
            previous = seen[(item['allocation_id'], item['name'])]
            if previous != item:
                error = '%s: given twice with different values' % _allocation_label(item['allocation_id'], item['name'])
            else:
                continue
        if error:
            plan.errors.append(error)
            continue
        seen[(item['allocation_id'], item['name'])] = item
        good.append(item)

    types = types_by_name(allocation_models.AllocationAttributeType, [item['name'] for item in good])
    allocations = _allocation_attributes(allocation_models, sorted(set(item['allocation_id'] for item in good)),
                                         dict((row.pk, row) for rows in types.values() for row in rows))
    for item in good:
        error, change = _plan_allocation_item(item, types, allocations, create_missing)
        if error:
            plan.errors.append(error)
        else:
            plan.allocation_items.append(change)
    return plan


def _allocation_attributes(allocation_models, allocation_ids, types):
    """``{allocation id: [its attributes of the ``types`` ({id: type}), with usage]}`` for the allocations that exist.

    Two queries; the attributes are grouped here rather than by a prefetch onto Allocation instances (a queryset
    per allocation), and get the type instances already read instead of a copy per row.
    """
    found = dict((pk, []) for pk in allocation_models.Allocation.objects.filter(pk__in=allocation_ids).values_list(
        'pk', flat=True))
    attributes = allocation_models.AllocationAttribute.objects.filter(
        allocation_id__in=allocation_ids, allocation_attribute_type_id__in=sorted(types)).select_related(
        'allocationattributeusage').order_by('pk')
    for row in attributes:
        row.allocation_attribute_type = types[row.allocation_attribute_type_id]
        found[row.allocation_id].append(row)
    return found


def _plan_allocation_item(item, types, allocations, create_missing):
    allocation_id, name = item['allocation_id'], item['name']
    label = _allocation_label(allocation_id, name)
    if allocation_id not in allocations:
        return '%s: allocation %d does not exist' % (label, allocation_id), None
    attribute_type, error = single_type(types, name, 'allocation')
    if error:
        return '%s: %s' % (label, error), None
    data_type = attribute_type.attribute_type.name.strip()
    existing = [row for row in allocations[allocation_id] if row.allocation_attribute_type_id == attribute_type.pk]
    if len(existing) > 1:
        return ('%s: the allocation has %d %r attributes (ids %s); remove the duplicates in ColdFront before writing'
                % (label, len(existing), name, ', '.join(str(row.pk) for row in existing))), None
    attribute = existing[0] if existing else None
    change = {'allocation_id': allocation_id, 'type': attribute_type, 'data_type': data_type, 'attribute': attribute,
              'name': name, 'value': None, 'usage': None, 'remove': bool(item.get('remove'))}
    if change['remove']:
        return None, change  # a missing attribute is nothing to remove: no error, no change
    problems = []
    if item.get('value') is not None:
        try:
            change['value'] = to_text(item['value'], data_type)
        except ValueError as exc:
            problems.append(str(exc))
        else:
            problem = validate_allocation_value(change['value'], data_type)
            if problem:
                problems.append('%s (%s attribute)' % (problem, data_type))
    if item.get('usage') is not None:
        if not attribute_type.has_usage:
            problems.append('type %r (id %d) has no usage (has_usage is false): a usage cannot be recorded for it'
                            % (name, attribute_type.pk))
        else:
            try:
                change['usage'] = to_usage(item['usage'])
            except ValueError as exc:
                problems.append(str(exc))
    if attribute is None and not problems:
        if change['value'] is None:
            problems.append('the allocation has no %r attribute: give a value to create it' % name)
        elif not create_missing:
            problems.append('the allocation has no %r attribute and create_missing is false' % name)
    if problems:
        return '%s: %s' % (label, '; '.join(problems)), None
    return None, change


def _resource_key(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    return int(text) if text.isdigit() else text


def plan_resource_attributes(plan, items, create_missing=True):
    """Check ``[{resource (name or id), name, value}]`` and add the planned changes to ``plan``."""
    _User, _allocation, resource_models = _models()
    good, seen = [], {}
    for index, item in enumerate(items):
        error = _item_keys(item, ('resource', 'name', 'value'), (), 'item %d' % index)
        key = None if error else (_resource_key(item['resource']), str(item['name']))
        if not error and key in seen:
            if seen[key] != item:
                error = 'resource %s %r: given twice with different values' % key
            else:
                continue
        if error:
            plan.errors.append(error)
            continue
        seen[key] = item
        good.append((key, item))

    from django.db.models import Prefetch, Q  # pylint: disable=import-outside-toplevel
    ids = [key[0] for key, _item in good if isinstance(key[0], int)]
    names = [key[0] for key, _item in good if not isinstance(key[0], int)]
    attributes = resource_models.ResourceAttribute.objects.select_related('resource_attribute_type').order_by('pk')
    resources = {}
    for row in resource_models.Resource.objects.filter(Q(pk__in=ids) | Q(name__in=names)).prefetch_related(
            Prefetch('resourceattribute_set', queryset=attributes)):
        resources[row.pk] = resources[row.name] = row
    types = types_by_name(resource_models.ResourceAttributeType, [key[1] for key, _item in good])
    for (resource_key, name), item in good:
        resource = resources.get(resource_key)
        if resource is None:
            plan.errors.append('resource %s %r: resource %s does not exist' % (resource_key, name, resource_key))
            continue
        plan_resource_item(plan, resource, list(resource.resourceattribute_set.all()), name, item['value'], types,
                           create_missing)
    return plan


def plan_resource_item(plan, resource, existing, name, value, types, create_missing=True):
    """Check one resource attribute (``existing``: the resource's attribute rows; ``resource`` may be unsaved)."""
    attribute_type, error = single_type(types, name, 'resource')
    if error:
        plan.errors.append('resource %s %r: %s' % (resource.name, name, error))
        return
    data_type = attribute_type.attribute_type.name.strip()
    try:
        text = to_text(value, data_type)
        problem = validate_resource_value(text, data_type)
    except ValueError as exc:
        problem = str(exc)
    attribute = next((row for row in existing if row.resource_attribute_type_id == attribute_type.pk), None)
    if not problem and attribute is None and not create_missing:
        problem = 'the resource has no %r attribute and create_missing is false' % name
    if problem:
        plan.errors.append('resource %s %r: %s (%s attribute)' % (resource.name, name, problem, data_type))
        return
    plan.resource_items.append({'resource': resource, 'type': attribute_type, 'data_type': data_type,
                                'attribute': attribute, 'name': name, 'value': text})


# ---- execution ---------------------------------------------------------------------------------
@contextlib.contextmanager
def attributed(reason, user):
    """Every history row written inside gets ``reason`` and ``user`` when the saver set none.

    Covers rows ColdFront writes on its own, such as the usage row ``AllocationAttribute.save()``
    creates for a type with usage.
    """
    from simple_history.signals import pre_create_historical_record  # pylint: disable=import-outside-toplevel

    def fill(sender, history_instance=None, **_kwargs):  # pylint: disable=unused-argument
        if not history_instance.history_change_reason:
            history_instance.history_change_reason = reason
        if user is not None and history_instance.history_user_id is None:
            history_instance.history_user_id = user.pk

    pre_create_historical_record.connect(fill, weak=False, dispatch_uid='hpc.coldfront_ecs.attributed')
    try:
        yield
    finally:
        pre_create_historical_record.disconnect(dispatch_uid='hpc.coldfront_ecs.attributed')


def tag_history(instance, reason, user=None):
    """Give the history row that the next ``save()`` or ``delete()`` of ``instance`` writes its reason and user.

    django-simple-history reads them from the instance's ``_change_reason`` and ``_history_user`` attributes: that is
    its documented way to set them, so they are set here, in one place.
    """
    setattr(instance, '_change_reason', reason)
    if user is not None:
        setattr(instance, '_history_user', user)


def save_with_reason(instance, reason, user):
    """``instance.save()`` with the history reason (and user) set."""
    tag_history(instance, reason, user)
    instance.save()


class BulkUpdates:
    """Updates of existing rows, written together at :meth:`flush`: ``bulk_update`` plus one history row each.

    The history rows are what ``save()`` would add (type ``~``, every tracked field, the change reason, the
    history user, ``modified`` set to now), made with django-simple-history's ``bulk_history_create``: a few
    statements per few hundred rows instead of about six per row.  Only plain updates come here; creations and saves
    that ColdFront's own ``save()`` extends (a missing usage row) still go through ``save()``.
    """

    def __init__(self, reason, user):
        self.reason = reason
        self.user = user
        self.rows = {}

    def add(self, instance, field):
        fields = self.rows.setdefault(type(instance), {}).setdefault(instance.pk, (instance, set()))[1]
        fields.add(field)

    def flush(self):
        from django.utils import timezone  # pylint: disable=import-outside-toplevel
        now = timezone.now()
        for model, rows in self.rows.items():
            instances = [instance for instance, _fields in rows.values()]
            fields = sorted(set(field for _instance, row_fields in rows.values() for field in row_fields) | {'modified'})
            for instance in instances:
                instance.modified = now
            update_rows(model, instances, fields)
            model.history.bulk_history_create(instances, update=True, default_user=self.user,
                                              default_change_reason=self.reason, default_date=now, batch_size=BULK_BATCH)
        self.rows = {}


def update_rows(model, instances, fields):
    """``UPDATE <table> SET <fields> WHERE pk = ...`` for each instance, in one ``executemany``.

    What ``QuerySet.bulk_update`` does, without its CASE WHEN expressions, which grow with every row (docs/performance.md).
    """
    from django.db import connection  # pylint: disable=import-outside-toplevel
    quote = connection.ops.quote_name
    meta = getattr(model, '_meta')  # Django's documented Model._meta API
    columns = [meta.get_field(name) for name in fields]
    assignments = ', '.join('%s = %%s' % quote(field.column) for field in columns)
    sql = 'UPDATE %s SET %s WHERE %s = %%s' % (quote(meta.db_table), assignments, quote(meta.pk.column))
    rows = [[field.get_db_prep_save(getattr(instance, field.attname), connection) for field in columns] +
            [meta.pk.get_db_prep_save(instance.pk, connection)] for instance in instances]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def delete_with_reason(instance, reason, user):
    """``instance.delete()`` with the history reason (and user) set: the deletion's history row says who and why."""
    tag_history(instance, reason, user)
    instance.delete()


def _remove_allocation_item(change, reason, user, check_mode):
    """Delete the attribute and its usage row (a missing attribute is no change).

    The usage row is deleted first, itself, so that its history row carries the reason and user too, instead of
    relying on the cascade (whose instances the caller never sees).
    """
    attribute = change['attribute']
    usage_row = None if attribute is None else getattr(attribute, 'allocationattributeusage', None)
    before = None if attribute is None else {
        'value': attribute.value, 'usage': None if usage_row is None else float(usage_row.value)}
    attribute_id = None if attribute is None else attribute.pk
    if attribute is not None and not check_mode:
        if usage_row is not None:
            delete_with_reason(usage_row, reason, user)
        delete_with_reason(attribute, reason, user)
    return {
        'allocation_id': change['allocation_id'],
        'name': change['name'],
        'attribute_id': attribute_id,
        'created': False,
        'removed': True,
        'changed': attribute is not None,
        'before': before,
        'after': None,
    }


def _apply_allocation_item(change, reason, user, check_mode, bulk=None):
    if change.get('remove'):
        return _remove_allocation_item(change, reason, user, check_mode)
    _User, allocation_models, _resource = _models()
    attribute, attribute_type = change['attribute'], change['type']
    usage_row = getattr(attribute, 'allocationattributeusage', None) if attribute is not None and attribute_type.has_usage else None
    before = None if attribute is None else {
        'value': attribute.value, 'usage': None if usage_row is None else float(usage_row.value)}
    write_value = change['value'] is not None and (
        attribute is None or not same_value(attribute.value, change['value'], change['data_type']))
    write_usage = change['usage'] is not None and (usage_row is None or not same_number(usage_row.value, change['usage']))
    after = dict(before or {'value': None, 'usage': None})
    if write_value:
        after['value'] = change['value']
    if write_usage:
        after['usage'] = change['usage']
    elif attribute_type.has_usage and usage_row is None and (attribute is None or write_value):
        after['usage'] = 0.0  # the usage row is created (by us or ColdFront's save()) with 0
    if not check_mode:
        created = attribute is None
        if created:
            attribute = allocation_models.AllocationAttribute(
                allocation_id=change['allocation_id'], allocation_attribute_type=attribute_type, value=change['value'])
            # The plain model save: the usage row is then created once, below, with its value, instead
            # of ColdFront's save() creating it at 0 and a second save setting the value.
            tag_history(attribute, reason, user)
            super(allocation_models.AllocationAttribute, attribute).save()
        elif write_value:
            attribute.value = change['value']
            if bulk is not None and (usage_row is not None or not attribute_type.has_usage):
                bulk.add(attribute, 'value')
            else:
                save_with_reason(attribute, reason, user)  # ColdFront's save() adds a missing usage row itself
        if attribute_type.has_usage and (created or write_usage):
            if bulk is not None and usage_row is not None and not created:
                usage_row.value = change['usage']
                bulk.add(usage_row, 'value')
            else:
                if usage_row is None:  # none was read with the attribute (ColdFront's save() may have made one)
                    usage_row = (allocation_models.AllocationAttributeUsage.objects.filter(
                        allocation_attribute=attribute).first() or
                        allocation_models.AllocationAttributeUsage(allocation_attribute=attribute, value=0.0))
                if write_usage:
                    usage_row.value = change['usage']
                save_with_reason(usage_row, reason, user)
    return {
        'allocation_id': change['allocation_id'],
        'name': change['name'],
        'attribute_id': None if attribute is None else attribute.pk,
        'created': before is None,
        'removed': False,
        'changed': before is None or write_value or write_usage,
        'before': before,
        'after': after,
    }


def _apply_resource_item(change, reason, user, check_mode):
    _User, _allocation, resource_models = _models()
    attribute = change['attribute']
    before = None if attribute is None else attribute.value
    changed = attribute is None or not same_value(attribute.value, change['value'], change['data_type'])
    if changed and not check_mode:
        if attribute is None:
            attribute = resource_models.ResourceAttribute(
                resource=change['resource'], resource_attribute_type=change['type'], value=change['value'])
        attribute.value = change['value']
        save_with_reason(attribute, reason, user)
    return {
        'resource': change['resource'].name,
        'resource_id': change['resource'].pk,
        'name': change['name'],
        'attribute_id': None if attribute is None else attribute.pk,
        'created': before is None,
        'changed': changed,
        'before': before,
        'after': change['value'] if changed else before,
    }


def history_user(username, plan=None):
    """The ColdFront ``User`` named ``username`` (None for None); a missing one is an error in ``plan``."""
    if not username:
        return None
    User, _allocation, _resource = _models()
    user = User.objects.filter(username=username).first()
    if user is None:
        message = 'history_user %r is not a ColdFront user name' % username
        if plan is None:
            raise ValidationFailed([message])
        plan.errors.append(message)
    return user


def lock_targets(allocation_items, resource_items):
    """Lock the allocation and resource rows about to get attributes (``SELECT ... FOR UPDATE``, in id order).

    Two writers of the same attributes (two syncs, two provision runs) then take turns: the second plans after the
    first committed, so it neither creates a second row of an attribute nor trips over a unique constraint.  Call
    inside the transaction, before planning.  SQLite has no row locks (its writers already take turns, see
    ``coldfront.setup_django``); malformed items are left to the plan to report.
    """
    from django.db.models import Q  # pylint: disable=import-outside-toplevel
    _User, allocation_models, resource_models = _models()
    allocation_ids = sorted(set(_resource_key(item.get('allocation_id')) for item in allocation_items
                                if isinstance(item, dict) and str(item.get('allocation_id')).isdigit()))
    keys = set(_resource_key(item.get('resource')) for item in resource_items
               if isinstance(item, dict) and item.get('resource') is not None)
    if allocation_ids:
        list(allocation_models.Allocation.objects.select_for_update().filter(pk__in=allocation_ids)
             .order_by('pk').values_list('pk', flat=True))
    if keys:
        ids = [key for key in keys if isinstance(key, int)]
        names = [key for key in keys if not isinstance(key, int)]
        list(resource_models.Resource.objects.select_for_update().filter(Q(pk__in=ids) | Q(name__in=names))
             .order_by('pk').values_list('pk', flat=True))


def apply_changes(allocation_attributes=(), resource_attributes=(), reason=None, user=None, check_mode=False,
                  create_missing=True):
    """Allocation and resource attribute items, validated together, written in ONE transaction.

    Returns ``{'allocation_attributes': [result...], 'resource_attributes': [result...], 'changed': bool}``.
    An allocation result: ``{allocation_id, name, attribute_id, created, removed, changed, before: {value,
    usage} or None, after: {value, usage} or None (removed)}``; a resource result: ``{resource, resource_id, name,
    attribute_id, created, changed, before: value or None, after: value}``.  Raises :class:`ValidationFailed`.
    """
    from django.db import transaction  # pylint: disable=import-outside-toplevel
    reason_text = change_reason(reason)
    allocation_attributes, resource_attributes = list(allocation_attributes or ()), list(resource_attributes or ())
    with transaction.atomic():
        lock_targets(allocation_attributes, resource_attributes)
        plan = Plan()
        user_obj = history_user(user, plan)
        plan_allocation_attributes(plan, allocation_attributes, create_missing)
        plan_resource_attributes(plan, resource_attributes, create_missing)
        if plan.errors:
            raise ValidationFailed(plan.errors)
        with attributed(reason_text, user_obj):
            return apply_planned(plan, reason_text, user_obj, check_mode)


def apply_planned(plan, reason_text, user_obj, check_mode):
    """Write the items of a checked ``plan`` (inside the caller's transaction and :func:`attributed`)."""
    bulk = None if check_mode else BulkUpdates(reason_text, user_obj)
    result = {
        'allocation_attributes': [_apply_allocation_item(change, reason_text, user_obj, check_mode, bulk)
                                  for change in plan.allocation_items],
        'resource_attributes': [_apply_resource_item(change, reason_text, user_obj, check_mode)
                                for change in plan.resource_items],
    }
    if bulk is not None:
        bulk.flush()
    result['changed'] = any(item['changed'] for key in ('allocation_attributes', 'resource_attributes')
                            for item in result[key])
    return result


def apply_allocation_attributes(items, reason=None, user=None, check_mode=False, create_missing=True):
    """Set value and/or usage of ``[{allocation_id, name, value?, usage?}]``, or remove ``[{allocation_id, name,
    remove: True}]``; see :func:`apply_changes`."""
    return apply_changes(allocation_attributes=items, reason=reason, user=user, check_mode=check_mode,
                         create_missing=create_missing)['allocation_attributes']


def apply_resource_attributes(items, reason=None, user=None, check_mode=False, create_missing=True):
    """Set ``[{resource, name, value}]`` (resource = name or id); see :func:`apply_changes`."""
    return apply_changes(resource_attributes=items, reason=reason, user=user, check_mode=check_mode,
                         create_missing=create_missing)['resource_attributes']


def diff_of(result):
    """Ansible ``diff`` (before/after) of the changed items of an :func:`apply_changes` result (a removed
    attribute's ``after`` is None)."""
    before, after = {}, {}
    for item in result.get('allocation_attributes', ()):
        if item['changed']:
            key = 'allocation %s / %s' % (item['allocation_id'], item['name'])
            before[key], after[key] = item['before'], item['after']
    for item in result.get('resource_attributes', ()):
        if item['changed']:
            key = 'resource %s / %s' % (item['resource'], item['name'])
            before[key], after[key] = item['before'], item['after']
    return {'before': before, 'after': after}
