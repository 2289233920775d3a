"""Issue 21, item 13: CSV downloads are not cached nor sniffed; the notice and language cookies are Secure."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from service.console.accounts import Accounts
from tests.conftest import member, write_jsonl
from tests.test_console import app_and_accounts, csrf_of, sign_in  # noqa: F401 - the fixture

__all__ = ["app_and_accounts"]


def test_the_rejections_csv_is_no_store_and_nosniff(app_and_accounts: tuple[TestClient, Accounts], tmp_path: object) -> None:
    client, _ = app_and_accounts
    sign_in(client)
    page = client.get("/import")
    upload = write_jsonl(tmp_path / "bad.jsonl", [member("nowhere", country="XX")])  # type: ignore[operator]
    with open(upload, "rb") as handle:
        checked = client.post("/import", data={"csrf_token": csrf_of(page.text)}, files={"file": ("bad.jsonl", handle)})
    token = re.search(r'action="/import/([A-Za-z0-9_-]+)"', checked.text).group(1)  # type: ignore[union-attr]
    download = client.get(f"/import/{token}/rejections.csv")
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store" and download.headers["X-Content-Type-Options"] == "nosniff"


def test_the_language_cookie_is_secure(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, _ = app_and_accounts
    sign_in(client)
    page = client.get("/members")
    form = {"csrf_token": csrf_of(page.text), "language": "es", "back": "/members"}
    switched = client.post("/language", data=form, follow_redirects=False)
    cookie = [v for k, v in switched.headers.multi_items() if k == "set-cookie" and v.startswith("peermatch_lang=")]
    assert cookie and "secure" in cookie[0].lower()
