"""A site with its own attribute names sets them once, in the inventory file: provision writes what it reads."""

import pytest

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

NAMES = {'namespace': 'ECS Namespace', 'bucket': 'ECS Bucket', 'subdirectory': 'ECS Path',
         'quota_bytes': 'ECS Quota Bytes', 'claim': 'ECS Owner Claim', 'bucket_quota_bytes': 'ECS Bucket Quota Bytes'}


def test_provision_records_under_the_names_the_inventory_reads(ecs_world, tmp_path):
    site = ecs_world.site
    for name in NAMES.values():
        site.add_attribute_type('allocation', name, 'Text')
    inventory = ecs_world.write_inventory(tmp_path / 'named.coldfront.yml', attribute_names=NAMES)
    smith = site.allocation_id('smith-east')
    before = site.allocation_attributes(smith)
    first = ecs_world.run('playbooks/provision.yml', inventory=inventory, limit='ecs-east')
    assert first.rc == 0 and first.changed, first.output
    recorded = dict((name, value) for name, value, _usage in site.allocation_attributes(smith))
    assert recorded['ECS Path'] == 'smith-lab:lab-smith-lab-bucket'
    assert recorded['ECS Namespace'] == 'smith-lab' and recorded['ECS Bucket'] == 'lab-smith-lab-bucket'
    assert recorded['ECS Quota Bytes'] == str(10 * 1024 ** 4)
    assert recorded['ECS Owner Claim'] == 'smith-lab:lab-smith-lab-bucket'
    assert recorded['ECS Bucket Quota Bytes'] == str(10 * 1024 ** 4)
    added = set(site.allocation_attributes(smith)) - set(before)
    assert sorted(name for name, _value, _usage in added) == sorted(NAMES.values())
    # The next run reads what the first wrote: nothing to do, not even a login.
    ecs_world.east.reset_stats()
    again = ecs_world.run('playbooks/provision.yml', inventory=inventory, limit='ecs-east')
    assert again.changed == 0, again.output
    assert ecs_world.east.stats()['logins'] == 0
