"""Dell ECS Management API simulator used by the tests, the demo and the benchmarks (see README.md)."""
