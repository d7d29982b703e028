"""The shipped AWX workflow (docs/awx/configure.yml), run the way AWX runs it: one ansible-runner job per node.

The chain of nodes and the playbook of each node come from configure.yml itself.  Each job either updates the
inventory first (the inventory source's "update on launch") or reuses the inventory imported before the first job
(a cache timeout, or a source that is not updated on launch).  Either way, sync and report must act on what
provision just created: each role reads the allocations from ColdFront when it runs.
"""

import json
import os

import pytest
import yaml

from integration.awx.awx_support import AWX_DOCS, AwxSite
from integration.awx.test_awx_jobs import Secrets, coldfront_credential, ecs_credential

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

TB = 1024 ** 4


def configure_task(module):
    with open(os.path.join(AWX_DOCS, 'configure.yml')) as handle:
        tasks = yaml.safe_load(handle)[0]['tasks']
    [task] = [task for task in tasks if module in task]
    return task


def workflow_playbooks():
    """The playbooks of the workflow's nodes, from its root along the success edges."""
    workflow = configure_task('awx.awx.workflow_job_template')['awx.awx.workflow_job_template']
    nodes = dict((node['identifier'], node) for node in workflow['workflow_nodes'])
    children = set(target['identifier'] for node in nodes.values()
                   for target in node.get('related', {}).get('success_nodes', []))
    [root] = [name for name in nodes if name not in children]
    templates = dict((item['name'], item['playbook']) for item in configure_task('awx.awx.job_template')['loop'])
    chain = []
    while root:
        node = nodes[root]
        assert node['unified_job_template']['type'] == 'job_template'
        chain.append(templates[node['unified_job_template']['name']])
        following = node.get('related', {}).get('success_nodes', [])
        assert len(following) <= 1 and not node.get('related', {}).get('always_nodes')
        root = following[0]['identifier'] if following else None
    return chain


def test_the_workflow_is_provision_then_sync_then_report_on_an_inventory_updated_on_launch():
    assert workflow_playbooks() == ['playbooks/provision.yml', 'playbooks/sync.yml', 'playbooks/report.yml']
    source = configure_task('awx.awx.inventory_source')['awx.awx.inventory_source']
    assert source['update_on_launch'] is True and source['update_cache_timeout'] == 0


def run_workflow(world, tmp_path, refresh):
    """Every node of the workflow as an AWX job; the inventory updated before each one, or only before the first."""
    keys = Secrets(world)
    coldfront = coldfront_credential("SECRET_KEY='%s'\n" % keys.secret_key, keys.db_url)
    awx = AwxSite(tmp_path / 'awx', [ecs_credential(world), coldfront], inventory_credentials=[coldfront])
    awx.update_inventory(source_vars={'ECS_PORT': world.east.port})
    late = world.site.add_allocation(world.site.add_project('Late Lab'), ['ecs-east'],
                                     attributes={'Storage Quota (TB)': '2'})     # approved after the inventory update
    jobs = {}
    for playbook in workflow_playbooks():
        if refresh:
            awx.update_inventory(source_vars={'ECS_PORT': world.east.port})
        extra = {'ecs_report_output_dir': str(tmp_path / 'reports')} if playbook.endswith('report.yml') else None
        job = awx.launch(playbook, extra_vars=extra)
        assert (job.status, job.rc) == ('successful', 0), job.stdout
        jobs[os.path.basename(playbook)[:-4]] = job
        if playbook.endswith('provision.yml'):
            world.set_bucket_usage('late-lab', 'lab-late-lab-bucket', TB // 2)
    for job in jobs.values():
        keys.assert_not_in(job.private_data_dir.artifacts)
    world.assert_no_live_tokens('the workflow')
    return late, jobs


@pytest.mark.parametrize('refresh', [True, False], ids=['inventory-updated-on-launch', 'inventory-not-refreshed'])
def test_the_workflow_syncs_and_reports_what_provision_just_created(ecs_world, tmp_path, refresh):
    late, jobs = run_workflow(ecs_world, tmp_path, refresh)
    site = ecs_world.site
    assert jobs['provision'].artifact_data['ecs_provision_summary']['ecs-east']['counts']['created'] == 3
    assert 'late-lab' in ecs_world.east.state()['namespaces']

    sync = jobs['sync'].artifact_data['ecs_sync_summary']['ecs-east']
    assert sync['ok'] and sync['counts']['synced'] == 3 and sync['failures'] == [], sync
    written = jobs['sync'].host_results('Read ECS and write quota, usage and capacity into ColdFront')['ecs-east']
    [entry] = [entry for entry in written['allocations'] if entry['allocation_id'] == late]
    assert (entry['status'], entry['kind']) == ('synced', None)
    values = dict((name, (value, usage)) for name, value, usage in site.allocation_attributes(late))
    assert values['Quota_In_Bytes'] == (str(2 * TB), float(TB // 2))

    with open(os.path.join(jobs['report'].artifact_data['ecs_report_dir'], 'report.json')) as handle:
        report = json.load(handle)
    [row] = [row for row in report['allocations'] if row['id'] == late]
    assert (row['namespace'], row['usage']) == ('late-lab', pytest.approx(0.5))
