"""The inventory with ``allocation_vars: false``: hosts without allocations, and roles that read the same views at run
time (coldfront_ecs_allocation_info through ecs_common's ``allocations`` entry point)."""

import os

import pytest

from support.ansible_run import run_inventory, untag

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

READ = 'Read the allocations of this resource from ColdFront'
OPTIONS = 'automation_specifications'
TB = 1024 ** 4


@pytest.fixture
def world(ecs_world, tmp_path):
    """The default world, its automation-options type, a few problem allocations, and a lean inventory file."""
    site = ecs_world.site
    site.add_attribute_type('allocation', OPTIONS, 'Text')
    for title, resource, attributes in (
            ('Lee Lab', 'ecs-east', {'Storage Quota (TB)': '1', OPTIONS: 'nfs_share'}),
            ('Kim Lab', 'ecs-west', {'Storage Quota (TB)': '0', OPTIONS: 'snapshots'}),
            ('Park Lab', 'ecs-east', {'Storage Quota (TB)': '2', 'Namespace': 'smith-lab'})):   # Smith's namespace
        site.add_project(title, ref=title)
        site.add_allocation(title, [resource], attributes=attributes, ref=title)
    ecs_world.lean_inventory = ecs_world.write_inventory(os.path.join(str(tmp_path), 'lean.coldfront.yml'),
                                                         allocation_vars=False, default_automation_options=[])
    ecs_world.check_tokens = True
    return ecs_world


def hostvars(world, inventory):
    proc, data = run_inventory(inventory, env=world.env)
    assert proc.returncode == 0, proc.stderr
    return untag(data)['_meta']['hostvars']


def test_lean_hosts_carry_no_allocation_and_the_roles_read_the_same_views(world):
    full, lean = hostvars(world, world.inventory), hostvars(world, world.lean_inventory)
    assert sorted(lean) == sorted(full) == ['ecs-east', 'ecs-west']
    for host in lean:
        assert 'ecs_allocations' not in lean[host] and 'ecs_allocation_errors' not in lean[host]
        assert lean[host]['coldfront_allocation_query'] == {
            'selection': {'name_contains': 'ecs'}, 'allocation_statuses': ['Active'], 'default_automation_options': [],
            'group_template': '{title}', 'group_name_rules': 'ldap'}
        shared = dict((key, value) for key, value in full[host].items() if key not in ('ecs_allocations', 'ecs_allocation_errors'))
        assert lean[host] == shared                  # the full inventory carries the query too: the roles read again

    play = [{'hosts': 'coldfront_ecs', 'gather_facts': False,
             'vars': {'ansible_python_interpreter': '{{ ansible_playbook_python }}'},
             'tasks': [{'ansible.builtin.include_role': {'name': 'hpc.coldfront_ecs.ecs_common', 'tasks_from': 'allocations'}},
                       {'name': 'Show', 'ansible.builtin.debug': {'var': 'ecs_allocation_errors'}}]}]
    result = world.run(play, inventory=world.lean_inventory)
    assert result.rc == 0, result.output
    for host in ('ecs-east', 'ecs-west'):
        [read] = result.results(READ, host)
        assert read['allocations'] == full[host]['ecs_allocations'], host        # the very same views
        assert read['allocation_errors'] == full[host]['ecs_allocation_errors']
        assert result.results('Show', host)[0]['ecs_allocation_errors'] == full[host]['ecs_allocation_errors']
    kinds = set(kind for host in ('ecs-east', 'ecs-west') for view in full[host]['ecs_allocations']
                for kind in view['error_kinds'])
    assert {'unsupported_option', 'invalid_quota', 'claimed_elsewhere'} <= kinds    # the problems are there too

    # With the full inventory the entry point reads ColdFront too: the roles act on ColdFront as it is when they run.
    result = world.run(play)
    assert result.rc == 0, result.output
    assert result.results(READ, 'ecs-east')[0]['allocations'] == full['ecs-east']['ecs_allocations']


def test_provision_and_sync_through_the_lean_inventory(world):
    site = world.site
    result = world.run('playbooks/provision.yml', inventory=world.lean_inventory)
    assert result.rc == 2, result.output                       # Kim and Park are refused, the others provisioned
    assert sorted(world.east.state()['namespaces']) == ['jones-genomics', 'lee-lab', 'smith-lab']
    assert sorted(world.west.state()['namespaces']) == ['chen-patel-ber-lab-2024']
    summary = result.custom_stats['_run']['ecs_provision_summary']
    assert summary['ecs-east']['counts']['created'] == 3
    smith = site.allocation_id('smith-east')
    assert dict((name, value) for name, value, _usage in site.allocation_attributes('smith-east'))['Subdirectory'] == \
        'smith-lab:lab-smith-lab-bucket'

    world.set_bucket_usage('smith-lab', 'lab-smith-lab-bucket', 3 * TB)
    result = world.run('playbooks/sync.yml', inventory=world.lean_inventory, extra_vars={'ecs_sync_fail_on_problems': False})
    assert result.rc == 0, result.output
    usage = dict((name, used) for name, _value, used in site.allocation_attributes('smith-east'))
    assert usage['Quota_In_Bytes'] == float(3 * TB)
    entries = dict((entry['allocation_id'], entry['status']) for entry in
                   result.results('Read ECS and write quota, usage and capacity into ColdFront', host='ecs-east')[0]['allocations'])
    assert entries[smith] == 'synced'

    history = site.history_counts()
    again = world.run('playbooks/sync.yml', inventory=world.lean_inventory, extra_vars={'ecs_sync_fail_on_problems': False})
    assert again.rc == 0 and again.changed == 0, again.output
    assert site.history_counts() == history
