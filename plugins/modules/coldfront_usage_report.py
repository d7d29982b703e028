#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_usage_report
short_description: Write a storage usage report (HTML, JSON, CSV) of the ECS resources from ColdFront
version_added: 0.1.0
description:
  - Reads the selected ECS resources and their allocations from ColdFront, with ColdFront's own history of usage
    values, and writes a usage report into O(dest), C(report.html), C(report.json) and C(report.csv).
  - Per resource, the report shows capacity, used, allocated and overcommit (allocated / capacity), from the
    resource attributes (capacity C(capacity_tb), used C(used_tb) and allocated C(allocated_tb)). Used and
    allocated fall back to the sum over the allocations when the attribute is not set.
  - Per allocation, it shows the limit and usage of the quota attribute (C(Storage Quota (TB))), the percentage used,
    the namespace and the project. Rows at or over the threshold are highlighted, and so are rows over the limit,
    in a stronger style. Percentages and alert levels are computed by the collection's quota rules, the same as
    the P(hpc.coldfront_ecs.quota_alerts#filter) filter (see C(docs/quotas.md)).
  - Charts show usage over time per resource (history of the three resource attributes) and for the top
    O(top) allocations by usage (history of the quota attribute's usage), over the last O(history_days) days.
    No second store is kept. The data comes from ColdFront's history tables.
  - The HTML page is self-contained, with inline CSS, JavaScript and SVG. It fetches nothing when opened, and its
    Content-Security-Policy forbids it to. Every ColdFront text is escaped. The allocation table sorts by usage,
    limit, percentage and the other columns when a header is clicked, or on open with C(#sort=percent:desc).
  - All storage numbers are TB as ColdFront stores them (1 TB = 1024 GB), rounded to 4 decimals. Percentages are
    rounded to 2 decimals. The three files carry the same numbers. A limit of C(-1) is unlimited.
  - Reads ColdFront in a constant number of SQL queries, whatever the number of allocations and history rows.
    It never writes to ColdFront.
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
extends_documentation_fragment:
  - hpc.coldfront_ecs.coldfront
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    description: Reads ColdFront and builds the report, but writes no file; C(changed) tells whether a file would change.
  diff_mode:
    support: none
    description: The files are generated reports (every run has a new time stamp); no diff is shown.
options:
  dest:
    description:
      - Directory that receives C(report.html), C(report.json) and C(report.csv), each as selected by O(formats).
        It is created if missing.
      - Files whose content is unchanged are not rewritten.
      - If not set, no file is written and the report data is returned in RV(report).
    type: path
  formats:
    description:
      - Which files to write into O(dest).
    type: list
    elements: str
    choices: [html, json, csv]
    default: [html, json, csv]
  selection:
    description:
      - "Resource selection, as the inventory plugin does it. Keys (all optional, all must hold)
        C(name_contains) (case-insensitive, default C(ecs); null or empty disables it), C(resource_types) (list),
        C(attribute) (C({name: url, value: ecs1.example.org}); without C(value), the attribute is set and not empty),
        C(query) (JMESPath over the resource record without its allocations; truthy selects) and C(names) (list)."
      - If not set, resources whose name contains C(ecs) are selected.
    type: dict
  statuses:
    description:
      - Allocation status names to report.
    type: list
    elements: str
    default: [Active]
  title:
    description:
      - Title of the report.
    type: str
    default: ECS storage usage
  history_days:
    description:
      - History window in days. Charts show the history rows from this many days before the report until the
        report time.
    type: int
    default: 90
  top:
    description:
      - Number of allocations (the largest usage first) whose usage over time is charted. C(0) charts none.
    type: int
    default: 10
  max_points:
    description:
      - At most this many points per chart series. Longer histories are thinned evenly (first and last kept); the
        report tells how many history rows each series has.
    type: int
    default: 500
  threshold:
    description:
      - Alert threshold, a fraction of the limit (C(0.9) = 90 %). Rows at or over it are highlighted.
    type: float
    default: 0.9
  threshold_overrides:
    description:
      - "Thresholds per resource name, for example C({ecs-archive: 0.8})."
    type: dict
  overcommit:
    description:
      - Overcommit allowance on allocated / capacity (C(1.2) = allocated may reach 120 % of capacity), as in
        P(hpc.coldfront_ecs.quota_alerts#filter). With it, the resource's allocated total is also checked against
        the threshold.
      - If not set, the allocated total has no limit (overcommit is still shown).
    type: float
  overcommit_overrides:
    description:
      - "Overcommit allowances per resource name, for example C({ecs-archive: 1.0}); they win over O(overcommit).
        A null value means no limit for that resource."
    type: dict
  quota_attribute:
    description:
      - Allocation attribute whose value is the limit and whose usage is the usage, in TB.
    type: str
    default: Storage Quota (TB)
  namespace_attribute:
    description:
      - Allocation attribute that overrides the namespace name. Without it, the namespace is the slug of the project
        title.
    type: str
    default: Namespace
  capacity_attribute:
    description:
      - Resource attribute with the capacity in TB.
    type: str
    default: capacity_tb
  used_attribute:
    description:
      - Resource attribute with the used storage in TB.
    type: str
    default: used_tb
  allocated_attribute:
    description:
      - Resource attribute with the allocated storage in TB.
    type: str
    default: allocated_tb
  return_report:
    description:
      - Also return the full report data in RV(report) when O(dest) is set. It is always returned when O(dest) is
        not set.
    type: bool
    default: false
notes:
  - Allocation problems such as a missing or non-numeric quota, or an invalid namespace override, never stop the
    report. They are listed in the report and in RV(data_warnings), and the task warns once with their number.
  - The collection's C(docs/report.md) describes the report, the role C(hpc.coldfront_ecs.ecs_report) that writes
    it into dated directories, and how to schedule it.
seealso:
  - module: hpc.coldfront_ecs.coldfront_allocation_info
'''

EXAMPLES = r'''
- name: Write the usage report of the ECS resources
  hpc.coldfront_ecs.coldfront_usage_report:
    coldfront_env_file: /etc/coldfront/coldfront.env
    dest: /srv/reports/ecs/latest
    history_days: 30
    threshold_overrides:
      ecs-archive: 0.8
  register: usage_report

- name: Hand the alerts to AWX
  ansible.builtin.set_stats:
    data:
      quota_alerts: "{{ usage_report.alerts }}"

- name: Only the numbers, as data for later tasks
  hpc.coldfront_ecs.coldfront_usage_report:
    selection: {names: [ecs-east]}
    top: 0
  register: usage
'''

RETURN = r'''
dest:
  description: The directory the files were written to (null when O(dest) is not set).
  returned: always
  type: str
  sample: /srv/reports/ecs/20260301T120000Z
files:
  description: Path of each file written (or that would be written in check mode), by format.
  returned: when O(dest) is set
  type: dict
  sample: {html: /srv/reports/ecs/20260301T120000Z/report.html, json: /srv/reports/ecs/20260301T120000Z/report.json}
summary:
  description: Totals and, per resource, the numbers of the resource table (TB).
  returned: success
  type: dict
  contains:
    totals:
      description: Number of resources, allocations, alerts, and alerts of each level.
      type: dict
      sample: {resources: 2, allocations: 14, alerts: 3, exceeded: 1, warning: 2}
    resources:
      description: Per resource name, capacity (null when unknown), used, allocated, percentage used and
        overcommit percentage (allocated / capacity).
      type: list
      elements: dict
      sample: [{name: ecs-east, capacity: 500, used: 31.5, allocated: 65, used_percent: 6.3, overcommit_percent: 13}]
    generated_at:
      description: Time of the report (UTC).
      type: str
      sample: "2026-03-01T12:00:00Z"
alerts:
  description:
    - Every quota at or over its threshold, worst first, as the P(hpc.coldfront_ecs.quota_alerts#filter) filter
      returns them, with numbers rounded as in the report.
  returned: success
  type: list
  elements: dict
  sample:
    - {scope: namespace smith-lab, kind: namespace, name: smith-lab, resource: ecs-east, namespace: smith-lab,
       allocation_id: 12, quota: storage, limit: 10, usage: 9.5, percent: 95, threshold: 0.9, level: warning,
       message: "namespace smith-lab on resource ecs-east: storage usage 9.5 TB is at 95% of limit 10 TB (threshold 90%)"}
data_warnings:
  description: Problems found in the ColdFront data, one line per allocation or resource.
  returned: success
  type: list
  elements: str
  sample: ["allocation 15 (Jones Lab) on resource ecs-west: no Storage Quota (TB) attribute"]
report:
  description:
    - The full report data, the content of C(report.json). Keys include C(resources), C(allocations), C(charts),
      C(alerts), C(warnings), C(window) and C(totals); see C(docs/report.md).
  returned: when O(dest) is not set, or O(return_report=true)
  type: dict
coldfront:
  description: The ColdFront reached.
  returned: success
  type: dict
  sample: {version: 1.1.10, database: sqlite /srv/coldfront/coldfront.db}
'''

import os
import tempfile

from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront.report_data import collect_report
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report import (
    ReportError, report_options, to_csv, to_json)
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report_html import render_html

RENDERERS = {'html': render_html, 'json': to_json, 'csv': to_csv}
FILE_NAMES = {'html': 'report.html', 'json': 'report.json', 'csv': 'report.csv'}


def _same_content(path, data):
    if not os.path.isfile(path):
        return False
    with open(path, 'rb') as handle:
        return handle.read() == data


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
        path = os.path.join(dest, FILE_NAMES[kind])
        files[kind] = path
        data = to_bytes(RENDERERS[kind](report))
        if not _same_content(path, data):
            changed = True
            if not module.check_mode:
                handle, temporary = tempfile.mkstemp(prefix='.%s.' % FILE_NAMES[kind], dir=dest)
                with os.fdopen(handle, 'wb') as out:
                    out.write(data)
                module.atomic_move(temporary, path)
        if not module.check_mode:
            file_args = module.load_file_common_arguments(module.params, path=path)
            changed = module.set_fs_attributes_if_different(file_args, changed)
    return changed, files


def _summary(report):
    keys = ('name', 'capacity', 'used', 'allocated', 'used_percent', 'overcommit_percent', 'allocation_count', 'level')
    return {
        'generated_at': report['generated_at'],
        'totals': report['totals'],
        'resources': [dict((key, entry[key]) for key in keys) for entry in report['resources']],
    }


def main():
    module = ColdFrontModule('coldfront_usage_report', dict(
        dest=dict(type='path'),
        formats=dict(type='list', elements='str', choices=list(FILE_NAMES), default=list(FILE_NAMES)),
        selection=dict(type='dict'),
        statuses=dict(type='list', elements='str', default=['Active']),
        title=dict(type='str', default='ECS storage usage'),
        history_days=dict(type='int', default=90),
        top=dict(type='int', default=10),
        max_points=dict(type='int', default=500),
        threshold=dict(type='float', default=0.9),
        threshold_overrides=dict(type='dict'),
        overcommit=dict(type='float'),
        overcommit_overrides=dict(type='dict'),
        quota_attribute=dict(type='str', default='Storage Quota (TB)'),
        namespace_attribute=dict(type='str', default='Namespace'),
        capacity_attribute=dict(type='str', default='capacity_tb'),
        used_attribute=dict(type='str', default='used_tb'),
        allocated_attribute=dict(type='str', default='allocated_tb'),
        return_report=dict(type='bool', default=False),
    ), writes=False, add_file_common_args=True)
    params = module.params
    try:
        options = report_options(
            title=params['title'], threshold=params['threshold'], threshold_overrides=params['threshold_overrides'],
            overcommit=params['overcommit'], overcommit_overrides=params['overcommit_overrides'],
            history_days=params['history_days'], top=params['top'],
            max_points=params['max_points'],
            attributes=dict((key, params['%s_attribute' % key]) for key in ('quota', 'namespace', 'capacity', 'used', 'allocated')))
    except ReportError as exc:
        module.fail_json(msg='invalid report option: %s' % exc)

    def work():
        report = collect_report(options, selection=params['selection'], statuses=params['statuses'])
        report['coldfront'] = {'version': module.coldfront['version']}
        result = {'changed': False, 'dest': params['dest'], 'summary': _summary(report), 'alerts': report['alerts'],
                  'data_warnings': report['warnings']}
        if report['warnings']:
            module.warn('%d problem(s) in the ColdFront data, listed in the report and in data_warnings; first: %s'
                        % (len(report['warnings']), report['warnings'][0]))
        if params['dest']:
            result['changed'], result['files'] = write_files(module, report, params['dest'], params['formats'])
        if not params['dest'] or params['return_report']:
            result['report'] = report
        return result

    module.run(work)


if __name__ == '__main__':
    main()
