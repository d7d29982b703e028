"""The ECS floor of a sync on this machine: the sync's own ECS calls, made by a bare client (step ``ECS floor``).

Per endpoint, in the order of the collection's reading: the login, the capacity, the namespace list (paged), each
namespace's quota when the list does not carry it, then the billing: one batch call per 100 namespaces when the
endpoint takes the first one, else one call per namespace; then the logout (the page size, the batch size and the
billing parameters are the collection client's own).  ``workers`` calls at once per endpoint
(4, the collection's default) and every endpoint at once, as the sync runs them.  The client is the standard
library's ``http.client`` over one keep-alive TLS connection per worker; it only decodes each answer with
``json.loads``.  No requests, Ansible or ColdFront: its wall time is what this machine and its simulators allow the
sync's ECS reading, and the sync's time above it is Ansible, ColdFront and the collection's own work.

    seconds, calls = bare_reading(world)       # calls as the simulators count them (login and logout included)
"""

import base64
import http.client
import json
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlencode

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.client import (
    BATCH_BILLING_SIZE, BILLING_PARAMS, PAGE_SIZE)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import TOKEN_HEADER

BILLING_QUERY = '?' + urlencode(BILLING_PARAMS)


class BareEndpoint:
    """One endpoint's connections (one per worker) and token."""

    def __init__(self, simulator, workers):
        self.simulator = simulator
        self.workers = workers
        self.context = ssl.create_default_context(cafile=simulator.ca_path)
        self.local = threading.local()
        self.token = None
        self.calls = 0
        self.lock = threading.Lock()

    def _connection(self):
        connection = getattr(self.local, 'connection', None)
        if connection is None:
            connection = http.client.HTTPSConnection(self.simulator.host, self.simulator.port, context=self.context,
                                                     timeout=60)
            self.local.connection = connection
        return connection

    def call(self, method, path, body=None, headers=None):
        """``(status, decoded answer)`` of one call."""
        headers = dict(headers or {}, Accept='application/json')
        if self.token:
            headers[TOKEN_HEADER] = self.token
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers['Content-Type'] = 'application/json'
        connection = self._connection()
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        text = response.read()
        with self.lock:
            self.calls += 1
        if response.status == 200 and path == '/login':
            self.token = response.getheader(TOKEN_HEADER)
        return response.status, json.loads(text) if text.strip() else None

    def map(self, requests):
        """Every ``(method, path, body)`` of ``requests``, ``workers`` at a time; ``[(status, answer)]``."""
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(lambda request: self.call(*request), requests))

    def read(self):
        """The sync's reading of this endpoint; raises when a call the sync needs fails."""
        user = '%s:%s' % (self.simulator.admin.username, self.simulator.admin.password)
        status, _answer = self.call('GET', '/login', headers={'Authorization': 'Basic ' + base64.b64encode(
            user.encode()).decode()})
        if status != 200:
            raise RuntimeError('login refused by %s (HTTP %d)' % (self.simulator.url, status))
        self.call('GET', '/object/capacity')
        items, marker = [], None
        while True:
            query = {'limit': PAGE_SIZE}
            if marker:
                query['marker'] = marker
            _status, page = self.call('GET', '/object/namespaces?' + urlencode(query))
            items += page.get('namespace') or []
            marker = page.get('NextMarker')
            if not marker:
                break
        names = [item.get('name') or item.get('id') for item in items]
        if not all('blockSize' in item for item in items):
            self.map([('GET', '/object/namespaces/namespace/%s/quota' % quote(name, safe=''), None) for name in names])
        self._billing(names)
        self.call('GET', '/logout')

    def _billing(self, names):
        chunks = [names[i:i + BATCH_BILLING_SIZE] for i in range(0, len(names), BATCH_BILLING_SIZE)]
        status, _answer = self.call('POST', '/object/billing/namespace/info' + BILLING_QUERY, body={'id': chunks[0]})
        if status < 300:
            self.map([('POST', '/object/billing/namespace/info' + BILLING_QUERY, {'id': chunk}) for chunk in chunks[1:]])
        else:
            self.map([('GET', '/object/billing/namespace/%s/info%s' % (quote(name, safe=''), BILLING_QUERY), None)
                      for name in names])


def bare_reading(world, workers=4):
    """``(wall seconds, ECS calls)`` of the bare client reading every endpoint of ``world`` at once."""
    endpoints = [BareEndpoint(simulator, workers) for simulator in world.simulators.values()]
    errors = []

    def read(endpoint):
        try:
            endpoint.read()
        except Exception as exc:  # pylint: disable=broad-exception-caught; reported by the step
            errors.append('%s: %s' % (endpoint.simulator.url, exc))
    threads = [threading.Thread(target=read, args=(endpoint,)) for endpoint in endpoints]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    if errors:
        raise RuntimeError('; '.join(errors))
    return wall, sum(endpoint.calls for endpoint in endpoints)
