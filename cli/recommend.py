"""``peermatch recommend ...``: peers, experts, representative fit, resources for a member, affinity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.common import DataDir, JsonFlag, console, emit, fail, match_label, workspace_for
from matcher.errors import PeermatchError, UnreadableFileError

recommend_app = typer.Typer(help="Peer partners, expert groups, representative fit, resources, affinity.", no_args_is_help=True)

Many = Annotated[list[str] | None, typer.Option(help="Repeatable.")]


def _snapshot(data_dir: Path | None) -> Any:
    return workspace_for(data_dir).snapshot()


def print_flags(flags: list[str]) -> None:
    """An answer's or a result's warnings (an unread language, no evidence), as the API gives them."""
    for flag in flags:
        console.print(f"[yellow]{escape(flag)}[/yellow]", highlight=False)


def _member_or_profile(member_id: str | None, profile: Path | None) -> Any:
    from pydantic import ValidationError

    from matcher.errors import validation_problems
    from matcher.record_forms import UnsavedProfile

    if profile is None:
        if member_id is None:
            raise UnreadableFileError("give a MEMBER_ID or --profile FILE.json")
        return member_id
    try:
        return UnsavedProfile.model_validate_json(profile.read_text(encoding="utf-8"))
    except OSError as error:
        raise UnreadableFileError(f"{profile}: cannot be read: {error.strerror or error}") from error
    except ValidationError as error:
        raise UnreadableFileError(f"{profile}: not a valid member profile: {validation_problems(error, '(profile)')}") from error


@recommend_app.command()
def peers(
    member_id: Annotated[str | None, typer.Argument(help="A stored member's id.")] = None,
    profile: Annotated[Path | None, typer.Option(help="An unsaved member profile (JSON, its id optional) instead of an id.")] = None,
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=500)] = 10,
    mode: Annotated[str, typer.Option(help="complementary (who can help me), similar (peers like me) or blend.")] = "complementary",
    blend: Annotated[float, typer.Option(help="Share of 'who can help me' in blend mode.")] = 0.5,
    reciprocal: Annotated[bool, typer.Option(help="Rank by the mutual (harmonic-mean) benefit.")] = False,
    any_language: Annotated[bool, typer.Option("--any-language", help="Allow candidates without a common language (flagged).")] = False,
    include_partners: Annotated[bool, typer.Option(help="Keep existing partners (flagged).")] = False,
    cross_region: Annotated[bool, typer.Option(help="Only candidates from other regions (North-South twinning).")] = False,
    region: Many = None,
    country: Many = None,
    kind: Many = None,
    network: Many = None,
    cluster: Many = None,
    max_per_country: Annotated[int | None, typer.Option(help="At most this many results per country (0: no cap).")] = 2,
    graph_weight: Annotated[float | None, typer.Option(help="Share of the graph signal, 0 to 1 [default: PEERMATCH_GRAPH_WEIGHT].")] = None,
    include_declined: Annotated[
        bool, typer.Option("--include-declined", help="Keep partners declined (by either side, or rejected) in earlier proposals.")
    ] = False,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Peer partners for a member: each need, the strength or document that meets it, and the score's parts.
    Partners declined in earlier proposals are left out unless --include-declined."""
    from matcher.partnerships import Partnerships
    from matcher.recommend.peers import PeerOptions
    from matcher.usecases.peers import explained, peers_for

    try:
        options = PeerOptions(
            k=k,
            mode=mode,
            blend=blend,
            reciprocal=reciprocal,
            require_common_language=not any_language,  # type: ignore[arg-type]
            include_partners=include_partners,
            cross_region=cross_region,
            regions=region,
            countries=country,
            kinds=kind,
            networks=network,
            clusters=cluster,
            max_per_country=max_per_country or None,
            graph_weight=graph_weight,
        )
        workspace = workspace_for(data_dir)
        snapshot = workspace.snapshot()
        target = _member_or_profile(member_id, profile)
        ranked = peers_for(snapshot, Partnerships(workspace.store), target, options, include_declined=include_declined)
        results = explained(snapshot, ranked)
    except PeermatchError as error:
        fail(error)
    payload = [r.model_dump() for r in results]

    def render(rows: list[dict[str, Any]]) -> None:
        if rows and all(row["match_quality"] == "weak" for row in rows):
            if mode == "similar":
                console.print("[yellow]no member states these needs as its own; closest matches, all weak:[/yellow]")
            else:
                console.print("[yellow]nobody in the network states this; closest matches, all weak:[/yellow]")
        table = Table(title="peer partners", show_lines=True)
        for column in ("#", "match", "member", "why"):
            table.add_column(column)
        for rank, row in enumerate(rows, start=1):
            top = row["needs_met"][0] if row["needs_met"] else None
            why = ""
            if top and top["evidence"]:
                why = f"need: {top['need']}\n→ {top['evidence'][0]['kind']}: {top['evidence'][0]['text'][:160]}"
            parts = ", ".join(f"{key} {value}" for key, value in row["parts"].items() if value is not None)
            flags = f"\n[yellow]{'; '.join(row['flags'])}[/yellow]" if row["flags"] else ""
            table.add_row(
                str(rank),
                f"{match_label(row)}\nranked by {row['score']:.3f}: {parts}",
                f"{row['name']} ({row['country']}, {row['kind']})\nlanguages: {', '.join(row['shared_languages'])}{flags}",
                why,
            )
        Console().print(table)

    emit(payload, as_json, render)


@recommend_app.command()
def experts(
    theme: Annotated[str, typer.Argument(help="The theme, in any language.")],
    aspect: Annotated[list[str] | None, typer.Option(help="An aspect to cover (repeatable).")] = None,
    k: Annotated[int, typer.Option("-k", "--size", min=1, max=50, help="Group size.")] = 5,
    aggregation: Annotated[
        str,
        typer.Option(help="breadth (documents as one body of work), pooled (as peer scores), max, mean or topk of the evidence."),
    ] = "breadth",
    max_per_country: Annotated[int | None, typer.Option(help="At most this many per country (0: no cap).")] = 1,
    region_balance: Annotated[bool, typer.Option(help="At most ceil(k/5) per region: an equal share of the five regions.")] = False,
    kind: Many = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Compose an expert group for a theme that covers its aspects; say which aspect nobody covers."""
    from matcher.recommend.experts import ExpertOptions
    from matcher.usecases.experts import experts_for

    try:
        options = ExpertOptions(
            k=k,
            aspects=aspect or [],
            aggregation=aggregation,  # type: ignore[arg-type]
            max_per_country=max_per_country or None,
            region_balance=region_balance,
            kinds=kind,
        )
        group = experts_for(_snapshot(data_dir), theme, options)
    except PeermatchError as error:
        fail(error)

    def render(p: dict[str, Any]) -> None:
        print_flags(p["flags"])
        console.print(p["answer"])
        if p["asked_as"].get(p["theme"]):
            console.print(f"asked in the theme's names: {' · '.join(p['asked_as'][p['theme']])}", markup=False)
        for pick in p["members"]:
            covers = ", ".join(c["aspect"] for c in pick["covers"]) or "(relevance only)"
            console.print(
                f"{pick['name']} ({pick['country']}): {match_label(pick)}, "
                f"theme ranking {pick['relevance']:.3f}; covers {covers}"
            )
        for aspect_name, why in p["uncovered"].items():
            console.print(f"[yellow]uncovered:[/yellow] {aspect_name}: {why}")

    emit(group.model_dump(), as_json, render)


@recommend_app.command()
def fit(
    member_id: Annotated[str, typer.Argument(help="The member whose representative is judged.")],
    cluster: Annotated[str, typer.Argument(help="Cluster id: gced, esd, health, pme or inclusion.")],
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """How well a member's representative fits a cluster's theme, with reasons; poor fits are flagged."""
    from matcher.usecases.experts import representative_fit_for

    try:
        result = representative_fit_for(_snapshot(data_dir), member_id, cluster)
    except PeermatchError as error:
        fail(error)
    emit(result.model_dump(), as_json, lambda p: console.print(f"{p['fit']} ({p['score']}): " + "; ".join(p["reasons"])))


@recommend_app.command()
def helps(
    member_id: Annotated[str, typer.Argument(help="A stored member's id.")],
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=100)] = 10,
    include_weak: Annotated[bool, typer.Option(help="List members whose needs it meets only weakly too.")] = False,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Whom a member can help: the members whose needs its strengths and documents meet, strongest first."""
    from matcher.recommend.helps import HelpOptions
    from matcher.usecases.experts import helps_for, why_no_help

    options = HelpOptions(k=k, only_evidence=not include_weak)
    try:
        snapshot = _snapshot(data_dir)
        hits = helps_for(snapshot, member_id, options)
    except PeermatchError as error:
        fail(error)
    why = None if hits else why_no_help(snapshot, member_id, options)  # the API's answer_explanation

    def render(rows: list[dict[str, Any]]) -> None:
        if why is not None:
            console.print(f"[yellow]{escape(why.text())}[/yellow]", highlight=False)
        for row in rows:
            because = row["evidence"][0]["text"][:70] if row["evidence"] else ""
            console.print(f"{match_label(row)} {row['name']} ({row['country']}): {row['need'][:70]}  ← {because}")
            print_flags(row["flags"])

    emit([h.model_dump() for h in hits], as_json, render)


@recommend_app.command("resources")
def resources_for(
    member_id: Annotated[str, typer.Argument(help="A stored member's id.")],
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=200)] = 10,
    all_languages: Annotated[bool, typer.Option(help="Rank across all languages, not readable ones first.")] = False,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Resources for a member's needs and profile (not its own; near-duplicates folded)."""
    from matcher.recommend.member_resources import MemberResourceOptions
    from matcher.usecases.experts import resources_for

    try:
        hits = resources_for(_snapshot(data_dir), member_id, MemberResourceOptions(k=k, all_languages=all_languages))
    except PeermatchError as error:
        fail(error)

    def render(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            console.print(f"{match_label(row)} [{row['language']}] {row['title']}  ← {row['because'][:80]}")
            print_flags(row["flags"])

    emit([h.model_dump() for h in hits], as_json, render)


@recommend_app.command()
def affinity(
    out: Annotated[Path, typer.Option(help="Output file stem: writes OUT.csv and OUT.json.")] = Path("affinity"),
    needy: Annotated[list[str] | None, typer.Option(help="Members whose needs are the rows (repeatable; default all).")] = None,
    member: Annotated[list[str] | None, typer.Option(help="Members as columns (repeatable; default all).")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """The need x member affinity matrix, scored as peer results are, as CSV and JSON."""
    try:
        matrix = _snapshot(data_dir).recommender.affinity(needy, member)
    except PeermatchError as error:
        fail(error)
    csv_path, json_path = out.with_suffix(".csv"), out.with_suffix(".json")
    matrix.write_csv(csv_path)
    matrix.write_json(json_path)
    summary = {"needs": len(matrix.need_ids), "members": len(matrix.member_ids), "csv": str(csv_path), "json": str(json_path)}
    emit(summary, as_json, lambda p: console.print(f"{p['needs']} needs x {p['members']} members → {p['csv']}, {p['json']}"))


def _pairs_file(path: Path | None) -> list[tuple[str, str]]:
    """Pairs from a two-column CSV (header optional)."""
    if path is None:
        return []
    import csv

    try:
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    except OSError as error:
        raise UnreadableFileError(f"{path}: {error}") from error
    pairs = []
    for number, row in enumerate(rows, start=1):
        if len(row) < 2:
            raise UnreadableFileError(f"{path}:{number}: expected two ids separated by a comma")
        if number == 1 and row[0].strip().lower() in {"mentee", "a", "member", "id"}:
            continue
        pairs.append((row[0].strip(), row[1].strip()))
    return pairs


def pair(
    mentee: Many = None,
    mentor: Many = None,
    pool: Many = None,
    mentee_region: Many = None,
    mentor_region: Many = None,
    mentor_other_regions: Annotated[bool, typer.Option(help="Mentors only from regions other than the mentees'.")] = False,
    mentee_kind: Many = None,
    mentor_kind: Many = None,
    objective: Annotated[str, typer.Option(help="total (maximum affinity) or fair (best worst-off mentee first).")] = "total",
    reciprocal: Annotated[bool, typer.Option(help="Affinity as the harmonic mean of both directions.")] = False,
    min_partners: Annotated[int, typer.Option(help="Partners each mentee must get.")] = 1,
    max_partners: Annotated[int, typer.Option(help="Partners each mentee may get.")] = 1,
    min_load: Annotated[int, typer.Option(help="Mentees each mentor must take.")] = 0,
    max_load: Annotated[int, typer.Option(help="Mentees each mentor may take.")] = 3,
    any_language: Annotated[bool, typer.Option("--any-language", help="Allow pairs without a common language, with a penalty.")] = False,
    forbid_same_country: Annotated[bool, typer.Option(help="No pair within one country.")] = False,
    language: Annotated[
        str | None, typer.Option("--language", help="A language both members of every pair must speak (ISO 639-1 code, e.g. fr).")
    ] = None,
    conflicts: Annotated[Path | None, typer.Option(help="CSV of pairs that must not be made.")] = None,
    forced: Annotated[Path | None, typer.Option(help="CSV of pairs that must be made.")] = None,
    region_weight: Annotated[list[str] | None, typer.Option(help="REGION=WEIGHT, e.g. 'Africa=2' (repeatable).")] = None,
    include_declined: Annotated[
        bool, typer.Option("--include-declined", help="Also make pairs declined or rejected in earlier proposals.")
    ] = False,
    candidates: Annotated[int, typer.Option(help="Top candidates kept per mentee.")] = 20,
    ties: Annotated[str, typer.Option(help="Stored ties (twinnings, cooperation): ignore, prefer, keep or forbid.")] = "ignore",
    tie_weight: Annotated[float, typer.Option(help="Added to a tied pair's affinity under --ties prefer.")] = 0.5,
    income_weight: Annotated[
        list[str] | None, typer.Option(help="INCOME_GROUP=WEIGHT (high, upper_middle, lower_middle, low, unclassified), e.g. 'low=2'.")
    ] = None,
    ldc_weight: Annotated[float, typer.Option(help="Weight of mentees in least developed countries (UN list).")] = 1.0,
    out: Annotated[Path | None, typer.Option(help="Write OUT.csv and OUT.json.")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Pair a whole cohort at once (twin cities, peer exchanges): optimal under loads, languages and conflicts.
    If impossible, says which constraint binds and gives the best partial pairing."""
    from pydantic import ValidationError

    from matcher.pairing.problem import PairingConstraints
    from matcher.pairing.run import PairingRequest
    from matcher.partnerships import Partnerships
    from matcher.usecases.pairing import pairing_for

    try:
        weights = {}
        for item in region_weight or []:
            region, _, weight = item.partition("=")
            weights[region] = float(weight)
        constraints = PairingConstraints(
            min_partners=min_partners,
            max_partners=max_partners,
            min_load=min_load,
            max_load=max_load,
            require_common_language=not any_language,
            required_language=language,
            forbid_same_country=forbid_same_country,
            conflicts=_pairs_file(conflicts),
            forced=_pairs_file(forced),
            region_weights=weights,
            candidates_per_mentee=candidates,
            tie_policy=ties,  # type: ignore[arg-type]
            tie_weight=tie_weight,
            income_weights={k: float(v) for k, _, v in (item.partition("=") for item in income_weight or [])},  # type: ignore[misc]
            ldc_weight=ldc_weight,
        )
        request = PairingRequest(
            mentees=mentee,
            mentors=mentor,
            pool=pool,
            mentee_regions=mentee_region,
            mentor_regions=mentor_region,
            mentor_other_regions=mentor_other_regions,
            mentee_kinds=mentee_kind,
            mentor_kinds=mentor_kind,
            objective=objective,
            reciprocal=reciprocal,
            constraints=constraints,  # type: ignore[arg-type]
            include_declined=include_declined,
        )
        workspace = workspace_for(data_dir)
        result = pairing_for(workspace.snapshot(), Partnerships(workspace.store), request)
    except (ValidationError, ValueError) as error:
        fail(PeermatchError(str(error)))
    except PeermatchError as error:
        fail(error)
    written = result.write(out) if out else None

    def render(p: dict[str, Any]) -> None:
        for reason in p["binding_constraints"]:
            console.print(f"[red]binding constraint:[/red] {reason}")
        for row in p["pairs"]:
            languages = ", ".join(row["common_languages"])
            tie = "  (tie kept)" if row["tie"] else ""
            label = match_label(row)
            if row["match_quality"] == "weak":
                label = f"[yellow]{label}[/yellow]"
            pair = f"{row['mentee']} ← {row['mentor']}  {label} affinity {row['affinity']:.3f}"
            console.print(f"{pair}  [{languages}]{tie}  {(row['need'] or '')[:70]}")
        for row in p["unmatched"]:
            console.print(f"[yellow]unmatched[/yellow] {row['mentee']}: {row['reason']}")
        s = p["summary"]
        console.print(
            f"{p['status']} ({p['method']}): {s['pairs']} pairs, total {s['total_affinity']}, min {s['min_affinity']}, "
            f"mean {s['mean_affinity']}; greedy baseline {p['greedy_baseline']['objective']} "
            f"(optimum/greedy {p['greedy_baseline']['optimum_over_greedy']})"
        )
        console.print(
            f"ties ({s['tie_policy']}): {s['ties_kept']} of {s['ties_in_cohort']} kept; mentees by income group "
            f"{s['mentees_by_income_group']}, served {s['served_share_by_income_group']}; LDC mentees {s['ldc_mentees']}, "
            f"served {s['ldc_served_share']}; weights income {s['income_weights']}, LDC {s['ldc_weight']}"
        )
        if s["candidates_paired"]:
            console.print(f"candidate cities paired: {', '.join(s['candidates_paired'])}")
        if written:
            console.print(f"written: {written[0]}, {written[1]}")

    emit(result.model_dump(), as_json, render)
