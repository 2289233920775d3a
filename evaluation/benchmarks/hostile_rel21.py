"""The hostile run's probes for issue 21 (``python -m evaluation.benchmarks.hostile --probe rel21``):
each case of the issue, bounded in count and time, on loopback, with the figure it gives.

Cases: a bulk over the cap and one at the cap (status, answer size, time, /health meanwhile);
40 concurrent sign-ins (statuses, sign-in p50, /health p99); a delete of a member still named
(409); a read key answering a proposal (403); feedback for an unknown member and a rating of
``true`` (404, 422); a malformed JSON body (the field it names); four import files that used to
crash the reader, uploaded through the console (status, no 500); the rejections CSV's headers;
a language cookie's Secure flag.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from service.routes.records import BULK_MAX

HOST = "127.0.0.1"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return found.group(1) if found else ""


async def _health_while(port: int, work: Any) -> tuple[Any, list[float]]:
    """Run ``work`` while sampling /health on its own connection; its result and the latencies (ms)."""
    samples: list[float] = []
    done = asyncio.Event()

    async def sample() -> None:
        async with httpx.AsyncClient(base_url=f"http://{HOST}:{port}", timeout=60) as client:
            while not done.is_set():
                started = time.perf_counter()
                await client.get("/health")
                samples.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.02)

    sampler = asyncio.ensure_future(sample())
    try:
        result = await work
    finally:
        done.set()
        await sampler
    return result, samples


def _browser(base: str, follow: bool = True) -> httpx.AsyncClient:
    """A client that keeps the console's cookies over plain http on loopback: they are Secure (a
    browser sends them to http://localhost; Python's cookie jar does not, so they are kept here)."""
    client = httpx.AsyncClient(base_url=base, timeout=120, follow_redirects=follow)

    async def keep(response: httpx.Response) -> None:
        for header, value in response.headers.multi_items():
            if header == "set-cookie":
                name, _, rest = value.partition("=")
                client.cookies.set(name, rest.split(";")[0])

    client.event_hooks["response"] = [keep]
    return client


async def _signed_in(base: str, name: str, password: str) -> httpx.AsyncClient:
    client = _browser(base)
    page = await client.get("/signin")
    await client.post("/signin", data={"name": name, "password": password, "csrf_token": _csrf(page.text), "next": "/import"})
    return client


async def rel21(port: int, data_dir: Path, keys: dict[str, str], heavy: int, seconds: float, report: Any) -> None:
    base = f"http://{HOST}:{port}"
    read, write = {"Authorization": f"Bearer {keys['read']}"}, {"Authorization": f"Bearer {keys['write']}"}
    users = dict(line.split("=", 1) for line in (data_dir / "demo-users.txt").read_text().split())
    async with httpx.AsyncClient(base_url=base, timeout=120) as api:
        # item 6: bulk bounds
        for count in (BULK_MAX + 1, BULK_MAX):
            started = time.perf_counter()
            answer, health = await _health_while(port, api.post("/v1/members/bulk", headers=write, json=[{}] * count))
            report(
                f"bulk of {count:,} empty records",
                f"{answer.status_code}, {len(answer.content) / 1000:.0f} kB, {time.perf_counter() - started:.2f} s;"
                f" /health max {max(health, default=0):.0f} ms",
            )
        # item 6: concurrent sign-ins (wrong password: argon2 verifies all the same)
        async def sign_in(i: int) -> tuple[int, float]:
            async with _browser(base, follow=False) as client:
                page = await client.get("/signin")
                started = time.perf_counter()
                form = {"name": "secretariat", "password": f"wrong {i}", "csrf_token": _csrf(page.text)}
                answer = await client.post("/signin", data=form)
                return answer.status_code, time.perf_counter() - started

        results, health = await _health_while(port, asyncio.gather(*(sign_in(i) for i in range(40))))
        statuses = {s: sum(1 for r in results if r[0] == s) for s in sorted({r[0] for r in results})}
        report(
            "40 concurrent sign-ins: statuses; sign-in p50; /health p99",
            f"{statuses}; {np.median([r[1] for r in results]):.2f} s; {np.percentile(health, 99) if health else 0:.0f} ms",
        )
        # item 5: a delete with references
        members = (await api.get("/v1/members?limit=2", headers=read)).json()["items"]
        named, holder = members[0], {**members[1], "partners": [members[0]["id"]]}
        await api.put(f"/v1/members/{holder['id']}", headers=write, json=holder)
        answer = await api.delete(f"/v1/members/{named['id']}", headers=write)
        report("DELETE a member named as partner", f"{answer.status_code} {answer.json().get('message', '')[:90]}")
        # item 7: scopes and feedback
        body = {"kind": "recommendation", "member_id": members[1]["id"], "partner_id": members[0]["id"], "reason": "probe"}
        created = (await api.post("/v1/proposals", headers=write, json=body)).json()
        side = {"side": body["member_id"], "accepted": True}
        answer = await api.post(f"/v1/proposals/{created.get('id')}/respond", headers=read, json=side)
        report("read key answers a proposal", str(answer.status_code))
        ghost = {"member_id": "ghost", "item_id": members[0]["id"], "task": "peers", "rating": 4}
        report("feedback for an unknown member", str((await api.post("/v1/feedback", headers=read, json=ghost)).status_code))
        lax = {"member_id": members[1]["id"], "item_id": members[0]["id"], "task": "peers", "rating": True}
        report("feedback with rating true", str((await api.post("/v1/feedback", headers=read, json=lax)).status_code))
        answer = await api.post("/v1/feedback", headers={**read, "Content-Type": "application/json"}, content=b'{"member_id": 1,, }')
        report("malformed JSON body: field named", f"{answer.status_code} {answer.json().get('field')!r}")
    # item 4 and 13: console uploads of files that crashed the reader; download headers; cookies
    console = await _signed_in(base, "secretariat", users["secretariat"])
    try:
        row = {"id": "sep", "name": "Sep", "kind": "city", "country": "FR", "region": "Africa", "languages": ["fr"], "profile": "a\u2028b"}
        files = {
            "nested.json": "[" + "[" * 100_000 + "]" * 100_000 + "]",
            "longcell.csv": 'id,name,kind,country,region,languages,profile\na,A,city,FR,Africa,fr,"' + "w " * 70_000 + '"\n',
            "separators.jsonl": "".join(json.dumps({**row, "id": f"sep{i}"}, ensure_ascii=False) + "\n" for i in range(3)),
            "trailing.json": json.dumps([row]) + " garbage",
        }
        token = ""
        for name, text in files.items():
            page = await console.get("/import")
            answer = await console.post("/import", data={"csrf_token": _csrf(page.text)}, files={"file": (name, text.encode("utf-8"))})
            found = re.search(r'action="/import/([A-Za-z0-9_-]+)"', answer.text)
            token = token or (found.group(1) if found else "")
            summary = re.search(r"(\d+) valid", answer.text)
            report(f"console upload {name}", f"{answer.status_code}{', ' + summary.group(0) if summary else ''}")
        if token:
            download = await console.get(f"/import/{token}/rejections.csv")
            report("rejections.csv headers", f"{download.headers.get('cache-control')}, {download.headers.get('x-content-type-options')}")
        page = await console.get("/members")
        switched = await console.post(
            "/language", data={"csrf_token": _csrf(page.text), "language": "fr", "back": "/members"}, follow_redirects=False
        )
        cookie = next((v for k, v in switched.headers.multi_items() if k == "set-cookie" and v.startswith("peermatch_lang=")), "")
        report("language cookie Secure", str("secure" in cookie.lower()))
    finally:
        await console.aclose()
