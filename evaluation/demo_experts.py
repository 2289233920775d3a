"""On the demo network: is an expert group the same whatever language its theme is asked in?

Each of the demo's topics is asked as an expert-group theme in English, French and Spanish, three
ways: by its name with every wording the taxonomy knows (the product's path: ``experts_for``), by
its name alone (the query's own wording only), and as free text (the topic's need sentence, which
names no taxonomy entry). Per way: how much the three languages' groups share (mean pairwise
Jaccard of their members), and per query language the share of the group with a strength on the
topic and the share writing in the query's language, beside the share of the topic's relevant
members that write in it. The topics are planted by the demo's generator, so this is a diagnostic,
not quality evidence (the dev sets in ``../shared/benchmarks`` are that).

    python -m evaluation.demo_experts --data-dir .peermatch-demo

The figures depend on what the data dir holds: ``make demo``'s also holds the Coalition's members,
``make quality``'s diagnostic imports the demo's members and resources files alone, so the two
differ by a point or two.
"""

from __future__ import annotations

import argparse
import itertools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from matcher.demo.topics import TOPICS
from matcher.recommend.experts import ExpertOptions
from matcher.records import Member
from matcher.settings import Settings
from matcher.text_language import detect
from matcher.usecases.experts import experts_for
from matcher.workspace import Workspace

LANGUAGES = ("en", "fr", "es")
WAYS = {
    "by name, every wording": "name",
    "by name, its own wording only": "own",
    "as free text (the need sentence)": "need",
}


@dataclass
class Agreement:
    """One way of asking: groups given, on-topic and in the query's language, per query language."""

    given: Counter[str] = field(default_factory=Counter)
    on_topic: Counter[str] = field(default_factory=Counter)
    in_query_language: Counter[str] = field(default_factory=Counter)
    relevant_writing: Counter[str] = field(default_factory=Counter)
    jaccards: list[float] = field(default_factory=list)


def writes(member: Member) -> str | None:
    """The language a member writes its first strength in."""
    return detect(member.strengths[0].text, member.languages) if member.strengths else None


def agreement(workspace: Workspace, way: str, k: int = 5) -> Agreement:
    snapshot = workspace.snapshot()
    recommender = snapshot.recommender
    members = {m.id: m for m in recommender.members}
    found = Agreement()
    for topic in TOPICS:
        relevant = {m.id for m in members.values() if any(s.topic == topic.id for s in m.strengths)}
        found.relevant_writing.update(writes(members[i]) or "" for i in relevant)
        groups = []
        for language in LANGUAGES:
            wording = topic.words(language)
            options = ExpertOptions(k=k)
            if way == "own":
                group = recommender.experts(wording.label, options)
            else:
                group = experts_for(snapshot, wording.label if way == "name" else wording.need, options)
            ids = [pick.id for pick in group.members]
            groups.append(set(ids))
            found.given[language] += len(ids)
            found.on_topic[language] += sum(i in relevant for i in ids)
            found.in_query_language[language] += sum(writes(members[i]) == language for i in ids)
        found.jaccards += [len(a & b) / max(1, len(a | b)) for a, b in itertools.combinations(groups, 2)]
    return found


def table(ways: dict[str, Agreement]) -> str:
    relevant = next(iter(ways.values())).relevant_writing
    total = sum(relevant[language] for language in LANGUAGES)
    shares = ", ".join(f"{language} {relevant[language] / total:.2f}" for language in LANGUAGES)
    lines = [
        f"Relevant members (a strength on the topic) writing {shares}.",
        "",
        "| asked | groups shared (Jaccard) | " + " | ".join(f"{lang}: on topic / writing {lang}" for lang in LANGUAGES) + " |",
        "|---|---|" + "---|" * len(LANGUAGES),
    ]
    for name, found in ways.items():
        cells = [
            f"{found.on_topic[lang] / max(1, found.given[lang]):.2f} / {found.in_query_language[lang] / max(1, found.given[lang]):.2f}"
            for lang in LANGUAGES
        ]
        jaccard = sum(found.jaccards) / max(1, len(found.jaccards))
        lines.append(f"| {name} | {jaccard:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def measured(workspace: Workspace) -> str:
    return table({name: agreement(workspace, way) for name, way in WAYS.items()})


def main(argv: list[str] | None = None) -> None:
    from evaluation.quality import load_encoder

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path(".peermatch-demo"), help="A data directory holding the demo (make demo).")
    args = parser.parse_args(argv)
    settings = Settings(data_dir=args.data_dir)
    print(measured(Workspace(settings, load_encoder(settings.model, settings.embedding_cache_path))))


if __name__ == "__main__":
    main()
