"""The embedded default store: one SQLite file, WAL, schema versioned by migrations."""

from matcher.store.sqlite import Store, StoredRecord

__all__ = ["Store", "StoredRecord"]
