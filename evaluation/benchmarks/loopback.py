"""What the HTTP benchmarks share: a free loopback port, a ``peermatch serve`` on it, and one keyed request on a
kept-alive connection."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(
    data_dir: Path, env: Mapping[str, str], workers: int = 1, nice: int = 0, *, idle: bool = False
) -> tuple[subprocess.Popen[bytes], int]:
    """``peermatch serve`` on ``data_dir`` on a free loopback port, quiet, under ``env`` (at OS
    priority ``nice``, or in the OS's idle scheduling class: it runs only on a core nothing else
    wants): the process and its port."""
    port = free_port()
    command = [sys.executable, "-m", "cli.main", "serve", "--data-dir", str(data_dir), "--port", str(port), "--workers", str(workers)]

    def lower() -> None:  # in the child, before it runs: its workers inherit it
        if idle:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        elif nice:
            os.nice(nice)

    before = lower if idle or nice else None
    return subprocess.Popen(command, env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=before), port


def call(connection: http.client.HTTPConnection, method: str, path: str, key: str, body: object = None) -> tuple[int, bytes]:
    status, answer, _ = call_with_headers(connection, method, path, key, body)
    return status, answer


def call_with_headers(
    connection: http.client.HTTPConnection, method: str, path: str, key: str, body: object = None
) -> tuple[int, bytes, http.client.HTTPMessage]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    return response.status, response.read(), response.headers
