"""The benchmark harness behind `make bench` (see run.py and docs/performance.md).

Importing it puts the collection (``.build/collections``, which ``make venv`` links) on ``sys.path``, as pytest's
``pythonpath`` does for the tests, so every module of the harness can import it.
"""

import os
import sys

_COLLECTIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                            '.build', 'collections')
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)
