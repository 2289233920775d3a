"""Load the demo's generated proposal history (``data/proposals.jsonl``, from tools/demo_proposals.py):
each proposal and its steps written with their own dates, so that the progress page has a past to
show. The lines are replayed through the lifecycle's rules (``check_step``), never around them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from matcher.errors import UnreadableFileError
from matcher.partnerships import storage
from matcher.partnerships.lifecycle import check_step
from matcher.store import Store

SOURCE = "demo history (generated)"


def load_history(store: Store, path: Path) -> int:
    """Write every proposal of ``path`` with its steps; returns how many (0 when the history is
    already there: running ``demo`` again adds nothing). Errors name the line."""
    count = 0
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM proposals WHERE source = ? LIMIT 1", (SOURCE,)).fetchone():
            return 0
        for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not text.strip():
                continue
            try:
                row: dict[str, Any] = json.loads(text)
                created = dt.datetime.fromisoformat(row["created_at"])
                values = {
                    "kind": row["kind"],
                    "member_id": row["member_id"],
                    "partner_id": row["partner_id"],
                    "group": None,
                    "reason": row.get("reason", ""),
                    "score": row.get("score"),
                    "quality": row.get("quality"),
                    "source": SOURCE,
                    "actor": row["actor"],
                }
                pid = storage.insert_proposal(db, values, created)
                status = "proposed"
                for step in row["steps"]:
                    check_step(pid, status, step["step"])  # type: ignore[arg-type]
                    at = dt.datetime.fromisoformat(step["at"])
                    payload = step.get("payload", {})
                    status = payload.get("status", status)
                    storage.append_event(db, pid, step["step"], step["actor"], at, step.get("note", ""), payload)
                    extra = {"outcome": payload["outcome"], "rating": payload["rating"]} if step["step"] == "close" else {}
                    storage.set_status(db, pid, status, at, **extra)
                if row.get("check_in_due"):
                    db.execute("UPDATE proposals SET check_in_due = ? WHERE id = ?", (row["check_in_due"], pid))
                count += 1
            except (KeyError, ValueError, TypeError) as error:
                raise UnreadableFileError(f"{path}:{line}: {type(error).__name__}: {error}") from error
    return count
