"""Test support code shared by the unit, integration and benchmark suites (not part of the collection)."""
