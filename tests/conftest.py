"""Shared pytest fixtures: the ECS simulator and the throwaway ColdFront (see tests/support)."""

from support.simulator_fixtures import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
from support.coldfront_fixtures import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
from support.e2e_fixtures import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql`` belong to the PostgreSQL pass only: deselected (not skipped) elsewhere."""
    from support.coldfront_site import default_db_kind  # pylint: disable=import-outside-toplevel
    if default_db_kind() == 'postgresql':
        return
    elsewhere = [item for item in items if item.get_closest_marker('postgresql')]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if not item.get_closest_marker('postgresql')]
