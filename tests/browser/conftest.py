"""A real service on the demo data, and Debian's Chromium driven by Playwright, for the console's end-to-end tests.

Skipped, with the reason, when Chromium or Playwright is missing; ``.ci/run`` installs Debian's
chromium first, so in CI they always run. Nothing here downloads a browser: Playwright is pointed
at the system Chromium. Screenshots go to $PEERMATCH_SCREENSHOTS (default: a temporary folder).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import seed_embedding_cache

CHROMIUM = os.environ.get("PEERMATCH_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "browser-test-password"

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - the lock installs it
    sync_playwright = None  # type: ignore[assignment]


def why_no_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if sync_playwright is None:
        return "Playwright for Python is not installed (make install adds it): browser tests skipped"
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium) to run the browser tests"
    return None


@dataclass
class Server:
    url: str
    data_dir: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _peermatch(*args: str, stdin: str | None = None) -> None:
    subprocess.run([sys.executable, "-m", "cli.main", *args], input=stdin, text=True, check=True, capture_output=True)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, embedding_cache_file: Path) -> Iterator[Server]:
    """``peermatch serve`` on a fresh copy of the demo, with a secretariat user (alice) and a viewer (victor)."""
    data_dir = tmp_path_factory.mktemp("console") / "data"
    # The session's embedding cache goes in and comes back out: the demo is embedded once per session.
    if embedding_cache_file.exists():
        seed_embedding_cache(embedding_cache_file, data_dir)
    _peermatch("demo", "--data-dir", str(data_dir), "--no-keys")
    seed_embedding_cache(data_dir / "embedding-cache.sqlite", embedding_cache_file.parent)
    _peermatch("users", "create", "alice", "--role", "secretariat", "--password-stdin", "--data-dir", str(data_dir), stdin=PASSWORD)
    _peermatch("users", "create", "victor", "--role", "viewer", "--password-stdin", "--data-dir", str(data_dir), stdin=PASSWORD)
    port = _free_port()
    environment = {**os.environ, "PEERMATCH_PRECOMPUTE_PEERS": "false", "PEERMATCH_LOG_JSON": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "serve", "--data-dir", str(data_dir), "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"the service stopped: {process.stderr.read().decode() if process.stderr else ''}")
        time.sleep(0.3)
    else:
        process.kill()
        raise RuntimeError("the service did not become ready in 120 s")
    yield Server(url, data_dir)
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Module scope: Playwright's sync API keeps an event loop running in this thread until it stops,
    # and later tests that call asyncio.run() must not find it still running.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("PEERMATCH_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_page(browser: Browser, server: Server, language: str) -> Page:
    """A fresh browser profile (no cookie) whose browser asks for ``language``."""
    context = browser.new_context(base_url=server.url, locale=language, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(60_000)
    return context.new_page()


def signed_in(browser: Browser, server: Server, language: str, name: str = "alice") -> Page:
    page = new_page(browser, server, language)
    page.goto("/")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/members")
    return page


def shoot(page: Page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page (WCAG 2.1 A and AA rules, labels and contrast among them)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]} for v in results.response["violations"]]


def reset_download_dir(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
