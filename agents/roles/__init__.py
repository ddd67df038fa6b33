"""Who talks: the interviewer, the candidate, the grader and the judge, one entry point each, and their prompts.

Each role renders its template from `prompts/` (Jinja2, strict) and calls its model through `agents.client.ModelClient`.
`preflight` checks, before a run, that every role's model can be called as configured.
May import: the data layer, the top-level modules of `agents`, and `agents.models`.
"""
