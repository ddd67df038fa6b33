"""Checking the checks: the labelled corpus of realistic interviews (`corpus/` at the top of the repository), and the
precision, recall and settled share of every interviewer check, the annotator's accuracy per field and the grader's
calibration, measured on it (`interview-harness meta`).

May import: the data layer, `agents`, `evals.loading`, `evals.metrics` and `evals.runs`.
"""
