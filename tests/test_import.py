from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.errors import InvalidRecordsError, UnknownIdError, UnreadableFileError
from matcher.settings import Settings
from matcher.store import Store
from tests.conftest import import_file, member, resource, write_jsonl


def test_one_bad_record_writes_nothing_and_names_line_and_field(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(
        tmp_path / "members.jsonl",
        [member("lyon"), member("dakar", country="SN"), member("nowhere", country="XX"), member("quito")],
    )
    with Store(settings.store_path) as store:
        with pytest.raises(InvalidRecordsError) as caught:
            import_file(store, path, settings)
        assert store.count("members") == 0
        assert store.revision() == 0
    problem = caught.value.problems[0]
    assert (problem.line, problem.field, problem.record_id) == (3, "country", "nowhere")
    assert "members.jsonl:3" in str(caught.value) and "'country'" in str(caught.value)


def test_skip_invalid_imports_the_good_ones_and_reports_the_rest(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(
        tmp_path / "members.jsonl",
        [member("lyon"), member("bad", languages=["french"]), member("quito", kind="village")],
    )
    report = tmp_path / "rejected.jsonl"
    with Store(settings.store_path) as store:
        result = import_file(store, path, settings, skip_invalid=True, report_path=report)
        assert store.count("members") == 1
    assert (result.valid, result.rejected) == (1, 2)
    rejected = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(r["line"], r["field"]) for r in rejected] == [(2, "languages.0"), (3, "kind")]


def test_reimport_is_idempotent_and_upserts_by_id(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(tmp_path / "resources.jsonl", [resource("r1", "Floods", "Flood drills in schools.")])
    with Store(settings.store_path) as store:
        assert import_file(store, path, settings).changed == 1
        revision = store.revision()
        assert import_file(store, path, settings).changed == 0
        assert store.revision() == revision
        write_jsonl(path, [resource("r1", "Floods", "Flood drills and risk maps.")])
        assert import_file(store, path, settings).changed == 1
        assert store.get("resources", "r1").summary == "Flood drills and risk maps."
        assert store.count("resources") == 1


def test_duplicate_id_in_one_file_is_refused(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(tmp_path / "members.jsonl", [member("lyon"), member("lyon")])
    with Store(settings.store_path) as store, pytest.raises(InvalidRecordsError) as caught:
        import_file(store, path, settings)
    assert "first seen on line 1" in str(caught.value.problems[0])


def test_csv_and_json_carry_line_numbers(tmp_path: Path, settings: Settings) -> None:
    csv_path = tmp_path / "resources.csv"
    csv_path.write_text(
        "id,title,summary,kind,language,topics\n"
        "r1,Floods,Flood drills,publication,en,disaster-risk;schools\n"
        "r2,Budgets,Budget tracking,podcast,en,\n",
        encoding="utf-8",
    )
    json_path = tmp_path / "members.json"
    json_path.write_text(json.dumps([member("lyon"), member("x", region="Mars")], indent=2), encoding="utf-8")
    with Store(settings.store_path) as store:
        with pytest.raises(InvalidRecordsError) as csv_error:
            import_file(store, csv_path, settings)
        with pytest.raises(InvalidRecordsError) as json_error:
            import_file(store, json_path, settings)
    assert (csv_error.value.problems[0].line, csv_error.value.problems[0].field) == (3, "kind")
    bad = json_error.value.problems[0]
    object_starts = [n for n, line in enumerate(json_path.read_text().splitlines(), start=1) if line == "  {"]
    assert bad.field == "region" and bad.line == object_starts[1]


def test_csv_lists_and_nested_cells(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "members.csv"
    path.write_text(
        "id,name,kind,country,region,languages,clusters,strengths\n"
        'dakar,Dakar,city,SN,Africa,fr;wo,esd:coordinator,"Jardins scolaires;Alphabétisation"\n',
        encoding="utf-8",
    )
    with Store(settings.store_path) as store:
        import_file(store, path, settings)
        dakar = store.get("members", "dakar")
    assert dakar.languages == ["fr", "wo"]
    assert dakar.clusters[0].role == "coordinator"
    assert [s.text for s in dakar.strengths] == ["Jardins scolaires", "Alphabétisation"]


def test_unreadable_files_say_why(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "members.xml").write_text("<x/>")
    (tmp_path / "broken.json").write_text('[{"id": "a"')
    with Store(settings.store_path) as store:
        with pytest.raises(UnreadableFileError, match="unknown format"):
            import_file(store, tmp_path / "members.xml", settings)
        with pytest.raises(UnreadableFileError, match="broken.json"):
            import_file(store, tmp_path / "broken.json", settings, record_type="members")


def test_delete_of_an_unknown_id_deletes_nothing(tmp_path: Path, settings: Settings) -> None:
    path = write_jsonl(tmp_path / "members.jsonl", [member("lyon"), member("quito")])
    with Store(settings.store_path) as store:
        import_file(store, path, settings)
        with pytest.raises(UnknownIdError, match="no member with id 'ghost'"):
            store.delete("members", ["lyon", "ghost"])
        assert store.count("members") == 2
        store.delete("members", ["lyon"])
        assert store.count("members") == 1
        assert all(p.owner_id == "quito" for p in store.passages("members"))


def test_an_import_can_show_its_embedding_progress(tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """A large import waits for the encoder: the command line shows how far it is, the delta and the full build alike."""
    import numpy as np

    from embeddings.embedder import Embedder
    from matcher.workspace import Workspace
    from tests.fakes import FakeEncoder

    class KeywordModel:  # the fake encoder's vectors, behind the real Embedder (which draws the bar)
        def get_embedding_dimension(self) -> int:
            return FakeEncoder().dimension

        def encode(self, texts: list[str], **_: object) -> np.ndarray:
            return FakeEncoder().encode(texts)

    workspace = Workspace(settings, Embedder(KeywordModel(), "keywords", cache=None))  # type: ignore[arg-type]
    first = write_jsonl(tmp_path / "first.jsonl", [member("lyon", strengths=[{"text": "flood drills"}])])
    workspace.import_files([first], progress=True)  # no index yet: a full build
    assert "embedding" in capsys.readouterr().err
    second = write_jsonl(tmp_path / "second.jsonl", [member("lima", strengths=[{"text": "garden budget"}])])
    workspace.import_files([second], progress=True)  # a delta
    assert "embedding" in capsys.readouterr().err
    third = write_jsonl(tmp_path / "third.jsonl", [member("lille", strengths=[{"text": "garden"}])])
    workspace.import_files([third])  # quiet by default (the service, the console, --json)
    assert "embedding" not in capsys.readouterr().err
    workspace.close()
