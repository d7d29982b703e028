"""History rows name the collection, the module and the play, also when a task gives no change_reason."""

import pytest

from support.ansible_run import run_playbook

pytestmark = pytest.mark.coldfront


def test_the_play_name_is_the_default_change_reason(coldfront_site):
    smith = coldfront_site.allocation_id('smith-east')
    result = run_playbook([
        {'name': 'Nightly quota fix', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
            {'name': 'no reason given', 'hpc.coldfront_ecs.coldfront_allocation_attribute': {
                'attributes': [{'allocation_id': smith, 'name': 'Bucket', 'value': 'reason-one'}]}},
            {'name': 'reason given', 'hpc.coldfront_ecs.coldfront_allocation_attribute': {
                'change_reason': 'ticket 4711',
                'attributes': [{'allocation_id': smith, 'name': 'Bucket', 'value': 'reason-two'}]}},
            {'name': 'resource attribute', 'hpc.coldfront_ecs.coldfront_resource_attribute': {
                'attributes': [{'resource': 'ecs-east', 'name': 'used_tb', 'value': 42.5}]}},
        ]}], env=coldfront_site.env)
    assert result.rc == 0, result.output
    second, first = coldfront_site.history('AllocationAttribute')[:2]
    assert first.history_change_reason == 'hpc.coldfront_ecs: coldfront_allocation_attribute: Nightly quota fix'
    assert second.history_change_reason == 'hpc.coldfront_ecs: coldfront_allocation_attribute: ticket 4711'
    resource_row = coldfront_site.history('ResourceAttribute')[0]
    assert resource_row.history_change_reason == 'hpc.coldfront_ecs: coldfront_resource_attribute: Nightly quota fix'
