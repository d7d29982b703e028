"""Every documented ECS module error is reached with an actionable message, and no token is ever left behind."""

import pytest

from integration.ecs.ecs_playbooks import FQCN, failure, only, task

pytestmark = pytest.mark.simulator

NO_CA = {'ECS_CA_PATH': ''}
# Task title -> parts its one-line failure message must contain.
EXPECTED = {
    'bad password': ['GET /login failed (HTTP 401', 'ECS_USER / ECS_PASS'],
    'bucket in a missing namespace': ['namespace ghost does not exist', 'create it first with hpc.coldfront_ecs.ecs_namespace'],
    'unknown replication group': ["replication group 'nope' does not exist", 'known: rg1, rg2'],
    'namespace without replication group': ['replication_group is not set'],
    'bucket with unknown replication group': ["replication group 'nope' does not exist"],
    'quota of a missing namespace': ['namespace ghost does not exist', 'ECS error 1004'],
    'quota of a missing bucket': ['bucket ghost in namespace lab does not exist', 'hpc.coldfront_ecs.ecs_bucket'],
    'quota below 1 GB': ['below the ECS minimum of 1 GB'],
    'soft above hard': ['between 1 and the hard quota'],
    'immutable mismatch fails when asked': ['filesystem_enabled is False, True asked for', 'cannot change after creation'],
    'read-only user cannot write': ['PUT /object/namespaces/namespace/lab/quota failed (HTTP 403', 'SYSTEM_ADMIN'],
    'http refused': ['HTTPS only'],
    'port in host refused': ['contains a port', 'ECS_PORT'],
    'bad name': ['not valid on ECS'],
    'nothing listening': ['Connection refused', 'ECS_HOST / ECS_PORT'],
    'TLS without CA': ['CERTIFICATE_VERIFY_FAILED', 'set ca_path (ECS_CA_PATH)'],
    'bucket in a namespace without default replication group': ['namespace bare on ', 'has no default replication group',
                                                                'set replication_group for bucket b1 in namespace bare'],
    'soft quota without hard quota': ['a soft quota needs a hard quota: set quota_gb or quota_tb too'],
    'soft quota percent above 100': ['soft_quota_percent 150 must be between 1 and 100'],
    'soft quota percent below 1': ['soft_quota_percent 0 must be between 1 and 100'],
    'timeout of 0': ['timeout must be more than 0 seconds'],
    'negative retries': ['retries must be 0 or more'],
    'too many workers': ['max_workers must be between 1 and 16 (ECS copes badly with more than about 4 parallel calls)'],
}
# Task title -> the structured copy of its ECS API failure: (kind, HTTP status, ECS code) of ``error``.
API_ERRORS = {
    'bad password': ('auth', 401),
    'quota of a missing namespace': ('http', 400, 1004),
    'read-only user cannot write': ('http', 403),
    'nothing listening': ('connection', None, None),
    'TLS without CA': ('tls', None, None),
}


def erring(title, module, environment=None, **args):
    entry = task(title, module, ignore_errors=True, **args)
    if environment:
        entry['environment'] = environment
    return entry


def test_documented_errors(ecs_play, ecs_sim):
    ecs_sim.seed({'users': {'monitor': {'password': 'Monitor1', 'roles': ['SYSTEM_MONITOR']}},
                  'namespaces': {'lab': {'vpool': 'rg1', 'buckets': {'b1': {}}}, 'bare': {}}})
    assert ecs_sim.state()['namespaces']['bare']['default_data_services_vpool'] == ''  # no default replication group
    result = ecs_play([
        erring('bad password', 'ecs_replication_group_info', password='{{ wrong_password }}'),
        erring('bucket in a missing namespace', 'ecs_bucket', namespace='ghost', name='b1'),
        erring('unknown replication group', 'ecs_namespace', name='new', replication_group='nope'),
        erring('namespace without replication group', 'ecs_namespace', name='new'),
        erring('bucket with unknown replication group', 'ecs_bucket', namespace='lab', name='b2', replication_group='nope'),
        erring('quota of a missing namespace', 'ecs_namespace_quota', namespace='ghost', quota_gb=10),
        erring('quota of a missing bucket', 'ecs_bucket_quota', namespace='lab', bucket='ghost', quota_gb=10),
        erring('quota below 1 GB', 'ecs_namespace_quota', namespace='lab', quota_gb=0),
        erring('soft above hard', 'ecs_bucket', namespace='lab', name='b1', quota_gb=10, soft_quota_gb=20),
        erring('immutable mismatch fails when asked', 'ecs_bucket', namespace='lab', name='b1', filesystem_enabled=True,
               immutable_mismatch='fail'),
        erring('read-only user cannot write', 'ecs_namespace_quota', namespace='lab', quota_gb=10, username='monitor',
               password='{{ monitor_password }}'),
        erring('http refused', 'ecs_replication_group_info', host='http://%s' % ecs_sim.host),
        erring('port in host refused', 'ecs_replication_group_info', host='%s:%d' % (ecs_sim.host, ecs_sim.port)),
        erring('bad name', 'ecs_namespace', name='../etc', replication_group='rg1'),
        erring('nothing listening', 'ecs_replication_group_info', port=1, retries=0, timeout=5),
        erring('TLS without CA', 'ecs_replication_group_info', environment=NO_CA),
        erring('bucket in a namespace without default replication group', 'ecs_bucket', namespace='bare', name='b1'),
        erring('soft quota without hard quota', 'ecs_bucket', namespace='lab', name='b1', soft_quota_percent=80),
        erring('soft quota percent above 100', 'ecs_bucket', namespace='lab', name='b1', quota_gb=10,
               soft_quota_percent=150),
        erring('soft quota percent below 1', 'ecs_namespace_quota', namespace='lab', quota_gb=10, soft_quota_percent=0),
        erring('timeout of 0', 'ecs_replication_group_info', timeout=0),
        erring('negative retries', 'ecs_replication_group_info', retries=-1),
        erring('too many workers', 'ecs_usage_info', max_workers=17),
        dict(task('validate_certs false', 'ecs_replication_group_info', validate_certs=False), environment=NO_CA),
    ], extra_vars={'wrong_password': 'wrong-Secret-42', 'monitor_password': 'Monitor1'})
    assert result.rc == 0, result.output
    for title, expected in API_ERRORS.items():
        error = failure(result, title)['error']
        assert (error['kind'], error['status'], error['code'])[:len(expected)] == expected, (title, error)
    for title, expected in EXPECTED.items():
        message = failure(result, title)['msg']
        assert '\n' not in message, message
        for part in expected:
            assert part in message, (title, part, message)
    # The refusals decided from the options alone, word for word (none of them reaches ECS).
    base_url = 'https://%s:%d' % (ecs_sim.host, ecs_sim.port)
    exact = {
        'bucket in a namespace without default replication group':
            'namespace bare on %s has no default replication group: set replication_group for bucket b1 in namespace '
            'bare on %s' % (base_url, base_url),
        'soft quota without hard quota': 'a soft quota needs a hard quota: set quota_gb or quota_tb too',
        'soft quota percent above 100': 'soft_quota_percent 150 must be between 1 and 100',
        'soft quota percent below 1': 'soft_quota_percent 0 must be between 1 and 100',
        'timeout of 0': 'timeout must be more than 0 seconds',
        'negative retries': 'retries must be 0 or more',
        'too many workers':
            'max_workers must be between 1 and 16 (ECS copes badly with more than about 4 parallel calls)',
    }
    for title, message in exact.items():
        assert failure(result, title)['msg'] == message, (title, failure(result, title)['msg'])
    for title in ('timeout of 0', 'negative retries', 'too many workers'):
        assert failure(result, title)['ecs_calls'] == 0, title  # refused before any connection
    insecure = only(result, 'validate_certs false')
    assert insecure['replication_groups'] and any('validate_certs is false' in w for w in insecure['warnings'])

    # Secrets never reach the output (the playbook names them only through variables); nothing was written.
    assert 'wrong-Secret-42' not in result.output and 'Monitor1' not in result.output
    assert 'BAAc' not in result.output and 'X-SDS-AUTH-TOKEN:' not in result.output
    assert set(ecs_sim.state()['namespaces']) == {'lab', 'bare'}
    assert ecs_sim.state()['namespaces']['bare']['buckets'] == {}
    assert set(ecs_sim.state()['namespaces']['lab']['buckets']) == {'b1'}
    assert ecs_sim.state()['namespaces']['lab']['buckets']['b1']['quota'] == {'blockSize': -1, 'notificationSize': -1}


def test_module_defaults_group_sets_the_connection(ecs_play, ecs_sim):
    defaults = {'host': 'https://%s' % ecs_sim.host, 'port': ecs_sim.port, 'username': 'root', 'password': 'ChangeMe',
                'ca_path': ecs_sim.ca_path}
    result = ecs_play([
        task('groups', 'ecs_replication_group_info'),
        task('namespace', 'ecs_namespace', name='lab', replication_group='rg1', quota_gb=10),
        task('bucket', 'ecs_bucket', namespace='lab', name='bucket1'),
        task('quota', 'ecs_bucket_quota', namespace='lab', bucket='bucket1', quota_gb=5),
        task('namespace quota', 'ecs_namespace_quota', namespace='lab', quota_gb=20),
        task('namespaces', 'ecs_namespace_info'),
        task('buckets', 'ecs_bucket_info', namespace='lab'),
        task('usage', 'ecs_usage_info'),
    ], env={}, play={'module_defaults': {'group/' + FQCN + 'ecs': defaults}})
    assert result.rc == 0, result.output
    assert len(only(result, 'groups')['replication_groups']) == 2
    assert [n['hard_quota_gb'] for n in only(result, 'namespaces')['namespaces']] == [20]
    assert only(result, 'usage')['namespaces']['lab']['hard_quota_gb'] == 20
    assert ecs_sim.state()['namespaces']['lab']['buckets']['bucket1']['quota']['blockSize'] == 5


def test_refused_token_is_renewed_once_and_released(ecs_play, ecs_sim):
    ecs_sim.seed({'namespaces': {'lab': {'vpool': 'rg1'}}})
    ecs_sim.faults(fail_next=[{'route': 'PUT /object/namespaces/namespace/{id}/quota', 'status': 401, 'count': 1}])
    result = ecs_play([task('namespace', 'ecs_namespace', name='lab', quota_gb=10)])
    assert result.rc == 0, result.output
    stats = ecs_sim.stats()
    assert stats['logins'] == 2 and stats['requests']['PUT /object/namespaces/namespace/{id}/quota'] == 2, stats
    assert ecs_sim.state()['namespaces']['lab']['quota']['blockSize'] == 10


def test_hanging_ecs_times_out_retries_and_reports(ecs_play, ecs_sim):
    ecs_sim.faults(hang_rate=1.0, hang_seconds=3, routes=['GET /object/capacity'])
    result = ecs_play([task('hangs', 'ecs_usage_info', timeout=1, retries=1, ignore_errors=True)])
    assert result.rc == 0, result.output
    failed = failure(result, 'hangs')
    assert (failed['error']['method'], failed['error']['path']) == ('GET', '/object/capacity'), failed
    assert failed['error']['kind'] == 'timeout' and failed['ecs_calls'] == 2  # the first try and one retry
    assert 'within 1.0s' in failed['msg'], failed['msg']                     # the timeout given is the one used
