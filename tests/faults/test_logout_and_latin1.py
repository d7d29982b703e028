"""Two small ECS faults through playbooks/sync.yml: a logout that fails, and credentials basic auth cannot send.

* A failed ``GET /logout`` (HTTP 500 on ecs-east, connection resets on ecs-west) used to pass in silence, while each
  such run leaves a token live on ECS, and ECS allows 100 per user.  Now the sync still succeeds and the ECS task
  warns, naming the endpoint and the 100-token limit; the tokens are then ended with ``/logout?force=true``.
* A password (or username) with characters outside latin-1 used to crash the module in requests with "'latin-1'
  codec can't encode character '\\u20ac' in position 8", which shows a character of the password and where it is.
  Now the resource is reported as not synced with a clear error that shows none of it, and ECS gets no call.
"""

import pytest

from faults.helpers import READ_TASK, SYNC_LABS, assert_finished, assert_synced, seed_sync_world
from faults.test_credentials_tls import inventory_with_host_vars

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

SYNC = 'playbooks/sync.yml'
HOSTS = ('ecs-east', 'ecs-west')
TOKEN_LIMIT = "counts against ECS's limit of 100 tokens per user"


def endpoint(simulator):
    return 'https://%s:%d' % (simulator.host, simulator.port)


def logout_warnings(result, host):
    """The warnings about a failed logout of every task of ``host`` (one per ECS module run that logged in)."""
    return [warning for event in result.events if event['host'] == host
            for warning in (event['result'].get('warnings') or []) if 'GET /logout failed' in warning]


def test_failed_logout_warns_and_the_sync_still_succeeds(ecs_world):
    seed_sync_world(ecs_world)
    ecs_world.east.faults(fail_next=[{'route': 'GET /logout', 'status': 500, 'count': 100}])
    ecs_world.west.faults(reset_rate=1.0, routes=['GET /logout'])

    result = ecs_world.run_unchecked(SYNC)

    assert result.rc == 0, result.output
    assert_finished(result, 'ecs_sync_summary', HOSTS)
    for item in SYNC_LABS:
        assert_synced(ecs_world.site, item)
    [read_east] = result.results(READ_TASK, host='ecs-east')
    [east] = [warning for warning in read_east['warnings'] if 'GET /logout' in warning]
    assert east.startswith('%s: GET /logout failed (HTTP 500, ECS error ' % endpoint(ecs_world.east)), east
    west = logout_warnings(result, 'ecs-west')
    assert west and west[0].startswith('%s: GET /logout failed: ' % endpoint(ecs_world.west)), west
    for resource in HOSTS:
        warnings = logout_warnings(result, resource)
        assert all('the session token stays live on ECS until it expires' in warning and TOKEN_LIMIT in warning
                   for warning in warnings), warnings
        # One warning per token left live: what the warning says is what ECS holds.
        assert ecs_world.sim(resource).stats()['live_tokens_total'] == len(warnings), resource
    assert 'BAAc' not in result.output

    for simulator in ecs_world.simulators.values():
        simulator.clear_faults()
        assert simulator.api().logout(force='true').status_code == 200
    ecs_world.assert_no_live_tokens('the forced logouts')


def test_credentials_outside_latin1_are_refused_before_any_call(ecs_world, tmp_path):
    """ecs-east: the password holds a euro sign; ecs-west: the username holds an en dash.  Both resources are
    reported as not synced with the cause and what to do, nothing is sent to either ECS, and neither value shows."""
    seed_sync_world(ecs_world, older_cluster=())
    password, username = 'p\u00e4ssw\u00f6rd\u20acZq7', 'svc\u2013ansible'
    inventory = inventory_with_host_vars(ecs_world, str(tmp_path / 'inventory'), {
        'ecs-east': {'ecs_password': password}, 'ecs-west': {'ecs_username': username}})
    for simulator in ecs_world.simulators.values():
        simulator.reset_stats()

    result = ecs_world.run(SYNC, inventory=inventory)

    assert result.rc != 0
    summaries = assert_finished(result, 'ecs_sync_summary', HOSTS)
    for host, what, variable in (('ecs-east', 'password', 'ECS_PASS'), ('ecs-west', 'username', 'ECS_USER')):
        error = summaries[host]['error']
        assert ('the ECS %s contains characters that HTTP basic authentication cannot send (only latin-1' % what
                in error), error
        assert '(or %s)' % variable in error, error
        assert ecs_world.sim(host).stats()['requests'] == {}, host
    for text in (password, username, password[:4], username[:4], '\\u20ac', '\\u2013', '\u20ac', '\u2013'):
        assert text not in result.output, text
