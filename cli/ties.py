"""``peermatch ties`` (record, import and list typed ties: twinnings, cooperation agreements) and
``peermatch reminders`` (members' contacts, invitations and reminders by email)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import DataDir, JsonFlag, console, counted, emit, fail, workspace_for
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
            f"{counted(r['rows'], 'row')}: {counted(r['matched'], 'tie')} between members ({r['added']} new),"
            f" {counted(r['one_side_member'], 'row')} with one city in the network, {counted(r['problem_count'], 'problem')}"
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


reminders_app = typer.Typer(
    help="Invitations and reminders by email (PEERMATCH_SMTP_HOST, PEERMATCH_MAIL_FROM, PEERMATCH_LINK_SECRET, PEERMATCH_PUBLIC_URL)."
)


@reminders_app.command("send")
def send_reminders_command(data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """Send the invitations, reminders and check-in reminders due now; list members skipped for want of a contact."""
    import smtplib

    from matcher.notify import MailSettings
    from matcher.usecases.reminders import send_reminders

    try:
        report = send_reminders(workspace_for(data_dir).store, MailSettings())
    except PeermatchError as error:
        fail(error)
    except (smtplib.SMTPException, OSError) as error:
        fail(PeermatchError(f"the SMTP server failed: {error}; what was sent before is recorded"))

    def render(r: dict[str, Any]) -> None:
        for s in r["sent"]:
            console.print(f"sent {s['kind']} for proposal {s['proposal_id']} to {s['email']} ({s['language']}): {s['subject']}")
        for s in r["skipped"]:
            console.print(f"[yellow]skipped[/yellow] proposal {s['proposal_id']}, {s['member_id']}: {s['reason']}")

    emit(report.model_dump(), as_json, render)


@reminders_app.command("contact")
def set_contact(
    member: str,
    email: str,
    language: Annotated[str, typer.Option(help="fr, en or es: the language of the emails.")] = "en",
    name: Annotated[str, typer.Option(help="The person's name, for the greeting.")] = "",
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Set a member's contact for invitations and reminders."""
    from matcher.notify import Contacts

    try:
        contact = Contacts(workspace_for(data_dir).store).set(member, email, language, "cli", name)
    except PeermatchError as error:
        fail(error)
    emit(
        {"member_id": contact.member_id, "email": contact.email, "language": contact.language},
        as_json,
        lambda r: console.print(f"contact of {r['member_id']}: {r['email']} ({r['language']})"),
    )
