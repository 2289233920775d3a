"""On the demo network: does a relevant peer reach the top 10 whatever language it writes in?

For each member with needs (the asker) and each candidate that is relevant to it (a strength on
one of the asker's need topics, and a working language in common), whether the candidate is in
the asker's top 10 peers and whether it is labelled at least partial, by the language the asker
writes its needs in and the language the candidate writes its strengths in. The topics are planted
by the demo's generator, so this is a diagnostic of cross-language recall, not quality evidence
(the dev sets in ``../shared/benchmarks`` are that).

    python -m evaluation.demo_languages --data-dir .peermatch-demo
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

from matcher.recommend.peers import PeerOptions
from matcher.scoring.calibration import PARTIAL
from matcher.settings import Settings
from matcher.text_language import detect
from matcher.workspace import Workspace

if TYPE_CHECKING:
    from embeddings.embedder import TextEncoder

TOP = 10


def cross_language_recall(workspace: Workspace) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(asker language, provider language) -> (relevant pairs, in the top 10, labelled at least partial)."""
    snapshot = workspace.snapshot()
    recommender = snapshot.recommender
    members = recommender.members
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    options = PeerOptions(k=TOP, only_evidence=False, max_per_country=None)
    for asker in tqdm([m for m in members if m.needs], desc="askers", leave=False, disable=None):
        topics = {n.topic for n in asker.needs if n.topic}
        asker_language = detect(asker.needs[0].text, asker.languages) or asker.languages[0]
        relevant = [
            m
            for m in members
            if m.id != asker.id
            and m.id not in asker.partners
            and set(m.languages) & set(asker.languages)
            and any(s.topic in topics for s in m.strengths)
        ]
        if not relevant:
            continue
        shown = {r.id: r for r in recommender.peers(asker.id, options)}
        for provider in relevant:
            strength = next(s for s in provider.strengths if s.topic in topics)
            key = (asker_language, detect(strength.text, provider.languages) or provider.languages[0])
            found = shown.get(provider.id)
            counts[key][0] += 1
            counts[key][1] += found is not None
            counts[key][2] += found is not None and found.match_score >= PARTIAL
    return {key: (a, b, c) for key, (a, b, c) in counts.items()}


def table(counts: dict[tuple[str, str], tuple[int, int, int]], min_pairs: int = 10) -> str:
    lines = [
        "| asker writes | provider writes | relevant pairs | in the top 10 | labelled at least partial |",
        "|---|---|---|---|---|",
    ]
    for (asker, provider), (pairs, top, labelled) in sorted(counts.items(), key=lambda item: -item[1][0]):
        if pairs >= min_pairs:
            lines.append(f"| {asker} | {provider} | {pairs} | {top / pairs:.2f} | {labelled / pairs:.2f} |")
    same = [v for (a, p), v in counts.items() if a == p]
    other = [v for (a, p), v in counts.items() if a != p]
    for name, group in (("same language", same), ("another language", other)):
        total = sum(v[0] for v in group)
        if total:
            in_top, partial = sum(v[1] for v in group) / total, sum(v[2] for v in group) / total
            lines.append(f"| all | {name} | {total} | {in_top:.2f} | {partial:.2f} |")
    return "\n".join(lines)


def demo_workspace(folder: Path, encoder: TextEncoder, **overrides: object) -> Workspace:
    """The shipped demo network imported into ``folder`` (a fresh data dir), with ``overrides`` of
    the settings (a variant to compare)."""
    from matcher.demo import DEMO_FILES

    workspace = Workspace(Settings(data_dir=folder, **overrides), encoder)  # type: ignore[arg-type]
    workspace.import_files(list(DEMO_FILES))
    return workspace


def compared(folder: Path, encoder: TextEncoder, variants: dict[str, dict[str, object]], min_pairs: int = 10) -> str:
    """The diagnostic tables for each variant (name -> settings overrides): peers, then expert
    groups, the demo imported once per variant under ``folder``: measured in one run, so the rows compare."""
    from evaluation.demo_experts import measured

    parts = []
    for number, (name, overrides) in enumerate(variants.items()):
        workspace = demo_workspace(folder / f"variant-{number}", encoder, **overrides)
        try:
            parts += [f"{name}:", "", table(cross_language_recall(workspace), min_pairs), ""]
            parts += [f"{name}, expert groups asked in three languages (``evaluation.demo_experts``):", "", measured(workspace), ""]
        finally:
            workspace.close()
    return "\n".join(parts).rstrip()


def main(argv: list[str] | None = None) -> None:
    from evaluation.quality import load_encoder

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path(".peermatch-demo"), help="A data directory holding the demo (make demo).")
    parser.add_argument("--min-pairs", type=int, default=10, help="Leave out language pairs with fewer relevant pairs.")
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir)
    workspace = Workspace(settings, load_encoder(settings.model, settings.embedding_cache_path))
    print(table(cross_language_recall(workspace), args.min_pairs))


if __name__ == "__main__":
    main()
