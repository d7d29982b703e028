"""Run real playbooks with the ECS modules against the simulator.

``ecs_play(tasks, ...)`` runs one play on localhost with the connection in ``ECS_*`` environment variables and,
after every run (failed ones included), checks that the modules left no token live on the simulator.
"""

import pytest

from integration.ecs.ecs_playbooks import ecs_environment
from support.ansible_run import run_playbook


@pytest.fixture
def ecs_play(ecs_sim):
    """``ecs_play(tasks, check, diff, env, play, extra_vars)`` -> PlayResult; asserts no live token after it.

    ``env`` replaces the default ``ECS_*`` environment; ``play`` adds play keywords (e.g. ``module_defaults``).
    """

    def run(tasks, check=False, diff=False, env=None, play=None, extra_vars=None):
        play_def = {'name': 'ecs', 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}
        play_def.update(play or {})
        environment = ecs_environment(ecs_sim) if env is None else env
        result = run_playbook([play_def], check=check, diff=diff, env=environment, extra_vars=extra_vars)
        stats = ecs_sim.stats()
        assert stats['live_tokens_total'] == 0, (stats, result.output)
        return result

    return run
