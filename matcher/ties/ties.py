"""Ties in the store (``ties`` table): add, list, remove; the Python API the use cases call.

book = Ties(workspace.store)
book.add("city-kati-ml", "city-erfurt-de", "twinning", "user:alice", source="municipal council, 2003")
book.pairs()   # [("city-erfurt-de", "city-kati-ml")]
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterable
from typing import cast

from matcher.errors import InvalidProposalError
from matcher.explanations import english_noun
from matcher.store import Store
from matcher.ties.model import TIE_KINDS, Tie, TieKind, ordered

MAX_SOURCE = 500  # characters: where the tie is recorded (a council decision, a list)


class InvalidTieError(InvalidProposalError):
    """A tie names an unknown member, the same member twice, or an unknown kind (a bad field, as for a
    proposal: the service answers 422 naming ``field``)."""


class Ties:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, member_a: str, member_b: str, kind: TieKind, actor: str, source: str = "") -> bool:
        """Record a tie; False when the same pair already has a tie of that kind (nothing changes)."""
        return self.add_many([(member_a, member_b)], kind, actor, source) == 1

    def add_many(self, pairs: Iterable[tuple[str, str]], kind: TieKind, actor: str, source: str = "") -> int:
        """Record ties of one kind in one transaction; returns how many were new. Every member must exist."""
        if kind not in TIE_KINDS:
            raise InvalidTieError("kind", f"'{kind}' is not one of {', '.join(TIE_KINDS)}")
        if len(source) > MAX_SOURCE:
            raise InvalidTieError("source", f"at most {MAX_SOURCE} characters")
        rows = []
        for a, b in pairs:
            if a == b:
                raise InvalidTieError("member_b", f"'{a}' cannot be tied to itself")
            rows.append(ordered(a, b))
        unknown = sorted({m for pair in rows for m in pair} - self.store.existing("members", {m for pair in rows for m in pair}))
        if unknown:
            raise InvalidTieError("member_id", f"unknown {english_noun(len(unknown), 'member')}: {', '.join(unknown[:5])}")
        at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        with self.store.transaction() as db:
            # Rows counted, not total_changes: the feed's trigger writes a row of its own per tie.
            before = db.execute("SELECT COUNT(*) FROM ties").fetchone()[0]
            db.executemany(
                "INSERT INTO ties (member_a, member_b, kind, source, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [(a, b, kind, source, actor, at) for a, b in rows],
            )
            return int(db.execute("SELECT COUNT(*) FROM ties").fetchone()[0] - before)

    def remove(self, member_a: str, member_b: str, kind: TieKind) -> bool:
        a, b = ordered(member_a, member_b)
        with self.store.transaction() as db:
            return db.execute("DELETE FROM ties WHERE member_a = ? AND member_b = ? AND kind = ?", (a, b, kind)).rowcount > 0

    def list(self, member_id: str | None = None, kind: TieKind | None = None) -> builtins.list[Tie]:
        """Ties, in id order; ``member_id`` matches either side."""
        clauses, args = [], []
        if member_id is not None:
            clauses.append("(member_a = ? OR member_b = ?)")
            args += [member_id, member_id]
        if kind is not None:
            clauses.append("kind = ?")
            args.append(kind)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        with self.store.reading() as db:
            rows = db.execute(
                f"SELECT member_a, member_b, kind, source, created_by, created_at FROM ties{where} ORDER BY member_a, member_b, kind", args
            ).fetchall()
        return [Tie(a, b, cast(TieKind, k), s, by, dt.datetime.fromisoformat(at)) for a, b, k, s, by, at in rows]

    def pairs(self, kinds: Iterable[TieKind] = TIE_KINDS) -> builtins.list[tuple[str, str]]:
        """The tied pairs (each once, in id order) of the given kinds."""
        wanted = set(kinds)
        return sorted({(t.member_a, t.member_b) for t in self.list() if t.kind in wanted})
