"""Persona files (one synthetic candidate each) and the pydantic model that validates them.

Bottom layer beside `scenarios`: it imports only `scenarios`, never `agents` or `evals`.
"""
