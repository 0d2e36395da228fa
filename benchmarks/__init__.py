"""Benchmarks of kg against the raw libraries; run with ``python -m benchmarks``."""
