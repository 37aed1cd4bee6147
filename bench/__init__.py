"""Benchmarks for feemodel: run ``python -m bench`` (or ``make bench``); prints a table of figures."""
