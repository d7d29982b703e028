"""The report's metrics and showback through playbooks/report.yml against a real ColdFront (issue 18): metrics.prom
and the node_exporter metrics file pass ``promtool check metrics``, parse back with prometheus_client with the
numbers of report.json, and an allocation's TB-months come out of its usage history."""

import datetime
import json
import os
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families

from support.ansible_run import REPO, run_playbook

pytestmark = pytest.mark.coldfront

QUOTA = 'Storage Quota (TB)'
TB = 1024 ** 4
HOSTILE = 'Evil "Lab"\\ \n} 1'


def promtool():
    """The promtool binary (tools/ensure_promtool.sh installs Debian's prometheus package when missing)."""
    return subprocess.run([os.path.join(REPO, 'tools', 'ensure_promtool.sh')], check=True, capture_output=True,
                          text=True).stdout.strip()


def add_history(site):
    """An allocation (hostile title) at 2 TB from 60 days ago, 6 TB from 30 days ago: 2 x 30 + 6 x 30 = 240 TB-days,
    8 TB-months in the 90-day window."""
    allocation_id = site.add_allocation(site.add_project(HOSTILE, pi='achen'), ['ecs-east'],
                                        attributes={QUOTA: {'value': '10', 'usage': 2.0}})
    models = site.orm()
    usage = models.AllocationAttribute.objects.get(allocation_id=allocation_id,
                                                   allocation_attribute_type__name=QUOTA).allocationattributeusage
    usage.value = 6.0
    usage.save()
    history = models.AllocationAttributeUsage.history.model
    rows = list(history.objects.filter(allocation_attribute_id=usage.pk).order_by('history_id'))
    now = datetime.datetime.now(datetime.timezone.utc)
    for index, row in enumerate(rows):
        age = 30 if index == len(rows) - 1 else 60
        history.objects.filter(history_id=row.history_id).update(history_date=now - datetime.timedelta(days=age))
    return allocation_id


def parse(path):
    with open(path) as handle:
        text = handle.read()
    return dict(((sample.name, frozenset(sample.labels.items())), sample.value)
                for family in text_string_to_metric_families(text) for sample in family.samples)


def test_metrics_and_showback_through_the_playbook(coldfront_site, tmp_path):
    site = coldfront_site
    allocation_id = add_history(site)
    textfile_dir = tmp_path / 'textfile'
    textfile_dir.mkdir()
    metrics_file = str(textfile_dir / 'coldfront_ecs.prom')
    result = run_playbook('playbooks/report.yml', env=site.env, extra_vars={
        'ecs_report_output_dir': str(tmp_path / 'reports'), 'ecs_report_formats': ['json', 'prom', 'showback'],
        'ecs_report_metrics_file': metrics_file})
    assert result.rc == 0, result.output
    written = result.results('Write the usage report')[0]
    assert sorted(os.path.basename(path) for path in written['files'].values()) == [
        'metrics.prom', 'report.json', 'showback.csv']
    assert written['metrics_file'] == metrics_file and oct(os.stat(metrics_file).st_mode & 0o777) == '0o644'
    assert os.listdir(str(textfile_dir)) == ['coldfront_ecs.prom']  # no temporary file left behind
    for path in (written['files']['prom'], metrics_file):
        with open(path) as handle:
            check = subprocess.run([promtool(), 'check', 'metrics'], stdin=handle, capture_output=True, text=True,
                                   check=False)
        assert check.returncode == 0 and not check.stdout.strip(), check.stdout + check.stderr

    with open(written['files']['json']) as handle:
        report = json.load(handle)
    parsed = parse(metrics_file)
    assert parsed == parse(written['files']['prom'])
    for row in report['allocations']:
        labels = frozenset({'resource': row['resource'], 'allocation_id': str(row['id']), 'project': row['project'],
                            'pi': row['pi'] or '', 'namespace': row['namespace']}.items())
        if row['usage'] is not None:
            assert parsed[('coldfront_ecs_allocation_usage_bytes', labels)] == round(row['usage'] * TB)
        if row['enforced'] not in (None, -1):
            assert parsed[('coldfront_ecs_allocation_limit_bytes', labels)] == round(row['enforced'] * TB)
    for entry in report['resources']:
        labels = frozenset({'resource': entry['name']}.items())
        assert parsed[('coldfront_ecs_resource_used_bytes', labels)] == round(entry['used'] * TB)
        assert parsed[('coldfront_ecs_resource_stale', labels)] == int(entry['stale'])

    hostile = [row for row in report['allocations'] if row['id'] == allocation_id][0]
    assert hostile['project'] == HOSTILE and hostile['tb_months'] == pytest.approx(8, abs=1e-3)
    project = [item for item in report['showback']['projects'] if item['project'] == HOSTILE][0]
    assert (project['usage'], project['limit'], project['tb_months']) == (6, 10, hostile['tb_months'])
    with open(written['files']['showback']) as handle:
        assert handle.readline().startswith('kind,project_id,project,pi,')


def test_metrics_file_must_end_in_prom(coldfront_site, tmp_path):
    result = run_playbook('playbooks/report.yml', env=coldfront_site.env, extra_vars={
        'ecs_report_output_dir': str(tmp_path / 'reports'), 'ecs_report_metrics_file': str(tmp_path / 'metrics.txt')})
    assert result.rc != 0
    assert not os.path.exists(str(tmp_path / 'metrics.txt'))
