"""pytest fixtures for the ECS simulator: one server per session (reset before each test) and extra ones on demand.

Mark tests that use them with `@pytest.mark.simulator`.
"""

import pytest

from support.simulator import start_simulator


def _cert_dir(tmp_path_factory):
    """One certificate directory (one CA) for every simulator of the session."""
    return str(tmp_path_factory.getbasetemp() / 'ecs-sim-certs')


@pytest.fixture(scope='session')
def ecs_sim_server(tmp_path_factory):
    """The session's simulator process (SimulatorProcess), default world and users."""
    with start_simulator(cert_dir=_cert_dir(tmp_path_factory)) as simulator:
        yield simulator


@pytest.fixture
def ecs_sim(ecs_sim_server):
    """The session's simulator, reset (world, config, faults, tokens, counters) for this test."""
    ecs_sim_server.reset()
    return ecs_sim_server


@pytest.fixture
def ecs_sim_factory(tmp_path_factory):
    """Start more simulators: `ecs_sim_factory(host='127.0.0.2', **start_simulator_kwargs)` (`vdcs={...}`: a federation)."""
    started = []

    def factory(**kwargs):
        kwargs.setdefault('cert_dir', _cert_dir(tmp_path_factory))
        simulator = start_simulator(**kwargs)
        started.append(simulator)
        return simulator

    yield factory
    for simulator in started:
        simulator.stop()
