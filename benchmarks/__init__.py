"""Benchmarks: generated data and timed engine runs (not tests)."""
