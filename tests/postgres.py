"""The tests' throwaway PostgreSQL cluster (evaluation/benchmarks/pgcluster.py, which the replica
benchmark starts too): started once per session, listening on loopback only, stopped and removed at
the end. Each test gets a database of its own.

Where PostgreSQL is not installed the tests that need it are skipped, saying so; in CI
(``CI=true``, where .ci/run installs Debian's postgresql) they fail instead, so they always run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from evaluation.benchmarks.pgcluster import Cluster, ClusterError, ClusterUnavailable, new_database, throwaway_cluster

__all__ = ["Cluster", "new_database", "start_cluster"]


def start_cluster() -> Iterator[Cluster]:
    try:
        cluster = throwaway_cluster(max_connections=500, fsync=False)  # the tests' data does not outlive them
        started = cluster.__enter__()
    except ClusterUnavailable as missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI: {missing}")
        pytest.skip(str(missing))
    except ClusterError as error:
        pytest.fail(str(error))
    try:
        yield started
    finally:
        cluster.__exit__(None, None, None)
