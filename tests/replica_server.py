"""A replica for the replica tests: the app that `peermatch serve` builds (create_app, the same
settings from PEERMATCH_* variables), with the keyword encoder of tests/fakes.py instead of the
12-second model load, so that several replicas start, restart and take bursts of writes in seconds."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from service.app import create_app
from service.settings import ServiceSettings
from tests.fakes import FakeEncoder


def main(data_dir: str, port: int) -> None:
    settings = ServiceSettings(data_dir=Path(data_dir))
    uvicorn.run(create_app(settings, FakeEncoder()), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
