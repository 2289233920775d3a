"""The store's schema, as an ordered list of migrations; ``PRAGMA user_version`` counts those applied.

Never edit a migration that has shipped: append a new one.
"""

from __future__ import annotations

import sqlite3

from matcher.errors import StoreVersionError

MIGRATIONS: list[str] = [
    # 1: records, their passages, and a change log whose last revision stamps the indexes.
    """
    CREATE TABLE members (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE resources (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE passages (
        key TEXT PRIMARY KEY,
        collection TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        field TEXT NOT NULL,
        position INTEGER NOT NULL,
        language TEXT,
        text TEXT NOT NULL,
        text_hash TEXT NOT NULL
    );
    CREATE INDEX passages_by_owner ON passages (collection, owner_id);
    CREATE TABLE changes (
        revision INTEGER PRIMARY KEY AUTOINCREMENT,
        collection TEXT NOT NULL,
        record_id TEXT NOT NULL,
        operation TEXT NOT NULL,
        at TEXT NOT NULL
    );
    """,
    # 2: feedback on recommendations, kept for the evaluation.
    """
    CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        member_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        task TEXT NOT NULL,
        verdict TEXT,
        rating INTEGER,
        comment TEXT,
        key_name TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX feedback_by_member ON feedback (member_id);
    """,
    # 3: pairing jobs, so that every worker process (and a restarted service) answers for them.
    """
    CREATE TABLE pairing_jobs (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        created REAL NOT NULL,
        finished REAL,
        owner TEXT NOT NULL,
        request TEXT NOT NULL,
        result TEXT,
        error TEXT
    );
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)


def migrate(connection: sqlite3.Connection, path: str) -> None:
    """Bring the schema up to date; each migration runs in its own transaction."""
    current = connection.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise StoreVersionError(
            f"{path}: store schema version {current} is newer than this peermatch knows ({SCHEMA_VERSION}); upgrade peermatch"
        )
    for version in range(current, SCHEMA_VERSION):
        script = MIGRATIONS[version]
        try:
            connection.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version + 1};\nCOMMIT;")
        except sqlite3.Error:
            connection.rollback()
            raise
