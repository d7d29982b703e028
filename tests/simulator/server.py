"""HTTPS front end: a threading HTTP/1.1 server whose worker threads do the TLS handshake and call the simulator."""

import json
import socket
import ssl
import struct
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from .app import Request

HANDSHAKE_TIMEOUT = 10
BIND_ATTEMPTS = 20


class Handler(BaseHTTPRequestHandler):
    """Reads one request at a time from a keep-alive connection and writes the simulator's answer."""

    protocol_version = 'HTTP/1.1'
    timeout = 120  # idle keep-alive connections are closed after this many seconds

    def version_string(self):
        """The Server header."""
        return 'ECS-Simulator/1.0'

    def do_GET(self):  # pylint: disable=invalid-name
        """Every method goes through serve()."""
        self.serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def serve(self):
        """Admin calls (/_sim) are answered directly; API calls go through faults, auth and routing."""
        body = self.read_body()
        simulator = self.server.simulator
        path = urlsplit(self.path).path
        if path == '/_sim' or path.startswith('/_sim/'):
            status, data = simulator.admin(self.command, path, body)
            self.send(status, [('Content-Type', 'application/json')], json.dumps(data).encode('utf-8'))
            return
        outcome = simulator.handle(Request(self.command, self.path, self.headers, body, self.server.vdc))
        if outcome.status:
            self.send(outcome.status, outcome.headers, outcome.payload)
        else:
            self.reset()

    def read_body(self):
        """The request body, by Content-Length or chunked transfer encoding."""
        if 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                if not size:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass  # trailers
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length > 0 else b''

    def send(self, status, headers, payload):
        """Status line, headers (always a Content-Length) and body."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def reset(self):
        """Drop the connection abruptly (TCP RST, no HTTP response)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            self.connection.close()
        except OSError:
            pass

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silent: the simulator logs API calls itself (--log)."""


class SimulatorServer(ThreadingHTTPServer):
    """One thread per connection; TLS is negotiated in that thread so a slow client never blocks accept().

    `vdc` is the key of the VDC this address belongs to (requests carry it, so /object/vdcs/vdc/local knows).
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, simulator, ssl_context, vdc=''):
        self.simulator = simulator
        self.ssl_context = ssl_context
        self.vdc = vdc
        super().__init__(address, Handler)

    def finish_request(self, request, client_address):
        """Handshake, then serve the connection until it closes."""
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle wait between headers and body
        connection = self.ssl_context.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
        try:
            connection.settimeout(HANDSHAKE_TIMEOUT)
            connection.do_handshake()
            self.RequestHandlerClass(connection, client_address, self)
        except (OSError, ssl.SSLError):
            pass  # client went away or failed the handshake
        finally:
            try:
                connection.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        """Connection errors are normal here (timeouts, resets); anything else is printed."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


def open_servers(simulator, listeners, port, ssl_context):
    """One server per (VDC key, host) of `listeners`, all on one port (0: a free port that every host takes)."""
    attempts = BIND_ATTEMPTS if port == 0 else 1
    for attempt in range(1, attempts + 1):
        try:
            return _bind_all(simulator, listeners, port, ssl_context)
        except OSError:
            if attempt == attempts:
                raise
    return []


def _bind_all(simulator, listeners, port, ssl_context):
    """Bind every listener on the first one's port; none stays open when one fails."""
    servers = []
    try:
        for vdc, host in listeners:
            chosen = servers[0].server_address[1] if servers else port
            servers.append(SimulatorServer((host, chosen), simulator, ssl_context, vdc))
    except OSError:
        for server in servers:
            server.server_close()
        raise
    return servers


def serve(servers):
    """Serve until terminated: the first server in this thread, the others in daemon threads."""
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        servers[0].serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.server_close()
