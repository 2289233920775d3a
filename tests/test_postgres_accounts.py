"""The console's accounts and sessions on both engines; on PostgreSQL, every replica knows them:
a person signed in through one replica is signed in on another, and locked out on all."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from service.console.accounts import Accounts, SignInRefused

PASSWORD = "correct horse battery"


def test_accounts_sessions_and_lockout_on_both_engines(tmp_path: Path, database_url: str | None) -> None:
    accounts = Accounts(tmp_path / "console.sqlite", max_failures=5, database_url=database_url)
    accounts.create_user("alice", "secretariat", PASSWORD)
    token = accounts.start_session(accounts.authenticate("alice", PASSWORD))
    session = accounts.session(token)
    assert session is not None and session.user.name == "alice" and session.user.can_act
    accounts.end_session(token)
    assert accounts.session(token) is None

    def guess(_: int) -> str:
        try:
            accounts.authenticate("alice", "wrong guess")
        except SignInRefused as refused:
            return refused.reason
        return "signed in"

    with ThreadPoolExecutor(max_workers=10) as pool:  # each attempt counted before its check, on both engines
        reasons = list(pool.map(guess, range(10)))
    assert reasons.count("invalid") <= 4 and "signed in" not in reasons
    with pytest.raises(SignInRefused, match="locked"):
        accounts.authenticate("alice", PASSWORD)
    assert (tmp_path / "console.sqlite").exists() == (database_url is None)
    accounts.close()


def test_a_session_opened_on_one_replica_is_known_to_another(tmp_path: Path, postgres_url: str) -> None:
    a = Accounts(tmp_path / "a" / "console.sqlite", database_url=postgres_url)
    b = Accounts(tmp_path / "b" / "console.sqlite", database_url=postgres_url)  # another replica, another folder
    a.create_user("bob", "viewer", PASSWORD)
    assert [u.name for u in b.users()] == ["bob"]
    token = b.start_session(b.authenticate("bob", PASSWORD))
    seen = a.session(token)
    assert seen is not None and seen.user.name == "bob" and not seen.user.can_act
    a.end_session(token)  # signed out through A: gone on B too
    assert b.session(token) is None
