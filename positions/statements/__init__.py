"""What members say: statements in versions, imports of statements received elsewhere,
and search.
"""
