"""Merging statements: near-duplicates, topic clusters, merge suggestions, tracing, and the
workspace of a call. The algorithms import no database; only the workspace does.
"""
