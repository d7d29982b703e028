# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""coldfront_changes: ColdFront allocation changes that ECS provisioning acts on, as Event-Driven Ansible events.

Description:
  Follows ColdFront 1.1's own change record, the django-simple-history tables of allocations, allocation
  attributes and allocation change requests (ordered by history id, timestamped, on SQLite, PostgreSQL and
  MySQL alike; no trigger and no change to ColdFront), and reports what the collection acts on:

  - ``allocation_activated``: an allocation of a selected resource enters one of ``statuses`` (Active by default);
  - ``quota_changed``: the ``quota_attribute`` (``Storage Quota (TB)``) of such an allocation takes a new value;
  - ``change_request_approved``: a change request of such an allocation becomes Approved;
  - ``allocation_deactivated``: an allocation leaves ``statuses`` (Expired, Revoked, ...).

  History rows that change nothing (ColdFront writes one on every save) are compared with the previous version
  of the same row and dropped. Changes are coalesced: the first change opens a window of ``coalesce_seconds``
  and everything read until it closes goes out as ONE event, so a burst of approvals starts one playbook, not
  fifty. Each event is ``{"coldfront": {...}}`` with ``type: changes``, the list of ``changes`` (allocation id,
  resources, project, old and new value, history date and user), ``allocation_ids`` to provision and
  ``provision``: ``one`` (with ``allocation_id``), ``all`` (several allocations: one full, idempotent pass) or
  ``none`` (only deactivations).

  The position (last history id per table, plus ids skipped by transactions not yet committed) is kept in
  ``state_file``, replaced atomically, and only after the changes it covers were handed to ansible-rulebook:
  delivery is at least once across restarts; provisioning is idempotent, so a repeat is harmless.
  Database outages are retried with exponential backoff and reported as ``type: source_error`` /
  ``source_recovered`` events and log lines; they never stop the source. See docs/eda.md.

  The Django ORM is synchronous: polling runs in one worker thread (``asyncio.to_thread``), which keeps its
  database connection, and hands events to the rulebook's queue.

Arguments:
  coldfront_env_file: ColdFront's environment file (C(COLDFRONT_ENV)), as the inventory plugin's option.
  db_url: ColdFront's database URL (default: environment C(DB_URL) or the env file). Never logged in clear.
  settings_module: Django settings module (default coldfront.config.settings).
  name_contains: select resources whose name contains this text (default "ecs"; "" to disable).
  resource_types: select resources of these types (list).
  resource_attribute: {name, value} resource attribute selection, as the inventory.
  resource_query: JMESPath resource selection, as the inventory.
  resources: select only these resource names (list).
  statuses: allocation statuses that are provisioned (default [Active]).
  quota_attribute: allocation attribute holding the quota (default "Storage Quota (TB)").
  state_file: position file (default $XDG_STATE_HOME or ~/.local/state, then hpc.coldfront_ecs/coldfront_changes.json).
  start_at: where to start without a position file: "now" (default, skip the past) or "beginning".
  poll_interval: seconds between polls (default 2).
  coalesce_seconds: seconds changes are gathered before one event is emitted (default 5; 0 = one event per poll).
  max_backoff: longest wait between retries while the database is unreachable (default 60 seconds).
  gap_seconds: how long a history id skipped by an uncommitted transaction is waited for (default 300).
  batch_size: most history rows read per table and poll (default 1000).

Examples:
  sources:
    - hpc.coldfront_ecs.coldfront_changes:
        coldfront_env_file: /etc/coldfront/coldfront.env
        state_file: /var/lib/eda/coldfront_changes.json
        poll_interval: 2
        coalesce_seconds: 5

  sources:
    - name: coldfront
      hpc.coldfront_ecs.coldfront_changes:
        resources: [ecs-east]
        statuses: [Active, Renewal Requested]
        quota_attribute: Storage Quota (TiB)
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import asyncio
import json
import logging
import os
import sys
import tempfile
import threading
import time

LOGGER = logging.getLogger('hpc.coldfront_ecs.coldfront_changes')

DEFAULTS = {
    'statuses': ['Active'],
    'quota_attribute': 'Storage Quota (TB)',
    'start_at': 'now',
    'poll_interval': 2.0,
    'coalesce_seconds': 5.0,
    'max_backoff': 60.0,
    'gap_seconds': 300.0,
    'batch_size': 1000,
}
# Arguments that select resources, by inventory option name -> select_resources key.
SELECTION_ARGS = {'name_contains': 'name_contains', 'resource_types': 'resource_types',
                  'resource_attribute': 'attribute', 'resource_query': 'query', 'resources': 'names'}
STATE_VERSION = 1
TABLES = ('allocation', 'attribute', 'change_request')
PROVISION_KINDS = ('allocation_activated', 'quota_changed', 'change_request_approved')
APPROVED = 'Approved'


# ---- the collection's module_utils (ansible-rulebook runs this file outside Ansible's loader) ----------------------
def _collection_root(path):
    """The folder that holds ``ansible_collections`` above ``path``, or None (a copy outside a collection tree)."""
    parts = os.path.abspath(path).split(os.sep)
    if 'ansible_collections' not in parts:
        return None
    index = len(parts) - 1 - parts[::-1].index('ansible_collections')
    return os.sep.join(parts[:index]) or os.sep


def _coldfront_utils():
    """``plugins/module_utils/coldfront.py`` of this collection (public entry point), importable from anywhere.

    ansible-rulebook loads sources with runpy, and a decision environment's collections folder is not on
    ``sys.path``; the collection root is derived from this file's path when the import fails.
    """
    try:
        from ansible_collections.hpc.coldfront_ecs.plugins.module_utils import coldfront  # pylint: disable=import-outside-toplevel
    except ImportError:
        root = _collection_root(__file__)
        if root is None or root in sys.path:
            raise
        sys.path.append(root)
        from ansible_collections.hpc.coldfront_ecs.plugins.module_utils import coldfront  # pylint: disable=import-outside-toplevel
    return coldfront


# ---- arguments ------------------------------------------------------------------------------------------------------
def default_state_file():
    """Per-user state folder (XDG), so two users never share a position by accident."""
    base = os.environ.get('XDG_STATE_HOME') or os.path.join(os.path.expanduser('~'), '.local', 'state')
    return os.path.join(base, 'hpc.coldfront_ecs', 'coldfront_changes.json')


def parse_args(args):
    """Arguments with defaults, numbers as numbers and the resource selection in ``select_resources`` form."""
    args = dict(args or {})
    options = dict(DEFAULTS)
    options.update((key, value) for key, value in args.items() if key in DEFAULTS and value is not None)
    for key in ('poll_interval', 'coalesce_seconds', 'max_backoff', 'gap_seconds'):
        options[key] = float(options[key])
    options['batch_size'] = int(options['batch_size'])
    if isinstance(options['statuses'], str):
        options['statuses'] = [options['statuses']]
    if options['start_at'] not in ('now', 'beginning'):
        raise ValueError('start_at must be "now" or "beginning", got %r' % (options['start_at'],))
    options['state_file'] = os.path.expanduser(args.get('state_file') or default_state_file())
    options['selection'] = dict((key, args[name]) for name, key in SELECTION_ARGS.items() if name in args)
    options['selection'].setdefault('name_contains', 'ecs')
    options['selection']['name_contains'] = options['selection']['name_contains'] or None
    options['connection'] = {'env_file': args.get('coldfront_env_file'), 'db_url': args.get('db_url'),
                             'settings_module': args.get('settings_module')}
    return options


# ---- the position ---------------------------------------------------------------------------------------------------
def empty_position():
    return dict((table, {'last_id': 0, 'gaps': {}}) for table in TABLES)


def advance(table_position, ids, now, gap_seconds):
    """The table position after reading history ``ids`` (the rows above ``last_id`` and the awaited gaps).

    Ids are handed out at insert and become visible at commit, so on PostgreSQL and MySQL a row can appear
    below the highest id read: ids skipped below the new ``last_id`` are kept as gaps (with when they were first
    missed) and read again until they show up or ``gap_seconds`` pass (a rolled-back insert never will).
    """
    last = table_position['last_id']
    gaps = dict((int(key), value) for key, value in table_position['gaps'].items())
    seen = set(ids)
    top = max([last] + list(seen))
    for missing in range(last + 1, top):
        if missing not in seen:
            gaps[missing] = now
    gaps = dict((key, value) for key, value in gaps.items() if key not in seen and now - value < gap_seconds)
    return {'last_id': top, 'gaps': dict((str(key), value) for key, value in sorted(gaps.items()))}


def load_position(path):
    """The saved position, or None when there is none (first start). A damaged file is an error, not a reset."""
    try:
        with open(path) as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise ValueError('position file %s is not valid JSON (%s): fix or remove it (see docs/eda.md)' % (path, exc))
    if data.get('version') != STATE_VERSION or not isinstance(data.get('tables'), dict):
        raise ValueError('position file %s has an unknown format (version %r)' % (path, data.get('version')))
    return data


def save_position(path, tables, database):
    """Write the position atomically: a temporary file in the same folder, fsync, rename, fsync the folder.

    A crash leaves the old or the new file, never a torn one.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    data = {'version': STATE_VERSION, 'database': database, 'saved': time.time(), 'tables': tables}
    handle, temporary = tempfile.mkstemp(prefix='.coldfront_changes.', dir=folder)
    try:
        with os.fdopen(handle, 'w') as stream:
            json.dump(data, stream, indent=1, sort_keys=True)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# ---- pure decisions: history rows -> changes -> events ------------------------------------------------------------
def change(kind, allocation, field, old, new, row):
    """One change as the events carry it; ``allocation`` is a ``load_allocations`` record."""
    project = allocation['project']
    return {
        'kind': kind,
        'allocation_id': allocation['id'],
        'resources': list(allocation['resources']),
        'project': {'id': project['id'], 'title': project['title'], 'pi': project['pi']},
        'status': allocation['status'],
        'field': field,
        'old': old,
        'new': new,
        'when': row['history_date'],
        'by': row.get('history_user'),
        'history': {'table': row['table'], 'id': row['history_id']},
    }


def status_change(row, previous, statuses):
    """``(kind, old status, new status)`` of an allocation history row; kind None when provisioning does not care.

    A deleted allocation (history type ``-``) has no status any more: it leaves ``statuses``.
    """
    old = previous['status'] if previous else None
    new = None if row['history_type'] == '-' else row['status']
    kind = None
    if new in statuses and old not in statuses:
        kind = 'allocation_activated'
    elif old in statuses and new not in statuses:
        kind = 'allocation_deactivated'
    return kind, old, new


def changes_from_rows(rows, previous, allocations, options):
    """The changes the collection acts on, from history ``rows`` (dicts with ``table``) in history order.

    ``previous``: ``{(table, history_id): the previous version of the same object or None}``;
    ``allocations``: ``{allocation id: record}`` of allocations on the selected resources (others are dropped).
    """
    statuses = options['statuses']
    result = []
    for row in rows:
        allocation = allocations.get(row['allocation_id'])
        if allocation is None:
            continue
        before = previous.get((row['table'], row['history_id']))
        found = _change_of(row, before, allocation, statuses, options['quota_attribute'])
        if found:
            result.append(found)
    return result


def _change_of(row, before, allocation, statuses, quota_attribute):
    table = row['table']
    if table == 'allocation':
        kind, old, new = status_change(row, before, statuses)
        if kind:
            return change(kind, allocation, 'status', old, new, row)
    elif allocation['status'] not in statuses:
        return None  # provisioning skips it; the activation will carry the current values
    elif table == 'attribute':
        old = before['value'] if before else None
        if row['history_type'] != '-' and row['name'] == quota_attribute and old != row['value']:
            return change('quota_changed', allocation, quota_attribute, old, row['value'], row)
    elif table == 'change_request':
        old = before['status'] if before else None
        if row['status'] == APPROVED and old != APPROVED:
            return change('change_request_approved', allocation, 'change_request', old, APPROVED, row)
    return None


def batch_event(changes):
    """The event of one coalescing window: every change, and what to provision (one allocation, all, none)."""
    ids = sorted(set(item['allocation_id'] for item in changes if item['kind'] in PROVISION_KINDS))
    released = sorted(set(item['allocation_id'] for item in changes if item['kind'] == 'allocation_deactivated'))
    body = {
        'type': 'changes',
        'provision': 'none' if not ids else ('one' if len(ids) == 1 else 'all'),
        'allocation_ids': ids,
        'deactivated_ids': released,
        'resources': sorted(set(name for item in changes for name in item['resources'])),
        'count': len(changes),
        'first': min(item['when'] for item in changes),
        'last': max(item['when'] for item in changes),
        'changes': changes,
    }
    if len(ids) == 1:
        body['allocation_id'] = ids[0]
    return {'coldfront': body}


def status_event(kind, message, attempt=0):
    """``source_error`` / ``source_recovered``: the rulebook can alert on them; the source keeps going."""
    return {'coldfront': {'type': kind, 'message': message, 'attempt': attempt, 'time': time.time()}}


class Coalescer:
    """Gathers changes; :meth:`due` says when the window opened by the first pending change has closed."""

    def __init__(self, window):
        self.window = window
        self.pending = []
        self.opened = None

    def add(self, changes, now):
        if changes and not self.pending:
            self.opened = now
        self.pending.extend(changes)

    def due(self, now):
        return bool(self.pending) and now - self.opened >= self.window

    def take(self):
        """The batch event of the pending changes (None when none) and an empty window."""
        pending, self.pending, self.opened = self.pending, [], None
        return batch_event(pending) if pending else None


def backoff(attempt, base, ceiling):
    """Seconds to wait before retry ``attempt`` (1, 2, ...): doubling from ``base``, at most ``ceiling``."""
    return min(ceiling, max(base, 0.5) * (2 ** max(attempt - 1, 0)))


# ---- ColdFront reads (synchronous, in the worker thread) ----------------------------------------------------------
class ColdFrontHistory:
    """Reads the three history tables and what the decisions need, as plain dicts."""

    def __init__(self, options):
        self.options = options
        self.utils = _coldfront_utils()
        self.database = None

    def connect(self):
        """Django set up once; then a cheap check that the database answers (raises when it does not)."""
        info = self.utils.setup_django(**self.options['connection'])
        self.database = info['database']
        from django.db import connection  # pylint: disable=import-outside-toplevel
        settings_dict = connection.settings_dict
        if settings_dict.get('ENGINE', '').endswith('sqlite3') and not os.path.exists(str(settings_dict.get('NAME'))):
            # Opening a missing SQLite file would create an empty database there: treat it as an outage.
            raise self.utils.ColdFrontError('the ColdFront SQLite database %s is missing' % settings_dict.get('NAME'))
        connection.ensure_connection()

    @staticmethod
    def reset():
        """Drop the (possibly broken) connection so the next poll opens a new one."""
        from django.db import connections  # pylint: disable=import-outside-toplevel
        for connection in connections.all():
            try:
                connection.close()
            except Exception:  # pylint: disable=broad-except
                LOGGER.debug('closing a broken connection failed', exc_info=True)

    def _models(self):
        from coldfront.core.allocation import models  # pylint: disable=import-outside-toplevel
        return {'allocation': (models.Allocation.history.model, 'id', 'status__name'),
                'attribute': (models.AllocationAttribute.history.model, 'allocation_id', 'value'),
                'change_request': (models.AllocationChangeRequest.history.model, 'allocation_id', 'status__name')}

    def top_ids(self):
        """The highest history id per table: the position of ``start_at: now``."""
        from django.db.models import Max  # pylint: disable=import-outside-toplevel
        return dict((table, model.objects.aggregate(top=Max('history_id'))['top'] or 0)
                    for table, (model, _key, _field) in self._models().items())

    def new_rows(self, position):
        """``{table: [row, ...]}``: rows above ``last_id`` (at most ``batch_size``) and awaited gap rows."""
        from django.db.models import Q  # pylint: disable=import-outside-toplevel
        result = {}
        for table, (model, key, field) in self._models().items():
            state = position[table]
            wanted = Q(history_id__gt=state['last_id'])
            if state['gaps']:
                wanted |= Q(history_id__in=[int(gap) for gap in state['gaps']])
            fields = ['history_id', 'history_type', 'history_date', 'history_user__username', 'id', key, field]
            if table == 'attribute':
                fields.append('allocation_attribute_type__name')
            rows = model.objects.filter(wanted).order_by('history_id').values(*fields)[:self.options['batch_size']]
            result[table] = [self._plain(table, row, key, field) for row in rows]
        return result

    @staticmethod
    def _plain(table, row, key, field):
        return {'table': table, 'history_id': row['history_id'], 'history_type': row['history_type'],
                'history_date': row['history_date'].isoformat(), 'history_user': row['history_user__username'],
                'object_id': row['id'], 'allocation_id': row[key],
                'status' if field.startswith('status') else 'value': row[field],
                'name': row.get('allocation_attribute_type__name')}

    def previous(self, rows):
        """``{(table, history_id): previous version or None}`` for the rows that need comparing."""
        models = self._models()
        result = {}
        for row in rows:
            model, _key, field = models[row['table']]
            before = (model.objects.filter(id=row['object_id'], history_id__lt=row['history_id'])
                      .order_by('-history_id').values(field).first())
            result[(row['table'], row['history_id'])] = (
                None if before is None else {'status' if field.startswith('status') else 'value': before[field]})
        return result

    def allocations(self, allocation_ids):
        """``{id: record}`` of those allocations that are on a selected resource (the inventory's selection)."""
        if not allocation_ids:
            return {}
        selected = set(record['name'] for record in self.utils.load_resources(
            selection=self.options['selection'], include_allocations=False))
        records = self.utils.load_allocations(allocation_ids=sorted(allocation_ids))
        return dict((record['id'], record) for record in records if selected.intersection(record['resources']))


def relevant(rows, quota_attribute):
    """History rows worth comparing: every allocation and change-request row, only quota attribute rows."""
    return [row for row in rows if row['table'] != 'attribute' or row['name'] == quota_attribute]


# ---- the polling loop ---------------------------------------------------------------------------------------------
class Poller:
    """Position + history reads + coalescing; :meth:`run` loops until ``stop`` is set, calling ``emit(event)``."""

    def __init__(self, options, history, emit, clock=time.time):
        self.options = options
        self.history = history
        self.emit = emit
        self.clock = clock
        self.coalescer = Coalescer(options['coalesce_seconds'])
        self.position = None  # read position (ahead of the saved one while changes are pending)
        self.saved = None

    def start(self):
        """The saved position, or a new one (``start_at``) that is saved at once."""
        saved = load_position(self.options['state_file'])
        if saved is not None:
            self.position = dict(empty_position(), **saved['tables'])
            if saved.get('database') not in (None, self.history.database):
                LOGGER.warning('position file %s was written for %s, now reading %s: ids may not match',
                               self.options['state_file'], saved.get('database'), self.history.database)
        else:
            self.position = empty_position()
            if self.options['start_at'] == 'now':
                for table, top in self.history.top_ids().items():
                    self.position[table]['last_id'] = top
        self._save()

    def _save(self):
        if self.position != self.saved:
            save_position(self.options['state_file'], self.position, self.history.database)
            self.saved = json.loads(json.dumps(self.position))

    def poll(self):
        """Read once; return True when a table filled ``batch_size`` (more rows wait: poll again at once)."""
        now = self.clock()
        by_table = self.history.new_rows(self.position)
        rows = sorted((row for table_rows in by_table.values() for row in table_rows),
                      key=lambda row: (row['history_date'], row['table'], row['history_id']))
        wanted = relevant(rows, self.options['quota_attribute'])
        allocations = self.history.allocations(set(row['allocation_id'] for row in wanted))
        wanted = [row for row in wanted if row['allocation_id'] in allocations]
        changes = changes_from_rows(wanted, self.history.previous(wanted), allocations, self.options)
        for table, table_rows in by_table.items():
            self.position[table] = advance(self.position[table], [row['history_id'] for row in table_rows], now,
                                           self.options['gap_seconds'])
        self.coalescer.add(changes, now)
        self.flush(now)
        return any(len(table_rows) >= self.options['batch_size'] for table_rows in by_table.values())

    def flush(self, now, force=False):
        """Emit the pending batch when its window closed, then save the position it covered."""
        if self.coalescer.pending and (force or self.coalescer.due(now)):
            self.emit(self.coalescer.take())
        if not self.coalescer.pending:
            self._save()

    def run(self, stop):
        """Poll until ``stop`` is set; outages are reported and retried with backoff, never raised."""
        attempt = 0
        while not stop.is_set():
            try:
                if self.position is None:
                    self.history.connect()
                    self.start()
                else:
                    self.history.connect()
                more = self.poll()
            except Exception as exc:  # pylint: disable=broad-except
                if stop.is_set():
                    break  # shutting down: the hand-off was refused, the position stays where it was
                attempt += 1
                self._failed(exc, attempt)
                stop.wait(backoff(attempt, self.options['poll_interval'], self.options['max_backoff']))
                continue
            if attempt:
                LOGGER.warning('ColdFront reachable again after %d failed poll(s)', attempt)
                self.emit(status_event('source_recovered', 'ColdFront reachable again', attempt))
                attempt = 0
            stop.wait(0 if more else self._sleep())

    def _sleep(self):
        """Poll interval, shortened to close a pending coalescing window on time."""
        if not self.coalescer.pending:
            return self.options['poll_interval']
        left = self.coalescer.opened + self.coalescer.window - self.clock()
        return max(0.0, min(self.options['poll_interval'], left))

    def _failed(self, exc, attempt):
        message = self.history.utils.mask('%s: %s' % (exc.__class__.__name__, exc)).splitlines()[0]
        LOGGER.error('ColdFront poll failed (attempt %d, retrying with backoff): %s', attempt, message)
        self.history.reset()
        if attempt == 1:
            self.emit(status_event('source_error', message, attempt))


# ---- ansible-rulebook entry point ---------------------------------------------------------------------------------
def _emitter(queue, loop, stop):
    """``emit(event)`` for the worker thread: puts on the rulebook's asyncio queue and waits for the hand-off.

    Waiting keeps at-least-once honest: the position is saved only after ``queue.put`` returned.
    """
    def emit(event):
        future = asyncio.run_coroutine_threadsafe(queue.put(event), loop)
        while not stop.is_set():
            try:
                return future.result(timeout=1)
            except TimeoutError:
                continue
            except Exception:  # pylint: disable=broad-except
                if future.done():
                    raise
        raise RuntimeError('stopped before the event was handed over')
    return emit


async def main(queue, args):
    """Entry point called by ansible-rulebook: poll ColdFront in a worker thread until cancelled."""
    options = parse_args(args)
    stop = threading.Event()
    poller = Poller(options, ColdFrontHistory(options), _emitter(queue, asyncio.get_running_loop(), stop))
    try:
        await asyncio.to_thread(poller.run, stop)
    finally:
        stop.set()


if __name__ == '__main__':
    # Stand-alone trial: print the events (python coldfront_changes.py '{"coldfront_env_file": "..."}').
    class _PrintQueue:
        @staticmethod
        async def put(event):
            print(json.dumps(event, indent=1))

    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(_PrintQueue(), json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}))
