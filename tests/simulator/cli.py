"""Command line of the simulator (run through ecs_sim.py)."""

import argparse
import atexit
import json
import logging
import os
import shutil
import signal
import sys
import tempfile

from .app import Simulator, parse_users
from .config import Config
from .models import DEFAULT_VDC, vdc_urn
from .server import open_servers, serve
from .tls import server_context


def parse_args(argv):
    """The documented command line."""
    parser = argparse.ArgumentParser(prog='ecs_sim.py', description='Dell ECS Management API simulator (HTTPS)')
    parser.add_argument('--host', help='address to listen on (default 127.0.0.1; loopback only in tests)')
    parser.add_argument('--vdc', action='append', default=[], metavar='NAME=HOST',
                        help='serve VDC NAME on HOST instead of --host; repeat for a federation of VDCs sharing one '
                             'world (all on --port), or with the same NAME for more addresses of one VDC')
    parser.add_argument('--vdc-id', action='append', default=[], metavar='[NAME=]ID',
                        help='id of VDC NAME (default: the first): a VirtualDataCenterData URN, a UUID, or text '
                             'hashed into one; default a random id per start')
    parser.add_argument('--port', type=int, default=4443, help='port; 0 picks a free one (printed on READY)')
    parser.add_argument('--cert-dir', help='ca.pem, server.pem, server.key (generated when missing); default: temp dir')
    parser.add_argument('--state', help='JSON world to load at start (shape of POST /_sim/seed); /_sim/reset returns to it')
    parser.add_argument('--latency-ms', type=float, default=0, help='added to every API call')
    parser.add_argument('--users', default='root:ChangeMe:SYSTEM_ADMIN',
                        help='user:password[:ROLE[+ROLE][@namespace]],... (default root:ChangeMe:SYSTEM_ADMIN)')
    parser.add_argument('--token-cap', type=int, default=100, help='live tokens per user (default 100)')
    parser.add_argument('--namespace-list', choices=('brief', 'full'), default='full',
                        help='namespace list items: brief (id/name/link, older ECS) or full (4.x); default full')
    parser.add_argument('--batch-billing', choices=('on', 'off'), default='on',
                        help='POST /object/billing/namespace/info available (default on)')
    parser.add_argument('--metering-lag-seconds', type=float, default=0,
                        help='billing reports usage as of the 5-minute sample at or before now minus this (default 0: '
                             'no lag)')
    parser.add_argument('--log', default=os.environ.get('ECS_SIM_LOG'),
                        help='append one line per API call to this file (tokens truncated); env ECS_SIM_LOG')
    return parser.parse_args(argv)


def parse_vdcs(args):
    """{VDC key: {'id', 'hosts'}} in command-line order, from --vdc (else --host) and --vdc-id."""
    if args.vdc and args.host:
        raise ValueError('give the addresses either with --host or with --vdc NAME=HOST, not both')
    vdcs, seen = {}, set()
    for item in args.vdc or ['%s=%s' % (DEFAULT_VDC, args.host or '127.0.0.1')]:
        name, _equals, host = (part.strip() for part in item.partition('='))
        if not name or not host or host in seen:
            raise ValueError('bad --vdc %r: expected NAME=HOST, every HOST once' % item)
        seen.add(host)
        vdcs.setdefault(name, {'id': None, 'hosts': []})['hosts'].append(host)
    set_vdc_ids(vdcs, args.vdc_id)
    return vdcs


def set_vdc_ids(vdcs, items):
    """Apply `--vdc-id [NAME=]ID` (no NAME: the first VDC); the others get a random id."""
    for item in items:
        name, equals, value = item.rpartition('=')
        key = name.strip() if equals else next(iter(vdcs))
        if key not in vdcs or not value.strip():
            raise ValueError('bad --vdc-id %r: expected [NAME=]ID with NAME given to --vdc' % item)
        vdcs[key]['id'] = vdc_urn(value)
    for vdc in vdcs.values():
        vdc['id'] = vdc['id'] or vdc_urn()


def request_logger(path):
    """A line logger writing to `path`, or None."""
    if not path:
        return None
    logger = logging.getLogger('ecs_sim.requests')
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter('%(asctime)s %(message)s'))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger.info


def main(argv=None):
    """Start the simulator and serve until terminated."""
    args = parse_args(argv)
    config = Config()
    try:
        config.update({'latency_ms': args.latency_ms, 'token_cap': args.token_cap,
                       'namespace_list': args.namespace_list, 'batch_billing': args.batch_billing,
                       'metering_lag_seconds': args.metering_lag_seconds})
        state = None
        if args.state:
            with open(args.state, encoding='utf-8') as stream:
                state = json.load(stream)
        vdcs = parse_vdcs(args)
        simulator = Simulator(users=parse_users(args.users), state=state, config=config, log=request_logger(args.log),
                              vdcs=vdcs)
    except (OSError, ValueError) as error:
        print('ecs_sim: %s' % error, file=sys.stderr)
        return 2
    cert_dir = args.cert_dir
    if not cert_dir:
        cert_dir = tempfile.mkdtemp(prefix='ecs-sim-certs-')
        atexit.register(shutil.rmtree, cert_dir, True)
    listeners = [(key, host) for key, vdc in vdcs.items() for host in vdc['hosts']]
    hosts = [host for _key, host in listeners]
    context = server_context(cert_dir, *hosts)
    try:
        servers = open_servers(simulator, listeners, args.port, context)
    except OSError as error:
        print('ecs_sim: cannot listen on %s port %s: %s' % (', '.join(hosts), args.port, error), file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print('READY https://%s:%d' % (hosts[0], servers[0].server_address[1]), flush=True)
    serve(servers)
    return 0
