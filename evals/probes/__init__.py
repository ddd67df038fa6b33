"""Robustness and fairness probes: counterfactual copies of frozen transcripts (`perturb`, names from `name_sets`),
and the paired statistics that judge the grader (`stats`). The probe run that grades the copies is a run kind
(`evals.runs.probe_run`).

May import: the data layer, `agents`, `evals.loading` and `evals.metrics`.
"""
