"""Resources as ECS endpoints and the views of their allocations: one code path for the inventory and the module."""

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules import outcomes
from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.systems import system_views, usable_resources


def resource(id_, name, url, *titles, **extra):
    allocations = [{'id': id_ * 10 + index, 'status': 'Active', 'project': {'id': id_ * 10 + index, 'title': title}, 'attributes': {}}
                   for index, title in enumerate(titles)]
    return dict({'id': id_, 'name': name, 'attributes': {'url': url} if url else {}, 'allocations': allocations}, **extra)


def test_usable_resources_say_why_the_others_are_left_out_without_their_password():
    records = [resource(1, 'ecs-b', 'ecs1.example.org'), resource(2, 'ecs-a', 'https://ecs2.example.org'),
               resource(3, 'ecs-none', None), resource(4, 'ecs-port', 'https://u:s3cret@ecs3:9021'),
               resource(5, 'ecs-twice', 'ecs4', duplicate_attributes=['url'])]
    usable, warnings = usable_resources(records, 'url', 4443)
    assert [(record['name'], host) for record, host in usable] == [('ecs-a', 'ecs2.example.org'),
                                                                   ('ecs-b', 'ecs1.example.org')]
    assert len(warnings) == 3 and all('left out of the inventory' in warning for warning in warnings)
    assert "'ecs-none' (id 3) has no 'url' attribute" in warnings[0]
    assert 'ecs-port' in warnings[1] and 's3cret' not in warnings[1] and '***' in warnings[1]
    assert "'ecs-twice' (id 5) has more than one 'url' attribute" in warnings[2]


def test_namespaces_collide_across_resources_of_one_endpoint_only():
    east = resource(1, 'ecs-east', 'ecs1.example.org', 'Smith Lab')
    archive = resource(2, 'ecs-archive', 'ECS1.example.org', 'Smith Lab')       # the same ECS system
    west = resource(3, 'ecs-west', 'ecs2.example.org', 'Smith Lab')             # another one
    usable, _warnings = usable_resources([east, archive, west], 'url', 4443)
    views = system_views(usable, {})
    assert set(views) == {1, 2, 3}
    # both refused: one namespace, two projects
    assert views[1][0]['error_kinds'] == views[2][0]['error_kinds'] == [outcomes.SHARED_NAMESPACE]
    assert "'smith-lab'" in views[1][0]['errors'][0]                           # names the namespace
    assert views[3][0]['errors'] == [] and views[3][0]['namespace'] == 'smith-lab'
