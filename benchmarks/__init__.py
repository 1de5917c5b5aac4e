"""Benchmarks (``make bench`` = ``python -m benchmarks``): printed tables, never timed tests."""
