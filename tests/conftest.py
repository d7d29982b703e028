"""Shared pytest fixtures: the ECS simulator and the throwaway ColdFront (see tests/support)."""

from support.simulator_fixtures import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
from support.coldfront_fixtures import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
from support.e2e_fixtures import *  # noqa: F401,F403  pylint: disable=wildcard-import,unused-wildcard-import
