"""Chains of playbooks in one ansible-playbook run: each role acts on ColdFront as it is when it runs.

The inventory is read once, before the first play; provision then records new allocations in ColdFront, so the host
vars the inventory captured (``ecs_allocations``) are stale for the plays after it.  Sync and report must still see
the allocations provision just created.
"""

import json
import os
import subprocess
import tempfile

import pytest

from support.ansible_run import BIN, REPO, PlayResult, base_env

pytestmark = [pytest.mark.coldfront, pytest.mark.simulator]

TB = 1024 ** 4
WRITE = 'Read ECS and write quota, usage and capacity into ColdFront'


def run_chain(world, playbooks, extra_vars=None):
    """``ansible-playbook -i <inventory> <playbook> <playbook> ...``: one process, the inventory read once."""
    with tempfile.TemporaryDirectory(prefix='hpc-chain-') as workdir:
        events_file = os.path.join(workdir, 'events.jsonl')
        command = [os.path.join(BIN, 'ansible-playbook'), '-i', world.inventory] + list(playbooks)
        for key, value in (extra_vars or {}).items():
            command += ['-e', json.dumps({key: value})]
        proc = subprocess.run(command, cwd=REPO, env=base_env(dict(world.env, HPC_TEST_EVENTS=events_file)),
                              capture_output=True, text=True, timeout=600, check=False)
        assert os.path.exists(events_file), proc.stdout + proc.stderr
        with open(events_file) as handle:
            events = [json.loads(line) for line in handle if line.strip()]
    world.assert_no_live_tokens('the chain %s' % ' '.join(playbooks))
    return PlayResult(proc.returncode, proc.stdout, proc.stderr, events)


def by_id(entries):
    return dict((entry['allocation_id'], entry) for entry in entries)


def test_provision_then_sync_in_one_command(ecs_world):
    site = ecs_world.site
    smith, jones = site.allocation_id('smith-east'), site.allocation_id('jones-east')
    result = run_chain(ecs_world, ['hpc.coldfront_ecs.provision', 'hpc.coldfront_ecs.sync'])
    assert result.rc == 0, result.output
    provision = result.custom_stats['_run']['ecs_provision_summary']['ecs-east']
    assert provision['counts']['created'] == 2

    sync = result.custom_stats['_run']['ecs_sync_summary']
    assert sync['ecs-east']['ok'] and sync['ecs-west']['ok'], sync
    assert sync['ecs-east']['counts']['synced'] == 2 and sync['ecs-west']['counts']['synced'] == 1
    assert sync['ecs-east']['failures'] == [] and sync['ecs-east']['failed_allocation_ids'] == []
    entries = by_id(result.results(WRITE, host='ecs-east')[0]['allocations'])
    assert (entries[smith]['status'], entries[jones]['status']) == ('synced', 'synced')
    values = dict((name, value) for name, value, _usage in site.allocation_attributes('smith-east'))
    assert values['Quota_In_Bytes'] == str(10 * TB)


def test_provision_sync_report_in_one_command(ecs_world, tmp_path):
    reports = tmp_path / 'reports'
    result = run_chain(ecs_world, ['hpc.coldfront_ecs.provision', 'hpc.coldfront_ecs.sync', 'hpc.coldfront_ecs.report'],
                       extra_vars={'ecs_report_output_dir': str(reports)})
    assert result.rc == 0, result.output
    stats = result.custom_stats['_run']
    assert stats['ecs_sync_summary']['ecs-east']['counts']['synced'] == 2
    assert stats['ecs_report_totals']['allocations'] >= 3
    assert stats['quota_alerts']['ecs-east'] == []
