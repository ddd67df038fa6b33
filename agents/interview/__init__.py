"""One interview as a LangGraph graph, its format guardrails, the turn annotator, many interviews at once, and a
practice session on the checkpointed graph.

May import: the data layer, the top-level modules of `agents`, `agents.models` and `agents.roles`.
"""
