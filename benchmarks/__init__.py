"""Benchmarks: `python -m benchmarks.run` measures Parley on this machine (see README)."""
