"""Runs of every kind: their configuration (a union discriminated by kind), the `Harness` service that starts,
resumes, executes and finalizes them (one executor per kind), the review of a finished interview (annotate, grade,
audit), imported recordings, name twins and the cost estimate.

May import: the data layer, `agents`, `evals.loading`, `evals.metrics`, `evals.store` and `evals.probes`' settings
and name sets.
"""
