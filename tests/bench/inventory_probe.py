"""The inventory plugin's own work, timed piece by piece, with the number of SQL queries (run by the harness).

    DB_URL=... python tests/bench/inventory_probe.py --name-contains bench-ecs
    {"setup_s": 0.7, "load_s": 0.1, "queries": 6, "views_s": 0.1, "allocations": 2000, "resources": 2, "lean_queries": 2}

It does what ``InventoryModule._load_records`` and ``_populate`` compute (``setup_django``, ``load_resources``, the
allocation views and the namespace collisions) without ansible-core around it, so that the cost of ansible-core's
inventory machinery and of ``--list`` JSON can be told apart from ours.  ``lean_queries`` counts what the plugin reads
with ``allocation_vars: false`` (the resources only).
"""

import argparse
import json
import os
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(BENCH_DIR)), '.build', 'collections'))

# pylint: disable=wrong-import-position
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import merge_settings  # noqa: E402
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.systems import (  # noqa: E402
    system_views, usable_resources)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils.coldfront import load_resources, setup_django  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--name-contains', default='ecs')
    args = parser.parse_args(argv)
    started = time.monotonic()
    setup_django()
    from django.db import connection  # pylint: disable=import-outside-toplevel
    from django.test.utils import CaptureQueriesContext  # pylint: disable=import-outside-toplevel
    loaded = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        records = load_resources(selection={'name_contains': args.name_contains}, claims_attribute='Subdirectory')
    viewed = time.monotonic()
    usable, _warnings = usable_resources(records, 'url', 4443)
    allocations = sum(len(views) for views in system_views(usable, merge_settings()).values())
    done = time.monotonic()
    with CaptureQueriesContext(connection) as lean:
        load_resources(selection={'name_contains': args.name_contains}, include_allocations=False)
    json.dump({'setup_s': round(loaded - started, 3), 'load_s': round(viewed - loaded, 3), 'queries': len(queries),
               'views_s': round(done - viewed, 3), 'allocations': allocations, 'resources': len(records),
               'lean_queries': len(lean)}, sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main())
