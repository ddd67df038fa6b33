"""Reading stored runs back: the report (text, HTML, JSON), its blocks and findings, compare of two runs, grader and
simulation noise, and export.

May import: the data layer, `agents.records`, `evals.loading`, `evals.metrics`, `evals.store`, `evals.runs` and
`evals.probes`.
"""
