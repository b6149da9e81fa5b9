"""Seeded generators for synthetic twins of the restricted ISD extracts.

Their output is never real patient data and says so in its file metadata.
"""
