"""Fixtures for the simulator's own tests: an admin API session, replication group ids, a seeded namespace."""

import pytest

GIB = 1024 ** 3


@pytest.fixture
def api(ecs_sim):
    """A JSON session logged in as root."""
    session = ecs_sim.api()
    yield session
    session.session.close()


@pytest.fixture
def rg_ids(ecs_sim):
    """{replication group name: URN id} of the default world."""
    return {name: entry['id'] for name, entry in ecs_sim.state()['replication_groups'].items()}


@pytest.fixture
def lab(ecs_sim):
    """Namespace `lab` (rg1, quota 10/9 GB) with buckets `b1` (1.5 GiB, 3 objects) and `b2` (empty)."""
    ecs_sim.seed({'namespaces': {'lab': {
        'vpool': 'rg1', 'quota': {'blockSize': 10, 'notificationSize': 9},
        'buckets': {'b1': {'usage': {'bytes': 3 * GIB // 2, 'objects': 3}, 'quota': {'blockSize': 5, 'notificationSize': 4}},
                    'b2': {}}}}})
    return 'lab'
