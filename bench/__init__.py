"""Benchmarks printing JSON; run by `make bench`."""
