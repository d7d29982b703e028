"""The sync and report roles, their playbooks and ansible.cfg, checked without running a play.

The role tasks are loaded the way Ansible loads them and their templates rendered with Ansible's own Templar, so
these tests see what a play would: the arguments the sync role hands coldfront_ecs_sync, its summary line, and the
shape of the quota_alerts that sync and report publish with set_stats (which ansible-core aggregates per key only
when the types match).
"""

import configparser
import os

import pytest
from ansible.executor.stats import AggregateStats
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
LOADER = DataLoader()


def tasks_of(role):
    return LOADER.load_from_file(os.path.join(REPO, 'roles', role, 'tasks', 'main.yml'))


def flat(tasks, role=None):
    """Every task, with the tasks of blocks (and their rescue) and of the role's imported task files inlined."""
    for task in tasks:
        yield task
        for key in ('block', 'rescue', 'always'):
            yield from flat(task.get(key) or (), role)
        if role and task.get('ansible.builtin.import_tasks'):
            path = os.path.join(REPO, 'roles', role, 'tasks', task['ansible.builtin.import_tasks'])
            yield from flat(LOADER.load_from_file(path), role)


def task(role, name):
    [found] = [entry for entry in flat(tasks_of(role), role) if entry.get('name') == name]
    return found


def render(template, **variables):
    return Templar(loader=LOADER, variables=variables).template(trust_as_template(template))


def plays(name):
    return LOADER.load_from_file(os.path.join(REPO, 'playbooks', name))


def play_vars(name):
    """The play that does the work: the last one (the inventory check may come first)."""
    return plays(name)[-1]


@pytest.mark.parametrize('name', ['provision.yml', 'sync.yml', 'adopt.yml'])
def test_inventory_driven_playbooks_first_check_that_there_is_work(name):
    check = plays(name)[0]
    assert check['hosts'] == 'localhost'
    [task] = check['tasks']
    assert task['ansible.builtin.include_role'] == {'name': 'hpc.coldfront_ecs.ecs_common', 'tasks_from': 'inventory'}


SUMMARY = {
    'resource': 'ecs-east', 'ok': True, 'error': None,
    'counts': {'synced': 3, 'skipped': 0, 'pending_push': 0, 'conflict': 0, 'attributes_changed': 4},
    'problems': [],
    'drift': {'missing_namespaces': [{'namespace': 'gone'}],
              'missing_buckets': [{'bucket': 'b1'}, {'bucket': 'b2'}],
              'unclaimed_namespaces': ['x', 'y', 'z']},
    'report': {'quota_pulled': ['allocation 4 (Lab): namespace x 10 TB -> 15 TB (pulled from ECS)'],
               'missing_namespaces': 'gone', 'missing_buckets': 'ns/b1, ns/b2', 'unclaimed_namespaces': 'x, y, z'},
}


def test_sync_passes_the_history_user_like_provision():
    args = task('ecs_sync', 'Read ECS and write quota, usage and capacity into ColdFront')['hpc.coldfront_ecs.coldfront_ecs_sync']
    provision = task('ecs_provision', 'Record the provisioned allocations in ColdFront')
    expected = provision['hpc.coldfront_ecs.coldfront_allocation_attribute']['history_user']
    assert args['history_user'] == expected == '{{ coldfront_ecs_history_user | default(omit, true) }}'
    assert render(args['history_user'], coldfront_ecs_history_user='svc-ansible', omit='__omit__') == 'svc-ansible'
    # The ecs_common default is '': not set means the option is left out (history rows without a user).
    assert render(args['history_user'], coldfront_ecs_history_user='', omit='__omit__') == '__omit__'


def test_coldfront_ecs_sync_takes_history_user_from_the_shared_fragment():
    from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._ansible.coldfront_module import coldfront_argument_spec
    from ansible_collections.hpc.coldfront_ecs.plugins.modules import coldfront_ecs_sync
    import yaml
    doc = yaml.safe_load(coldfront_ecs_sync.DOCUMENTATION)
    assert 'hpc.coldfront_ecs.coldfront.history' in doc['extends_documentation_fragment']
    assert coldfront_argument_spec(writes=True)['history_user'] == {'type': 'str'}


def test_sync_summary_line_names_the_drift_and_the_quotas_pulled():
    msg = task('ecs_sync', 'Report the sync of this resource')['ansible.builtin.debug']['msg']
    line = ' '.join(render(msg, ecs_sync_summary=SUMMARY).split())
    assert line == ('ecs-east: 3 synced, 0 skipped, 0 pending push, 0 conflicts, 4 attributes changed, '
                    'namespaces missing on ECS: gone; buckets missing on ECS: ns/b1, ns/b2; '
                    'namespaces unclaimed on ECS: x, y, z; '
                    'allocation 4 (Lab): namespace x 10 TB -> 15 TB (pulled from ECS)')


def test_sync_fails_the_host_on_the_failures_the_module_decided():
    """The role fails on the module's structured failures (or a resource error), never on message text."""
    when = task('ecs_sync', 'Fail when the resource or one of its allocations could not be synced')['when']
    condition = '{{ %s }}' % when
    unread = {'kind': 'bucket_quotas_unread', 'allocation_id': None, 'namespaces': ['orphan-lab'],
              'message': 'bucket quotas of orphan-lab could not be read'}
    assert render(condition, ecs_sync_summary=dict(SUMMARY, failures=[unread])) is True
    assert render(condition, ecs_sync_summary=dict(SUMMARY, failures=[])) is False
    assert render(condition, ecs_sync_summary=dict(SUMMARY, failures=[], ok=False, error='ECS down')) is True


def published(role, name, **variables):
    data = task(role, name)['ansible.builtin.set_stats']['data']
    return render(data['quota_alerts'], **variables)


REPORT_RESULT = {
    'summary': {'resources': [{'name': 'ecs-east'}, {'name': 'ecs-west'}, {'name': 'ecs-archive'}]},
    'alerts': [{'resource': 'ecs-west', 'name': 'w1', 'level': 'exceeded'},
               {'resource': 'ecs-east', 'name': 'e1', 'level': 'warning'},
               {'resource': 'ecs-west', 'name': 'w2', 'level': 'warning'}],
}


def test_report_publishes_quota_alerts_per_resource_like_sync():
    report = published('ecs_report', 'Hand the alerts and the report path to AWX', ecs_report_result=REPORT_RESULT)
    assert report == {'ecs-east': [REPORT_RESULT['alerts'][1]],
                      'ecs-west': [REPORT_RESULT['alerts'][0], REPORT_RESULT['alerts'][2]],   # worst first, kept
                      'ecs-archive': []}
    empty = published('ecs_report', 'Hand the alerts and the report path to AWX',
                      ecs_report_result={'summary': {'resources': []}, 'alerts': []})
    assert empty == {}

    sync = published('ecs_sync', 'Hand the summary and the alerts to AWX and later tasks',
                     coldfront_resource_name='ecs-east', ecs_sync_summary={'alerts': [{'name': 's1'}]})
    assert sync == {'ecs-east': [{'name': 's1'}]}


@pytest.mark.parametrize('order', ['sync first', 'report first'])
def test_sync_and_report_alerts_aggregate_in_one_run(order):
    """ansible-core keeps the first value of a set_stats key and drops a later one of another type."""
    sync = published('ecs_sync', 'Hand the summary and the alerts to AWX and later tasks',
                     coldfront_resource_name='ecs-north', ecs_sync_summary={'alerts': [{'name': 's1'}]})
    report = published('ecs_report', 'Hand the alerts and the report path to AWX', ecs_report_result=REPORT_RESULT)
    stats = AggregateStats()
    for value in ([sync, report] if order == 'sync first' else [report, sync]):
        stats.update_custom_stats('quota_alerts', value)
    merged = stats.custom['_run']['quota_alerts']
    assert sorted(merged) == ['ecs-archive', 'ecs-east', 'ecs-north', 'ecs-west']
    assert merged['ecs-north'] == [{'name': 's1'}] and len(merged['ecs-west']) == 2


def test_report_playbook_picks_the_python_like_the_others():
    report = play_vars('report.yml')
    for other in ('setup.yml', 'provision.yml', 'sync.yml'):
        assert report['vars'] == play_vars(other)['vars']
    assert report['vars'] == {'ansible_python_interpreter': '{{ coldfront_ecs_python | default(ansible_playbook_python) }}'}
    with open(os.path.join(REPO, 'playbooks', 'report.yml')) as handle:
        header = handle.read().split('- name:')[0]
    assert 'coldfront_ecs_python' in header and 'set ansible_python_interpreter' not in header


def test_ansible_cfg_shows_custom_stats_in_the_recap():
    config = configparser.ConfigParser()
    assert config.read(os.path.join(REPO, 'ansible.cfg'))
    assert config.getboolean('defaults', 'show_custom_stats') is True
