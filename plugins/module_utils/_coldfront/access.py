# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reach ColdFront 1.1.x through its own Django models: bootstrap and the read model.

* :func:`setup_django` sets Django up with ColdFront's settings once per process and checks the
  version and the schema; every failure is one actionable line (database passwords masked).
* :func:`load_resources` returns resources with their attributes and allocations as plain JSON-able
  records, in a constant number of SQL queries; :func:`select_resources` is the pure selection logic.

Django and ColdFront are imported inside functions: importing this file needs neither.
Writes live in :mod:`write`; attribute types and resources in :mod:`schema`; module glue in ``_ansible/coldfront_module``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import sys
import warnings as python_warnings

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.credentials import (
    credential_secrets, hide_secrets, mask_credentials, url_shape_problem)

DEFAULT_SETTINGS_MODULE = 'coldfront.config.settings'
SUPPORTED_SERIES = '1.1'
INSTALL_HINT = (
    "run the task with the Python of ColdFront's virtualenv (ansible_python_interpreter, or delegate_to the "
    "ColdFront host), in an execution environment that has ColdFront, or install it: "
    "pip install 'coldfront>=1.1,<1.2'")
# ColdFront apps whose tables the collection reads and writes: pending migrations there are fatal.
REQUIRED_APPS = ('auth', 'project', 'resource', 'allocation')
DEFAULT_SELECTION = {'name_contains': 'ecs'}
SELECTION_KEYS = ('name_contains', 'resource_types', 'attribute', 'query', 'names')

_STATE = {'version': None, 'checked': {}, 'secrets': set()}


class ColdFrontError(Exception):
    """ColdFront is there but cannot be used: unsupported version, database unreachable, not migrated..."""


class ColdFrontUnavailable(ColdFrontError):
    """ColdFront (or Django) is not importable by this Python; the message carries an install hint."""


class InvalidSelection(ColdFrontError, ValueError):
    """A resource selection that cannot be applied (unknown key, bad JMESPath...)."""


# ---- secrets never leave this module in clear ---------------------------------------------------
def mask_url(url):
    """``url`` (or any text) with the password of every ``user:password@`` and ``password=`` hidden, whatever the
    URL's shape: ``scheme://user:***@host/...``, ``postgres:/user:***@host/db``, ``user:***@host``."""
    return mask_credentials(url or '')


def _remember_secret_from_url(url):
    _STATE['secrets'].update(credential_secrets(url))


def mask(text):
    """``text`` with URL credentials and every database password seen by this process replaced by ``***``."""
    return hide_secrets(mask_url(str(text)), _STATE['secrets'])


def check_db_url(url):
    """Refuse a DB_URL that is no URL (``postgres:/user:pw@host/db``) with a message that shows none of it."""
    problem = url_shape_problem(url) if url else None
    if problem:
        raise ColdFrontError(
            'DB_URL is not a database URL (%s; the value is not shown, it may hold a password): write it like '
            'postgresql://coldfront:***@db.example.org:5432/coldfront (*** being the password) or '
            'sqlite:////srv/coldfront/coldfront.db, in db_url, DB_URL or the DB_URL line of coldfront_env_file'
            % problem)


def _first_line(exc):
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return mask(lines[0] if lines else exc.__class__.__name__)


# ---- bootstrap ---------------------------------------------------------------------------------
def _import_coldfront():
    try:
        import coldfront  # pylint: disable=import-outside-toplevel
        import django  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError as exc:
        raise ColdFrontUnavailable('ColdFront is not importable by %s (%s): %s' % (sys.executable, exc, INSTALL_HINT))
    return coldfront


def check_version(version):
    """Raise :class:`ColdFrontError` unless ``version`` is in the supported 1.1.x series."""
    text = str(version or '')
    if text != SUPPORTED_SERIES and not text.startswith(SUPPORTED_SERIES + '.'):
        raise ColdFrontError(
            'ColdFront %s is not supported: hpc.coldfront_ecs works with ColdFront %s.x (its models and '
            'attribute conventions); use a %s.x release' % (text or '(no VERSION)', SUPPORTED_SERIES, SUPPORTED_SERIES))
    return text


def describe_database(settings_dict):
    """``postgresql coldfront@127.0.0.1:5432/coldfront`` or ``sqlite /path/db``: never the password."""
    engine = settings_dict.get('ENGINE', '').rsplit('.', 1)[-1]
    if engine == 'sqlite3':
        return mask('sqlite %s' % settings_dict.get('NAME'))
    # Masked too: a DB_URL with a slash missing leaves its password in NAME or HOST.
    return mask('%s %s@%s:%s/%s' % (engine, settings_dict.get('USER') or '', settings_dict.get('HOST') or 'localhost',
                                    settings_dict.get('PORT') or 'default', settings_dict.get('NAME')))


def _set_environment(env_file, db_url, settings_module, secret_key):
    if os.environ.get('DB_URL') == '':
        # An empty DB_URL (AWX injects every credential field, empty or not) would hide the env file's DB_URL.
        del os.environ['DB_URL']
    if env_file:
        if not os.path.isfile(env_file) or not os.access(env_file, os.R_OK):
            raise ColdFrontError('ColdFront env file %s does not exist or is not readable (coldfront_env_file / '
                                 'COLDFRONT_ENV)' % env_file)
        os.environ['COLDFRONT_ENV'] = env_file
    if db_url:
        os.environ['DB_URL'] = db_url
    if settings_module:
        os.environ['DJANGO_SETTINGS_MODULE'] = settings_module
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', DEFAULT_SETTINGS_MODULE)
    if secret_key:
        os.environ['SECRET_KEY'] = secret_key


def _check_sqlite_file(settings_dict):
    """A missing SQLite file would be created empty by the first query: refuse instead."""
    if not settings_dict.get('ENGINE', '').endswith('sqlite3'):
        return
    name = str(settings_dict.get('NAME') or '')
    if name and name != ':memory:' and not os.path.exists(name):
        hint = ('' if os.environ.get('DB_URL') else ' DB_URL is not set, so ColdFront looked in the current directory;')
        raise ColdFrontError('the ColdFront SQLite database %s does not exist.%s set db_url / DB_URL or '
                             'coldfront_env_file to the database ColdFront uses' % (name, hint))


def _serialize_sqlite_writers(settings_dict):
    """SQLite: start transactions with BEGIN IMMEDIATE and wait up to 60 s for the write lock.

    With SQLite's default deferred transactions, two processes that read then write (two resources synced at
    once, a person saving in the web UI) fail at once with "database is locked" instead of waiting their turn.
    """
    if settings_dict.get('ENGINE', '').endswith('sqlite3'):
        options = settings_dict.setdefault('OPTIONS', {})
        options.setdefault('transaction_mode', 'IMMEDIATE')
        options.setdefault('timeout', 60)


def _check_schema(connection, description):
    """Connect and compare applied migrations with the installed code."""
    from django.db.migrations.executor import MigrationExecutor  # pylint: disable=import-outside-toplevel
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # pylint: disable=broad-except
        raise ColdFrontError('cannot reach the ColdFront database (%s): %s. Check db_url / DB_URL / coldfront_env_file '
                             'and that the database server is up' % (description, _first_line(exc)))
    pending = ['%s.%s' % (migration.app_label, migration.name) for migration, _backwards in plan]
    fatal = [name for name in pending if name.split('.')[0] in REQUIRED_APPS]
    if fatal:
        raise ColdFrontError('the ColdFront database (%s) is not migrated: %d migration(s) pending (first: %s). Run '
                             '`coldfront migrate` (or `coldfront initial_setup`) on the ColdFront host first'
                             % (description, len(pending), fatal[0]))
    if pending:
        return ['the ColdFront database (%s) has %d pending migration(s) in apps this collection does not use '
                '(first: %s)' % (description, len(pending), pending[0])]
    return []


def _setup_quietly(django):
    """``django.setup()``; the Python warnings it raises come back masked (django-environ quotes a DB_URL it cannot
    read, password included, in an "Engine not recognized" warning).  When it fails on a DB_URL (from an env file)
    that is no URL, that is the error, not what Django made of it ("'cf' isn't an available database backend")."""
    with python_warnings.catch_warnings(record=True) as caught:
        try:
            django.setup()
        except Exception:
            check_db_url(os.environ.get('DB_URL'))
            raise
        finally:
            _remember_secret_from_url(os.environ.get('DB_URL'))
    return ['while loading the ColdFront settings: %s' % mask(' '.join(str(item.message).split())) for item in caught]


def setup_django(env_file=None, db_url=None, settings_module=DEFAULT_SETTINGS_MODULE, secret_key=None):
    """Set Django up with ColdFront's settings (once per process) and check version and schema.

    ``env_file``, ``db_url``, ``settings_module`` and ``secret_key`` are exported as ``COLDFRONT_ENV``,
    ``DB_URL``, ``DJANGO_SETTINGS_MODULE`` and ``SECRET_KEY`` when given; otherwise the process
    environment (and ColdFront's env files) decide.  Values are ignored when Django is already set up.

    Returns ``{'version': '1.1.10', 'database': 'postgresql user@host:port/name', 'warnings': [...]}``.
    Raises :class:`ColdFrontUnavailable` (not importable; install hint) or :class:`ColdFrontError`.
    """
    _remember_secret_from_url(db_url or os.environ.get('DB_URL'))
    check_db_url(db_url or os.environ.get('DB_URL'))
    coldfront = _import_coldfront()
    version = check_version(getattr(coldfront, 'VERSION', None))
    import django  # pylint: disable=import-outside-toplevel
    from django.apps import apps  # pylint: disable=import-outside-toplevel

    warnings = []
    if not apps.ready:
        _set_environment(env_file, db_url, settings_module, secret_key)
        try:
            warnings.extend(_setup_quietly(django))
        except ColdFrontError:
            raise
        except ImportError as exc:
            raise ColdFrontUnavailable('ColdFront settings %s cannot be imported (%s): %s'
                                       % (os.environ.get('DJANGO_SETTINGS_MODULE'), _first_line(exc), INSTALL_HINT))
        except Exception as exc:  # pylint: disable=broad-except
            raise ColdFrontError('ColdFront settings %s failed to load: %s'
                                 % (os.environ.get('DJANGO_SETTINGS_MODULE'), _first_line(exc)))
        # ColdFront's env files (COLDFRONT_ENV, /etc/coldfront/coldfront.env) are loaded into os.environ by now.
        if not os.environ.get('DB_URL'):
            warnings.append('DB_URL is not set (not in the task options, the environment or a ColdFront env file): '
                            'ColdFront falls back to the SQLite file coldfront.db in the current directory (%s)'
                            % os.getcwd())
    from django.db import connection  # pylint: disable=import-outside-toplevel
    _remember_secret_from_url(os.environ.get('DB_URL'))
    check_db_url(os.environ.get('DB_URL'))      # the env file's DB_URL is known only now
    if connection.settings_dict.get('PASSWORD'):
        _STATE['secrets'].add(str(connection.settings_dict['PASSWORD']))
    description = describe_database(connection.settings_dict)
    if description not in _STATE['checked']:
        _check_sqlite_file(connection.settings_dict)
        _serialize_sqlite_writers(connection.settings_dict)
        _STATE['checked'][description] = _check_schema(connection, description)
    _STATE['version'] = version
    return {'version': version, 'database': description, 'warnings': warnings + _STATE['checked'][description]}


# ---- the read model ----------------------------------------------------------------------------
def _text(value):
    return None if value is None else str(value)


def _first_wins(pairs):
    """``{name: value}`` from (name, value) pairs in id order, plus the names seen more than once."""
    values, duplicates = {}, []
    for name, value in pairs:
        if name in values:
            if name not in duplicates:
                duplicates.append(name)
            continue
        values[name] = value
    return values, duplicates


def _date_text(value):
    return None if value is None else value.isoformat()


def _allocation_records(allocation_models, queryset, project_attributes=None):
    """``[(allocation record, [resource id, ...])]`` of an Allocation ``queryset`` in 3 queries.

    ``project_attributes`` (names): one more query fills ``project['attributes']`` with those project attributes.

    Reads plain rows (``values_list``), never model instances, which cost far more at thousands of
    allocations (docs/performance.md).
    The record is the contract of :func:`load_resources`.
    """
    records, resource_ids, pairs = {}, {}, {}
    rows = queryset.order_by('pk').values_list(
        'pk', 'status__name', 'project_id', 'project__title', 'project__pi__username', 'project__status__name',
        'start_date', 'end_date', 'quantity')
    for pk, status, project_id, title, pi, project_status, start_date, end_date, quantity in rows:
        records[pk] = {
            'id': pk,
            'status': status,
            'project': {'id': project_id, 'title': title, 'pi': pi, 'status': project_status},
            'resources': [],
            'start_date': _date_text(start_date),
            'end_date': _date_text(end_date),
            'quantity': quantity,
        }
        resource_ids[pk], pairs[pk] = [], []
    if not records:
        return []
    selected = queryset.values('pk')
    links = allocation_models.Allocation.resources.through.objects.filter(allocation_id__in=selected).values_list(
        'allocation_id', 'resource_id', 'resource__name')
    for allocation_id, resource_id, resource_name in links:
        if allocation_id in records:
            records[allocation_id]['resources'].append(resource_name)
            resource_ids[allocation_id].append(resource_id)
    attributes = allocation_models.AllocationAttribute.objects.filter(allocation_id__in=selected).order_by('pk').values_list(
        'allocation_id', 'pk', 'allocation_attribute_type__name', 'allocation_attribute_type__attribute_type__name',
        'allocation_attribute_type__has_usage', 'value', 'allocationattributeusage__value')
    for allocation_id, pk, name, data_type, has_usage, value, usage in attributes:
        if allocation_id in pairs:
            pairs[allocation_id].append((name, {'id': pk, 'type': data_type, 'value': value,
                                                'usage': float(usage) if has_usage and usage is not None else None}))
    if project_attributes:
        _add_project_attributes(records.values(), queryset, project_attributes)
    result = []
    for pk, record in records.items():
        record['resources'].sort()
        record['attributes'], record['duplicate_attributes'] = _first_wins(pairs[pk])
        result.append((record, resource_ids[pk]))
    return result


def _add_project_attributes(records, queryset, names):
    """``project['attributes']`` (``{name: value}``, the first of each name) of ``records``, in one query."""
    from coldfront.core.project import models as project_models  # pylint: disable=import-outside-toplevel
    rows = (project_models.ProjectAttribute.objects
            .filter(project_id__in=queryset.values('project_id'), proj_attr_type__name__in=list(names))
            .order_by('pk').values_list('project_id', 'proj_attr_type__name', 'value'))
    pairs = {}
    for project_id, name, value in rows:
        pairs.setdefault(project_id, []).append((name, value))
    for record in records:
        project = record['project']
        project['attributes'] = _first_wins(pairs.get(project['id'], ()))[0]


def resource_record(resource):
    """The contract record of a prefetched ``Resource`` without ``allocations``."""
    attributes, duplicates = _first_wins(
        (attribute.resource_attribute_type.name, attribute.value) for attribute in resource.resourceattribute_set.all())
    return {
        'id': resource.pk,
        'name': resource.name,
        'resource_type': resource.resource_type.name,
        'description': resource.description,
        'is_available': resource.is_available,
        'attributes': attributes,
        'duplicate_attributes': duplicates,
    }


def _check_selection(selection):
    if not isinstance(selection, dict):
        raise InvalidSelection('selection must be a dict with keys from %s, got %r' % (', '.join(SELECTION_KEYS), selection))
    unknown = sorted(set(selection) - set(SELECTION_KEYS))
    if unknown:
        raise InvalidSelection('unknown selection key(s) %s: use %s' % (', '.join(unknown), ', '.join(SELECTION_KEYS)))
    for key in ('resource_types', 'names'):
        value = selection.get(key)
        if value is not None and (isinstance(value, str) or not isinstance(value, (list, tuple))):
            raise InvalidSelection('selection.%s must be a list of names, got %r' % (key, value))
    attribute = selection.get('attribute')
    if attribute is not None and (not isinstance(attribute, dict) or not attribute.get('name')):
        raise InvalidSelection("selection.attribute must be {'name': ..., 'value': ...}, got %r" % (attribute,))


def _compile_query(query):
    try:
        import jmespath  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise InvalidSelection('selection.query needs the Python library jmespath: pip install jmespath')
    try:
        return jmespath.compile(query)
    except Exception as exc:  # pylint: disable=broad-except
        raise InvalidSelection('selection.query %r is not a valid JMESPath expression: %s' % (query, exc))


def select_resources(records, selection=None):
    """The resource records (allocations ignored) that match every criterion of ``selection``.

    ``selection`` keys (all optional; None means DEFAULT_SELECTION ``{'name_contains': 'ecs'}``):
    ``name_contains`` (case-insensitive; default ``'ecs'``; None or '' disables), ``resource_types``
    (list of type names), ``attribute`` (``{'name': n, 'value': v}``: that resource attribute equals
    ``v`` as text; without ``value``: it is set and not empty), ``query`` (JMESPath over the record
    without ``allocations``; truthy = selected), ``names`` (explicit list of resource names).
    """
    selection = DEFAULT_SELECTION if selection is None else selection
    _check_selection(selection)
    contains = selection.get('name_contains', DEFAULT_SELECTION['name_contains'])
    types = selection.get('resource_types')
    names = selection.get('names')
    attribute = selection.get('attribute')
    query = _compile_query(selection['query']) if selection.get('query') else None

    selected = []
    for record in records:
        plain = dict((key, value) for key, value in record.items() if key != 'allocations')
        if contains and str(contains).lower() not in record['name'].lower():
            continue
        if types is not None and record['resource_type'] not in types:
            continue
        if names is not None and record['name'] not in names:
            continue
        if attribute is not None:
            current = plain['attributes'].get(attribute['name'])
            if 'value' in attribute and attribute['value'] is not None:
                if current is None or current != str(attribute['value']):
                    continue
            elif current in (None, ''):
                continue
        if query is not None and not query.search(plain):
            continue
        selected.append(record)
    return selected


def _statuses(allocation_statuses):
    if allocation_statuses is None:
        return None
    if isinstance(allocation_statuses, str):
        return [allocation_statuses]
    return list(allocation_statuses)


def check_statuses(allocation_models, statuses, records):
    """Refuse status names this ColdFront does not have (``[Actve]`` would select nothing, silently).

    Only statuses that no allocation of ``records`` is in are looked up (one query, and none on a usual run).
    """
    missing = sorted(set(statuses or ()) - set(record['status'] for record, _ids in records))
    if not missing:
        return
    known = list(allocation_models.AllocationStatusChoice.objects.order_by('name').values_list('name', flat=True))
    unknown = [status for status in missing if status not in known]
    if unknown:
        raise InvalidSelection('allocation status(es) %s not known to this ColdFront (it has: %s); check the spelling '
                               '(allocation_statuses)' % (', '.join(repr(status) for status in unknown), ', '.join(known)))


def _allocation_queryset(allocation_models, resource_ids, allocation_statuses, allocation_ids):
    queryset = allocation_models.Allocation.objects.all()
    if resource_ids is not None:
        queryset = queryset.filter(resources__id__in=resource_ids)
    statuses = _statuses(allocation_statuses)
    if statuses is not None:
        queryset = queryset.filter(status__name__in=statuses)
    if allocation_ids is not None:
        queryset = queryset.filter(pk__in=[int(pk) for pk in allocation_ids])
    return queryset.distinct()


def load_resources(selection=None, allocation_statuses=('Active',), allocation_ids=None, claims_attribute=None,
                   include_allocations=True, project_attributes=None):
    """Selected resources with attributes and their allocations, in 5 SQL queries whatever the size.

    ``allocation_statuses``: status names to include (None: every status); ``allocation_ids``: only
    these allocations.  An allocation on several selected resources appears under each of them.
    ``claims_attribute`` (the ``Subdirectory`` attribute name, or a list of names such as ``Subdirectory`` and the
    claim attribute): one more query fills each record's ``other_claims`` with the non-empty values of those
    attributes on allocations left out by ``allocation_statuses`` (an Expired lab still owns its namespace).
    ``include_allocations`` False reads the resources only (their ``allocations`` lists stay empty).
    ``project_attributes`` (project attribute names, for the group template): one more query fills each allocation's
    ``project['attributes']`` with those attributes (``{name: value}``); without it the key is left out.
    Call :func:`setup_django` first.  Returns a list of resource records ordered by name.
    """
    from django.db.models import Prefetch  # pylint: disable=import-outside-toplevel
    from coldfront.core.allocation import models as allocation_models  # pylint: disable=import-outside-toplevel
    from coldfront.core.resource import models as resource_models  # pylint: disable=import-outside-toplevel

    resource_attributes = resource_models.ResourceAttribute.objects.select_related(
        'resource_attribute_type').order_by('pk')
    resources = (resource_models.Resource.objects.select_related('resource_type')
                 .prefetch_related(Prefetch('resourceattribute_set', queryset=resource_attributes)))
    # Sorted in Python: the database's collation would order names differently on SQLite and PostgreSQL.
    records = select_resources(sorted((resource_record(resource) for resource in resources),
                                      key=lambda record: record['name']), selection)
    by_id = {}
    for record in records:
        record['allocations'] = []
        by_id[record['id']] = record
    if not by_id or not include_allocations:
        return records
    queryset = _allocation_queryset(allocation_models, list(by_id), allocation_statuses,
                                    allocation_ids)
    allocations = _allocation_records(allocation_models, queryset, project_attributes)
    check_statuses(allocation_models, _statuses(allocation_statuses), allocations)
    for record, resource_ids in allocations:
        for resource_id in resource_ids:
            if resource_id in by_id:
                by_id[resource_id]['allocations'].append(record)
    if claims_attribute and allocation_statuses is not None:
        _load_other_claims(allocation_models, by_id, _statuses(allocation_statuses), claims_attribute)
    return records


def _load_other_claims(allocation_models, by_id, statuses, attributes):
    """Fill ``other_claims`` of the records in ``by_id``: ``attributes`` values of allocations in other statuses."""
    for record in by_id.values():
        record['other_claims'] = []
    names = [attributes] if isinstance(attributes, str) else list(attributes)
    rows = (allocation_models.AllocationAttribute.objects
            .filter(allocation_attribute_type__name__in=names, allocation__resources__id__in=list(by_id))
            .exclude(allocation__status__name__in=statuses).exclude(value='').order_by('allocation_id', 'pk')
            .values_list('allocation__resources__id', 'allocation_id', 'allocation__status__name',
                         'allocation__project_id', 'allocation__project__title', 'value'))
    seen = set()
    for resource_id, allocation_id, status, project_id, title, value in rows:
        if resource_id in by_id and (resource_id, allocation_id) not in seen:
            seen.add((resource_id, allocation_id))
            by_id[resource_id]['other_claims'].append({'id': allocation_id, 'status': status, 'project_id': project_id,
                                                       'project': title, 'subdirectory': value})


def load_allocations(allocation_ids=None, resource_names=None, allocation_statuses=None, project=None):
    """Allocation records (any resource unless ``resource_names``), filtered; constant queries.

    ``project`` matches a project title exactly or (digits) a project id.  Ordered by allocation id.
    """
    from coldfront.core.allocation import models as allocation_models  # pylint: disable=import-outside-toplevel
    from coldfront.core.resource import models as resource_models  # pylint: disable=import-outside-toplevel

    resource_ids = None
    if resource_names is not None:
        resource_ids = list(resource_models.Resource.objects.filter(name__in=list(resource_names))
                            .values_list('pk', flat=True))
    queryset = _allocation_queryset(allocation_models, resource_ids, allocation_statuses,
                                    allocation_ids)
    if project is not None:
        from django.db.models import Q  # pylint: disable=import-outside-toplevel
        match = Q(project__title=str(project))
        if str(project).isdigit():
            match |= Q(project_id=int(project))
        queryset = queryset.filter(match)
    return [record for record, _resource_ids in _allocation_records(allocation_models, queryset)]
