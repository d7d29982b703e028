# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The work of ``coldfront_usage_report``: the report read from ColdFront, and its files (HTML, JSON, CSV, Prometheus
metrics, showback CSV) written as an Ansible module writes files: atomically, only when their content changed, with the
file options applied."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import tempfile

from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.report_data import collect_report
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.metrics import render_metrics
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report import to_csv, to_json, to_showback_csv
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report_html import render_html
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report_retention import FILE_NAMES

RENDERERS = {'html': render_html, 'json': to_json, 'csv': to_csv, 'prom': render_metrics, 'showback': to_showback_csv}
DEFAULT_FORMATS = ['html', 'json', 'csv']
SUMMARY_KEYS = ('name', 'capacity', 'used', 'allocated', 'used_percent', 'overcommit_percent', 'allocation_count',
                'level', 'last_sync', 'stale')


def _same_content(path, data):
    if not os.path.isfile(path):
        return False
    with open(path, 'rb') as handle:
        return handle.read() == data


def write_file(module, path, text, mode=None):
    """Write ``text`` to ``path`` atomically (a temporary file in the same directory, then a rename) when it differs,
    and apply the file options (``mode`` instead of theirs when given); returns whether anything changed (in check
    mode: would change)."""
    data, changed = to_bytes(text), False
    if not _same_content(path, data):
        changed = True
        if not module.check_mode:
            handle, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=os.path.dirname(path))
            with os.fdopen(handle, 'wb') as out:
                out.write(data)
            module.atomic_move(temporary, path)
    if not module.check_mode:
        file_args = module.load_file_common_arguments(module.params, path=path)
        if mode is not None:
            file_args['mode'] = mode
        changed = module.set_fs_attributes_if_different(file_args, changed)
    return changed


def write_metrics_file(module, report, path):
    """The Prometheus metrics alone into ``path`` (a node_exporter textfile collector reads only ``*.prom``)."""
    if not path.endswith('.prom'):
        module.fail_json(msg='metrics_file %s must end with .prom: the node_exporter textfile collector reads only '
                             '*.prom files; rename it' % path)
    if not os.path.isdir(os.path.dirname(path) or '.'):
        module.fail_json(msg='the directory of metrics_file %s does not exist: create it (the textfile collector '
                             'directory of node_exporter) or fix the path' % path)
    return write_file(module, path, render_metrics(report), module.params['metrics_file_mode'])


def write_files(module, report, dest, formats):
    """Write the selected formats into ``dest`` atomically; returns (changed, {format: path})."""
    changed, files = False, {}
    if not module.check_mode and not os.path.isdir(dest):
        try:
            os.makedirs(dest)
        except OSError as exc:
            module.fail_json(msg='cannot create the report directory %s: %s' % (dest, exc))
        changed = True
    for kind in formats:
        files[kind] = os.path.join(dest, FILE_NAMES[kind])
        changed = write_file(module, files[kind], RENDERERS[kind](report)) or changed
    return changed, files


def report_summary(report):
    """What the task returns of the report: the time, the totals and one line per resource."""
    return {
        'generated_at': report['generated_at'],
        'totals': report['totals'],
        'resources': [dict((key, entry[key]) for key in SUMMARY_KEYS) for entry in report['resources']],
    }


def usage_report(module, options):
    """The work of ``coldfront_usage_report``: read ColdFront, write the files asked for, return the task result."""
    params = module.params
    report = collect_report(options, selection=params['selection'], statuses=params['statuses'])
    report['coldfront'] = {'version': module.coldfront['version']}
    result = {'changed': False, 'dest': params['dest'], 'summary': report_summary(report), 'alerts': report['alerts'],
              'stale': report['stale'], 'data_warnings': report['warnings'],
              'recovered': report.get('recovered', []), 'digest': report.get('digest', {})}
    if report['warnings']:
        module.warn('%d problem(s) in the ColdFront data, listed in the report and in data_warnings; first: %s'
                    % (len(report['warnings']), report['warnings'][0]))
    for alert in report['stale']:
        module.warn(alert['message'])
    if params['dest']:
        result['changed'], result['files'] = write_files(module, report, params['dest'], params['formats'])
    if params['metrics_file']:
        result['metrics_file'] = params['metrics_file']
        result['changed'] = write_metrics_file(module, report, params['metrics_file']) or result['changed']
    if not params['dest'] or params['return_report']:
        result['report'] = report
    return result
