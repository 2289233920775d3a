"""``peermatch networks ...``: a network-structures file in (coordinators, plans, updates, events,
communities, learning links, people), and a cluster's report out (CSV a coordinator can send)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cli.common import DataDir, JsonFlag, console, emit, fail, settings_for, workspace_for
from matcher.errors import PeermatchError

networks_app = typer.Typer(
    help="Clusters, the calendar and people: load a structures file, write a cluster's report.", no_args_is_help=True
)


@networks_app.command()
def load(
    file: Annotated[Path, typer.Argument(help="A JSON file shaped like matcher/demo/data/networks.json.")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Validate every entry (a bad one is named by file, section, position and field), then write them."""
    from matcher.store import Store
    from matcher.usecases.network_file import load_network_file

    try:
        with Store(settings_for(data_dir).store_path, settings_for(data_dir).database_url) as store:
            counts = load_network_file(store, file)
    except PeermatchError as error:
        fail(error)
    emit(counts, as_json, lambda c: console.print(", ".join(f"{n} {name}" for name, n in c.items())))


@networks_app.command()
def report(
    cluster: Annotated[str, typer.Argument(help="The cluster's code or its name in English, French or Spanish.")],
    out: Annotated[Path | None, typer.Option(help="Write the report as CSV here.")] = None,
    since: Annotated[str | None, typer.Option(help="Participation from this day (YYYY-MM-DD; default: 182 days ago).")] = None,
    until: Annotated[str | None, typer.Option(help="...to this day (default: today).")] = None,
    language: Annotated[str, typer.Option(help="The language of the cluster's name: en, fr or es.")] = "en",
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """A cluster's report: coordinators' terms, work plan, updates, participation (inactive members flagged)."""
    from matcher.usecases.clusters import cluster_report, report_csv

    workspace = workspace_for(data_dir)
    try:
        first = dt.date.fromisoformat(since) if since else None
        last = dt.date.fromisoformat(until) if until else None
        result = cluster_report(
            workspace.snapshot(), workspace.store, cluster, dt.datetime.now(dt.UTC).date(), first, last, fit=out is not None
        )
    except ValueError as error:
        raise typer.BadParameter(f"since/until: {error} (expected YYYY-MM-DD)") from error
    except PeermatchError as error:
        fail(error)
    if out:
        out.write_text(report_csv(result, language), encoding="utf-8")

    def render(payload: dict[str, object]) -> None:
        console.print(f"{result.names.get(language) or result.names['en']}: {len(result.members)} members")
        for term in result.coordinators:
            console.print(f"  coordinator {term.member_name}: {term.starts} to {term.ends}" + (" (in office)" if term.current else ""))
        console.print(f"  plan: {len(result.plan)} items, {sum(p.overdue for p in result.plan)} overdue; {len(result.updates)} updates")
        console.print(f"  no activity from {result.since} to {result.until}: {len(result.inactive)} of {len(result.participation)}")
        if out:
            console.print(f"  report: {out}")

    emit(result.model_dump(mode="json"), as_json, render)
