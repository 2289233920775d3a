"""``peermatch users``: the console's staff accounts (people sign in with a password; machines use API keys)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.common import DataDir, JsonFlag, console, emit, fail
from matcher.errors import PeermatchError

users_app = typer.Typer(help="Staff accounts for the web console (roles: secretariat, viewer).", no_args_is_help=True)


def _accounts(data_dir: Path | None) -> Any:
    from matcher.store.permissions import secure_data_dir
    from service.console.app import open_accounts
    from service.settings import ServiceSettings

    settings = ServiceSettings(data_dir=data_dir) if data_dir else ServiceSettings()
    secure_data_dir(settings)
    return open_accounts(settings)


def _password(password_stdin: bool, generate: bool) -> tuple[str, bool]:
    """The new password: generated, read from stdin (scripts), or asked twice at the prompt."""
    if generate:
        return secrets.token_urlsafe(15), True
    if password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    return typer.prompt("password", hide_input=True, confirmation_prompt=True), False


PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")]
Generate = Annotated[bool, typer.Option("--generate", help="Generate a random password and print it once.")]


@users_app.command("create")
def create_user(
    name: Annotated[str, typer.Argument(help="Sign-in name, e.g. 'alice' or 'alice@uil.unesco.org'.")],
    role: Annotated[str, typer.Option(help="secretariat (acts: pairing, imports, proposals) or viewer (reads).")] = "viewer",
    password_stdin: PasswordStdin = False,
    generate: Generate = False,
    data_dir: DataDir = None,
) -> None:
    """Create a staff account; the password is hashed with argon2id and never stored as given."""
    accounts = _accounts(data_dir)
    password, generated = _password(password_stdin, generate)
    try:
        accounts.create_user(name, role, password)
    except PeermatchError as error:
        fail(error)
    console.print(f"user '{name}' ({role}) created")
    if generated:
        typer.echo(password)


@users_app.command("set-password")
def set_password(
    name: Annotated[str, typer.Argument(help="The user.")],
    password_stdin: PasswordStdin = False,
    generate: Generate = False,
    data_dir: DataDir = None,
) -> None:
    """A new password; the user's sessions end and a lock-out is lifted."""
    accounts = _accounts(data_dir)
    password, generated = _password(password_stdin, generate)
    try:
        accounts.set_password(name, password)
    except PeermatchError as error:
        fail(error)
    console.print(f"password of '{name}' changed; their sessions ended")
    if generated:
        typer.echo(password)


@users_app.command("unlock")
def unlock(name: Annotated[str, typer.Argument(help="The user.")], data_dir: DataDir = None) -> None:
    """Lift a lock-out after repeated failed sign-ins."""
    try:
        _accounts(data_dir).unlock(name)
    except PeermatchError as error:
        fail(error)
    console.print(f"user '{name}' unlocked")


@users_app.command("delete")
def delete(name: Annotated[str, typer.Argument(help="The user.")], data_dir: DataDir = None) -> None:
    """Delete an account and end its sessions at once."""
    try:
        _accounts(data_dir).delete_user(name)
    except PeermatchError as error:
        fail(error)
    console.print(f"user '{name}' deleted")


@users_app.command("list")
def list_users(data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """Every account: role, language, failed sign-ins, lock-out."""
    rows = [
        {
            "name": u.name,
            "role": u.role,
            "language": u.language,
            "failures": u.failures,
            "locked_until": u.locked_until.isoformat() if u.locked_until else None,
            "created_at": u.created_at.isoformat(),
        }
        for u in _accounts(data_dir).users()
    ]

    def render(users: list[dict[str, Any]]) -> None:
        table = Table(title="console users")
        for column in ("name", "role", "language", "failed sign-ins", "locked until", "created"):
            table.add_column(column)
        for u in users:
            table.add_row(u["name"], u["role"], u["language"] or "-", str(u["failures"]), u["locked_until"] or "-", u["created_at"][:16])
        Console().print(table)

    emit(rows, as_json, render)


def demo_users(data_dir: Path) -> None:
    """A secretariat and a viewer account for the demo; their passwords go to DATA_DIR/demo-users.txt."""
    from service.console.accounts import AccountError

    users_file = data_dir / "demo-users.txt"
    if users_file.is_file():
        console.print(f"demo console users: {users_file}")
        return
    accounts = _accounts(data_dir)
    lines = []
    for name, role in (("secretariat", "secretariat"), ("viewer", "viewer")):
        password = secrets.token_urlsafe(12)
        try:
            accounts.create_user(name, role, password)
        except AccountError:  # the file was deleted, the accounts were not: give them new passwords
            accounts.set_password(name, password)
        lines.append(f"{name}={password}")
    # Born private: the passwords are never readable by others, not even for a moment.
    with os.fdopen(os.open(users_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    console.print(f"demo console users (secretariat, viewer) written to {users_file}")
