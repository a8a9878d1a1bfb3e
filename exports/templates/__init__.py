"""The house-style Word template and the module that builds it."""
