"""Fault, bad-input and secrets tests: after every playbook run of a test that uses ``ecs_world``, no token is
left live on any simulator, whether the run succeeded or failed.

``ecs_world.run`` is wrapped for these tests: it checks ``live_tokens_total`` on every simulator after the run.
Tests that hold tokens themselves set ``ecs_world.tokens_held[resource]``; tests that start runs in parallel use
``ecs_world.run_unchecked`` and call ``ecs_world.assert_no_live_tokens()`` once all of them ended.
"""

import pytest


@pytest.fixture(autouse=True)
def no_token_left_live(request):
    """Wrap ``ecs_world.run`` with the token check, and check once more at the end of the test."""
    if 'ecs_world' not in request.fixturenames:
        yield
        return
    world = request.getfixturevalue('ecs_world')
    world.tokens_held = {}
    world.run_unchecked = world.run

    def assert_no_live_tokens(after='the test'):
        for resource, simulator in sorted(world.simulators.items()):
            live = simulator.stats()['live_tokens_total'] - world.tokens_held.get(resource, 0)
            assert live == 0, '%s: %d token(s) left live on the simulator after %s' % (resource, live, after)

    def run(playbook, **kwargs):
        result = world.run_unchecked(playbook, **kwargs)
        assert_no_live_tokens('%s (rc %s):\n%s' % (playbook, result.rc, result.output[-3000:]))
        return result

    world.assert_no_live_tokens = assert_no_live_tokens
    world.run = run
    yield
    assert_no_live_tokens()
