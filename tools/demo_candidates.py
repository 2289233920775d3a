"""Write ``matcher/demo/data/candidates.jsonl``: a GENERATED candidate city for the demo (not yet a
member of the network), so that a twinning run can pair it and its joining can be followed.

    python -m tools.demo_candidates

Dakar is chosen because the twin-cities list twins it with Sfax, a demo member: the demo's ties then
hold a candidate's existing tie. Its profile, needs and strengths are fictional, written for the demo.
"""

from __future__ import annotations

import json

from matcher.demo import DEMO_DATA
from matcher.records import Member

CANDIDATES = [
    {
        "id": "candidate-dakar-sn",
        "name": "Dakar",
        "kind": "city",
        "country": "SN",
        "region": "Africa",
        "languages": ["fr", "wo"],
        "membership": "candidate",
        "profile": "Dakar (Sénégal) prépare sa candidature au réseau des villes apprenantes. (Profil fictif, généré pour la démonstration.)",
        "needs": [
            {"text": "Nous voulons concevoir une stratégie d'apprentissage tout au long de la vie et un plan d'action pour la ville.",
             "topic": "pme-strategy", "priority": 5},
            {"text": "Nos jeunes ont besoin de formations techniques et professionnelles qui mènent à un emploi.", "priority": 4},
        ],
        "strengths": [{"text": "Des bibliothèques de quartier accueillent des cercles de lecture pour adultes en wolof et en français.", "level": 2}],
    }
]


def main() -> None:
    for row in CANDIDATES:
        Member(**row)  # the shipped file must import
    out = DEMO_DATA / "candidates.jsonl"
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in CANDIDATES), encoding="utf-8")
    print(f"{len(CANDIDATES)} generated candidate(s) written to {out}")


if __name__ == "__main__":
    main()
