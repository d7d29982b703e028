"""A job that did nothing it was asked to do exits non-zero: bad inventories and empty selections fail every playbook.

Ansible turns an inventory source that cannot be read into a warning and runs with no hosts ("no hosts matched",
exit 0), whatever it was; the playbooks' first play fails the run instead, with the reason.
"""

import pytest

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

PLAYBOOKS = ('playbooks/provision.yml', 'playbooks/sync.yml', 'playbooks/adopt.yml')
CHECK = 'Fail when the inventory gives no ECS resource to work on'


def check_message(result):
    """The inventory check's failure message (the check ran on localhost and failed)."""
    events = result.task(CHECK)
    assert len(events) == 1 and events[0]['status'] == 'failed', result.output
    return ' '.join(events[0]['result']['msg'].split())


@pytest.mark.parametrize('playbook', PLAYBOOKS)
@pytest.mark.parametrize('options, reason', [
    ({'coldfront_env_file': '/nonexistent/site.env'},
     'cannot read ColdFront: ColdFront env file /nonexistent/site.env does not exist or is not readable'),
    ({'db_url': 'sqlite:////nonexistent/portal.db'}, 'the ColdFront SQLite database /nonexistent/portal.db does not exist'),
    ({'bogus_option': 1}, 'unknown option(s) bogus_option in the inventory file'),
    ({'ecs_port': 70000}, 'ecs_port 70000 is not a TCP port (1-65535)'),
    ({'ecs_port': 'abc'}, 'ecs_port'),
    ({'allocation_statuses': ['Actve']}, "allocation status(es) 'Actve' not known to this ColdFront (it has: "),
])
def test_an_unreadable_inventory_fails_every_playbook_with_its_reason(ecs_world, tmp_path, playbook, options, reason):
    inventory = ecs_world.write_inventory(tmp_path / 'bad.coldfront.yml', **options)
    result = ecs_world.run(playbook, inventory=inventory)
    assert result.rc != 0, result.output
    message = check_message(result)
    assert 'The hpc.coldfront_ecs.coldfront inventory could not be read' in message and reason in message, message
    assert ecs_world.east.stats()['logins'] == 0


def test_a_selection_that_matches_nothing_fails_unless_allowed(ecs_world, tmp_path):
    inventory = ecs_world.write_inventory(tmp_path / 'empty.coldfront.yml', name_contains='no-such-resource')
    result = ecs_world.run('playbooks/sync.yml', inventory=inventory)
    assert result.rc != 0
    assert "no ECS resource matched 'coldfront_ecs' in the inventory" in check_message(result)
    allowed = ecs_world.run('playbooks/sync.yml', inventory=inventory, extra_vars={'coldfront_ecs_allow_empty': True})
    assert allowed.rc == 0, allowed.output


@pytest.mark.parametrize('workers', [0, -3])
def test_max_workers_out_of_range_is_refused(ecs_world, workers):
    result = ecs_world.run('playbooks/sync.yml', extra_vars={'coldfront_ecs_max_workers': workers})
    assert result.rc != 0
    assert 'max_workers must be between 1 and 16' in result.output
