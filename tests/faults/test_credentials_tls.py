"""Credentials and TLS through playbooks/sync.yml, three ECS resources per run, each with its own case.

A third ColdFront resource, ``ecs-north``, uses the same simulator as ``ecs-east``; per-host variables come from a
YAML inventory next to the ColdFront one.  What must hold: each refused case reports its resource with the exact
cause and what to do (no secret in the output), the other resources are synced, and no token is left live.
An expired token is renewed mid-run: see the token tests in test_sync_faults.py and test_provision_faults.py.
"""

import os
import shutil

import certifi
import pytest
import yaml

from faults.helpers import READ_TASK, SYNC_LABS, assert_finished, assert_synced, assert_untouched, seed_sync_world, snapshot

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

HOSTS = ('ecs-east', 'ecs-north', 'ecs-west')
WRONG_PASSWORD = 'Wrong-Pw-55'


def inventory_with_host_vars(world, directory, host_vars):
    """A directory inventory: the world's ColdFront inventory file plus a YAML file with ``host_vars``."""
    os.makedirs(directory)
    shutil.copy(world.inventory, os.path.join(directory, 'ecs.coldfront.yml'))
    with open(os.path.join(directory, 'zz-host-vars.yml'), 'w') as handle:
        yaml.safe_dump({'all': {'hosts': host_vars}}, handle)
    return directory


def run_without(world, variable, inventory):
    """Sync with ``variable`` left out of the environment (the way a job without that credential field runs)."""
    env = world.env
    world.env = dict((key, value) for key, value in env.items() if key != variable)
    try:
        return world.run('playbooks/sync.yml', inventory=inventory)
    finally:
        world.env = env


def not_synced(world, resource):
    """How the error of a resource that was not synced at all begins: it names how many of its provisioned
    allocations were not synced, and their ids (ecs-north has none)."""
    ids = sorted(world.site.allocation_id(item.ref) for item in SYNC_LABS if item.resource == resource)
    listed = ' (ids %s)' % ', '.join(str(number) for number in ids) if ids else ''
    return 'resource %s (%s) was not synced, %d allocation(s) not synced%s: ' % (
        resource, world.sim('ecs-east' if resource == 'ecs-north' else resource).host, len(ids), listed)


def errors(result):
    return dict((host, summary['error']) for host, summary in assert_finished(result, 'ecs_sync_summary', HOSTS).items())


def test_credentials_and_tls(ecs_world, tmp_path):
    """Run 1 (no ECS_PASS in the environment): ecs-east has a wrong password (401 on /login), ecs-west trusts a CA
    bundle that did not sign ECS's certificate (refused), ecs-north has no password at all (refused before any
    call).  Run 2 (no ECS_CA_PATH): ecs-east sets validate_certs false (synced, with a warning), ecs-west gives
    ca_path (synced), ecs-north gives neither (a self-signed certificate is refused by default)."""
    seed_sync_world(ecs_world, older_cluster=())
    site = ecs_world.site
    site.add_resource('ecs-north', attributes={'url': ecs_world.east.host, 'replication_group': 'rg1',
                                               'ldap_domain': 'ad.example.org'})
    before = snapshot(site, [item.ref for item in SYNC_LABS])
    password = ecs_world.env['ECS_PASS']

    first = run_without(ecs_world, 'ECS_PASS', inventory_with_host_vars(ecs_world, str(tmp_path / 'run1'), {
        'ecs-east': {'ecs_password': WRONG_PASSWORD},
        'ecs-west': {'ecs_password': password, 'coldfront_ecs_ca_path': certifi.where()}}))

    assert first.rc != 0
    east, north, west = (errors(first)[host] for host in HOSTS)
    assert east.startswith(not_synced(ecs_world, 'ecs-east') + 'GET /login failed (HTTP 401, ECS error 4000)'), east
    assert east.endswith('- check username and password (ECS_USER / ECS_PASS) and that the user may log in to the ECS '
                         'Management API'), east
    assert west.startswith(not_synced(ecs_world, 'ecs-west') + 'GET /login failed: SSLCertVerificationError: '
                                                               '[SSL: CERTIFICATE_VERIFY_FAILED]'), west
    assert west.endswith(
        '- the ECS certificate could not be verified: set ca_path (ECS_CA_PATH) to the CA bundle that signed it, '
        'or validate_certs: false (ECS_VALIDATE_CERTS=false) only on a trusted network'), west
    assert north == not_synced(ecs_world, 'ecs-north') + ('missing required arguments: password (needed to read ECS when '
                                                          'usage is not given)'), north
    assert_untouched(site, before)
    assert WRONG_PASSWORD not in first.output and password not in first.output

    second = run_without(ecs_world, 'ECS_CA_PATH', inventory_with_host_vars(ecs_world, str(tmp_path / 'run2'), {
        'ecs-east': {'coldfront_ecs_validate_certs': False},
        'ecs-west': {'coldfront_ecs_ca_path': ecs_world.west.ca_path}}))

    assert second.rc != 0
    east, north, west = (errors(second)[host] for host in HOSTS)
    assert east is None and west is None, (east, west)
    for item in SYNC_LABS:
        assert_synced(site, item)
    [read] = second.results(READ_TASK, host='ecs-east')
    assert read['warnings'] == ['validate_certs is false: the ECS certificate of https://127.0.0.1:%d is not verified, '
                                'so the password and token could be intercepted; set ca_path to the CA bundle instead'
                                % ecs_world.east.port]
    assert north.startswith(not_synced(ecs_world, 'ecs-north') + 'GET /login failed: SSLCertVerificationError: '
                            '[SSL: CERTIFICATE_VERIFY_FAILED]'), north
