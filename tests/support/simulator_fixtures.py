"""pytest fixtures for the ECS simulator (owned by the simulator work)."""
