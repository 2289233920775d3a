"""peermatch's matching core: records, store, passages, indexes and ranked results."""

__version__ = "0.1.0"
