# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which report run directories to delete: only finished reports count towards the ones kept.

A run directory is made before the report is written, so a failed run leaves it empty (or with a temporary file).
Counted as reports are only run directories holding a report file; an unfinished one is deleted once it is older
than the oldest report kept (a newer one may be a run still writing, and goes at a later run).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

# The file each report format is written to (coldfront_usage_report's formats): the one list of report file names.
FILE_NAMES = {'html': 'report.html', 'json': 'report.json', 'csv': 'report.csv', 'prom': 'metrics.prom',
              'showback': 'showback.csv'}
REPORT_FILES = tuple(FILE_NAMES.values())
# The role's default timestamp format (%Y%m%dT%H%M%SZ): no other directory is ever deleted.
RUN_DIRECTORY = re.compile(r'^[0-9]{8}T[0-9]{6}Z$')


def _path(entry):
    """A path from a text or a ``find`` result entry (``{'path': ...}``), without a trailing slash."""
    path = entry.get('path') if isinstance(entry, dict) else entry
    if not isinstance(path, str) or not path:
        raise ValueError('expected paths or find results with a path, got %r' % (entry,))
    return posixpath.normpath(path)


def expired_runs(directories, files, keep):
    """The run directories to delete, oldest first.

    ``directories``: the entries of the report folder; ``files``: the report files found one level below it;
    ``keep``: how many finished reports to keep (0 or less: delete nothing).
    """
    keep = int(keep)
    runs = sorted(set(path for path in map(_path, directories) if RUN_DIRECTORY.match(posixpath.basename(path))))
    finished = set(posixpath.dirname(path) for path in map(_path, files) if posixpath.basename(path) in REPORT_FILES)
    reports = [path for path in runs if path in finished]
    if keep <= 0 or not reports:
        return []
    oldest_kept = posixpath.basename(reports[-keep:][0])
    unfinished = [path for path in runs if path not in finished and posixpath.basename(path) < oldest_kept]
    return sorted(reports[:-keep] + unfinished)
