"""The LDAP group of new namespaces is a setting: the inventory's group_template previews it and provision maps it.

Default dataset: smith-east (Smith Lab) and jones-east (Jones Genomics Lab) on ecs-east, odd-west (the Chen & Patel
lab, whose title AD would refuse as a group name) on ecs-west; none provisioned yet.
"""

import os

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._coldfront import access as cf
from support.ansible_run import run_inventory, untag

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

PLAYBOOK = 'playbooks/provision.yml'
PROVISION = 'Provision namespaces and buckets, push quota changes'
TEMPLATE = 'ecs-{attr:Unix Group}'


def add_project_attribute(site, project_ref, name, value):
    """A project attribute ``name`` (its type made when missing) on project ``project_ref``."""
    models = site.orm()
    data_type = models.ProjectDataType.objects.get_or_create(name='Text')[0]
    kind = models.ProjectAttributeType.objects.get_or_create(name=name, defaults={'attribute_type': data_type})[0]
    models.ProjectAttribute.objects.create(proj_attr_type=kind, project_id=site.project_id(project_ref), value=value)


@pytest.fixture
def world(ecs_world, tmp_path):
    """Smith Lab has the project attribute ``Unix Group``, Jones has none; odd-west's group is set on the allocation
    (``ECS_Group``); the inventory maps ``ecs-<Unix Group>`` and checks the groups against the AD rules."""
    site = ecs_world.site
    add_project_attribute(site, 'smith', 'Unix Group', 'smith-unix')
    site.add_attribute_type('allocation', 'ECS_Group', 'Text')
    site.add_allocation_attributes('odd-west', {'ECS_Group': 'chen-patel-lab'})
    ecs_world.inventory = ecs_world.write_inventory(os.path.join(str(tmp_path), 'groups.coldfront.yml'),
                                                    group_template=TEMPLATE, group_name_rules='ad')
    return ecs_world


def host_vars(world, host):
    proc, data = run_inventory(world.inventory, args=('--host', host), env=world.env)
    assert proc.returncode == 0, proc.stderr
    return untag(data)


def views(hostvars):
    return dict((view['id'], view) for view in hostvars['ecs_allocations'])


def test_ansible_inventory_host_previews_the_group(world):
    site = world.site
    east, west = host_vars(world, 'ecs-east'), host_vars(world, 'ecs-west')
    smith, jones = views(east)[site.allocation_id('smith-east')], views(east)[site.allocation_id('jones-east')]
    odd = views(west)[site.allocation_id('odd-west')]
    assert (smith['ldap_group'], smith['errors']) == ('ecs-smith-unix', [])
    assert (odd['ldap_group'], odd['errors']) == ('chen-patel-lab', [])       # the allocation's own group
    assert jones['ldap_group'] is None and jones['error_kinds'] == ['no_ldap_group'] and len(jones['errors']) == 1
    assert "allocation %d (project 'Jones Genomics Lab'" % site.allocation_id('jones-east') in jones['errors'][0]
    assert "'Unix Group'" in jones['errors'][0] and "group_template '%s'" % TEMPLATE in jones['errors'][0]
    assert jones['errors'] == east['ecs_allocation_errors']
    # The roles read the allocations again at run time with the same template.
    query = east['coldfront_allocation_query']
    assert (query['group_template'], query['group_name_rules']) == (TEMPLATE, 'ad')


def test_provision_maps_the_templated_group_and_refuses_only_the_allocation_without_one(world):
    site = world.site
    result = world.run(PLAYBOOK)
    assert result.rc == 2, result.output                        # jones-east failed, the host fails at the end
    east, west = world.east.state()['namespaces'], world.west.state()['namespaces']
    assert sorted(east) == ['smith-lab']
    assert east['smith-lab']['user_mapping'] == [{'domain': 'ad.example.org', 'attributes': [],
                                                  'groups': ['ecs-smith-unix']}]
    assert west['chen-patel-ber-lab-2024']['user_mapping'][0]['groups'] == ['chen-patel-lab']
    [east_result] = result.results(PROVISION, 'ecs-east')
    actions = dict((entry['allocation_id'], entry['action']) for entry in east_result['results'])
    assert actions == {site.allocation_id('smith-east'): 'created', site.allocation_id('jones-east'): 'failed'}
    assert 'ECS_Claim' not in dict((name, value) for name, value, _u in site.allocation_attributes('jones-east'))

    # Recorded namespaces keep their mapping: a changed template neither fails them nor touches ECS.
    add_project_attribute(site, 'jones', 'Unix Group', 'jones-unix')
    models = site.orm()
    models.ProjectAttribute.objects.filter(project_id=site.project_id('smith')).update(value='renamed:group')
    again = world.run(PLAYBOOK)
    assert again.rc == 0, again.output
    east = world.east.state()['namespaces']
    assert east['smith-lab']['user_mapping'][0]['groups'] == ['ecs-smith-unix']
    assert east['jones-genomics']['user_mapping'][0]['groups'] == ['ecs-jones-unix']


def test_a_template_that_cannot_work_fails_the_inventory(world, tmp_path):
    broken = world.write_inventory(os.path.join(str(tmp_path), 'broken.coldfront.yml'), group_template='{titel}')
    proc, _data = run_inventory(broken, env=world.env)
    assert 'unknown placeholder {titel}' in proc.stderr
    result = world.run(PLAYBOOK, inventory=broken)
    assert result.rc != 0 and world.east.state()['namespaces'] == {}


# ---- the read model: the project attributes a template uses, in one more query, only when asked ---------------------

def count_queries(function, *args, **kwargs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as context:
        result = function(*args, **kwargs)
    return len(context.captured_queries), result


def projects(records):
    return dict((allocation['id'], allocation['project']) for record in records for allocation in record['allocations'])


def test_the_read_model_loads_only_the_named_project_attributes_in_one_more_query(coldfront_site):
    site = coldfront_site
    site.orm()
    cf.setup_django()
    add_project_attribute(site, 'smith', 'Unix Group', 'smith-unix')
    add_project_attribute(site, 'smith', 'Unix Group', 'second-value')     # the first one wins
    add_project_attribute(site, 'smith', 'Secret', 'not read')
    plain, records = count_queries(cf.load_resources)
    assert all('attributes' not in project for project in projects(records).values())   # the contract is unchanged
    few, records = count_queries(cf.load_resources, project_attributes=['Unix Group'])
    found = projects(records)
    assert found[site.allocation_id('smith-east')]['attributes'] == {'Unix Group': 'smith-unix'}
    assert found[site.allocation_id('jones-east')]['attributes'] == {}
    site.generate(30, resources=2)
    many, records = count_queries(cf.load_resources, project_attributes=['Unix Group'])
    assert len(projects(records)) > len(found)
    assert few == many == plain + 1
