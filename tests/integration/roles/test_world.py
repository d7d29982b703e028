"""The end-to-end world itself: the inventory sees both ECS resources, pointed at their simulators."""

import pytest

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]


def test_inventory_points_at_simulators(ecs_world):
    data = ecs_world.inventory_list()
    hostvars = data['_meta']['hostvars']
    assert sorted(data['coldfront_ecs']['hosts']) == ['ecs-east', 'ecs-west']
    assert hostvars['ecs-east']['ecs_host'] == '127.0.0.1'
    assert hostvars['ecs-west']['ecs_host'] == '127.0.0.2'
    assert hostvars['ecs-east']['ecs_port'] == ecs_world.east.port
    assert 'rg-west' in ecs_world.west.state()['replication_groups']
