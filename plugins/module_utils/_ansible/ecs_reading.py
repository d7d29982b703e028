# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ECS reading of a module that also reads ColdFront (``coldfront_ecs_sync``), made in a thread started before
Django: the ECS wait of the login and the namespace quotas overlaps the Django start-up and the allocations' read."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import queue
import threading

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.ecs_module import EcsSession
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.errors import EcsConfigError
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ecs.usage import Cancelled, collect_usage

ECS_CONNECTION = ('host', 'username', 'password')


class EcsReading:
    """The ECS reading of the module's endpoint, in a thread of its own: :meth:`start` logs in and reads the capacity
    and every namespace's quota while the caller reads ColdFront; :meth:`finish` hands over the namespaces to bill
    and returns the reading (the session logs out in the thread). ``finish(None)`` cancels it: it stops before its
    next call, and returns once it has logged out."""

    def __init__(self, module):
        self.module = module
        self.handover = queue.Queue(maxsize=1)
        self.cancelled = threading.Event()
        self.outcome = {}
        self.thread = threading.Thread(target=self._read, name='ecs-reading', daemon=True)

    def start(self):
        params = self.module.params
        missing = [name for name in ECS_CONNECTION if not params[name]]
        if missing:
            self.outcome['error'] = EcsConfigError('missing required arguments: %s (needed to read ECS when usage is '
                                                   'not given)' % ', '.join(missing))
        else:
            self.thread.start()
        return self.finish

    def _namespaces(self):
        namespaces = self.handover.get()
        if namespaces is None:
            raise Cancelled()
        return namespaces

    def _read(self):
        params = self.module.params
        session = EcsSession(self.module)
        try:
            self.outcome['usage'] = session.run(lambda client: collect_usage(
                client, self._namespaces, params['batch_billing'], params['bucket_limits'] == 'ecs',
                cancelled=self.cancelled))
        except Cancelled:
            pass
        except Exception as exc:  # pylint: disable=broad-exception-caught; re-raised in the module's thread
            # What the failed reading got to: the result says which endpoint it read and how many calls it made.
            exc.ecs_reading = {'endpoint': session.client.base_url if session.client is not None else None,
                               'ecs_calls': session.calls}
            self.outcome['error'] = exc

    def finish(self, namespaces, while_read=None):
        """The reading, once ``namespaces`` are billed; ``while_read()`` runs in the meantime."""
        started = self.thread.ident is not None
        try:
            if self.thread.is_alive():
                if namespaces is None:
                    self.cancelled.set()
                self.handover.put(namespaces)
            if started and while_read is not None:
                while_read()
        finally:
            if started:
                self.thread.join()
        if 'error' in self.outcome and namespaces is not None:
            raise self.outcome['error']
        return self.outcome.get('usage')


def start_reading(module):
    """The sync module's ECS reading, started now: its ``finish`` (None when ``usage`` is given)."""
    if module.params['usage'] is not None:
        return None
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    return EcsReading(module).start()
