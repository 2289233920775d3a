"""What the HTTP benchmarks share: a free loopback port, and one keyed request on a kept-alive connection."""

from __future__ import annotations

import http.client
import json
import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def call(connection: http.client.HTTPConnection, method: str, path: str, key: str, body: object = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()
