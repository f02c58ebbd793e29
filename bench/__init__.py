"""Benchmarks for `reader`: synthetic libraries and start-up timing. Not part of the package."""
