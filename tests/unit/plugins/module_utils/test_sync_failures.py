"""What fails a sync (sync_plan.failures): decided from the kinds of the plan and the alert levels, never the wording."""

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import sync_plan
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.allocation import merge_settings


def view(id_, namespace, provisioned=True, errors=()):
    return {'id': id_, 'project': 'Lab %d' % id_, 'namespace': namespace, 'bucket': namespace + '-bucket',
            'quota_tb': 10.0, 'quota_bytes': 10 * 1024 ** 4, 'provisioned': provisioned, 'errors': list(errors)}


def usage():
    """smith-lab read; broken-lab listed with an unreadable quota (so allocated_tb cannot be written)."""
    return {'endpoint': 'https://ecs:4443', 'capacity': {'total_provisioned_gb': 10240, 'total_free_gb': 4096},
            'namespaces': {'smith-lab': {'name': 'smith-lab', 'hard_quota_gb': 10240},
                           'broken-lab': {'name': 'broken-lab', 'hard_quota_gb': None}},
            'allocated_gb': 10240, 'unlimited_namespaces': [], 'failures': [],
            'usage': {'smith-lab': {'total_size_kb': 1, 'buckets': {'smith-lab-bucket': {'size_kb': 1}}}}}


def test_kinds_of_every_allocation_and_the_resource_problem():
    views = [view(1, 'smith-lab'), view(2, 'new-lab', provisioned=False), view(3, 'late-lab'),
             view(4, 'bad-lab', errors=['allocation 4: bad quota']), view(5, 'broken-lab')]
    plan = sync_plan.plan_sync('ecs-east', views, usage(), merge_settings(),
                               read_namespaces=['smith-lab', 'broken-lab'])
    kinds = dict((entry['allocation_id'], entry['kind']) for entry in plan['allocations'])
    assert kinds == {1: None, 2: 'not_provisioned', 3: 'not_read', 4: 'invalid_data', 5: 'unreadable'}
    assert [(issue['kind'], issue['namespaces']) for issue in plan['issues']] == [
        ('allocated_not_written', ['broken-lab'])]
    assert plan['problems'] == [plan['issues'][0]['message']]

    found = sync_plan.failures(plan, [])
    assert sorted((entry['kind'], entry['allocation_id']) for entry in found) == [
        ('allocated_not_written', None), ('invalid_data', 4), ('unreadable', 5)]
    assert sync_plan.failed_allocation_ids(found) == [4, 5]
    assert sync_plan.failures(plan, [], fail_on_problems=False) == []
