"""Recommendations on a small network whose right answers are known (fake keyword embedder)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matcher.recommend.engine import Recommender
from matcher.recommend.experts import ExpertOptions
from matcher.recommend.member_resources import MemberResourceOptions
from matcher.recommend.peers import PeerOptions, _harmonic
from matcher.records import Member
from matcher.scoring.similarity import max_by_owner
from matcher.settings import Settings
from matcher.workspace import Workspace
from tests.conftest import import_file, member, resource, write_jsonl
from tests.fakes import FakeEncoder


def test_max_by_owner_matches_a_plain_loop() -> None:
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(4, 30)).astype(np.float32)
    codes = rng.integers(0, 6, size=30)
    best, where = max_by_owner(scores, codes, 7)
    for q in range(4):
        for owner in range(7):
            columns = np.flatnonzero(codes == owner)
            if len(columns) == 0:
                assert best[q, owner] == -np.inf and where[q, owner] == -1
            else:
                assert best[q, owner] == scores[q, columns].max()
                assert where[q, owner] == columns[np.argmax(scores[q, columns])]


def test_harmonic_mean_needs_both_sides() -> None:
    assert _harmonic(0.4, 0.2) == pytest.approx(2 * 0.4 * 0.2 / 0.6)
    assert _harmonic(0.4, 0.0) == 0.0


@pytest.fixture
def recommender(tmp_path: Path, settings: Settings, fake_encoder: FakeEncoder) -> Recommender:
    members = [
        member(
            "asker",
            languages=["fr"],
            country="SN",
            region="Africa",
            profile="Une ville.",
            needs=[{"text": "numérique pour les personnes âgées", "priority": 5}],
            strengths=[{"text": "jardins partagés"}],
            partners=["partner"],
            clusters=[{"cluster": "inclusion"}],
        ),
        member(
            "strong",
            languages=["fr", "en"],
            country="FR",
            profile="A city.",
            strengths=[{"text": "digital literacy for older adults", "level": 5}],
            needs=[{"text": "community gardens", "priority": 4}],
            clusters=[{"cluster": "inclusion"}],
        ),
        member("vague", languages=["fr"], country="BE", profile="We care about digital inclusion of older people."),
        member("unrelated", languages=["fr"], country="CA", strengths=[{"text": "flood drills"}]),
        member("no-language", languages=["de"], country="DE", strengths=[{"text": "digital skills for older people"}]),
        member("partner", languages=["fr"], country="ML", region="Africa", strengths=[{"text": "digital older adults"}]),
        member("same-country", languages=["fr"], country="FR", strengths=[{"text": "older people digital workshops"}]),
    ]
    resources = [
        resource("doc-strong", "Digital literacy for older adults", "Workshops for older adults.", authors=["strong"]),
        resource("doc-asker", "Jardins", "Nos jardins.", language="fr", authors=["asker"]),
        resource("doc-fr", "Les aînés et le numérique", "Ateliers numériques pour personnes âgées.", language="fr"),
        resource("doc-en", "Older adults online", "Digital help for older people.", language="en"),
        resource("doc-en-copy", "Older adults online", "Digital help for older people.", language="en"),
        resource("doc-budget", "Budgets", "Budget tracking.", language="fr"),
    ]
    workspace = Workspace(settings, fake_encoder)
    import_file(workspace, write_jsonl(tmp_path / "members.jsonl", members), settings)
    import_file(workspace, write_jsonl(tmp_path / "resources.jsonl", resources), settings)
    return workspace.snapshot().recommender


def test_a_strength_backed_by_documents_beats_a_vague_profile(recommender: Recommender) -> None:
    results = recommender.peers("asker", PeerOptions(k=10, max_per_country=None))
    ids = [r.id for r in results]
    # A profile is not expertise: 'vague' states nothing but its profile, so it is no match at all...
    assert "vague" not in ids
    # ...and below the strength backed by documents when weak candidates are listed too.
    everyone = [r.id for r in recommender.peers("asker", PeerOptions(k=10, max_per_country=None, only_evidence=False))]
    assert everyone.index("strong") < everyone.index("vague")
    assert "asker" not in ids and "partner" not in ids and "no-language" not in ids
    # Under the keyword encoder 'older people digital workshops' (same-country) is a closer
    # paraphrase of the need than 'digital literacy for older adults', so it may rank first.
    top = next(r for r in results if r.id == "strong")
    assert ids.index("strong") <= 2
    kinds = [e.kind for e in top.needs_met[0].evidence]
    assert kinds[0] == "strength" and "document" in kinds
    assert top.needs_met[0].evidence[0].passage == "strong#strength:0:0"
    assert top.shared_languages == ["fr"] and top.shared_clusters == ["inclusion"]


def test_language_partners_and_country_cap_are_options(recommender: Recommender) -> None:
    anyone = recommender.peers("asker", PeerOptions(k=10, require_common_language=False, include_partners=True, max_per_country=None))
    by_id = {r.id: r for r in anyone}
    assert "no common working language" in by_id["no-language"].flags
    assert "existing partner" in by_id["partner"].flags
    capped = recommender.peers("asker", PeerOptions(k=10, max_per_country=1))
    assert sum(r.country == "FR" for r in capped) == 1
    far = recommender.peers("asker", PeerOptions(k=10, cross_region=True, include_partners=True))
    assert all(r.region != "Africa" for r in far)


def _eligible_one_by_one(recommender: Recommender, asker: Member, options: PeerOptions) -> list[bool]:
    """Each candidate's record asked every rule in turn, as a peer request once did."""
    out = []
    for candidate_id in recommender.evidence.candidates:
        c = recommender.members_by_id[candidate_id]
        out.append(
            not (
                c.id == asker.id
                or c.id in set(options.exclude or ())
                or (c.id in asker.partners and not options.include_partners)
                or (options.require_common_language and not set(asker.languages) & set(c.languages))
                or (options.cross_region and c.region == asker.region)
                or (options.regions and c.region not in options.regions)
                or (options.countries and c.country not in options.countries)
                or (options.kinds and c.kind not in options.kinds)
                or (options.networks and not set(options.networks) & set(c.networks))
                or (options.clusters and not set(options.clusters) & {m.cluster for m in c.clusters})
            )
        )
    return out


def test_the_eligibility_columns_say_what_each_record_says(recommender: Recommender) -> None:
    peers = recommender.peer_recommender
    asker = recommender.member("asker")
    visitor = asker.model_copy(update={"id": "(unsaved profile)", "languages": ["de", "en"], "partners": []})
    choices = [
        PeerOptions(),
        PeerOptions(require_common_language=False, include_partners=True),
        PeerOptions(cross_region=True, exclude=["strong", "nobody"]),
        PeerOptions(regions=["Africa"], countries=["ML", "FR", "XX"]),
        PeerOptions(kinds=["city"], clusters=["inclusion"], require_common_language=False),
        PeerOptions(networks=["none-such"], regions=[]),
    ]
    seen = set()
    for who in (asker, visitor):
        for options in choices:
            allowed = peers._eligible(who, options)
            assert allowed.tolist() == _eligible_one_by_one(recommender, who, options)
            seen.add(tuple(allowed.tolist()))
    assert len(seen) >= 5  # the choices do select different candidates


def test_the_cluster_overlap_is_the_jaccard_index_of_the_cluster_sets(recommender: Recommender) -> None:
    facts = recommender.peer_recommender.facts
    for mine in (set(), {"inclusion"}, {"inclusion", "other"}, {"other"}):
        expected = []
        for candidate_id in recommender.evidence.candidates:
            theirs = {m.cluster for m in recommender.members_by_id[candidate_id].clusters}
            expected.append(len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0)
        assert facts.cluster_overlap(mine).tolist() == expected
    assert max(facts.cluster_overlap({"inclusion", "other"})) == 0.5


def test_a_member_without_needs_reuses_its_profile_preparation_for_the_same_context(recommender: Recommender) -> None:
    peers, evidence = recommender.peer_recommender, recommender.evidence
    vague = recommender.member("vague")
    assert not vague.needs
    parts = peers.parts(vague, PeerOptions())
    text = vague.profile or vague.name
    fresh = evidence.member_similarity.prepare([text], peers._vectors(vague, [text], ["profile"]))
    assert peers._profile_prepared(vague, parts.prepared[0], parts.unread) is parts.prepared[0]
    context, shares = peers._context(vague, parts.prepared[0], fresh)
    assert np.array_equal(context, parts.context) and np.array_equal(shares, parts.shares)
    assert context.max() > 0


def test_reciprocal_score_is_the_harmonic_mean_of_both_directions(recommender: Recommender) -> None:
    # complementary mode without the graph: the forward direction is 'gives' alone
    results = recommender.peers("asker", PeerOptions(k=3, reciprocal=True, max_per_country=None, graph_weight=0))
    strong = next(r for r in results if r.id == "strong")
    assert strong.parts.receives is not None and strong.parts.receives > 0  # asker's gardens meet strong's need
    assert strong.score == pytest.approx(_harmonic(strong.parts.gives, strong.parts.receives), abs=1e-4)
    assert results[0].id == "strong"


def test_an_unsaved_profile_gets_peers_too(recommender: Recommender) -> None:
    from matcher.records import Member

    newcomer = Member(
        id="new",
        name="New",
        kind="city",
        country="KE",
        region="Africa",
        languages=["en"],
        needs=[{"text": "digital help for older adults"}],
    )
    assert recommender.peers(newcomer, PeerOptions(k=1))[0].id == "strong"


def test_expert_group_covers_aspects_and_names_the_one_nobody_covers(recommender: Recommender) -> None:
    group = recommender.experts(
        "digital inclusion", ExpertOptions(k=3, aspects=["older adults digital", "floods", "budget"], max_per_country=None)
    )
    covered = {c.aspect: pick.id for pick in group.members for c in pick.covers}
    assert set(covered) == {"older adults digital", "floods"}
    assert covered["floods"] == "unrelated"
    assert group.uncovered == {"budget": "no candidate in the network has evidence for it"}


def test_resources_for_a_member_skip_its_own_fold_copies_and_prefer_its_languages(recommender: Recommender) -> None:
    # only_evidence off: in a network of six toy resources few matches clear the partial level
    hits = recommender.resources_for("asker", MemberResourceOptions(k=10, only_evidence=False))
    ids = [h.id for h in hits]
    assert "doc-asker" not in ids
    assert ids[0] == "doc-fr" and hits[0].readable
    copies = [h for h in hits if h.id in {"doc-en", "doc-en-copy"}]
    assert len(copies) == 1 and copies[0].duplicates in (["doc-en"], ["doc-en-copy"])
    across = recommender.resources_for("asker", MemberResourceOptions(k=10, all_languages=True, only_evidence=False))
    assert {h.id for h in across} == set(ids)


def test_affinity_matrix_matches_peer_scores_and_is_written(tmp_path: Path, recommender: Recommender) -> None:
    matrix = recommender.affinity(["asker", "strong"])
    assert matrix.need_ids == ["asker#need:0", "strong#need:0"]
    assert matrix.scores.shape == (2, 7)
    column = matrix.member_ids.index("strong")
    gives = next(r for r in recommender.peers("asker", PeerOptions(k=10)) if r.id == "strong").parts.gives
    assert matrix.scores[0, column] == pytest.approx(gives, abs=1e-4)
    assert matrix.scores[1, column] == 0.0  # a member's own need
    matrix.write_csv(tmp_path / "a.csv")
    matrix.write_json(tmp_path / "a.json")
    assert (tmp_path / "a.csv").read_text().splitlines()[0].startswith("need_id,need_text,asker,")
    assert json.loads((tmp_path / "a.json").read_text())["members"] == matrix.member_ids


def test_the_graph_weight_comes_from_the_settings_unless_the_request_sets_it(recommender: Recommender) -> None:
    # one default, PEERMATCH_GRAPH_WEIGHT, for the CLI, the API and the evaluation alike
    assert recommender.settings.graph_weight > 0
    assert all(r.parts.graph is not None for r in recommender.peers("asker", PeerOptions(max_per_country=None)))
    assert all(r.parts.graph is None for r in recommender.peers("asker", PeerOptions(max_per_country=None, graph_weight=0)))
    recommender.settings = recommender.settings.model_copy(update={"graph_weight": 0.0})
    assert all(r.parts.graph is None for r in recommender.peers("asker", PeerOptions(max_per_country=None)))


def test_reciprocal_keeps_the_mode_and_the_graph_weight(recommender: Recommender) -> None:
    """--reciprocal used to rank by gives x receives alone, dropping --mode, --blend and the graph:
    its score must be the harmonic mean of the score those options give and of 'receives'."""
    variants = ({"mode": "complementary", "graph_weight": 0.0}, {"mode": "similar", "graph_weight": 0.3}, {"mode": "blend", "blend": 0.2})
    for options in variants:
        forward = {p.id: p.score for p in recommender.peers("asker", PeerOptions(k=50, max_per_country=None, **options))}  # type: ignore[arg-type]
        both = recommender.peers("asker", PeerOptions(k=50, max_per_country=None, reciprocal=True, **options))  # type: ignore[arg-type]
        assert both
        for peer in both:
            assert peer.parts.receives is not None
            assert peer.score == pytest.approx(_harmonic(forward[peer.id], peer.parts.receives), abs=1e-3), (options, peer.id)


def test_expert_options_are_bounded() -> None:
    from pydantic import ValidationError

    from matcher.recommend.experts import ExpertOptions

    for bad in ({"aspect_threshold": 1e300}, {"relevance_weight": 1e300}, {"relevance_weight": -1}):
        with pytest.raises(ValidationError):
            ExpertOptions(**bad)  # type: ignore[arg-type]


def test_expert_finding_ranks_a_body_of_work_above_one_lucky_document(
    tmp_path: Path, settings: Settings, fake_encoder: FakeEncoder
) -> None:
    members = [member(m, profile="A city.") for m in ("broad", "lucky", "gardener", "hydrologist", "accountant")]
    broad = ["Digital skills for older adults", "Older adults learn digital tools", "Digital literacy classes", "Literacy for older adults"]
    resources = [resource(f"broad-{i}", title, title, authors=["broad"]) for i, title in enumerate(broad)]
    resources += [
        resource("lucky-0", "Digital literacy for older adults", "Digital literacy for older adults.", authors=["lucky"]),
        resource("lucky-1", "Flood drills", "Floods.", authors=["lucky"]),
        resource("gardener-0", "Community gardens", "Gardens.", authors=["gardener"]),
        resource("hydrologist-0", "Flood maps", "Floods.", authors=["hydrologist"]),
        resource("accountant-0", "Budget tracking", "Budget.", authors=["accountant"]),
    ]
    workspace = Workspace(settings, fake_encoder)
    import_file(workspace, write_jsonl(tmp_path / "members.jsonl", members), settings)
    import_file(workspace, write_jsonl(tmp_path / "resources.jsonl", resources), settings)
    recommender = workspace.snapshot().recommender
    finder, evidence = recommender.expert_finder, recommender.evidence
    broad_code, lucky_code = evidence.code_of["broad"], evidence.code_of["lucky"]
    texts = ["digital literacy for older adults"]
    breadth, where, column_map = finder.scores(texts, "breadth")
    pooled, _, _ = finder.scores(texts, "pooled")
    assert breadth[0, broad_code] > breadth[0, lucky_code]  # four related documents outweigh one exact one
    max_only, _, _ = finder.scores(texts, "max")
    assert max_only[0, lucky_code] >= max_only[0, broad_code]  # by its best document alone, lucky is as good
    assert (breadth[0] <= pooled[0] + 1e-6).all()  # the body of work never claims more than the best document
    kind, row = column_map[where[0, broad_code]]  # the explanation names one of broad's own documents
    assert kind == "r" and recommender.resource_matrix.passages[row].owner_id.startswith("broad-")


def test_evidence_weights_defaults_are_the_settings_defaults() -> None:
    from dataclasses import fields

    from matcher.recommend.engine import EVIDENCE_SETTINGS, evidence_weights
    from matcher.scoring.evidence import EvidenceWeights

    assert evidence_weights(Settings()) == EvidenceWeights()
    chosen_by_settings = {f.name for f in fields(EvidenceWeights)} - {"profile_factor", "field_weights"}
    assert set(EVIDENCE_SETTINGS) == chosen_by_settings  # a new weight gets its setting, or is listed here as fixed
    changed = evidence_weights(Settings(evidence_lexical_gain=3.0, dense_evidence=False))
    assert (changed.passage_lexical_gain, changed.dense) == (3.0, False)


def test_a_region_balanced_group_takes_an_equal_share_of_the_five_regions_rounded_up() -> None:
    from matcher.recommend.experts import region_limit

    assert [region_limit(k) for k in (1, 5, 6, 10, 11)] == [1, 1, 2, 2, 3]
