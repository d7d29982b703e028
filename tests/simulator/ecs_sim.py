"""Dell ECS Management API simulator: `python tests/simulator/ecs_sim.py --host 127.0.0.1 --port 0`.

Prints `READY https://HOST:PORT` once listening. See tests/simulator/README.md.
"""

import os
import sys

if __package__ in (None, ''):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from simulator.cli import main  # noqa: E402  pylint: disable=wrong-import-position

if __name__ == '__main__':
    sys.exit(main())
