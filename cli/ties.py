"""``peermatch ties``: record, import and list typed ties (twinnings, cooperation agreements)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import DataDir, JsonFlag, console, emit, fail, workspace_for
from matcher.errors import PeermatchError

ties_app = typer.Typer(help="Existing ties between members (twinnings, cooperation agreements), which pairing can prefer, keep or forbid.")


@ties_app.command("import")
def import_ties(
    path: Annotated[Path, typer.Argument(help="A twin-cities CSV: city1,country1,lat1,lng1,city2,country2,lat2,lng2.")],
    kind: Annotated[str, typer.Option(help="twinning or cooperation.")] = "twinning",
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Ties from a twin-cities list, matched to members by city name and country."""
    from matcher.usecases.ties import import_twin_cities

    try:
        report = import_twin_cities(workspace_for(data_dir).store, path, kind, "cli")  # type: ignore[arg-type]
    except PeermatchError as error:
        fail(error)

    def render(r: dict[str, Any]) -> None:
        console.print(
            f"{r['rows']} rows: {r['matched']} tie(s) between members ({r['added']} new), {r['one_side_member']} row(s) with one"
            f" city in the network, {r['problem_count']} problem(s)"
        )
        for problem in r["problems"][:20]:
            console.print(f"[yellow]{r['path']}:{problem['line']}[/yellow] {problem['field']}: {problem['message']}")

    emit(report.model_dump(), as_json, render)


@ties_app.command("add")
def add_tie(
    member: str,
    partner: str,
    kind: Annotated[str, typer.Option(help="twinning or cooperation.")] = "twinning",
    source: Annotated[str, typer.Option(help="Where the tie is recorded.")] = "",
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    from matcher.ties import Ties

    try:
        added = Ties(workspace_for(data_dir).store).add(member, partner, kind, "cli", source)  # type: ignore[arg-type]
    except PeermatchError as error:
        fail(error)
    emit({"added": added}, as_json, lambda r: console.print("added" if r["added"] else "already recorded"))


@ties_app.command("list")
def list_ties(
    member: Annotated[str | None, typer.Option(help="Only this member's ties.")] = None, data_dir: DataDir = None, as_json: JsonFlag = False
) -> None:
    from matcher.ties import Ties

    rows = [
        {"member_a": t.member_a, "member_b": t.member_b, "kind": t.kind, "source": t.source}
        for t in Ties(workspace_for(data_dir).store).list(member)
    ]
    def render(r: list[dict[str, str]]) -> None:
        for x in r:
            console.print(f"{x['member_a']} — {x['member_b']}  {x['kind']}  {x['source']}")

    emit(rows, as_json, render)
