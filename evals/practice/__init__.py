"""Practice mode: what a person reads during and after a session (feedback, the view of a turn, answer signals,
example answers) and how a finished session is stored as a run.

May import: the data layer, `agents`, `evals.loading`, `evals.metrics`, `evals.store` and `evals.runs`.
"""
