# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only notification callback: appends one JSON line per task result to $HPC_TEST_EVENTS."""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
name: json_events
type: notification
short_description: write task results as JSON lines for the test suite
description: Test-only; appends one JSON object per task result to the file named by HPC_TEST_EVENTS.
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = 'json_events'
    CALLBACK_NEEDS_ENABLED = False

    def __init__(self):
        super().__init__()
        self._path = os.environ.get('HPC_TEST_EVENTS')
        self._stats = None

    def _write(self, record):
        if self._path:
            with open(self._path, 'a') as handle:
                handle.write(json.dumps(dict(record, time=time.time()), default=str) + '\n')

    def _result(self, result, status):
        data = dict(result._result)
        if status == 'ok' and data.get('changed'):
            status = 'changed'
        self._write({'kind': 'task', 'task': result._task.get_name(), 'action': result._task.action,
                     'host': result._host.get_name(), 'status': status, 'result': data})

    def v2_runner_on_ok(self, result):
        self._result(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._result(result, 'ignored' if ignore_errors else 'failed')

    def v2_runner_on_skipped(self, result):
        self._result(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._result(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        summary = {host: stats.summarize(host) for host in sorted(stats.processed)}
        self._write({'kind': 'stats', 'hosts': summary, 'custom': stats.custom})
