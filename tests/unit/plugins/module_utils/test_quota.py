"""Quota model: every rule of module_utils/_rules/quota.py, with exact numbers and messages."""

import json

import pytest

from ansible_collections.hpc.coldfront_ecs.plugins.module_utils._rules.quota import (
    Quota, QuotaError, Scope, as_number, build_tree, evaluate_thresholds, rollup, validate_change)


def resource(**extra):
    """ecs-east: 100 TB, smith-lab (10 TB, one bucket at 9.5), big-lab unlimited, jones-lab 20 TB at 5."""
    data = {
        'name': 'ecs-east', 'capacity': 100,
        'namespaces': [
            {'name': 'smith-lab', 'allocation_id': 12, 'limit': 10,
             'buckets': [{'name': 'lab-smith-lab-bucket', 'limit': 10, 'usage': 9.5}]},
            {'name': 'big-lab', 'allocation_id': 13, 'limit': -1, 'usage': 40},
            {'name': 'jones-lab', 'allocation_id': 14, 'limit': 20, 'usage': 5},
        ],
    }
    data.update(extra)
    return data


# --- Quota -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize('limit', [-1, None, '-1'])
def test_unlimited_is_never_exceeded(limit):
    quota = Quota('storage', limit, 10 ** 12)
    assert quota.is_unlimited and quota.limit == -1
    assert not quota.is_exceeded()
    assert not quota.is_exceeded(delta=10 ** 15, threshold=0.1)
    assert quota.percent_used is None and quota.ratio is None and quota.level() is None


@pytest.mark.parametrize('usage, delta, threshold, exceeded', [
    (9, 0, 1.0, False),
    (10, 0, 1.0, False),       # exactly at the limit: not exceeded
    (10.5, 0, 1.0, True),
    (8, 2, 1.0, False),        # usage + delta exactly at the limit
    (8, 2.01, 1.0, True),
    (9, 0, 0.9, False),        # exactly at limit x threshold
    (9.01, 0, 0.9, True),
    (7, 0, 0.7, False),        # 0.7 * 10 is 7.000000000000001 in floats: still "exactly at"
    (20, -1, 1.0, False),      # a decrease is never exceeded, even when already over
    (0, -0.5, 0.1, False),
])
def test_is_exceeded(usage, delta, threshold, exceeded):
    assert Quota('storage', 10, usage).is_exceeded(delta, threshold) is exceeded


def test_zero_limit():
    empty = Quota('storage', 0, 0)
    assert not empty.is_unlimited
    assert not empty.is_exceeded()
    assert empty.is_exceeded(delta=0.001)
    assert not empty.is_exceeded(delta=-1)
    assert empty.ratio == 0.0 and empty.percent_used == 0.0 and empty.level() is None
    used = Quota('storage', 0, 2)
    assert used.is_exceeded() and used.level() == 'exceeded'
    assert used.ratio == float('inf') and used.percent_used is None
    assert used.to_dict() == {'limit': 0, 'usage': 2, 'percent': None}


def test_percent_and_levels():
    assert Quota('storage', 8, 2).percent_used == 25.0
    assert Quota('storage', 3, 2).to_dict() == {'limit': 3, 'usage': 2, 'percent': 66.67}
    assert Quota('storage', 10, 8.99).level(0.9) is None
    assert Quota('storage', 10, 9).level(0.9) == 'warning'   # at the threshold
    assert Quota('storage', 10, 7).level(0.7) == 'warning'   # at the threshold despite float noise
    assert Quota('storage', 10, 10).level(0.9) == 'warning'  # at the limit is not over it
    assert Quota('storage', 10, 10.01).level(0.9) == 'exceeded'


def test_missing_usage_is_zero_and_text_numbers_are_read():
    assert Quota('storage', '10').usage == 0
    assert Quota('storage', '10', ' 2.5 ').to_dict() == {'limit': 10, 'usage': 2.5, 'percent': 25.0}


@pytest.mark.parametrize('value', [True, 'ten', [1], {}, float('nan'), 'inf'])
def test_bad_numbers_are_refused(value):
    with pytest.raises(QuotaError, match='storage limit must be a'):
        Quota('storage', value)


def test_as_number():
    assert as_number(None, 'x') is None
    assert as_number('10', 'x') == 10 and isinstance(as_number('10', 'x'), int)
    assert as_number('10.0', 'x') == 10 and isinstance(as_number('10.0', 'x'), int)
    assert as_number(10.0, 'x') == 10.0 and isinstance(as_number(10.0, 'x'), float)
    assert as_number('0.25', 'x') == 0.25


# --- Scope and roll-up -------------------------------------------------------------------------------------

def test_scope_tree():
    bucket = Scope('bucket', 'b1', [Quota('storage', 5, 1)])
    namespace = Scope('namespace', 'ns1', [Quota('storage', 10, 1)], [bucket], allocation_id=7)
    root = Scope('resource', 'ecs-east', children=[namespace])
    assert bucket.parent is namespace and namespace.parent is root
    assert (bucket.resource, bucket.namespace, bucket.label) == ('ecs-east', 'ns1', 'bucket b1')
    assert [s.name for s in root.walk()] == ['ecs-east', 'ns1', 'b1']
    assert root.namespace is None
    with pytest.raises(QuotaError, match='kind must be one of'):
        Scope('tenant', 'x')
    with pytest.raises(QuotaError, match='every namespace needs a name'):
        Scope('namespace', '')


def test_rollup_sums_bottom_up_and_keeps_unlimited_out_of_allocated():
    data = rollup(resource())
    smith = data['namespaces'][0]
    assert smith['usage'] == 9.5  # from its bucket
    assert smith['buckets'][0]['allocation_id'] == 12 and smith['buckets'][0]['namespace'] == 'smith-lab'
    assert data['used'] == 9.5 + 40 + 5
    assert data['allocated'] == 30  # 10 + 20; big-lab's -1 is never added
    assert data['unlimited_namespaces'] == ['big-lab']
    assert (data['namespace_count'], data['bucket_count']) == (3, 1)
    assert data['quotas'] == {
        'capacity': {'limit': 100, 'usage': 54.5, 'percent': 54.5},
        'allocated': {'limit': -1, 'usage': 30, 'percent': None},  # no overcommit allowance: unlimited
        'namespaces': {'limit': -1, 'usage': 3, 'percent': None},
        'buckets': {'limit': -1, 'usage': 1, 'percent': None},
    }
    assert smith['quotas'] == {'storage': {'limit': 10, 'usage': 9.5, 'percent': 95.0}}
    assert data['namespaces'][1]['quotas']['storage'] == {'limit': -1, 'usage': 40, 'percent': None}


def test_rollup_output_is_valid_input_and_json():
    data = rollup(resource(overcommit=1.2, max_namespaces=5))
    assert rollup(data) == data
    assert json.loads(json.dumps(data)) == data


def test_explicit_values_win_over_the_rollup():
    data = rollup({'name': 'ecs-east', 'capacity': 100, 'used': 60, 'allocated': 90, 'namespace_count': 40,
                   'bucket_count': 41, 'namespaces': [{'name': 'a', 'limit': 5, 'usage': 3, 'bucket_count': 2,
                                                       'buckets': [{'name': 'bbb', 'usage': 1}]}]})
    assert (data['used'], data['allocated'], data['namespace_count'], data['bucket_count']) == (60, 90, 40, 41)
    assert data['namespaces'][0]['usage'] == 3 and data['namespaces'][0]['bucket_count'] == 2


def test_empty_scopes():
    data = rollup({'name': 'ecs-empty'})
    assert (data['capacity'], data['used'], data['allocated']) == (-1, 0, 0)
    assert (data['namespace_count'], data['bucket_count'], data['unlimited_namespaces']) == (0, 0, [])
    assert data['namespaces'] == []
    empty_ns = rollup({'name': 'r', 'namespaces': [{'name': 'n', 'limit': 4}]})['namespaces'][0]
    assert (empty_ns['usage'], empty_ns['bucket_count'], empty_ns['buckets']) == (0, 0, [])


def test_all_unlimited_members():
    data = rollup({'name': 'r', 'capacity': 10, 'overcommit': 1,
                   'namespaces': [{'name': 'a', 'limit': -1, 'usage': 4}, {'name': 'b', 'usage': 1}]})
    assert data['allocated'] == 0 and data['unlimited_namespaces'] == ['a', 'b']
    assert data['quotas']['allocated'] == {'limit': 10, 'usage': 0, 'percent': 0.0}


def test_overcommit_setting():
    assert rollup(resource())['quotas']['allocated']['limit'] == -1
    assert rollup(resource(), overcommit=1.2)['quotas']['allocated']['limit'] == 120
    assert rollup(resource(overcommit='1.5'), overcommit=1.2)['quotas']['allocated']['limit'] == 150  # own wins
    assert rollup(resource(capacity=-1), overcommit=1.2)['quotas']['allocated']['limit'] == -1  # unknown capacity
    with pytest.raises(QuotaError, match='resource ecs-east overcommit must be a positive factor'):
        rollup(resource(overcommit=0))


def test_list_of_resources_and_bad_input():
    assert [r['name'] for r in rollup([resource(), {'name': 'ecs-west'}])] == ['ecs-east', 'ecs-west']
    with pytest.raises(QuotaError, match='a resource must be a dict'):
        rollup(['ecs-east'])
    with pytest.raises(QuotaError, match='every namespace needs a name'):
        rollup({'name': 'r', 'namespaces': [{'limit': 1}]})
    with pytest.raises(QuotaError, match='resource r namespaces must be a list'):
        rollup({'name': 'r', 'namespaces': {'a': 1}})
    with pytest.raises(QuotaError, match='namespace a usage must be a number'):
        rollup({'name': 'r', 'namespaces': [{'name': 'a', 'usage': 'lots'}]})


def test_build_tree_returns_scopes():
    tree = build_tree(resource())
    assert tree.kind == 'resource' and [c.name for c in tree.children] == ['smith-lab', 'big-lab', 'jones-lab']
    assert tree.quotas['allocated'].usage == 30
    assert tree.children[0].children[0].resource == 'ecs-east'


# --- validate_change ---------------------------------------------------------------------------------------

def test_no_overcommit_allowance_never_refuses():
    result = validate_change(resource(), 'smith-lab', 10 ** 6)
    assert result['allowed'] and result['violations'] == [] and result['message'] == ''
    assert (result['change'], result['current'], result['allocation_id']) == ('increase', 10, 12)
    assert validate_change(resource(), 'new-lab', -1)['allowed']


def test_overcommit_refusal_message_is_exact():
    result = validate_change({'name': 'ecs-east', 'capacity': 100, 'allocated': 80}, 'smith-lab', 50,
                             allocation_id=12, overcommit=1.2, unit='TB')
    assert not result['allowed'] and result['change'] == 'create'
    assert result['violations'] == [{
        'scope': 'resource ecs-east', 'kind': 'resource', 'name': 'ecs-east', 'quota': 'allocated',
        'limit': 120.0, 'usage': 80, 'need': 130,
        'message': 'resource ecs-east allocated limit 120 TB, would need 130 TB'}]
    assert result['message'] == (
        'Refusing quota 50 TB for allocation 12 (namespace smith-lab) on resource ecs-east (new namespace): '
        'resource ecs-east allocated limit 120 TB, would need 130 TB. To allow it: resource ecs-east allows '
        'capacity 100 TB x overcommit 1.2 = 120 TB allocated in total and 80 TB is allocated already; '
        'lower the request or raise the capacity or the overcommit allowance.')


def test_overcommit_boundary():
    base = resource(overcommit=1.2)  # allocated 30 of 120
    assert validate_change(base, 'jones-lab', 110)['allowed']          # 30 - 20 + 110 = 120: exactly at the limit
    over = validate_change(base, 'jones-lab', 110.5)
    assert not over['allowed'] and over['violations'][0]['need'] == 120.5
    assert (over['change'], over['current'], over['allocation_id']) == ('increase', 20, 14)
    assert [(v['quota'], v['limit']) for v in over['violations']] == [('allocated', 120.0)]
    assert validate_change(base, 'new-lab', 90)['allowed']             # 30 + 90 = 120
    assert not validate_change(base, 'new-lab', 90.01)['allowed']


def test_float_noise_at_the_boundary_is_allowed():
    # 3 x 1.1 is 3.3000000000000003 and 0.1 + 0.2 is 0.30000000000000004 in floats
    assert validate_change({'name': 'r', 'capacity': 3, 'allocated': 3.2, 'overcommit': 1.1}, 'n', 0.1)['allowed']
    assert validate_change({'name': 'r', 'capacity': 0.3, 'allocated': 0.1, 'overcommit': 1}, 'n', 0.2)['allowed']


def test_decreases_are_always_allowed():
    over = {'name': 'r', 'capacity': 10, 'overcommit': 1, 'max_namespaces': 1,
            'namespaces': [{'name': 'a', 'limit': 30, 'usage': 25}, {'name': 'b', 'limit': -1}]}
    lower = validate_change(over, 'a', 20, unit='TB')
    assert lower['allowed'] and lower['change'] == 'decrease'
    assert lower['warnings'] == ['namespace a storage limit 20 TB is below its usage 25 TB: '
                                 'ECS refuses writes until usage drops']
    assert validate_change(over, 'b', 5)['change'] == 'decrease'  # unlimited to a limit
    assert validate_change(over, 'b', 5)['allowed']
    same = validate_change(over, 'a', '30')
    assert same['allowed'] and same['change'] == 'unchanged' and same['warnings'] == []
    assert validate_change(over, 'b', -1)['change'] == 'unchanged'


def test_unlimited_request_with_an_allowance_is_refused():
    result = validate_change(resource(overcommit=1.2), 'jones-lab', -1, unit='TB')
    assert result['violations'][0]['need'] == -1
    assert (result['violations'][0]['quota'], result['violations'][0]['limit']) == ('allocated', 120.0)
    assert result['limit'] == -1


def test_every_violation_in_one_message():
    data = resource(overcommit=1, max_namespaces=3, max_buckets=1)
    result = validate_change(data, 'new-lab', 80, allocation_id=99, unit='TB')
    assert [v['message'] for v in result['violations']] == [
        'resource ecs-east allocated limit 100 TB, would need 110 TB',
        'resource ecs-east namespaces limit 3, would need 4',
        'resource ecs-east buckets limit 1, would need 2',
    ]
    assert result['message'] == (
        'Refusing quota 80 TB for allocation 99 (namespace new-lab) on resource ecs-east (new namespace): '
        'resource ecs-east allocated limit 100 TB, would need 110 TB; resource ecs-east namespaces limit 3, would '
        'need 4; resource ecs-east buckets limit 1, would need 2. To allow it: resource ecs-east allows capacity '
        '100 TB x overcommit 1 = 100 TB allocated in total and 30 TB is allocated already; lower the request or '
        'raise the capacity or the overcommit allowance; raise max_namespaces of resource ecs-east; '
        'raise max_buckets of resource ecs-east.')
    # counts only apply to a new namespace
    assert validate_change(data, 'smith-lab', 12, unit='TB')['allowed']


def test_lookup_by_allocation_id_and_explicit_current():
    renamed = validate_change(resource(overcommit=1.2), 'smith-lab-renamed', 20, allocation_id=12)
    assert renamed['change'] == 'increase' and renamed['current'] == 10
    # a namespace of that name belonging to another allocation is not this one: this one is new
    other = validate_change(resource(overcommit=1.2), 'smith-lab', 20, allocation_id=77)
    assert other['change'] == 'create' and other['current'] is None and other['allocation_id'] == 77
    explicit = validate_change({'name': 'r', 'capacity': 10, 'allocated': 10, 'overcommit': 1}, 'n', 8, current=8)
    assert explicit['allowed'] and explicit['change'] == 'unchanged'
    raised = validate_change({'name': 'r', 'capacity': 10, 'allocated': 10, 'overcommit': 1}, 'n', 9, current=8,
                             allocation_id=3)
    assert (raised['allowed'], raised['change'], raised['current']) == (False, 'increase', 8)
    assert [(v['quota'], v['limit'], v['need']) for v in raised['violations']] == [('allocated', 10, 11)]


def test_namespace_without_allocation_id_in_message_and_zero_capacity():
    result = validate_change({'name': 'r', 'capacity': 0, 'overcommit': 1.2}, 'n', 1)
    assert result['message'].startswith('Refusing quota 1 for namespace n on resource r (new namespace): '
                                        'resource r allocated limit 0, would need 1.')
    assert validate_change({'name': 'r', 'capacity': 0, 'overcommit': 1.2}, 'n', 0)['allowed']


def test_unknown_capacity_with_allowance_is_a_warning():
    result = validate_change({'name': 'r', 'overcommit': 1.2}, 'n', 50)
    assert result['allowed']
    assert result['warnings'] == ['resource r has no known capacity: overcommit allowance 1.2 not checked']


def test_validate_change_bad_input():
    with pytest.raises(QuotaError, match='requested limit must be a number'):
        validate_change(resource(), 'smith-lab', 'big')
    with pytest.raises(QuotaError, match='validate a change against one resource, got a list of 1'):
        validate_change([resource()], 'smith-lab', 20)


# --- evaluate_thresholds -----------------------------------------------------------------------------------

def alerts_tree():
    return [
        {'name': 'ecs-east', 'capacity': 100, 'used': 95, 'overcommit': 1.5,  # allocated 114 of 150: 76 %
         'namespaces': [
             {'name': 'smith-lab', 'allocation_id': 12, 'limit': 10,
              'buckets': [{'name': 'lab-smith-lab-bucket', 'limit': 10, 'usage': 9}]},
             {'name': 'full-lab', 'allocation_id': 15, 'limit': 4, 'usage': 5},
             {'name': 'closed-lab', 'allocation_id': 16, 'limit': 0, 'usage': 0.5},
             {'name': 'empty-closed', 'limit': 0},
             {'name': 'open-lab', 'limit': -1, 'usage': 500},
             {'name': 'quiet-lab', 'limit': 100, 'usage': 89.9},
         ]},
        {'name': 'ecs-west', 'capacity': 50, 'used': 40,
         'namespaces': [{'name': 'west-lab', 'allocation_id': 20, 'limit': 10, 'usage': 8}]},
    ]


def test_alerts_are_structured_and_sorted_worst_first():
    alerts = evaluate_thresholds(alerts_tree(), unit='TB')
    assert [(a['level'], a['scope'], a['quota']) for a in alerts] == [
        ('exceeded', 'namespace closed-lab', 'storage'),   # limit 0 with usage: infinitely over
        ('exceeded', 'namespace full-lab', 'storage'),     # 125 %
        ('warning', 'resource ecs-east', 'capacity'),      # 95 %
        ('warning', 'namespace smith-lab', 'storage'),     # 90 %: exactly at the threshold, its bucket as detail
    ]
    assert alerts[0] == {
        'scope': 'namespace closed-lab', 'kind': 'namespace', 'name': 'closed-lab', 'resource': 'ecs-east',
        'namespace': 'closed-lab', 'allocation_id': 16, 'quota': 'storage', 'limit': 0, 'usage': 0.5,
        'enforced_limit': 0, 'percent': None, 'threshold': 0.9, 'level': 'exceeded', 'buckets': [],
        'message': 'namespace closed-lab on resource ecs-east: storage usage 0.5 TB exceeds limit 0 TB'}
    assert (alerts[1]['usage'], alerts[1]['limit'], alerts[1]['percent']) == (5, 4, 125.0)
    assert alerts[2] == {
        'scope': 'resource ecs-east', 'kind': 'resource', 'name': 'ecs-east', 'resource': 'ecs-east',
        'namespace': None, 'allocation_id': None, 'quota': 'capacity', 'limit': 100, 'usage': 95,
        'enforced_limit': 100, 'percent': 95.0, 'threshold': 0.9, 'level': 'warning', 'buckets': [],
        'message': 'resource ecs-east: capacity usage 95 TB is at 95% of limit 100 TB (threshold 90%)'}
    assert [(b['name'], b['level']) for b in alerts[3]['buckets']] == [('lab-smith-lab-bucket', 'warning')]
    assert json.loads(json.dumps(alerts)) == alerts


def test_per_resource_threshold_override():
    alerts = evaluate_thresholds(alerts_tree(), default_threshold=0.95, overrides={'ecs-west': 0.8})
    assert [(a['scope'], a['threshold']) for a in alerts if a['level'] == 'warning'] == [
        ('resource ecs-east', 0.95),  # 95 / 100 at 95 %; smith-lab at 90 % is below 95 %
        ('resource ecs-west', 0.8),  # 40 / 50: exactly 80 %
        ('namespace west-lab', 0.8),  # 8 / 10
    ]
    [west] = [a for a in alerts if a['scope'] == 'namespace west-lab']
    assert (west['resource'], west['usage'], west['limit'], west['percent']) == ('ecs-west', 8, 10, 80.0)


def test_count_and_allocated_alerts():
    tree = {'name': 'r', 'capacity': 10, 'overcommit': 1, 'max_namespaces': 2, 'max_buckets': 10,
            'namespaces': [{'name': 'a', 'limit': 6, 'bucket_count': 9}, {'name': 'b', 'limit': 6}]}
    alerts = evaluate_thresholds(tree, unit='TB')
    assert [(a['level'], a['quota'], a['percent']) for a in alerts] == [
        ('exceeded', 'allocated', 120.0), ('warning', 'namespaces', 100.0), ('warning', 'buckets', 90.0)]
    assert alerts[1]['message'] == 'resource r: namespaces usage 2 is at 100% of limit 2 (threshold 90%)'
    assert alerts[0]['message'] == 'resource r: allocated usage 12 TB exceeds limit 10 TB (120%)'


def test_no_alerts():
    assert evaluate_thresholds({'name': 'r'}) == []
    assert evaluate_thresholds([]) == []
    assert evaluate_thresholds(build_tree({'name': 'r', 'namespaces': [{'name': 'n', 'limit': 10, 'usage': 1}]})) == []


@pytest.mark.parametrize('threshold', [0, 90, -0.5, 'high', None])
def test_thresholds_are_fractions(threshold):
    with pytest.raises(QuotaError, match='default threshold must be a'):
        evaluate_thresholds(alerts_tree(), default_threshold=threshold)
    with pytest.raises(QuotaError, match='threshold of resource ecs-west must be a fraction'):
        evaluate_thresholds(alerts_tree(), overrides={'ecs-west': 80})
