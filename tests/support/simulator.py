"""Start and drive the ECS Management API simulator (tests/simulator/ecs_sim.py) from tests, the demo and benchmarks.

    with start_simulator() as sim:
        api = sim.api()                      # logged-in session as the admin user
        api.post('/object/namespaces/namespace', json={'namespace': 'lab'})
        assert sim.stats()['requests']['POST /object/namespaces/namespace'] == 1

    with start_simulator(vdcs={'vdc-a': '127.0.0.1', 'vdc-b': '127.0.0.3'}) as fed:   # one federation, one world
        fed.vdc_url('vdc-b'), fed.vdcs()['vdc-b'].id, fed.api(url=fed.vdc_url('vdc-b'))
"""

import json
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections import namedtuple
from functools import partialmethod

import requests

from simulator.app import parse_users
from simulator.models import DEFAULT_VDC

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, 'tests', 'simulator', 'ecs_sim.py')
DEFAULT_USERS = ('root:ChangeMe:SYSTEM_ADMIN',)
START_TIMEOUT = 30

Credentials = namedtuple('Credentials', 'username password')
Vdc = namedtuple('Vdc', 'key name id url')


class SimulatorError(RuntimeError):
    """The simulator did not start, or an admin call failed."""


def ecs_error(response):
    """(HTTP status, ECS code, details, retryable) of a JSON ECS error response."""
    body = response.json()
    return response.status_code, body['code'], body['details'], body['retryable']


class ApiSession:
    """A logged-in requests session against the simulator (JSON unless told otherwise)."""

    def __init__(self, simulator, username, password, accept_json=True, timeout=30, url=None):
        self.url = url or simulator.url
        self.session = requests.Session()
        self.ca_path = simulator.ca_path
        self.timeout = timeout
        if accept_json:
            self.session.headers['Accept'] = 'application/json'
        response = self.request('GET', '/login', auth=(username, password))
        if response.status_code != 200:
            raise SimulatorError('login as %s failed: HTTP %d %s' % (username, response.status_code, response.text))
        self.token = response.headers['X-SDS-AUTH-TOKEN']
        self.session.headers['X-SDS-AUTH-TOKEN'] = self.token

    def request(self, method, path, **kwargs):
        """Any call; `path` starts with '/'. Returns the requests.Response.

        `verify` is passed on every call: a Session's own `verify` loses to REQUESTS_CA_BUNDLE in the environment.
        """
        kwargs.setdefault('timeout', self.timeout)
        kwargs.setdefault('verify', self.ca_path)
        return self.session.request(method, self.url + path, **kwargs)

    get = partialmethod(request, 'GET')
    post = partialmethod(request, 'POST')
    put = partialmethod(request, 'PUT')
    delete = partialmethod(request, 'DELETE')

    def logout(self, **params):
        """GET /logout and close the session."""
        response = self.get('/logout', params=params)
        self.session.close()
        return response


class SimulatorProcess:
    """A running simulator process and its admin API (/_sim/*)."""

    def __init__(self, process, url, host, port, ca_path, admin, cleanup=(), vdc_hosts=None):
        self.process = process
        self.url = url
        self.host = host
        self.port = port
        self.ca_path = ca_path
        self.admin = admin
        self.vdc_hosts = dict(vdc_hosts or {DEFAULT_VDC: [host]})
        self._cleanup = list(cleanup)
        self._session = requests.Session()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _admin(self, method, path, payload=None):
        response = self._session.request(method, self.url + path, json=payload, timeout=60, verify=self.ca_path)
        if response.status_code != 200:
            raise SimulatorError('%s %s: HTTP %d %s' % (method, path, response.status_code, response.text))
        return response.json()

    def stats(self):
        """GET /_sim/stats."""
        return self._admin('GET', '/_sim/stats')

    def reset_stats(self):
        """POST /_sim/stats/reset (counters only)."""
        return self._admin('POST', '/_sim/stats/reset')

    def reset(self):
        """POST /_sim/reset: world, configuration, faults, tokens and counters back to the start."""
        return self._admin('POST', '/_sim/reset')

    def seed(self, world):
        """POST /_sim/seed (upsert; see tests/simulator/README.md); returns the world's counts."""
        return self._admin('POST', '/_sim/seed', world)

    def state(self):
        """GET /_sim/state: the whole world."""
        return self._admin('GET', '/_sim/state')

    def config(self, **changes):
        """POST /_sim/config with the given switches (none: just read them)."""
        if not changes:
            return self._admin('GET', '/_sim/config')
        return self._admin('POST', '/_sim/config', changes)

    def faults(self, **plan):
        """POST /_sim/faults: replace the fault plan (see README); returns the active plan."""
        return self._admin('POST', '/_sim/faults', plan)

    def clear_faults(self):
        """POST /_sim/faults {}."""
        return self._admin('POST', '/_sim/faults', {})

    def api(self, username=None, password=None, accept_json=True, url=None):
        """A logged-in ApiSession (default: the admin user, at `url`, default the first VDC's first address)."""
        return ApiSession(self, username or self.admin.username, password or self.admin.password, accept_json,
                          url=url)

    def vdc_url(self, key=None, host=None):
        """The URL of VDC `key` (default: the first) at `host` (default: its first address)."""
        hosts = self.vdc_hosts[key or next(iter(self.vdc_hosts))]
        return 'https://%s:%d' % (host or hosts[0], self.port)

    def vdcs(self):
        """{VDC key: Vdc(key, name, id, url)} as the simulator has them now; url None for seeded remote VDCs."""
        return {key: Vdc(key, entry['name'], entry['id'], self.vdc_url(key) if key in self.vdc_hosts else None)
                for key, entry in self.state()['vdcs'].items()}

    def stop(self):
        """Kill the process and remove what start_simulator created."""
        self._session.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        for path in self._cleanup:
            shutil.rmtree(path, ignore_errors=True)
        self._cleanup = []


def _read_ready(process, stderr_path, timeout):
    """The URL from the READY line, or SimulatorError with the simulator's stderr."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if selector.select(timeout=0.1):
                line = process.stdout.readline()
                if line.startswith('READY '):
                    return line.split(None, 1)[1].strip()
                if not line and process.poll() is not None:
                    break
            elif process.poll() is not None:
                break
    finally:
        selector.close()
    process.kill()
    process.wait()
    with open(stderr_path, encoding='utf-8', errors='replace') as stream:
        raise SimulatorError('the ECS simulator did not start (exit %s): %s' % (process.returncode, stream.read()[-4000:]))


def _vdc_hosts(host, vdcs):
    """{VDC key: [hosts]} from start_simulator's `vdcs` ({key: host or [hosts]}), else one VDC on `host`."""
    if not vdcs:
        return {DEFAULT_VDC: [host]}
    return {key: [hosts] if isinstance(hosts, str) else list(hosts) for key, hosts in vdcs.items()}


def _address_args(host, vdcs, vdc_id):
    """--host, or --vdc NAME=HOST for each address of a federation; --vdc-id."""
    if not vdcs:
        args = ['--host', host]
    else:
        args = [arg for key, hosts in vdcs.items() for address in hosts for arg in ('--vdc', '%s=%s' % (key, address))]
    return args + (['--vdc-id', vdc_id] if vdc_id else [])


def start_simulator(host='127.0.0.1', port=0, cert_dir=None, users=None, latency_ms=0, extra_args=(), state=None,
                    timeout=START_TIMEOUT, vdcs=None, vdc_id=None):
    """Start `ecs_sim.py` and wait for READY.

    users: 'user:pass[:ROLE]' strings (list or comma-separated); the first is `.admin`.
    state: a world dict (written to a temp file) or the path of a JSON file.
    vdcs: {VDC name: host or [hosts]}: one process serving a federation of VDCs sharing one world, on one port
    (`host` is then not used; `.url` is the first VDC's first address). vdc_id: '[NAME=]ID' for --vdc-id.
    """
    users = list(DEFAULT_USERS if users is None else ([users] if isinstance(users, str) else users))
    name, entry = next(iter(parse_users(','.join(users)).items()))
    admin = Credentials(name, entry['password'])
    vdc_hosts = _vdc_hosts(host, vdcs)
    host = next(iter(vdc_hosts.values()))[0]
    scratch = tempfile.mkdtemp(prefix='ecs-sim-')
    cert_dir = cert_dir or os.path.join(scratch, 'certs')
    args = [sys.executable, SCRIPT, *_address_args(host, vdcs and vdc_hosts, vdc_id), '--port', str(port),
            '--cert-dir', str(cert_dir), '--users', ','.join(users), '--latency-ms', str(latency_ms)]
    if isinstance(state, dict):
        state_path = os.path.join(scratch, 'state.json')
        with open(state_path, 'w', encoding='utf-8') as stream:
            json.dump(state, stream)
        state = state_path
    if state:
        args += ['--state', str(state)]
    stderr_path = os.path.join(scratch, 'stderr.log')
    with open(stderr_path, 'w', encoding='utf-8') as stderr:
        process = subprocess.Popen(args + list(extra_args), stdout=subprocess.PIPE, stderr=stderr, text=True,
                                   stdin=subprocess.DEVNULL)
    try:
        url = _read_ready(process, stderr_path, timeout)
    except SimulatorError:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return SimulatorProcess(process, url, host, int(url.rsplit(':', 1)[1]), os.path.join(str(cert_dir), 'ca.pem'),
                            admin, cleanup=[scratch], vdc_hosts=vdc_hosts)
