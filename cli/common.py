"""What every peermatch command shares: the data-dir and --json options, output and errors."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from matcher.errors import PeermatchError
from matcher.scoring.calibration import shown
from matcher.settings import Settings

console = Console(stderr=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder of the store and indexes [default: per-user data dir, or PEERMATCH_DATA_DIR].",
        show_default=False,
    ),
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


def settings_for(data_dir: Path | None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()


def workspace_for(data_dir: Path | None) -> Any:
    from matcher.workspace import Workspace

    return Workspace(settings_for(data_dir))


def finite(value: Any) -> Any:
    """The payload with NaN and infinities as null: they are not JSON, and strict parsers refuse them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """'1 tie', '3 ties': the command line speaks English, with its plural forms."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def emit(payload: Any, as_json: bool, render: Any = None) -> None:
    if as_json or render is None:
        sys.stdout.write(json.dumps(finite(payload), ensure_ascii=False, indent=2, default=str, allow_nan=False) + "\n")
    else:
        render(payload)


def match_label(row: dict[str, Any]) -> str:
    """A result's match score and label, '0.699 (partial)': three decimals that never round
    across a label boundary (``calibration.shown``: 0.6999 is partial, not '0.700 (partial)')."""
    score = "–" if row["match_score"] is None else f"{shown(row['match_score'], 3):.3f}"  # a pair of a run stored before it had one
    return f"{score} ({row['match_quality']})"


def fail(error: PeermatchError) -> None:
    console.print(f"[red]error:[/red] {error}", highlight=False)
    raise typer.Exit(code=2)
