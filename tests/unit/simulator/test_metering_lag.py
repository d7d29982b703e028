"""Opt-in metering lag (`metering_lag_seconds`): billing reports each bucket's usage as of
the 5-minute sample boundary at or before now minus the lag, and `sample_time`/`uptodate_till` say which.

Most tests drive the simulator core in process (simulator.app.Simulator.handle) with the simulator's clock
(simulator.clock.now) replaced by a fake one, so time moves only when a test says so. The /_sim/config and
command-line tests use a real simulator process and real time.
"""

import base64
import json
import time
from http.client import HTTPMessage

import pytest

from simulator import cli, clock
from simulator.app import Request, Simulator, parse_users
from simulator.config import Config
from support.simulator import SimulatorError

pytestmark = pytest.mark.simulator

GIB = 1024 ** 3
PERIOD = 300
LAG = 600
BOUNDARY = 1767225600  # 2026-01-01T00:00:00Z, a 5-minute sample boundary
T0 = BOUNDARY + 100  # between two boundaries: the next one is BOUNDARY + PERIOD


def stamp(seconds):
    """A billing `sample_time`."""
    return clock.iso_seconds(seconds)


class FakeClock:
    """Stands in for simulator.clock.now: returns `time` until told otherwise."""

    def __init__(self, start):
        self.time = start

    def __call__(self):
        return self.time

    def at(self, moment):
        """Move the clock to `moment` (epoch seconds)."""
        self.time = moment


class InProcess:
    """A Simulator driven without HTTP, logged in as root, with namespace `lab` (bucket `b1`, no usage yet)."""

    def __init__(self, lag):
        self.sim = Simulator(users=parse_users('root:pw:SYSTEM_ADMIN'), config=Config(metering_lag_seconds=lag))
        basic = 'Basic ' + base64.b64encode(b'root:pw').decode()
        status, headers, _body = self.call('GET', '/login', authorization=basic)
        assert status == 200
        self.token = dict(headers)['X-SDS-AUTH-TOKEN']
        self.admin('POST', '/_sim/seed', {'namespaces': {'lab': {'vpool': 'rg1', 'buckets': {'b1': {}}}}})

    def call(self, method, target, body=None, authorization=None):
        """(status, headers, JSON body) of one API call."""
        headers = HTTPMessage()
        headers['Accept'] = 'application/json'
        if authorization:
            headers['Authorization'] = authorization
        elif getattr(self, 'token', None):
            headers['X-SDS-AUTH-TOKEN'] = self.token
        payload = b''
        if body is not None:
            headers['Content-Type'] = 'application/json'
            payload = json.dumps(body).encode()
        outcome = self.sim.handle(Request(method, target, headers, payload))
        return outcome.status, outcome.headers, json.loads(outcome.payload) if outcome.payload else None

    def get(self, target, body=None, method='GET'):
        """The JSON body of a call that must answer 200."""
        status, _headers, answer = self.call(method, target, body)
        assert status == 200, answer
        return answer

    def admin(self, method, path, body=None):
        """A /_sim call that must answer 200."""
        status, answer = self.sim.admin(method, path, json.dumps(body or {}).encode())
        assert status == 200, answer
        return answer

    def usage(self, bucket, size_bytes, objects, namespace='lab'):
        """Seed a bucket's usage (at the fake clock's time)."""
        self.admin('POST', '/_sim/seed', {'namespaces': {namespace: {
            'buckets': {bucket: {'usage': {'bytes': size_bytes, 'objects': objects}}}}}})

    def billing_views(self, bucket='b1', namespace='lab'):
        """{view: (bytes, objects, sample_time, uptodate_till)} of one bucket (alone in its namespace) in every
        billing answer that reports sizes."""
        unit = '?sizeunit=BYTE'
        views = {}

        def keep(name, record):
            views[name] = (record['total_size'], record['total_objects'], record['sample_time'],
                           record['uptodate_till'])

        keep('bucket info', self.get('/object/billing/buckets/%s/%s/info%s' % (namespace, bucket, unit)))
        record = self.get('/object/billing/namespace/%s/info%s&include_bucket_detail=true' % (namespace, unit))
        keep('namespace info', record)
        keep('namespace info bucket detail', record['bucket_billing_info'][0])
        batch = self.get('/object/billing/namespace/info%s&include_bucket_detail=true' % unit,
                         {'id': [namespace]}, 'POST')['namespace_billing_info'][0]
        keep('namespace batch', batch)
        keep('namespace batch bucket detail', batch['bucket_billing_info'][0])
        keep('bucket batch', self.get('/object/billing/buckets/%s/info%s' % (namespace, unit),
                                      {'id': [bucket]}, 'POST')['bucket_billing_info'][0])
        return views

    def sample_totals(self, bucket='b1', namespace='lab'):
        """{view: (bytes, objects)} of the sample routes (namespace total, its bucket detail, the bucket)."""
        window = 'sizeunit=BYTE&start_time=2026-01-01T00:00&end_time=2026-01-01T01:00'
        record = self.get('/object/billing/namespace/%s/sample?%s&include_bucket_detail=true' % (namespace, window))
        single = self.get('/object/billing/buckets/%s/%s/sample?%s' % (namespace, bucket, window))
        return {'namespace sample': (record['total_size'], record['total_objects']),
                'namespace sample bucket detail': (record['bucket_billing_sample'][0]['total_size'],
                                                   record['bucket_billing_sample'][0]['total_objects']),
                'bucket sample': (single['total_size'], single['total_objects'])}

    def reported(self, size_bytes, objects, metering_point):
        """Assert every billing view reports this usage, stamped with this metering point."""
        expected = (size_bytes, objects, stamp(metering_point), stamp(metering_point))
        views = self.billing_views()
        assert views == dict.fromkeys(views, expected)
        assert set(self.sample_totals().values()) == {(size_bytes, objects)}


@pytest.fixture
def fake_clock(monkeypatch):
    """simulator.clock.now frozen at T0; move it with .at()."""
    fake = FakeClock(T0)
    monkeypatch.setattr(clock, 'now', fake)
    return fake


@pytest.fixture
def lagged(fake_clock):
    """An in-process simulator with metering_lag_seconds 600."""
    return InProcess(LAG)


def test_usage_seeded_now_is_hidden_until_the_next_boundary_plus_the_lag(fake_clock, lagged):
    lagged.usage('b1', GIB, 3)  # at T0 = BOUNDARY + 100
    lagged.reported(0, 0, BOUNDARY - 2 * PERIOD)  # metering point: (T0 - 600) floored to 5 minutes
    fake_clock.at(BOUNDARY + PERIOD + LAG - 1)  # one second before the next boundary + lag
    lagged.reported(0, 0, BOUNDARY)
    fake_clock.at(BOUNDARY + PERIOD + LAG)
    lagged.reported(GIB, 3, BOUNDARY + PERIOD)
    fake_clock.at(BOUNDARY + 10 * PERIOD + 17)
    lagged.reported(GIB, 3, BOUNDARY + 8 * PERIOD)


def test_a_change_on_a_boundary_shows_exactly_one_lag_later(fake_clock, lagged):
    fake_clock.at(BOUNDARY)
    lagged.usage('b1', 5, 1)
    fake_clock.at(BOUNDARY + LAG - 1)
    lagged.reported(0, 0, BOUNDARY - PERIOD)
    fake_clock.at(BOUNDARY + LAG)
    lagged.reported(5, 1, BOUNDARY)


def test_the_earlier_value_stays_visible_until_the_change_is_metered(fake_clock, lagged):
    lagged.usage('b1', GIB, 3)
    fake_clock.at(BOUNDARY + PERIOD + LAG)
    lagged.reported(GIB, 3, BOUNDARY + PERIOD)
    changed = BOUNDARY + PERIOD + LAG + 50  # next boundary: BOUNDARY + 4 * PERIOD
    fake_clock.at(changed)
    lagged.usage('b1', 2 * GIB, 5)
    lagged.reported(GIB, 3, BOUNDARY + PERIOD)
    fake_clock.at(BOUNDARY + 4 * PERIOD + LAG - 1)
    lagged.reported(GIB, 3, BOUNDARY + 3 * PERIOD)
    fake_clock.at(BOUNDARY + 4 * PERIOD + LAG)
    lagged.reported(2 * GIB, 5, BOUNDARY + 4 * PERIOD)
    fake_clock.at(BOUNDARY + 4 * PERIOD + LAG + 10)
    lagged.usage('b1', 0, 0)  # emptied: the old usage is still billed for a while
    lagged.reported(2 * GIB, 5, BOUNDARY + 4 * PERIOD)
    fake_clock.at(BOUNDARY + 7 * PERIOD + LAG - 1)  # emptied at BOUNDARY + 6 * PERIOD + 10
    lagged.reported(2 * GIB, 5, BOUNDARY + 6 * PERIOD)
    fake_clock.at(BOUNDARY + 7 * PERIOD + LAG)
    lagged.reported(0, 0, BOUNDARY + 7 * PERIOD)


def test_namespace_totals_sum_what_is_metered_per_bucket(fake_clock, lagged):
    lagged.usage('b1', 1000, 1)
    fake_clock.at(BOUNDARY + PERIOD + LAG + 50)
    lagged.usage('b2', 24, 2)
    record = lagged.get('/object/billing/namespace/lab/info?sizeunit=BYTE&include_bucket_detail=true')
    assert (record['total_size'], record['total_objects']) == (1000, 1)
    assert [(item['name'], item['total_size'], item['total_objects']) for item in record['bucket_billing_info']] == [
        ('b1', 1000, 1), ('b2', 0, 0)]
    fake_clock.at(BOUNDARY + 4 * PERIOD + LAG)
    record = lagged.get('/object/billing/namespace/lab/info?sizeunit=BYTE')
    assert (record['total_size'], record['total_objects'], record['sample_time']) == (
        1024, 3, stamp(BOUNDARY + 4 * PERIOD))


def test_without_lag_seeded_usage_shows_at_once(fake_clock):
    sim = InProcess(0)
    sim.usage('b1', GIB, 3)
    sim.reported(GIB, 3, BOUNDARY)  # sample_time: now floored to 5 minutes, as before
    fake_clock.at(T0 + 1)
    sim.usage('b1', 2 * GIB, 4)
    sim.reported(2 * GIB, 4, BOUNDARY)


def test_the_history_is_kept_without_lag_so_the_lag_can_be_switched_on_later(fake_clock):
    sim = InProcess(0)
    sim.usage('b1', GIB, 3)
    sim.reported(GIB, 3, BOUNDARY)
    assert sim.admin('POST', '/_sim/config', {'metering_lag_seconds': LAG})['metering_lag_seconds'] == LAG
    sim.reported(0, 0, BOUNDARY - 2 * PERIOD)
    fake_clock.at(BOUNDARY + PERIOD + LAG)
    sim.reported(GIB, 3, BOUNDARY + PERIOD)
    sim.admin('POST', '/_sim/config', {'metering_lag_seconds': 0})
    sim.reported(GIB, 3, BOUNDARY + 3 * PERIOD)


def test_state_shows_the_current_usage_whatever_the_lag(lagged):
    lagged.usage('b1', GIB, 3)
    assert lagged.admin('GET', '/_sim/state')['namespaces']['lab']['buckets']['b1']['usage'] == {
        'bytes': GIB, 'objects': 3}


# ----- through a real simulator process (real time) --------------------------------------------------------------

def metering_point(moment):
    """The sample boundary at or before moment - LAG."""
    return (moment - LAG) - (moment - LAG) % PERIOD


def test_lag_set_through_sim_config_hides_fresh_usage(ecs_sim, api):
    assert ecs_sim.config()['metering_lag_seconds'] == 0
    assert ecs_sim.config(metering_lag_seconds=LAG)['metering_lag_seconds'] == LAG
    ecs_sim.seed({'namespaces': {'lab': {'vpool': 'rg1', 'buckets': {'b1': {'usage': {'bytes': GIB, 'objects': 3}}}}}})
    before = time.time()
    records = [api.get('/object/billing/buckets/lab/b1/info', params={'sizeunit': 'BYTE'}).json(),
               api.get('/object/billing/namespace/lab/info', params={'sizeunit': 'BYTE'}).json(),
               api.post('/object/billing/namespace/info', params={'sizeunit': 'BYTE'},
                        json={'id': ['lab']}).json()['namespace_billing_info'][0],
               api.post('/object/billing/buckets/lab/info', params={'sizeunit': 'BYTE'},
                        json={'id': ['b1']}).json()['bucket_billing_info'][0]]
    after = time.time()
    allowed = {stamp(metering_point(before)), stamp(metering_point(after))}
    for record in records:
        assert (record['total_size'], record['total_objects']) == (0, 0)
        assert record['sample_time'] == record['uptodate_till'] and record['sample_time'] in allowed
    ecs_sim.config(metering_lag_seconds=0)
    record = api.get('/object/billing/buckets/lab/b1/info', params={'sizeunit': 'BYTE'}).json()
    assert (record['total_size'], record['total_objects']) == (GIB, 3)


@pytest.mark.parametrize('bad', [-1, 'ten', True, None])
def test_bad_lags_are_refused(ecs_sim, bad):
    with pytest.raises(SimulatorError, match='HTTP 400.*metering_lag_seconds'):
        ecs_sim.config(metering_lag_seconds=bad)
    assert ecs_sim.config()['metering_lag_seconds'] == 0


def test_reset_turns_the_lag_off_again(ecs_sim):
    ecs_sim.config(metering_lag_seconds=LAG)
    ecs_sim.reset()
    assert ecs_sim.config()['metering_lag_seconds'] == 0


def test_command_line_flag_parses():
    assert cli.parse_args([]).metering_lag_seconds == 0
    assert cli.parse_args(['--metering-lag-seconds', '600']).metering_lag_seconds == 600
    assert cli.parse_args(['--metering-lag-seconds', '2.5']).metering_lag_seconds == 2.5


def test_a_negative_flag_is_a_command_line_error(capsys):
    assert cli.main(['--metering-lag-seconds', '-1']) == 2
    assert 'metering_lag_seconds' in capsys.readouterr().err


def test_command_line_flag_sets_the_lag_and_reset_keeps_it(ecs_sim_factory):
    sim = ecs_sim_factory(extra_args=('--metering-lag-seconds', str(LAG)))
    assert sim.config()['metering_lag_seconds'] == LAG
    sim.seed({'namespaces': {'lab': {'vpool': 'rg1', 'buckets': {'b1': {'usage': {'bytes': GIB, 'objects': 3}}}}}})
    api = sim.api()
    assert api.get('/object/billing/buckets/lab/b1/info', params={'sizeunit': 'BYTE'}).json()['total_size'] == 0
    api.session.close()
    sim.reset()
    assert sim.config()['metering_lag_seconds'] == LAG
