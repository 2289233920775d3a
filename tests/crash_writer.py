"""A child process for the kill -9 test: writes resources one commit at a time, says which are committed."""

from __future__ import annotations

import sys
from pathlib import Path

from matcher.records import Resource
from service.settings import ServiceSettings
from service.state import ServiceState
from tests.conftest import resource
from tests.fakes import FakeEncoder


def main(data_dir: str) -> None:
    state = ServiceState(ServiceSettings(data_dir=Path(data_dir), log_json=False), FakeEncoder())
    state.start()
    for i in range(10_000):
        words = ["flood", "garden", "budget", "teacher"][i % 4]
        state.upsert([Resource.model_validate(resource(f"r{i:05d}", f"{words} {i}", f"About {words} number {i}."))])
        print(f"committed r{i:05d}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
