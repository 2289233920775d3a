"""Queries against the indexes: hybrid retrieval, fusion, filters and explained results."""
