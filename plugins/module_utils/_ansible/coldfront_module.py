# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""AnsibleModule glue shared by the ColdFront modules: options, bootstrap, error reporting."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.base_module import CollectionModule

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.access import (
    ColdFrontError, ColdFrontUnavailable, DEFAULT_SETTINGS_MODULE, _first_line, mask, setup_django)

COLDFRONT_URL = 'https://pypi.org/project/coldfront/'


def coldfront_argument_spec(writes=True):
    """The options of the ``hpc.coldfront_ecs.coldfront`` doc fragment (and ``.history`` when ``writes``)."""
    spec = dict(
        coldfront_env_file=dict(type='path', fallback=(env_fallback, ['COLDFRONT_ENV'])),
        db_url=dict(type='str', no_log=True, fallback=(env_fallback, ['DB_URL'])),
        settings_module=dict(type='str', default=DEFAULT_SETTINGS_MODULE,
                             fallback=(env_fallback, ['DJANGO_SETTINGS_MODULE'])),
    )
    if writes:
        spec.update(change_reason=dict(type='str'), history_user=dict(type='str'))
    return spec


class ColdFrontModule(CollectionModule):
    """An AnsibleModule that reaches ColdFront; ``name`` is the short module name used in change reasons."""

    def __init__(self, name, argument_spec, writes=True, **kwargs):
        spec = coldfront_argument_spec(writes)
        spec.update(argument_spec)
        kwargs.setdefault('supports_check_mode', True)
        super(ColdFrontModule, self).__init__(argument_spec=spec, **kwargs)
        self.short_name = name
        self.coldfront = None

    @property
    def reason(self):
        """``<module>`` or ``<module>: <change_reason>`` (the ColdFront write layer prefixes the collection name)."""
        given = self.params.get('change_reason')
        return '%s: %s' % (self.short_name, given) if given else self.short_name

    @property
    def history_user(self):
        return self.params.get('history_user')

    def connect(self):
        """Set ColdFront up (fails the task with one clear line); forwards its warnings."""
        try:
            self.coldfront = setup_django(env_file=self.params['coldfront_env_file'], db_url=self.params['db_url'],
                                          settings_module=self.params['settings_module'])
        except ColdFrontUnavailable as exc:
            self.fail_json(msg='%s. %s' % (missing_required_lib('coldfront', url=COLDFRONT_URL), mask(exc)),
                           exception=traceback.format_exc())
        except ColdFrontError as exc:
            self.fail_json(msg=mask(exc))
        for warning in self.coldfront['warnings']:
            self.warn(warning)
        return self.coldfront

    def fail_coldfront(self, exc, **result):
        """Fail with a ColdFrontError (its ``errors`` list too, when it has one), password masked."""
        errors = getattr(exc, 'errors', None)
        if errors:
            result['errors'] = [mask(error) for error in errors]
        self.fail_json(msg=mask(exc), **result)

    def run(self, work):
        """connect(), then ``work()`` -> result dict, then exit_json; ColdFront and database errors fail the task."""
        self.connect()
        from django.db import DatabaseError  # pylint: disable=import-outside-toplevel
        try:
            result = work()
        except ColdFrontError as exc:
            self.fail_coldfront(exc)
        except DatabaseError as exc:
            # Locked, gone away, killed, a refusing trigger: every write of a task is one transaction, rolled back.
            self.fail_json(msg='the ColdFront database (%s) failed: %s; this task wrote nothing (its writes are one '
                               'transaction, rolled back): re-run once the database is available'
                               % (self.coldfront['database'], _first_line(exc)))
        result.setdefault('coldfront', {'version': self.coldfront['version'], 'database': self.coldfront['database']})
        self.exit_with(result)
