"""pytest fixtures for the throwaway ColdFront (owned by the ColdFront work)."""
