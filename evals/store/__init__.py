"""Runs kept in DuckDB: the schema and its migrations, the `Store` that reads and writes runs, and the writer thread
that commits each interview as it finishes. README.md beside this file says what must hold when it changes.

May import: the data layer, `agents.records`, `evals.metrics`, and the run configuration (`evals.runs.config`, with
the probe settings it holds), which is stored with each run.
"""
