"""Offline evaluation: datasets, runs, metrics (ranx) and reports.

ranx compiles its metrics with numba (``cache=True``): one to two minutes of a cold process on
2 cores. numba keeps the compiled code beside ranx's sources, which an installed package may not be
allowed to write (then every process compiles again); so unless the caller chose a place
(``NUMBA_CACHE_DIR``), the compiled code goes to peermatch's user cache folder, which is writable.
numba reads the variable when it is imported; bm25s (lexical search) may have imported it already,
so its configuration is then read again. Either way it is settled before ranx is imported.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs


def numba_cache_dir() -> Path:
    """The folder numba caches compiled code in for this process (made if missing)."""
    folder = Path(os.environ.setdefault("NUMBA_CACHE_DIR", str(platformdirs.user_cache_path("peermatch", appauthor=False) / "numba")))
    folder.mkdir(parents=True, exist_ok=True)
    if "numba" in sys.modules:
        from numba.core import config

        config.reload_config()
    return folder


numba_cache_dir()
