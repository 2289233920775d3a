"""Staff accounts and their sessions for the console, in their own SQLite file (DATA_DIR/console.sqlite),
or in the PostgreSQL store's database when there is one (PEERMATCH_DATABASE_URL), so that every
replica signs in the same people and knows their sessions.

People are not machines: a person signs in with a name and a password (argon2id, the current
OWASP recommendation), gets a server-side session, and is locked out for a while after repeated
failures. API keys stay for machines (service/auth.py). The records store knows nothing of people.

A session token is 32 random bytes kept by the browser in an HttpOnly cookie; the file holds only
its SHA-256 (like the API keys), so a copy of the file signs nobody in. Each session carries its
own CSRF token, which every form posts back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
import sqlite3
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from matcher.errors import PeermatchError
from matcher.store.read_only import connect
from matcher.store.sqlite import immediate_transaction, postgres_transaction

Role = Literal["secretariat", "viewer"]
ROLES: tuple[Role, ...] = ("secretariat", "viewer")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
# NIST SP 800-63B: at least 8 characters, no composition rules; we ask a little more of staff.
PASSWORD_MIN = 10
PASSWORD_MAX = 1024  # argon2 takes any length; a bound keeps one sign-in from costing a lot

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    language TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (user_name);
-- Failed sign-ins by the name tried, known or not: an unknown name locks like a real one, so the
-- answers do not tell which accounts exist. (users.failures and users.locked_until are unused.)
CREATE TABLE IF NOT EXISTS sign_in_attempts (
    name TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until TEXT,
    last_attempt TEXT NOT NULL
);
"""


USER_QUERY = (
    "SELECT u.name, u.role, u.language, u.created_at, COALESCE(a.failures, 0) AS failures, a.locked_until "
    "FROM users u LEFT JOIN sign_in_attempts a ON a.name = u.name"
)


class AccountError(PeermatchError):
    """A user cannot be created or changed as asked (the message says why)."""


class SignInRefused(PeermatchError):
    """Wrong name or password, or an account locked after repeated failures."""

    def __init__(self, reason: Literal["invalid", "locked"], minutes: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.minutes = minutes


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    language: str | None
    failures: int
    locked_until: dt.datetime | None
    created_at: dt.datetime

    @property
    def can_act(self) -> bool:
        """Secretariat staff change things (pairings, imports, proposals); viewers only look."""
        return self.role == "secretariat"


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    created_at: dt.datetime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    """Users and sessions; safe to share between threads (one connection behind a lock)."""

    def __init__(
        self,
        path: Path,
        *,
        max_failures: int = 5,
        lockout_minutes: int = 15,
        session_hours: float = 12.0,
        idle_minutes: float = 120.0,
        database_url: str | None = None,
    ) -> None:
        self.path = path
        self.database_url = database_url
        self.max_failures = max_failures
        self.lockout = dt.timedelta(minutes=lockout_minutes)
        self.session_life = dt.timedelta(hours=session_hours)
        self.idle = dt.timedelta(minutes=idle_minutes)
        self.hasher = PasswordHasher()  # argon2id with the library's current parameters
        # Verified against when the name is unknown, so that a wrong name costs what a wrong password costs.
        self._decoy = self.hasher.hash(secrets.token_hex(16))
        self._lock = threading.Lock()
        if database_url is not None:
            from matcher.store.postgres import MIGRATION_LOCK_KEY, Connection

            # The same statements through the store's adapter (see matcher/store/postgres.py), rows by name;
            # the same schema (IF NOT EXISTS, types both engines take), made once when replicas start together.
            self._db = cast(sqlite3.Connection, Connection(database_url, named_rows=True))
            self._db.executescript(f"BEGIN; SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY}); {SCHEMA} COMMIT;")
            return
            return
        # On a read-only file system: read as it is (sign-ins are refused with a 503 naming the cause,
        # since a session must be written) until a restart once it is writable.
        self._db, read_only = connect(path)
        self._db.row_factory = sqlite3.Row
        if read_only:
            return
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA busy_timeout = 5000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        if self.database_url is not None:
            return postgres_transaction(self._db, self._lock)
        return immediate_transaction(self._db, self._lock)

    # ---- users -------------------------------------------------------------------------------

    def create_user(self, name: str, role: str, password: str) -> User:
        if not NAME_PATTERN.match(name):
            raise AccountError(f"user name '{name}': use 1 to 64 letters, digits and . _ @ -")
        if role not in ROLES:
            raise AccountError(f"role '{role}': choose one of {', '.join(ROLES)}")
        self._check_password(password)
        with self._transaction() as db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"user '{name}' already exists")
            db.execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, role, self.hasher.hash(password), _now().isoformat()),
            )
        return self.user(name)

    def set_password(self, name: str, password: str) -> None:
        """A new password; every session of the user ends, and a lock-out is lifted."""
        self._check_password(password)
        self.user(name)
        with self._transaction() as db:
            db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (self.hasher.hash(password), name))
            db.execute("DELETE FROM sign_in_attempts WHERE name = ?", (name,))
            db.execute("DELETE FROM sessions WHERE user_name = ?", (name,))

    def delete_user(self, name: str) -> None:
        self.user(name)
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE user_name = ?", (name,))
            db.execute("DELETE FROM users WHERE name = ?", (name,))

    def unlock(self, name: str) -> None:
        self.user(name)
        with self._transaction() as db:
            db.execute("DELETE FROM sign_in_attempts WHERE name = ?", (name,))

    def set_language(self, name: str, language: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE users SET language = ? WHERE name = ?", (language, name))

    def user(self, name: str) -> User:
        with self._lock:
            row = self._db.execute(f"{USER_QUERY} WHERE u.name = ?", (name,)).fetchone()
        if row is None:
            raise AccountError(f"no user '{name}'")
        return _user(row)

    def users(self) -> list[User]:
        with self._lock:
            rows = self._db.execute(f"{USER_QUERY} ORDER BY u.name").fetchall()
        return [_user(row) for row in rows]

    def _check_password(self, password: str) -> None:
        if len(password) < PASSWORD_MIN:
            raise AccountError(f"the password is too short: at least {PASSWORD_MIN} characters")
        if len(password) > PASSWORD_MAX:
            raise AccountError(f"the password is too long: at most {PASSWORD_MAX} characters")

    # ---- signing in --------------------------------------------------------------------------

    def authenticate(self, name: str, password: str) -> User:
        """The user, when the password is right and the name not locked; else SignInRefused.

        The attempt is counted before the password is checked, in one write transaction, so that
        parallel guesses cannot share one count: the ``max_failures``-th attempt in a row that is
        not a success locks the name (known or not) for the lock-out time. Every answer costs one
        argon2 verification, locked or not, known or not."""
        now = _now()
        with self._transaction() as db:
            db.execute("DELETE FROM sign_in_attempts WHERE last_attempt < ? AND locked_until IS NULL", ((now - self.lockout).isoformat(),))
            attempt = db.execute("SELECT failures, locked_until FROM sign_in_attempts WHERE name = ?", (name,)).fetchone()
            locked_until = dt.datetime.fromisoformat(attempt["locked_until"]) if attempt and attempt["locked_until"] else None
            locked = locked_until is not None and locked_until > now
            if not locked:
                failures = (attempt["failures"] if attempt and locked_until is None else 0) + 1
                lock = None
                if failures >= self.max_failures:  # the last attempt allowed: unless it succeeds, the name is locked
                    until = now + self.lockout
                    locked_until, lock = until, until.isoformat()
                db.execute(
                    "INSERT INTO sign_in_attempts (name, failures, locked_until, last_attempt) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, "
                    "last_attempt = excluded.last_attempt",
                    (name, failures, lock, now.isoformat()),
                )
            row = db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        known = row is not None and len(password) <= PASSWORD_MAX
        right = self._verify(row["password_hash"] if known else self._decoy, password[:PASSWORD_MAX])
        if not (known and right):
            if locked_until is not None and locked_until > now:  # locked before, or by this very attempt
                raise SignInRefused("locked", _minutes_until(locked_until, now))
            raise SignInRefused("invalid")
        if locked:
            raise SignInRefused("locked", _minutes_until(locked_until, now))  # type: ignore[arg-type]
        with self._transaction() as db:
            db.execute("DELETE FROM sign_in_attempts WHERE name = ?", (name,))
            if self.hasher.check_needs_rehash(row["password_hash"]):
                db.execute("UPDATE users SET password_hash = ? WHERE name = ?", (self.hasher.hash(password), name))
        return self.user(name)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    # ---- sessions ----------------------------------------------------------------------------

    def start_session(self, user: User) -> str:
        """A new session for ``user``; returns the token for the cookie (stored only as a hash)."""
        token = secrets.token_urlsafe(32)
        now = _now().isoformat()
        with self._transaction() as db:
            db.execute(
                "INSERT INTO sessions (digest, user_name, csrf, created_at, last_seen) VALUES (?, ?, ?, ?, ?)",
                (_digest(token), user.name, secrets.token_urlsafe(32), now, now),
            )
            # Expired sessions go when anyone signs in: the table stays the size of the staff.
            db.execute("DELETE FROM sessions WHERE created_at < ?", ((_now() - self.session_life).isoformat(),))
        return token

    def session(self, token: str) -> Session | None:
        """The live session of ``token``, or None when it is unknown, too old or idle too long."""
        now = _now()
        with self._lock:
            row = self._db.execute(
                "SELECT s.*, u.name AS user_name FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.digest = ?",
                (_digest(token),),
            ).fetchone()
        if row is None:
            return None
        created, last_seen = dt.datetime.fromisoformat(row["created_at"]), dt.datetime.fromisoformat(row["last_seen"])
        if now - created > self.session_life or now - last_seen > self.idle:
            self.end_session(token)
            return None
        if now - last_seen > dt.timedelta(minutes=1):  # a write a minute at most, not one per page
            with self._transaction() as db:
                db.execute("UPDATE sessions SET last_seen = ? WHERE digest = ?", (now.isoformat(), _digest(token)))
        return Session(user=self.user(row["user_name"]), csrf=row["csrf"], created_at=created)

    def end_session(self, token: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM sessions WHERE digest = ?", (_digest(token),))


def _user(row: sqlite3.Row) -> User:
    return User(
        name=row["name"],
        role=row["role"],
        language=row["language"],
        failures=row["failures"],
        locked_until=dt.datetime.fromisoformat(row["locked_until"]) if row["locked_until"] else None,
        created_at=dt.datetime.fromisoformat(row["created_at"]),
    )


def _minutes_until(when: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((when - now).total_seconds() / 60))


def accounts_path(data_dir: Path) -> Path:
    return data_dir / "console.sqlite"
