"""The ``peermatch`` command: import, index, search and serve a network's data."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from cli.common import DataDir, JsonFlag, console, emit, fail, match_label, settings_for, workspace_for
from cli.evaluate import eval_app
from cli.graph import graph_app
from cli.networks import networks_app
from cli.recommend import pair, recommend_app
from cli.requests import requests_app
from cli.ties import reminders_app, ties_app
from cli.users import demo_users, users_app
from matcher.errors import PeermatchError

app = typer.Typer(
    help="peermatch: peer partners, experts and resources for learning networks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(recommend_app, name="recommend")
app.add_typer(eval_app, name="eval")
app.add_typer(graph_app, name="graph")
app.add_typer(networks_app, name="networks")
app.add_typer(users_app, name="users")
app.add_typer(requests_app, name="requests")
app.add_typer(ties_app, name="ties")
app.add_typer(reminders_app, name="reminders")
app.command()(pair)


@app.command("import")
def import_command(
    files: Annotated[list[Path], typer.Argument(help="JSONL, JSON or CSV files of members or resources.")],
    records: Annotated[str | None, typer.Option(help="members or resources [default: guessed from the file name or fields].")] = None,  # noqa: UP045
    skip_invalid: Annotated[bool, typer.Option("--skip-invalid", help="Import the valid records and write a report of the rest.")] = False,
    report: Annotated[
        Path | None, typer.Option(help="Where --skip-invalid writes rejected records [default: FILE.rejected.jsonl].")
    ] = None,  # noqa: UP045
    index: Annotated[
        bool, typer.Option("--index/--no-index", help="Also rebuild the whole index (the changes are indexed either way).")
    ] = False,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Validate files and upsert their records by id, all files in one transaction. One bad record
    refuses the whole import (nothing is written) unless --skip-invalid; re-importing the same file
    changes nothing. The index is brought along (a delta, or a new full index for large imports)."""
    if records not in (None, "members", "resources"):
        console.print(f"[red]error:[/red] --records must be 'members' or 'resources', not '{records}'")
        raise typer.Exit(code=2)
    workspace = workspace_for(data_dir)
    try:
        reports, result = workspace.import_files(
            files,
            record_type=records,  # type: ignore[arg-type]
            skip_invalid=skip_invalid,
            report_path=report,
            progress=not as_json,
        )
        built = workspace.build(progress=not as_json).__dict__ if index and result.written.count else None
    except PeermatchError as error:
        fail(error)
    payload = {"imports": [asdict(r) for r in reports], "store_revision": result.written.revision, "index": built}

    def render(p: dict[str, Any]) -> None:
        for r in p["imports"]:
            console.print(f"{r['file']}: {r['valid']} valid {r['record_type']}, {r['changed']} changed, {r['rejected']} rejected")
            if r["rejected_report"]:
                console.print(f"  rejected records described in {r['rejected_report']}")
        if p["index"]:
            console.print(f"indexes rebuilt: {p['index']['passages']} passages in {p['index']['seconds']} s")
        elif any(r["changed"] for r in p["imports"]):
            console.print("the index holds the changes")

    emit(payload, as_json, render)


@app.command()
def delete(
    collection: Annotated[str, typer.Argument(help="members or resources")],
    ids: Annotated[list[str], typer.Argument(help="Ids to delete; an unknown id deletes nothing.")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Delete records (and their passages) by id."""
    if collection not in ("members", "resources"):
        console.print(f"[red]error:[/red] collection must be 'members' or 'resources', not '{collection}'")
        raise typer.Exit(code=2)
    workspace = workspace_for(data_dir)
    try:
        deleted = len(workspace.delete(collection, ids).written.deleted[collection])  # type: ignore[index, arg-type]
    except PeermatchError as error:
        fail(error)
    emit({"deleted": deleted, "collection": collection}, as_json, lambda p: console.print(f"deleted {p['deleted']} {collection}"))


@app.command("index")
def index_command(data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """Embed new or changed passages and write a new index generation (swapped in atomically)."""
    workspace = workspace_for(data_dir)
    try:
        report = workspace.build(progress=not as_json)
    except PeermatchError as error:
        fail(error)
    emit(
        report.__dict__,
        as_json,
        lambda p: console.print(
            f"built {p['generation']}: {p['passages']} passages ({p['index_kind']}), {p['embedded']} newly embedded, {p['seconds']} s"
        ),
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Free text in any language.")],
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=200, help="How many results.")] = 10,
    language: Annotated[list[str] | None, typer.Option("--language", "-l", help="Keep only these languages (repeatable).")] = None,  # noqa: UP045
    kind: Annotated[list[str] | None, typer.Option("--kind", help="Keep only these resource kinds (repeatable).")] = None,  # noqa: UP045
    published_after: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Keep resources published after this date.")
    ] = None,  # noqa: UP045
    mode: Annotated[str, typer.Option(help="hybrid, dense or lexical.")] = "hybrid",
    language_mix: Annotated[
        bool, typer.Option("--language-mix/--no-language-mix", help="Show the best hit of languages missing from the top k.")
    ] = True,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Resources for a free-text query, across languages, each with its match label and matched passage;
    when none is at least a partial match, the three closest and a line saying so."""
    from matcher.search.resources import ResourceFilters
    from matcher.usecases.search import search_resources

    filters = ResourceFilters(
        languages=frozenset(language) if language else None,
        kinds=frozenset(kind) if kind else None,
        published_after=published_after.date() if published_after else None,
    )
    workspace = workspace_for(data_dir)
    try:
        results, answer, flags = search_resources(workspace.snapshot(), query, k, filters, mode, language_mix)
    except (PeermatchError, ValueError) as error:
        fail(error if isinstance(error, PeermatchError) else PeermatchError(str(error)))
    payload = {
        "query": query,
        "results": [hit.model_dump(mode="json") for hit in results],
        "answer": answer.text() if answer else None,
        "flags": flags,
    }

    def render(p: dict[str, Any]) -> None:
        for flag in p["flags"]:
            Console().print(f"[red]{flag}[/red]")
        if p["answer"]:
            Console().print(f"[yellow]{p['answer']}:[/yellow]")
        table = Table(title=f"resources for: {query}", show_lines=True)
        for column in ("#", "match", "lang", "kind", "title / matched passage"):
            table.add_column(column)
        for rank, hit in enumerate(p["results"], start=1):
            table.add_row(
                str(rank),
                f"{match_label(hit)}\nranked by {hit['score']:.4f}",
                hit["language"],
                hit["kind"],
                f"[bold]{hit['title']}[/bold]\n{hit['snippet']['text']}",
            )
        Console().print(table)

    emit(payload, as_json, render)


@app.command()
def status(data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """What the data directory holds: record counts, store revision, current index (nothing is loaded)."""
    from matcher.errors import DamagedIndexError
    from matcher.index.generations import current_meta
    from matcher.store import Store

    settings = settings_for(data_dir)
    try:
        meta = current_meta(settings.index_dir)
    except DamagedIndexError as error:
        meta = {"damaged": str(error)}
    payload: dict[str, Any] = {"data_dir": str(settings.data_dir), "members": 0, "resources": 0, "store_revision": 0}
    if settings.store_path.is_file() or settings.database_url:  # a status never creates a data directory
        with Store(settings.store_path, settings.database_url) as store:
            payload |= {"members": store.count("members"), "resources": store.count("resources"), "store_revision": store.revision()}
    emit({**payload, "index": meta, "model": settings.model}, as_json, None)


@app.command()
def demo(
    data_dir: DataDir = None,
    keys: Annotated[
        bool, typer.Option("--keys/--no-keys", help="Also create demo API keys (read, write, admin) and console users.")
    ] = True,
    as_json: JsonFlag = False,
) -> None:
    """Load the shipped demo network (151 members, a candidate city, 305 resources in EN/FR/ES; their
    twinnings and a generated history of proposals; the Coalition's 17 members, 14 offers and 6 requests;
    clusters, calendar and people), build its indexes and
    create demo API keys and console users, written to DATA_DIR/demo-keys.txt and DATA_DIR/demo-users.txt."""
    from matcher.demo import COALITION_MEMBERS, DEMO_CANDIDATES, DEMO_FILES, DEMO_PROPOSALS, DEMO_TIES
    from matcher.demo.coalition import load_coalition
    from matcher.demo.history import load_history
    from matcher.usecases.ties import import_twin_cities

    import_command(
        files=[*DEMO_FILES, DEMO_CANDIDATES, COALITION_MEMBERS],
        records=None,
        skip_invalid=False,
        report=None,
        index=False,
        data_dir=data_dir,
        as_json=as_json,
    )
    workspace = workspace_for(data_dir)
    try:
        offers, requests = load_coalition(workspace.store)
        ties = import_twin_cities(workspace.store, DEMO_TIES, "twinning", "demo")
        history = load_history(workspace.store, DEMO_PROPOSALS)
    finally:
        workspace.close()
    if not as_json:
        console.print(f"Coalition demo: {offers} offers, {requests} requests received and triaged")
        console.print(f"demo ties: {ties.matched} twinnings between members ({ties.added} new); {history} generated proposals")
    _demo_networks(data_dir, as_json)
    if keys:
        settings = settings_for(data_dir)
        _demo_keys(settings)
        demo_users(settings.data_dir)


def _demo_networks(data_dir: Path | None, as_json: bool) -> None:
    """The demo's clusters (coordinators, plans, updates), calendar and people, generated data."""
    from matcher.demo import DEMO_NETWORKS
    from matcher.store import Store
    from matcher.usecases.network_file import load_network_file

    with Store(settings_for(data_dir).store_path, settings_for(data_dir).database_url) as store:
        counts = load_network_file(store, DEMO_NETWORKS)
    if not as_json:
        console.print("demo network structures (generated): " + ", ".join(f"{n} {name}" for name, n in counts.items()))


def _demo_keys(settings: Any) -> None:
    """One key per scope for the demo, their hashes in the store and the keys in demo-keys.txt."""
    from matcher.store import Store
    from service.key_store import create_key

    keys_file = settings.data_dir / "demo-keys.txt"
    if keys_file.is_file():
        console.print(f"demo API keys: {keys_file}")
        return
    with Store(settings.store_path, settings.database_url) as store:
        lines = [f"{scope}={create_key(store, f'demo-{scope}', [scope])}" for scope in ("read", "write", "admin")]
    keys_file.write_text("\n".join(lines) + "\n")
    keys_file.chmod(0o600)
    console.print(f"demo API keys (read, write, admin) written to {keys_file}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (each loads the model and indexes).")] = 1,
    data_dir: DataDir = None,
) -> None:
    """Start the HTTP service on the data directory (API keys: in the store, made with 'peermatch keys create', or PEERMATCH_API_KEYS)."""
    import os

    import uvicorn

    from service.app import create_app
    from service.settings import ServiceSettings

    settings = ServiceSettings(data_dir=data_dir) if data_dir else ServiceSettings()
    os.environ["PEERMATCH_DATA_DIR"] = str(settings.data_dir)  # worker processes read their settings from here
    # One BLAS thread a process, one worker or several: a request's products are small (a few query
    # rows against a few hundred passages), and a BLAS thread pool spinning on a busy core costs more
    # than it saves. A peer ranking on the demo, one core busy elsewhere: median 7.1-7.2 ms with
    # OpenBLAS's 2 threads, 3.9-4.1 ms with one; 4.0-5.4 against 3.9-4.0 ms on an idle machine.
    # Workers read the variables as they start; this process's numpy is already loaded, so its pool
    # is limited through threadpoolctl.
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    if os.environ["OPENBLAS_NUM_THREADS"] == "1":
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
    if workers > 1:
        _share_metrics_between_workers()
    try:
        # Build the app once here, so a missing model or a broken key file fails now, with its message.
        application = create_app(settings)
    except PeermatchError as error:
        fail(error)
    if not application.state.keys.keys:
        console.print(
            f"[yellow]warning:[/yellow] no API keys in {application.state.service.workspace.store.where}: every /v1 request will get 401; "
            "create one with 'peermatch keys create NAME --scope read'"
        )
    console.print(f"peermatch serving {settings.data_dir}: console http://{host}:{port}/  API docs http://{host}:{port}/docs")
    logging_config = {"version": 1, "disable_existing_loggers": False}
    if workers > 1:
        # The supervisor built the app only to check it: left running, its watcher would catch up
        # with every write and build each snapshot's recommender in a third process, taking the
        # workers' cores (and its pre-computation every answer once more).
        application.state.service.close()
        del application
        uvicorn.run(
            "service.main:app",
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            log_config=logging_config,
            timeout_keep_alive=settings.keep_alive_seconds,
        )
    else:
        from service.state import freeze_loaded_heap

        freeze_loaded_heap()
        keep_alive = settings.keep_alive_seconds
        uvicorn.run(application, host=host, port=port, log_level="warning", log_config=logging_config, timeout_keep_alive=keep_alive)


def _share_metrics_between_workers() -> None:
    """Give the worker processes an empty folder for their Prometheus counts (read by /metrics),
    removed when the server stops; a folder set by the operator is used as it is."""
    import atexit
    import os
    import shutil
    import tempfile

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = tempfile.mkdtemp(prefix="peermatch-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        atexit.register(shutil.rmtree, folder, ignore_errors=True)


keys_app = typer.Typer(
    help="API keys for the service, kept as hashes in the store (on PostgreSQL, shared by every replica).", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")


def _key_store(data_dir: Path | None) -> tuple[Any, Any]:
    """The service's settings and the store that holds the keys (SQLite in DATA_DIR, or the
    PostgreSQL database of PEERMATCH_DATABASE_URL), an earlier version's key file imported."""
    from matcher.store import Store
    from matcher.store.permissions import secure_data_dir
    from service.key_store import import_key_file
    from service.settings import ServiceSettings

    settings = ServiceSettings(data_dir=data_dir) if data_dir else ServiceSettings()
    if settings.database_url is None:
        secure_data_dir(settings)  # the folder 700, the store 600, before a key is written
    store = Store(settings.store_path, settings.database_url)
    import_key_file(store, settings.keys_path)
    return settings, store


@keys_app.command("create")
def create_key_command(
    name: Annotated[str, typer.Argument(help="Who holds the key, e.g. 'hub' or 'secretariat'.")],
    scope: Annotated[
        list[str],
        typer.Option(help="read, answer (the hub: read, answer proposals), write or admin (repeatable); write implies answer, admin all."),
    ],
    expires: Annotated[
        dt.datetime | None, typer.Option(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"], help="Refused from this time on (UTC).")
    ] = None,  # noqa: UP045
    data_dir: DataDir = None,
) -> None:
    """Create a key, store its SHA-256 in the store (DATA_DIR/peermatch.sqlite, or the database of
    PEERMATCH_DATABASE_URL) and print the key once. Every running replica accepts it within a second;
    a key of the same name is replaced."""
    from service.key_store import create_key

    _, store = _key_store(data_dir)
    try:
        key = create_key(store, name, scope, expires.replace(tzinfo=dt.UTC) if expires else None)
    except PeermatchError as error:
        fail(error)
    finally:
        store.close()
    console.print(f"key '{name}' ({', '.join(scope)}) stored as a hash in {store.where}; it is shown only now:")
    typer.echo(key)


@keys_app.command("revoke")
def revoke_key_command(
    name: Annotated[str, typer.Argument(help="The key's name.")],
    data_dir: DataDir = None,
) -> None:
    """Revoke a key in the store; every running replica refuses it within a second."""
    from service.key_store import revoke_key

    _, store = _key_store(data_dir)
    try:
        revoke_key(store, name)
    except PeermatchError as error:
        fail(error)
    finally:
        store.close()
    console.print(f"key '{name}' revoked")


@keys_app.command("list")
def list_keys_command(data_dir: DataDir = None, as_json: JsonFlag = False) -> None:
    """Every key: scopes, expiry, when it was last used (to the minute, on any replica), and its
    source: the store, or the environment (PEERMATCH_API_KEYS)."""
    from service.auth import inline_keys
    from service.keys_usage import list_keys

    settings, store = _key_store(data_dir)
    with store:
        keys = [asdict(k) for k in list_keys(store, inline_keys(settings.api_keys))]

    def render(rows: list[dict[str, Any]]) -> None:
        table = Table(title=f"API keys in {store.where}")
        for column in ("name", "scopes", "expires", "last used", "source"):
            table.add_column(column)
        for row in rows:
            expires = (row["expires"] or "never") + (" (expired)" if row["expired"] else "")
            table.add_row(row["name"], ", ".join(row["scopes"]), expires, row["last_used"] or "never", row["source"])
        Console().print(table)

    emit(keys, as_json, render)


def main() -> None:
    """Every command; an error peermatch raises on purpose (a damaged store, a malformed file)
    is its one-line message and exit code 2, never a traceback."""
    try:
        app()
    except PeermatchError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
