"""How an interview and a run are judged: the metric registry, agreement statistics and intervals, red-flag and
interviewer-conformance checks (with the text screen), per-interview units and digests, the run's checks and gates.

Pure computation over interview records: nothing here calls a model or touches the store.
May import: the data layer, `agents` (records, and the grader prompt the counting baseline reads), `evals.loading`.
"""
