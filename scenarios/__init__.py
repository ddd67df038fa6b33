"""Scenario files (one interview template each) and the pydantic model that validates them.

The bottom layer of the package: it imports nothing from `personas`, `agents` or `evals`.
"""
