"""The store's schema, as an ordered list of migrations; ``PRAGMA user_version`` counts those applied
on SQLite, the one row of ``peermatch_schema`` on PostgreSQL.

Never edit a migration that has shipped: append a new one. Both engines run the same list: write
the SQL portably (``INSERT ... ON CONFLICT``, no ``rowid``); the column types are SQLite's and
``postgres_ddl`` maps them (an ``INTEGER PRIMARY KEY AUTOINCREMENT`` becomes an identity column,
``REAL`` a double). What cannot be portable (triggers: PostgreSQL's call a function) is a
``Migration`` with a piece for each engine.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matcher.errors import StoreVersionError

if TYPE_CHECKING:
    from matcher.store.postgres import Connection as PostgresConnection


@dataclass(frozen=True)
class Migration:
    """A migration whose ``portable`` part both engines run, followed by each engine's own part."""

    portable: str
    sqlite: str
    postgresql: str


# The networks' tables whose writes reach the hub's change feed: (kind, table, the id to GET again).
_NETWORK_TABLES = [
    ("offer", "offers", "id"),
    ("request", "requests", "id"),
    ("request", "request_events", "request_id"),
    ("request", "request_parts", "request_id"),
    ("cluster", "cluster_coordinators", "cluster"),
    ("cluster", "cluster_plan_items", "cluster"),
    ("cluster", "cluster_status_updates", "cluster"),
    ("calendar_event", "calendar_events", "id"),
    ("calendar_event", "calendar_event_members", "event_id"),
    ("learning_link", "learning_links", "resource_id"),
    ("community", "learning_communities", "id"),
    ("person", "people", "id"),
    ("people_group", "people_groups", "id"),
    ("people_group", "people_invitations", "group_id"),
    ("tie", "ties", "id"),
    ("contact", "contacts", "member_id"),
    ("candidate", "joining_steps", "member_id"),
]


def _logged(kind: str, table: str, key: str) -> str:
    """Three triggers that log every insert, update and delete of ``table`` as ``kind``."""
    sql = ""
    for event, row, operation in (("INSERT", "NEW", "upsert"), ("UPDATE", "NEW", "upsert"), ("DELETE", "OLD", "delete")):
        sql += (
            f"CREATE TRIGGER {table}_{event.lower()}_logged AFTER {event} ON {table} BEGIN"
            f" INSERT INTO network_changes (kind, record_id, operation, at) VALUES"
            f" ('{kind}', CAST({row}.{key} AS TEXT), '{operation}', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')); END;\n"
        )
    return sql


# PostgreSQL: one trigger function logs every table's writes; each table's trigger passes its kind
# and the column to GET again. ``at`` has SQLite's strftime('%Y-%m-%dT%H:%M:%fZ') form.
_PG_LOG_FUNCTION = """
CREATE FUNCTION peermatch_log_network_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO network_changes (kind, record_id, operation, at) VALUES (
        TG_ARGV[0],
        CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ->> TG_ARGV[1] ELSE to_jsonb(NEW) ->> TG_ARGV[1] END,
        CASE WHEN TG_OP = 'DELETE' THEN 'delete' ELSE 'upsert' END,
        to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
    RETURN NULL;
END $$;
"""


def _pg_logged(kind: str, table: str, key: str) -> str:
    return (
        f"CREATE TRIGGER {table}_logged AFTER INSERT OR UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION peermatch_log_network_change('{kind}', '{key}');\n"
    )


# PostgreSQL versions of the two SQLite JSON functions the statements use, so that the statements
# stay one text for both engines. Only the paths they use: '$.a' or '$.a.b'.
POSTGRES_PRELUDE = """
CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT doc::jsonb #>> string_to_array(substr(path, 3), '.')
$$;
CREATE OR REPLACE FUNCTION json_each(doc text, path text) RETURNS TABLE (value text) LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN jsonb_typeof(e) = 'string' THEN e #>> '{}' ELSE e::text END
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc::jsonb #> string_to_array(substr(path, 3), '.')) = 'array'
                                   THEN doc::jsonb #> string_to_array(substr(path, 3), '.') ELSE '[]'::jsonb END) AS e
$$;
CREATE TABLE IF NOT EXISTS peermatch_schema (version BIGINT NOT NULL);
"""


MIGRATIONS: list[str | Migration] = [
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
    # 4: partnership proposals and every step of their life (who, when, what), for the secretariat
    # and the hub (matcher/partnerships). ``status`` is the state after the last event, kept in the
    # row so that listings filter on it; the events are the record.
    """
    CREATE TABLE proposals (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        member_id TEXT NOT NULL,
        partner_id TEXT NOT NULL,
        group_name TEXT,
        status TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        score REAL,
        quality TEXT,
        source TEXT,
        outcome TEXT,
        rating INTEGER,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX proposals_by_member ON proposals (member_id);
    CREATE INDEX proposals_by_partner ON proposals (partner_id);
    CREATE INDEX proposals_by_status ON proposals (status);
    CREATE TABLE proposal_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        proposal_id INTEGER NOT NULL REFERENCES proposals (id),
        step TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        payload TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX proposal_events_by_proposal ON proposal_events (proposal_id, id);
    """,
    # Requests and offers (issue 23, matcher/requests): members' typed offers, governments'
    # requests with their life (events, as proposals have), and the parts of each request's
    # package (one offer put to one component, with the amount it gives and its answer).
    """
    CREATE TABLE offers (
        id TEXT PRIMARY KEY,
        member_id TEXT NOT NULL,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX offers_by_member ON offers (member_id);
    CREATE TABLE requests (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        status TEXT NOT NULL,
        country TEXT NOT NULL,
        requester TEXT NOT NULL,
        outcome TEXT,
        rating INTEGER,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX requests_by_status ON requests (status);
    CREATE TABLE request_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL REFERENCES requests (id),
        step TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        payload TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX request_events_by_request ON request_events (request_id, id);
    CREATE TABLE request_parts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL REFERENCES requests (id),
        component INTEGER NOT NULL,
        offer_id TEXT NOT NULL,
        member_id TEXT NOT NULL,
        amount REAL NOT NULL,
        score REAL NOT NULL,
        status TEXT NOT NULL,
        round INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX request_parts_by_request ON request_parts (request_id);
    CREATE INDEX request_parts_by_offer ON request_parts (offer_id, status);
    """,
    # Issue 24, clusters (matcher/clusters): coordinators and their terms, the work plan, dated status updates.
    """
    CREATE TABLE cluster_coordinators (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        cluster TEXT NOT NULL,
        member_id TEXT NOT NULL,
        starts TEXT NOT NULL,
        ends TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX cluster_coordinators_by_cluster ON cluster_coordinators (cluster);
    CREATE TABLE cluster_plan_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        cluster TEXT NOT NULL,
        objective TEXT NOT NULL,
        output TEXT NOT NULL,
        owner TEXT NOT NULL,
        due TEXT NOT NULL,
        status TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX cluster_plan_items_by_cluster ON cluster_plan_items (cluster);
    CREATE TABLE cluster_status_updates (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        cluster TEXT NOT NULL,
        on_date TEXT NOT NULL,
        text TEXT NOT NULL,
        plan_item_id INTEGER,
        status TEXT,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX cluster_status_updates_by_cluster ON cluster_status_updates (cluster, on_date);
    """,
    # Issue 24, the shared calendar (matcher/calendar): events with their hosts and participants, and
    # communities of learning (members as hosts, teachers, learners), and the peer-learning database's links
    # from a resource to its cluster and to the event or community that produced it.
    """
    CREATE TABLE calendar_events (
        id TEXT PRIMARY KEY,
        cluster TEXT,
        starts TEXT NOT NULL,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX calendar_events_by_start ON calendar_events (starts);
    CREATE TABLE calendar_event_members (
        event_id TEXT NOT NULL REFERENCES calendar_events (id) ON DELETE CASCADE,
        member_id TEXT NOT NULL,
        role TEXT NOT NULL,
        PRIMARY KEY (event_id, member_id, role)
    );
    CREATE INDEX calendar_event_members_by_member ON calendar_event_members (member_id);
    CREATE TABLE learning_links (
        resource_id TEXT PRIMARY KEY,
        cluster TEXT,
        event_id TEXT,
        community_id TEXT,
        linked_by TEXT NOT NULL,
        linked_at TEXT NOT NULL
    );
    CREATE INDEX learning_links_by_cluster ON learning_links (cluster);
    CREATE INDEX learning_links_by_event ON learning_links (event_id);
    CREATE TABLE learning_communities (
        id TEXT PRIMARY KEY,
        cluster TEXT,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # Issue 24, people (matcher/people): members' staff and external experts, expert groups made of
    # them, and each person's invitation and answer.
    """
    CREATE TABLE people (
        id TEXT PRIMARY KEY,
        member_id TEXT,
        body TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE people_groups (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        theme TEXT NOT NULL,
        mandate TEXT NOT NULL,
        composition TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE people_invitations (
        group_id INTEGER NOT NULL REFERENCES people_groups (id),
        person_id TEXT NOT NULL,
        status TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        invited_at TEXT NOT NULL,
        answered_at TEXT,
        PRIMARY KEY (group_id, person_id)
    );
    """,
    # issue 25 (ties, contacts, answers by signed link, check-in due dates): typed ties between members
    # (twinnings, cooperation agreements, matcher/ties), one row per pair and kind, the pair stored in id
    # order so that (a, b) and (b, a) are one tie; each member's contact for invitations and reminders;
    # the signed links handed out (refused once used); what was sent to whom; a proposal's next check-in due;
    # a candidate city's steps toward joining the network (applied, supported, joined), each dated.
    """
    CREATE TABLE ties (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        member_a TEXT NOT NULL,
        member_b TEXT NOT NULL,
        kind TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT '',
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (member_a, member_b, kind)
    );
    CREATE INDEX ties_by_b ON ties (member_b);
    CREATE TABLE contacts (
        member_id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL,
        language TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE answer_links (
        nonce TEXT PRIMARY KEY,
        proposal_id INTEGER NOT NULL,
        member_id TEXT NOT NULL,
        email TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        used_answer TEXT
    );
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        proposal_id INTEGER NOT NULL,
        member_id TEXT NOT NULL,
        email TEXT NOT NULL,
        language TEXT NOT NULL,
        subject TEXT NOT NULL,
        sent_at TEXT NOT NULL
    );
    CREATE INDEX notifications_by_proposal ON notifications (proposal_id, member_id, kind);
    ALTER TABLE proposals ADD COLUMN check_in_due TEXT;
    CREATE TABLE joining_steps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        member_id TEXT NOT NULL,
        status TEXT NOT NULL,
        on_date TEXT NOT NULL,
        actor TEXT NOT NULL,
        at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX joining_by_member ON joining_steps (member_id, id);
    """,
    # The hub's change feed for what the networks' own records became (issue 24): one log, written by
    # triggers in the same transaction as each write, so no write path can forget it. A row names
    # what to GET again (its kind and id); the feed reads it beside the record and proposal logs.
    Migration(
        portable="""
    CREATE TABLE network_changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        record_id TEXT NOT NULL,
        operation TEXT NOT NULL,
        at TEXT NOT NULL
    );
    """,
        sqlite="".join(_logged(kind, table, key) for kind, table, key in _NETWORK_TABLES),
        postgresql=_PG_LOG_FUNCTION + "".join(_pg_logged(kind, table, key) for kind, table, key in _NETWORK_TABLES),
    ),
    # API keys in the store (issue 26): every replica reads the same keys, so a key created or
    # revoked through one is accepted or refused by all. Only the key's SHA-256 is kept. A revoked
    # key stays as a row (revoked_at set) so that importing an old key file again cannot bring it
    # back. Last uses per key name (environment keys included), the latest time of any replica.
    """
    CREATE TABLE api_keys (
        name TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL UNIQUE,
        scopes TEXT NOT NULL,
        expires TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE api_key_uses (
        name TEXT PRIMARY KEY,
        last_used REAL NOT NULL
    );
    """,
    # The learned peer weights (`peermatch eval learn-weights --apply`) on a shared PostgreSQL store
    # (issue 26): the weights file's text, NULL when the defaults won again (the file removed);
    # ``version`` goes up with each apply, and each replica copies a new version into its folder.
    """
    CREATE TABLE peer_weights (
        name TEXT PRIMARY KEY,
        body TEXT,
        version INTEGER NOT NULL
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
        script = sqlite_script(MIGRATIONS[version])
        if version == GROWN:
            script = _missing_parts_of_grown(connection) + script
        try:
            connection.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version + 1};\nCOMMIT;")
        except sqlite3.Error:
            connection.rollback()
            raise


# Migration 9 grew on main while it was the newest (ties and contacts; then answer links and
# notifications; then check-in dates and candidates' joining steps), so a store stamped 9 by an
# earlier version may lack its later parts, and migration 10's triggers then stopped on the
# missing table ("not a usable SQLite store"). Going past 9, the parts it lacks are added first.
# Migrations are append-only since: a new part is a new migration.
GROWN = 9
_CREATE = re.compile(r"\bCREATE (TABLE|INDEX) (\w+)")
_ADD_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN (\w+)[^;]*;")


def _missing_parts_of_grown(connection: sqlite3.Connection) -> str:
    """Migration ``GROWN`` made idempotent: its tables and indexes created if absent, its added
    columns added if absent."""
    script = sqlite_script(MIGRATIONS[GROWN - 1])
    columns = ""
    for match in _ADD_COLUMN.finditer(script):
        table, column = match.group(1), match.group(2)
        if column not in {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}:
            columns += match.group(0) + "\n"
    idempotent = _CREATE.sub(lambda m: f"CREATE {m.group(1)} IF NOT EXISTS {m.group(2)}", _ADD_COLUMN.sub("", script))
    return idempotent + columns


def sqlite_script(migration: str | Migration) -> str:
    return migration if isinstance(migration, str) else migration.portable + migration.sqlite


def postgres_script(migration: str | Migration) -> str:
    if isinstance(migration, str):
        return postgres_ddl(migration)
    return postgres_ddl(migration.portable) + migration.postgresql


_PG_TYPES = [
    (re.compile(r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),  # SQLite's integers are 64 bits
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),  # PostgreSQL's REAL is 32 bits: a job's epoch seconds would lose their second
    (re.compile(r"\bBLOB\b"), "BYTEA"),
]


def postgres_ddl(script: str) -> str:
    """A portable migration's DDL with SQLite's column types as PostgreSQL's."""
    for pattern, replacement in _PG_TYPES:
        script = pattern.sub(replacement, script)
    return script


def identity_tables() -> frozenset[str]:
    """The tables whose ``id`` the database generates (``lastrowid`` on SQLite, ``RETURNING id`` on PostgreSQL)."""
    pattern = re.compile(r"CREATE TABLE (\w+) \(\s*id INTEGER PRIMARY KEY AUTOINCREMENT")
    return frozenset(name for m in MIGRATIONS for name in pattern.findall(sqlite_script(m)))


def migrate_postgres(connection: PostgresConnection, where: str) -> None:
    """Bring a PostgreSQL schema up to date: each migration and its version in one transaction,
    under an advisory lock, so that replicas starting together migrate once."""
    from matcher.store.postgres import MIGRATION_LOCK_KEY

    connection.execute("SELECT pg_advisory_lock(?)", (MIGRATION_LOCK_KEY,))
    try:
        connection.executescript("BEGIN;" + POSTGRES_PRELUDE + "COMMIT;")
        row = connection.execute("SELECT MAX(version) FROM peermatch_schema").fetchone()
        current = int(row[0]) if row and row[0] is not None else 0
        if current > SCHEMA_VERSION:
            raise StoreVersionError(
                f"{where}: store schema version {current} is newer than this peermatch knows ({SCHEMA_VERSION}); upgrade peermatch"
            )
        for version in range(current, SCHEMA_VERSION):
            try:
                connection.executescript(
                    f"BEGIN;\n{postgres_script(MIGRATIONS[version])}\n"
                    f"DELETE FROM peermatch_schema; INSERT INTO peermatch_schema (version) VALUES ({version + 1});\nCOMMIT;"
                )
            except sqlite3.Error:
                connection.execute("ROLLBACK")
                raise
    finally:
        connection.execute("SELECT pg_advisory_unlock(?)", (MIGRATION_LOCK_KEY,))
