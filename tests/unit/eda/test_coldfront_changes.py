"""The pure parts of the coldfront_changes event source: decisions, coalescing, position file, arguments."""

import json
import os
import threading

import pytest

from ansible_collections.hpc.coldfront_ecs.extensions.eda.plugins.event_source import coldfront_changes as source

OPTIONS = source.parse_args({})
ALLOCATION = {'id': 7, 'status': 'Active', 'resources': ['ecs-east'],
              'project': {'id': 3, 'title': 'Lee Lab', 'pi': 'lee', 'status': 'Active'}}


def row(table, history_id, allocation_id=7, history_type='~', **values):
    base = {'table': table, 'history_id': history_id, 'history_type': history_type,
            'history_date': '2026-01-01T10:00:%02d+00:00' % history_id, 'history_user': 'admin',
            'object_id': allocation_id, 'allocation_id': allocation_id, 'name': None}
    base.update(values)
    return base


def decide(rows, previous, allocation=None):
    return source.changes_from_rows(rows, previous, {7: dict(ALLOCATION, **(allocation or {}))}, OPTIONS)


# ---- history rows -> changes --------------------------------------------------------------------------------------
def test_activation_carries_who_when_old_and_new():
    activated = row('allocation', 5, status='Active')
    [found] = decide([activated], {('allocation', 5): {'status': 'New'}})
    assert found['kind'] == 'allocation_activated'
    assert (found['old'], found['new'], found['by']) == ('New', 'Active', 'admin')
    assert found['when'] == activated['history_date']
    assert found['project']['title'] == 'Lee Lab' and found['resources'] == ['ecs-east']
    assert found['history'] == {'table': 'allocation', 'id': 5}


def test_saves_that_change_nothing_are_dropped():
    assert decide([row('allocation', 5, status='Active')], {('allocation', 5): {'status': 'Active'}}) == []
    quota = row('attribute', 6, name='Storage Quota (TB)', value='4')
    assert decide([quota], {('attribute', 6): {'value': '4'}}) == []


def test_quota_change_only_of_the_quota_attribute_of_a_provisioned_allocation():
    quota = row('attribute', 6, name='Storage Quota (TB)', value='8')
    [found] = decide([quota], {('attribute', 6): {'value': '4'}})
    assert (found['kind'], found['old'], found['new']) == ('quota_changed', '4', '8')
    assert decide([row('attribute', 6, name='Subdirectory', value='a:b')], {('attribute', 6): None}) == []
    assert decide([quota], {('attribute', 6): {'value': '4'}}, {'status': 'New'}) == []


def test_change_request_approved_once():
    approved = row('change_request', 9, status='Approved')
    assert decide([approved], {('change_request', 9): {'status': 'Pending'}})[0]['kind'] == 'change_request_approved'
    assert decide([approved], {('change_request', 9): {'status': 'Approved'}}) == []


def test_leaving_the_statuses_and_deletion_are_deactivations():
    expired = row('allocation', 5, status='Expired')
    assert decide([expired], {('allocation', 5): {'status': 'Active'}})[0]['kind'] == 'allocation_deactivated'
    assert source.status_change(row('allocation', 5, history_type='-', status='Active'), {'status': 'Active'},
                                ['Active']) == ('allocation_deactivated', 'Active', None)


def test_allocations_outside_the_selection_are_dropped():
    assert source.changes_from_rows([row('allocation', 5, allocation_id=8, status='Active')], {}, {}, OPTIONS) == []


# ---- coalescing -----------------------------------------------------------------------------------------------------
def change(kind, allocation_id, second=0):
    return {'kind': kind, 'allocation_id': allocation_id, 'resources': ['ecs-east'],
            'when': '2026-01-01T10:00:%02d' % second}


def test_one_allocation_is_provisioned_alone_several_in_one_pass():
    one = source.batch_event([change('allocation_activated', 4), change('quota_changed', 4, 1)])['coldfront']
    assert (one['provision'], one['allocation_id'], one['count']) == ('one', 4, 2)
    many = source.batch_event([change('allocation_activated', i, i) for i in range(50)])['coldfront']
    assert many['provision'] == 'all' and many['allocation_ids'] == list(range(50)) and 'allocation_id' not in many
    assert (many['first'], many['last']) == ('2026-01-01T10:00:00', '2026-01-01T10:00:49')
    gone = source.batch_event([change('allocation_deactivated', 4)])['coldfront']
    assert (gone['provision'], gone['deactivated_ids'], gone['allocation_ids']) == ('none', [4], [])


def test_coalescer_emits_once_the_window_closes():
    window = source.Coalescer(10)
    window.add([], 0)
    assert not window.due(100)
    window.add([change('allocation_activated', 1)], 100)
    window.add([change('allocation_activated', 2)], 105)
    assert not window.due(109)
    assert window.due(110)
    assert window.take()['coldfront']['allocation_ids'] == [1, 2]
    assert window.take() is None and not window.due(200)


def test_backoff_doubles_up_to_the_ceiling():
    assert [source.backoff(n, 1, 10) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 8, 10]


# ---- position -------------------------------------------------------------------------------------------------------
def test_advance_keeps_gaps_until_they_show_up_or_expire():
    position = source.advance({'last_id': 10, 'gaps': {}}, [11, 14], now=100, gap_seconds=60)
    assert position == {'last_id': 14, 'gaps': {'12': 100, '13': 100}}
    position = source.advance(position, [13], now=130, gap_seconds=60)
    assert position == {'last_id': 14, 'gaps': {'12': 100}}
    assert source.advance(position, [], now=161, gap_seconds=60) == {'last_id': 14, 'gaps': {}}


def test_position_file_round_trip_is_atomic(tmp_path):
    path = str(tmp_path / 'state' / 'position.json')
    assert source.load_position(path) is None
    tables = source.empty_position()
    tables['allocation']['last_id'] = 42
    source.save_position(path, tables, 'sqlite /x')
    source.save_position(path, tables, 'sqlite /x')
    assert source.load_position(path)['tables']['allocation']['last_id'] == 42
    assert os.listdir(str(tmp_path / 'state')) == ['position.json']  # no temporary file left behind


def test_damaged_position_file_is_an_error_not_a_reset(tmp_path):
    path = tmp_path / 'position.json'
    path.write_text('{"version": 1, "tables": ')
    with pytest.raises(ValueError):
        source.load_position(str(path))


# ---- arguments ------------------------------------------------------------------------------------------------------
def test_arguments_follow_the_inventory_options():
    options = source.parse_args({'resources': ['ecs-east'], 'name_contains': '', 'poll_interval': '2',
                                 'coldfront_env_file': '/etc/coldfront.env', 'state_file': ''})
    assert options['selection'] == {'names': ['ecs-east'], 'name_contains': None}
    assert options['poll_interval'] == 2.0
    assert options['connection']['env_file'] == '/etc/coldfront.env'
    assert options['state_file'] == source.default_state_file()
    assert source.parse_args({})['selection'] == {'name_contains': 'ecs'}
    with pytest.raises(ValueError):
        source.parse_args({'start_at': 'yesterday'})


# ---- the loop, with a fake ColdFront ------------------------------------------------------------------------------
class FakeHistory:
    """Rows handed out once; ``fail`` raises like an unreachable database."""

    database = 'fake'
    utils = type('Utils', (), {'mask': staticmethod(lambda text: text)})

    def __init__(self, rows):
        self.rows = rows
        self.fail = False

    def connect(self):
        if self.fail:
            raise OSError('database is away')

    def reset(self):
        pass

    @staticmethod
    def top_ids():
        return dict((table, 0) for table in source.TABLES)

    def new_rows(self, position):
        return dict((table, [r for r in self.rows if r['table'] == table and r['history_id'] > position[table]['last_id']])
                    for table in source.TABLES)

    @staticmethod
    def previous(rows):
        return dict(((r['table'], r['history_id']), {'status': 'New'}) for r in rows)

    @staticmethod
    def allocations(ids):
        return dict((i, dict(ALLOCATION, id=i)) for i in ids)


def poller(tmp_path, rows, clock):
    options = dict(OPTIONS, state_file=str(tmp_path / 'position.json'), coalesce_seconds=10)
    events = []
    return source.Poller(options, FakeHistory(rows), events.append, clock=lambda: clock[0]), events


def test_position_is_saved_only_after_the_batch_went_out(tmp_path):
    clock = [0]
    first, events = poller(tmp_path, [row('allocation', 1, status='Active')], clock)
    first.start()
    first.poll()
    assert events == [] and source.load_position(first.options['state_file'])['tables']['allocation']['last_id'] == 0
    # A restart now (the batch still pending) reads the change again: at least once.
    clock[0] = 20
    again, events = poller(tmp_path, [row('allocation', 1, status='Active')], clock)
    again.start()
    again.poll()
    again.flush(clock[0], force=True)
    assert [event['coldfront']['allocation_ids'] for event in events] == [[7]]
    assert json.load(open(again.options['state_file']))['tables']['allocation']['last_id'] == 1


def test_outage_is_reported_and_retried(tmp_path):
    clock = [0]
    looping, events = poller(tmp_path, [], clock)
    looping.options['poll_interval'] = 0.01
    looping.history.fail = True
    stop = threading.Event()
    worker = threading.Thread(target=looping.run, args=(stop,))
    worker.start()
    try:
        while not events:
            stop.wait(0.01)
        looping.history.fail = False
        while len(events) < 2:
            stop.wait(0.01)
    finally:
        stop.set()
        worker.join(5)
    assert [event['coldfront']['type'] for event in events] == ['source_error', 'source_recovered']
    assert 'database is away' in events[0]['coldfront']['message']
