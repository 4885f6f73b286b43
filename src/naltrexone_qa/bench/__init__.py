"""Benchmarks of speed and scale (``naltrexone-qa bench perf``); never part of CI."""
