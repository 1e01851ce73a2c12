"""Benchmarks: `python -m tests.benchmarks [name ...]` prints numbers; nothing here asserts time.

They run against a throwaway test database created from DATABASE_URL (PostgreSQL for the
figures in the README) and destroyed afterwards.
"""
