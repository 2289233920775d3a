"""``peermatch requests ...``: offers and requests from files, a request's package with its evidence, and its steps."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any, cast

import typer
from rich.table import Table

from cli.common import DataDir, JsonFlag, console, emit, fail, workspace_for
from matcher.errors import PeermatchError

requests_app = typer.Typer(help="Governments' requests answered by packages of members' offers.", no_args_is_help=True)
ACTOR = Annotated[str | None, typer.Option("--actor", help="Who takes the step [default: cli:<login name>].")]


def _actor(actor: str | None) -> str:
    return actor or f"cli:{getpass.getuser()}"


@requests_app.command("import-offers")
def import_offers(file: Path, data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """Add or replace offers from a .jsonl, .json or .csv file (all or nothing; bad rows named by line and field)."""
    from matcher.requests import Offer, RequestBook
    from matcher.requests.files import read_records

    workspace = workspace_for(data_dir)
    try:
        written = RequestBook(workspace.store).put_offers(cast(list[Offer], read_records(file, "offers")))
    except PeermatchError as error:
        fail(error)
    finally:
        workspace.close()
    emit({"written": written}, as_json, lambda p: console.print(f"{p['written']} offers written"))


@requests_app.command("import")
def import_requests(file: Path, actor: ACTOR = None, data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """Receive the requests of a .jsonl, .json or .csv file (status 'received')."""
    from matcher.requests import Request, RequestBook
    from matcher.requests.files import read_records

    workspace = workspace_for(data_dir)
    try:
        book = RequestBook(workspace.store)
        ids = [book.receive(r, _actor(actor)).id for r in cast(list[Request], read_records(file, "requests"))]
    except PeermatchError as error:
        fail(error)
    finally:
        workspace.close()
    emit({"received": ids}, as_json, lambda p: console.print(f"{len(p['received'])} requests received"))


@requests_app.command("export-offers")
def export_offers(file: Path, data_dir: DataDir = None) -> None:
    """Write every offer to a .jsonl, .json or .csv file."""
    from matcher.requests import RequestBook
    from matcher.requests.files import write_records

    workspace = workspace_for(data_dir)
    try:
        count = write_records(RequestBook(workspace.store).offers(), file)
    except PeermatchError as error:
        fail(error)
    finally:
        workspace.close()
    console.print(f"{count} offers written to {file}")


@requests_app.command("list")
def list_requests(
    status: Annotated[str | None, typer.Option(help="received, triaged, declined, proposed, approved, in_delivery, closed.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO 3166-1 alpha-2.")] = None,
    type_: Annotated[str | None, typer.Option("--type", help="A type of support asked for.")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Requests, newest first."""
    from matcher.requests import RequestBook

    workspace = workspace_for(data_dir)
    try:
        total, items = RequestBook(workspace.store).list(
            status=status, country=country.upper() if country else None, offer_type=type_, limit=500
        )
    except PeermatchError as error:
        fail(error)
    finally:
        workspace.close()
    rows = [{"id": r.id, "status": r.status, "country": r.request.country, "title": r.request.title, "partners": r.partners} for r in items]

    def render(payload: dict[str, Any]) -> None:
        table = Table("id", "status", "country", "title", "partners")
        for row in payload["items"]:
            table.add_row(row["id"], row["status"], row["country"], row["title"], ", ".join(row["partners"]))
        console.print(table)

    emit({"total": total, "items": rows}, as_json, render)


def _options(max_partners: int | None, regional: bool, force_in: list[str] | None, force_out: list[str] | None) -> Any:
    from matcher.requests.solver import PackageOptions

    return PackageOptions(max_partners, regional, tuple(force_in or ()), tuple(force_out or ()))


MaxPartners = Annotated[int | None, typer.Option(help="At most this many partners.")]
Regional = Annotated[bool, typer.Option("--regional", help="At least one partner from the requester's region.")]
ForceIn = Annotated[list[str] | None, typer.Option("--force-in", help="A member that must take part (repeatable).")]
ForceOut = Annotated[list[str] | None, typer.Option("--force-out", help="A member left out (repeatable).")]


@requests_app.command()
def show(
    request_id: str,
    preview: Annotated[bool, typer.Option("--preview", help="The package it would get now, not the stored one.")] = False,
    max_partners: MaxPartners = None,
    regional: Regional = False,
    force_in: ForceIn = None,
    force_out: ForceOut = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """A request's package: each component, the part(s) covering it with their evidence, and why a component is uncovered."""
    from matcher.requests import RequestBook
    from matcher.usecases import requests as usecase

    workspace = workspace_for(data_dir)
    try:
        book = RequestBook(workspace.store)
        snapshot = workspace.snapshot()
        if preview:
            status = book.get(request_id).status
            solved = usecase.solve(snapshot, book, request_id, _options(max_partners, regional, force_in, force_out))
        else:
            stored, solved = usecase.current(snapshot, book, request_id)
            status = stored.status
    except PeermatchError as error:
        fail(error)
    finally:
        workspace.close()
    _emit_package(request_id, status, solved, as_json)


@requests_app.command()
def propose(
    request_id: str,
    max_partners: MaxPartners = None,
    regional: Regional = False,
    force_in: ForceIn = None,
    force_out: ForceOut = None,
    actor: ACTOR = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Solve the request's package and store it as proposed (the request must be triaged)."""
    from matcher.requests import RequestBook
    from matcher.usecases import requests as usecase

    workspace = workspace_for(data_dir)
    try:
        book = RequestBook(workspace.store)
        snapshot = workspace.snapshot()
        usecase.propose(snapshot, book, request_id, _actor(actor), _options(max_partners, regional, force_in, force_out))
        stored, solved = usecase.current(snapshot, book, request_id)
    except PeermatchError as error:
        fail(error)
    finally:
        workspace.close()
    _emit_package(request_id, stored.status, solved, as_json)


def _emit_package(request_id: str, status: str, solved: Any, as_json: bool) -> None:
    why = {u.component: u for u in solved.uncovered}
    offers = solved.candidates.offers
    components = []
    for index, component in enumerate(solved.request.components):
        parts = [
            {
                "offer_id": p.offer_id,
                "member_id": p.member_id,
                "amount": p.amount,
                "score": p.score,
                "description": offers[p.offer_id].description,
            }
            for p in solved.package.parts
            if p.component == index and p.offer_id in offers
        ]
        missing = why.get(index)
        components.append(
            {
                "index": index,
                "text": component.text,
                "type": component.type,
                "quantity": component.quantity,
                "share": round(solved.package.share[index], 4),
                "parts": parts,
                "uncovered": missing.code if missing else None,
                "reasons": [r.text() for r in missing.reasons] if missing else [],
            }
        )
    payload = {"id": request_id, "status": status, "partners": solved.package.partners, "components": components}

    def render(p: dict[str, Any]) -> None:
        console.print(f"[bold]{p['id']}[/bold] ({p['status']}): {len(p['partners'])} partners: {', '.join(p['partners'])}")
        for c in p["components"]:
            console.print(f"\n[{c['index']}] {c['type']}: {c['text']} (covered {c['share']:.0%})", highlight=False)
            for part in c["parts"]:
                console.print(
                    f"    {part['member_id']} / {part['offer_id']}: {part['amount']:g}, evidence {part['score']:.2f}", highlight=False
                )
                console.print(f"      {part['description']}", highlight=False)
            for reason in c["reasons"]:
                console.print(f"    [yellow]not covered:[/yellow] {reason}", highlight=False)

    emit(payload, as_json, render)
