#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, hpc.coldfront_ecs contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: coldfront_usage_report
short_description: Write a storage usage report (HTML, JSON, CSV, metrics) of the ECS resources from ColdFront
version_added: 1.0.0
description:
  - Reads the selected ECS resources and their allocations from ColdFront, with ColdFront's own history of usage
    values, and writes a usage report into O(dest), C(report.html), C(report.json) and C(report.csv).
  - Per resource, the report shows capacity, used, allocated and overcommit (allocated / capacity), from the
    resource attributes (O(attribute_names.capacity), O(attribute_names.used), O(attribute_names.allocated)).
    Used and allocated fall back to the sum over the allocations when the attribute is not set.
  - Per allocation, it shows the usage, the requested quota (O(attribute_names.quota_tb)), the agreed quota
    (O(attribute_names.quota_bytes), the last value both sides agreed), the quota ECS enforces (the agreed one when
    recorded, else the requested one, in whole GB rounded up), the percentage of the enforced quota used, the
    namespace and the project. A requested quota that differs from the agreed one is marked C(pending push).
    Invalid values (a negative usage, a negative limit other than C(-1), a value that is not a number) are listed as
    data problems and never shown as unlimited.
  - Rows at or over the threshold are highlighted, and so are rows over the limit, in a stronger style.
    Percentages and alert levels come from the collection's one quota judge, the same as
    M(hpc.coldfront_ecs.coldfront_ecs_sync) and the P(hpc.coldfront_ecs.quota_alerts#filter) filter (see
    C(docs/quotas.md)).
  - Per resource, it shows when sync last wrote it, by which history user and with which change reason, and a
    stale-data alert when that is older than O(stale_after_hours).
  - Charts show usage over time per resource (history of the three resource attributes) and for the top
    O(top) allocations by usage (history of the quota attribute's usage), over the last O(history_days) days.
    No second store is kept. The data comes from ColdFront's history tables.
  - The HTML page is self-contained, with inline CSS, JavaScript and SVG. It fetches nothing when opened, and its
    Content-Security-Policy forbids it to. Every ColdFront text is escaped. The allocation table sorts by usage,
    limit, percentage and the other columns when a header is clicked, or on open with C(#sort=percent:desc).
  - All storage numbers are TB as ColdFront stores them (1 TB = 1024 GB), rounded to 4 decimals. Percentages are
    rounded to 2 decimals. The three files carry the same numbers. A limit of C(-1) is unlimited.
  - With C(prom) in O(formats), or with O(metrics_file), the same numbers as a Prometheus text exposition
    (C(metrics.prom), the format the node_exporter textfile collector reads), with gauges in bytes, seconds and ratios
    per resource, per allocation (labels C(resource), C(allocation_id), C(project), C(pi), C(namespace)), per project
    and per PI. C(docs/report.md) lists the metrics and C(docs/grafana/coldfront-ecs.json) is a dashboard using them.
  - Showback. Per project and per PI, over all resources, the usage, the finite enforced quotas and the TB-months
    over the history window (the integral of each allocation's usage history, 1 month = 30 days) are in
    C(report.json) (key C(showback)) and, with C(showback) in O(formats), in C(showback.csv).
  - Reads ColdFront in a constant number of SQL queries, whatever the number of allocations and history rows.
    It never writes to ColdFront.
author:
  - hpc.coldfront_ecs contributors (@hpc-coldfront-ecs)
extends_documentation_fragment:
  - hpc.coldfront_ecs.coldfront
  - hpc.coldfront_ecs.attribute_names
  - hpc.coldfront_ecs.forecast
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
      - "Which files to write into O(dest): C(html) (C(report.html)), C(json) (C(report.json)), C(csv)
        (C(report.csv)), C(prom) (C(metrics.prom), Prometheus text exposition) and C(showback) (C(showback.csv),
        totals and TB-months per project and PI)."
    type: list
    elements: str
    choices: [html, json, csv, prom, showback]
    default: [html, json, csv]
  metrics_file:
    description:
      - Also write the Prometheus text exposition to this file, for example into the directory of the node_exporter
        textfile collector (C(--collector.textfile.directory)). It is written atomically (a temporary file in the
        same directory, then a rename), so the collector never reads half a file, and only when its content changed.
      - The name must end with C(.prom) and its directory must exist. It does not need O(dest).
    type: path
  metrics_file_mode:
    description:
      - Permissions of O(metrics_file), instead of O(mode) (node_exporter usually runs as another user and must
        read it, for example C("0644")). If not set, O(mode) applies.
    type: raw
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
      - Number of allocations (the largest current usage first; none with no or zero usage) whose usage over time
        is charted. C(0) charts none.
    type: int
    default: 10
  max_points:
    description:
      - At most this many points per chart series. Longer histories are cut into O(max_points)/6 stretches that
        keep their first, last, highest and lowest readings (and the reading after each extreme), so peaks
        survive; the report tells how many history rows each series has.
    type: int
    default: 500
  threshold:
    description:
      - Alert threshold, a fraction of the limit (C(0.9) = 90 %). Rows at or over it are highlighted.
    type: float
    default: 0.9
  threshold_overrides:
    description:
      - "Thresholds per resource name, for example C({ecs-archive: 0.8}); they win over O(threshold_percent_overrides)."
    type: dict
  threshold_percent_overrides:
    description:
      - "Thresholds in percent per resource name, for example C({ecs-archive: 80}) (the roles pass
        C(coldfront_ecs_resource_threshold_percent), the soft quota percentages of provisioning)."
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
  stale_after_hours:
    description:
      - A resource whose last sync is older than this many hours, or that was never synced, gets a stale-data alert
        (in the report, in RV(stale) and as a task warning). C(0) disables the check.
      - The last sync of a resource is the newest ColdFront history row that M(hpc.coldfront_ecs.coldfront_ecs_sync)
        wrote on its capacity, used or allocated attribute. Sync writes only values that changed, so a resource
        whose numbers did not change for that long is reported stale too.
    type: int
    default: 48
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

- name: Metrics for the node_exporter textfile collector, and the showback CSV
  hpc.coldfront_ecs.coldfront_usage_report:
    coldfront_env_file: /etc/coldfront/coldfront.env
    dest: /srv/reports/ecs/latest
    formats: [json, showback]
    metrics_file: /var/lib/prometheus/node-exporter/coldfront_ecs.prom
    mode: "0644"

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
metrics_file:
  description: The Prometheus metrics file written (or that would be written in check mode).
  returned: when O(metrics_file) is set
  type: str
  sample: /var/lib/prometheus/node-exporter/coldfront_ecs.prom
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
      sample: {resources: 2, allocations: 14, alerts: 3, exceeded: 1, warning: 2, invalid: 0, pending_push: 1,
               stale: 0}
    resources:
      description: Per resource name, capacity (null when unknown), used, allocated, percentage used,
        overcommit percentage (allocated / capacity), the last sync (null when never) and whether it is stale.
      type: list
      elements: dict
      sample: [{name: ecs-east, capacity: 500, used: 31.5, allocated: 65, used_percent: 6.3, overcommit_percent: 13,
                last_sync: {at: "2026-03-01T11:00:00Z", user: svc-ansible,
                            reason: "hpc.coldfront_ecs: coldfront_ecs_sync"}, stale: false}]
    generated_at:
      description: Time of the report (UTC).
      type: str
      sample: "2026-03-01T12:00:00Z"
alerts:
  description:
    - Every quota at or over its threshold, worst first, as the P(hpc.coldfront_ecs.quota_alerts#filter) filter
      and M(hpc.coldfront_ecs.coldfront_ecs_sync) return them for the same numbers (one alert per resource quota and
      at most one per allocation), with numbers rounded as in the report.
  returned: success
  type: list
  elements: dict
  sample:
    - {scope: namespace smith-lab, kind: namespace, name: smith-lab, resource: ecs-east, namespace: smith-lab,
       allocation_id: 12, quota: storage, limit: 10, enforced_limit: 10, usage: 9.5, percent: 95, threshold: 0.9,
       level: warning, buckets: [],
       message: "namespace smith-lab on resource ecs-east: storage usage 9.5 TB is at 95% of limit 10 TB (threshold 90%)"}
recovered:
  description: The alerts of the previous sync that no longer fire.
  returned: success
  type: list
  elements: dict
digest:
  description:
    - The alerts (with their state, C(new) or C(ongoing)) per PI and per project, with C(changed), as in
      M(hpc.coldfront_ecs.coldfront_ecs_sync).
  returned: success
  type: dict
stale:
  description: One stale-data alert per resource not synced within O(stale_after_hours).
  returned: success
  type: list
  elements: dict
  sample:
    - {kind: stale, resource: ecs-west, last_sync: "2026-02-25T08:00:00Z", age_hours: 100, stale_after_hours: 48,
       message: "resource ecs-west was last synced 2026-02-25T08:00:00Z, 100 hours ago, over the 48 hours allowed
         (stale_after_hours): run sync; the numbers shown may be out of date"}
data_warnings:
  description: Problems found in the ColdFront data, one line per allocation or resource.
  returned: success
  type: list
  elements: str
  sample: ["allocation 15 (Jones Lab) on resource ecs-west: no Storage Quota (TB) attribute"]
report:
  description:
    - The full report data, the content of C(report.json). Keys include C(resources), C(allocations), C(charts),
      C(alerts), C(warnings), C(window), C(totals) and C(showback); see C(docs/report.md).
  returned: when O(dest) is not set, or O(return_report=true)
  type: dict
coldfront:
  description: The ColdFront reached.
  returned: success
  type: dict
  sample: {version: 1.1.10, database: sqlite /srv/coldfront/coldfront.db}
'''

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import ColdFrontModule
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.report_job import DEFAULT_FORMATS, usage_report
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import forecast
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.attributes import attribute_names_spec
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.overrides import threshold_overrides
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report import ReportError, report_options
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.report_retention import FILE_NAMES


def main():
    module = ColdFrontModule('coldfront_usage_report', dict(
        dest=dict(type='path'),
        formats=dict(type='list', elements='str', choices=list(FILE_NAMES), default=list(DEFAULT_FORMATS)),
        metrics_file=dict(type='path'),
        metrics_file_mode=dict(type='raw'),
        selection=dict(type='dict'),
        statuses=dict(type='list', elements='str', default=['Active']),
        title=dict(type='str', default='ECS storage usage'),
        history_days=dict(type='int', default=90),
        top=dict(type='int', default=10),
        max_points=dict(type='int', default=500),
        stale_after_hours=dict(type='int', default=48),
        forecast_window_days=dict(type='int', default=forecast.DEFAULT_WINDOW_DAYS),
        forecast_days=dict(type='int', default=forecast.DEFAULT_FORECAST_DAYS),
        threshold=dict(type='float', default=0.9),
        threshold_overrides=dict(type='dict'),
        threshold_percent_overrides=dict(type='dict'),
        overcommit=dict(type='float'),
        overcommit_overrides=dict(type='dict'),
        attribute_names=dict(type='dict', default={}, options=attribute_names_spec()),
        return_report=dict(type='bool', default=False),
    ), writes=False, add_file_common_args=True)
    params = module.params
    try:
        overrides = threshold_overrides(params['threshold_overrides'], params['threshold_percent_overrides'])
        forecast.check_settings(params)
        options = report_options(
            title=params['title'], threshold=params['threshold'], threshold_overrides=overrides,
            overcommit=params['overcommit'], overcommit_overrides=params['overcommit_overrides'],
            history_days=params['history_days'], top=params['top'],
            max_points=params['max_points'], stale_after_hours=params['stale_after_hours'],
            forecast_window_days=params['forecast_window_days'], forecast_days=params['forecast_days'],
            attributes=params['attribute_names'])
    except (ReportError, ValueError) as exc:
        module.fail_json(msg='invalid report option: %s' % exc)

    module.run(lambda: usage_report(module, options))


if __name__ == '__main__':
    main()
