"""One snapshot, one write path: the defects found by review, each reproduced."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from matcher.errors import InvalidRecordsError
from matcher.graph.capacity import capacity_map
from matcher.index.generations import read_pointer
from matcher.index.indexes import load_indexes
from matcher.records import Member, Resource
from matcher.scoring.similarity import PassageMatrix
from matcher.settings import Settings
from matcher.snapshot import Snapshot, assemble
from matcher.workspace import Workspace
from tests.conftest import member, resource, write_jsonl
from tests.fakes import FakeEncoder

MEMBERS = [
    member("dakar", country="SN", region="Africa", needs=[{"text": "digital older adults", "priority": 5}]),
    member("lyon", strengths=[{"text": "digital literacy for older adults", "level": 5}], partners=["lima"]),
    member("lima", country="PE", region="Latin America and the Caribbean", languages=["es"], strengths=[{"text": "flood drills"}]),
]
RESOURCES = [
    resource("floods", "Flood drills", "Schools prepare for floods.", authors=["lima"]),
    resource("gardens", "Gardens", "School gardens and budgets.", authors=["lyon"]),
]


def seeded(tmp_path: Path, encoder: Any = None) -> Workspace:
    workspace = Workspace(Settings(data_dir=tmp_path / "data"), encoder or FakeEncoder())
    workspace.import_files([write_jsonl(tmp_path / "members.jsonl", MEMBERS), write_jsonl(tmp_path / "resources.jsonl", RESOURCES)])
    return workspace


def edges(snapshot: Snapshot) -> set[tuple[str, str, str]]:
    return {(u, v, str(sorted(d.items()))) for u, v, d in snapshot.graph.graph.edges(data=True)}


def from_scratch(snapshot: Snapshot) -> Snapshot:
    return assemble(snapshot.indexes, snapshot.members, snapshot.resources, snapshot.encoder, snapshot.settings)


def test_the_graph_does_not_drift_between_worker_processes(tmp_path: Path) -> None:
    """Defect 1: B writes a member with strengths and a partner, A writes an unrelated resource;
    both must then serve the same generation with the same graph (and the same capacity map)."""
    a = seeded(tmp_path)
    b = Workspace(a.settings, FakeEncoder())
    a.snapshot().graph, b.snapshot().graph  # both in use, as in a serving worker: writes update them in place of a rebuild
    probe = Member.model_validate(member("probe-stale", strengths=[{"text": "flood drills for schools"}], partners=["dakar"]))
    b.write([probe])
    a.write([Resource.model_validate(resource("extra", "Extra", "Teachers and digital skills."))])
    sa, sb = a.snapshot(), b.snapshot()
    assert sa.generation == sb.generation
    assert edges(sa) == edges(sb) == edges(from_scratch(sa))
    assert capacity_map(sa.graph, sa.members) == capacity_map(sb.graph, sb.members)
    assert ("member:probe-stale", "member:dakar") in {(u, v) for u, v, _ in edges(sa)}


def test_incremental_writes_keep_the_graph_equal_to_a_rebuild(tmp_path: Path) -> None:
    workspace = seeded(tmp_path)
    workspace.snapshot().graph  # noqa: B018 - in use: the writes below update it record by record
    workspace.write([Resource.model_validate(resource("r3", "Digital", "Older adults online.", authors=["dakar"]))])
    workspace.write([Member.model_validate(member("lyon", strengths=[{"text": "school gardens"}]))])
    workspace.write(deletes={"members": ["lima"], "resources": ["floods"]})  # lima and the resource naming it as author, at once
    workspace.delete("resources", ["gardens"])
    workspace.write([Member.model_validate(member("lyon", strengths=[{"text": "school gardens", "level": 4}]))])  # gardens' author
    workspace.write([Member.model_validate(member("quito", partners=["dakar"]))])
    # dakar is named by quito (partners) and r3 (authors): a delete takes them along or is refused (issue 21, item 5)
    workspace.write(deletes={"members": ["dakar", "quito"], "resources": ["r3"]})
    snapshot = workspace.snapshot()
    assert snapshot.built_graph is not None  # derived, not rebuilt
    assert edges(snapshot) == edges(from_scratch(snapshot))
    assert {m.id for m in snapshot.members} == {"lyon"}
    assert not snapshot.graph.graph.has_node("member:dakar")


def test_a_write_to_a_text_hands_the_walks_to_the_next_snapshot_and_answers_stay_the_same(tmp_path: Path) -> None:
    """The next snapshot's recommender takes over the last one's graph walks when the write left
    the walks' graph alone (a profile text), and its peer answers equal a snapshot's built from scratch."""
    workspace = seeded(tmp_path)
    before = workspace.snapshot()
    before.recommender.peers("dakar")  # walks from dakar's need topics, as a served answer makes them
    walks = before.recommender.signals.walks_kept  # type: ignore[union-attr]
    assert walks >= 1
    lyon = Member.model_validate(MEMBERS[1])
    after = workspace.write([lyon.model_copy(update={"profile": "Lyon writes its profile anew."})]).snapshot
    assert after is not None and after.recommender.signals.walks_kept == walks  # type: ignore[union-attr]
    fresh = from_scratch(after)
    assert [(p.id, p.score) for p in after.recommender.peers("dakar")] == [(p.id, p.score) for p in fresh.recommender.peers("dakar")]

def test_a_failed_import_writes_nothing_across_all_its_files(tmp_path: Path, settings: Settings) -> None:
    """Defect 2: good members and bad resources in one import: no record, no revision, no index."""
    good = write_jsonl(tmp_path / "good-members.jsonl", MEMBERS)
    bad = tmp_path / "bad-resources.csv"
    bad.write_text("id,title,summary,kind,language\nr1,Floods,Drills,publication,en\nr2,Gardens,Budgets,publication,klingon\n")
    workspace = Workspace(settings, FakeEncoder())
    with pytest.raises(InvalidRecordsError) as caught:
        workspace.import_files([good, bad])
    assert "bad-resources.csv:3" in str(caught.value) and "'language'" in str(caught.value)
    assert (workspace.store.count("members"), workspace.store.count("resources"), workspace.store.revision()) == (0, 0, 0)
    assert read_pointer(settings.index_dir) is None


class OtherModel(FakeEncoder):
    model_id = "another-model"


def test_an_index_built_by_another_model_is_rebuilt_not_used(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Defect 3: after changing the model, queries must not be searched against the old vectors."""
    seeded(tmp_path)
    reopened = Workspace(Settings(data_dir=tmp_path / "data"), OtherModel())
    with caplog.at_level(logging.WARNING, logger="peermatch.workspace"):
        snapshot = reopened.snapshot()
    assert snapshot.indexes.meta["model_id"] == "another-model"
    assert any("built by model 'fake-keywords'" in r.message and "rebuilt" in r.message for r in caplog.records)


def _garble_npy(folder: Path) -> None:
    target = sorted((folder / "resources" / "bm25").glob("*.npy"))[0]
    target.write_bytes(b"not an array" * 10)


def _scramble_faiss(folder: Path) -> None:
    target = folder / "members" / "dense.faiss"
    data = bytearray(target.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(255 - b for b in data[middle : middle + 64])  # same size, other numbers
    target.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / "members" / "dense.faiss").unlink(),
        _garble_npy,
        lambda folder: (folder / "resources" / "passages.json").write_text('[{"key": "flo'),
        _scramble_faiss,
    ],
    ids=["missing dense.faiss", "garbled BM25 npy", "truncated passages.json", "scrambled dense.faiss"],
)
def test_a_damaged_generation_is_detected_and_rebuilt(tmp_path: Path, damage: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Defect 4: checksums written at build are checked at load; damage means a rebuild from the
    store, said in one line, and the same answers as before the damage."""
    workspace = seeded(tmp_path)
    before = [h.id for h in workspace.snapshot().searcher.search("flood drills", k=3)]
    damage(read_pointer(workspace.settings.index_dir).folder)  # type: ignore[union-attr]
    reopened = Workspace(workspace.settings, FakeEncoder())
    with caplog.at_level(logging.WARNING, logger="peermatch.workspace"):
        after = [h.id for h in reopened.snapshot().searcher.search("flood drills", k=3)]
    assert after == before
    warnings = [r.message for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "rebuilt" in warnings[0] and any(name in warnings[0] for name in ("dense.faiss", "bm25", "passages.json"))


def test_a_damaged_delta_is_detected(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    workspace = seeded(tmp_path)
    workspace.write([Resource.model_validate(resource("r9", "Teachers", "Teachers and digital skills."))])
    pointer = read_pointer(workspace.settings.index_dir)
    assert pointer is not None and pointer.deltas == 1
    path = pointer.delta_path(1)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte flipped: the zip CRC-32 finds it
    path.write_bytes(bytes(data))
    reopened = Workspace(workspace.settings, FakeEncoder())
    with caplog.at_level(logging.WARNING, logger="peermatch.workspace"):
        snapshot = reopened.snapshot()
    assert "r9" in {r.id for r in snapshot.resources} and snapshot.indexes.delta_rows == 0
    assert any("000001.npz" in r.message for r in caplog.records)


def test_a_write_is_an_index_delta_and_matches_a_full_build(tmp_path: Path) -> None:
    """Writes cost what they change: the base stays, the changed passages are appended, the
    replaced ones retire; answers equal those of a full rebuild."""
    workspace = seeded(tmp_path)
    base = read_pointer(workspace.settings.index_dir)
    workspace.write([Resource.model_validate(resource("floods", "Flood drills", "Teachers learn digital skills."))])
    workspace.write([Member.model_validate(member("quito", strengths=[{"text": "flood drills for schools"}]))])
    workspace.delete("resources", ["gardens"])
    pointer = read_pointer(workspace.settings.index_dir)
    assert pointer is not None and base is not None and pointer.folder == base.folder and pointer.deltas == 3
    queries = ["flood drills", "digital teachers", "school gardens budgets", "older adults"]
    incremental = workspace.snapshot()
    answers = [[(h.id, round(h.score, 4)) for h in incremental.searcher.search(q, k=5, language_mix=False)] for q in queries]
    peers = [(p.id, round(p.score, 4)) for p in incremental.recommender.peers("dakar")]
    workspace.build()
    rebuilt = workspace.snapshot()
    assert rebuilt.indexes.delta_rows == 0
    assert answers == [[(h.id, round(h.score, 4)) for h in rebuilt.searcher.search(q, k=5, language_mix=False)] for q in queries]
    assert "gardens" not in {h for a in answers for h, _ in a}
    assert [p.id for p in rebuilt.recommender.peers("dakar")] == [p for p, _ in peers]
    # another process catches up by reading only the deltas it lacks
    other = Workspace(workspace.settings, FakeEncoder())
    assert other.snapshot().generation == rebuilt.generation


def test_the_taxonomy_setting_reaches_the_clusters(tmp_path: Path) -> None:
    """Defect 6: PEERMATCH_TAXONOMY_PATH was ignored for clusters (a cached shipped taxonomy)."""
    import json

    from matcher.recommend.clusters import known_clusters

    taxonomy = {
        "topics": [
            {"id": "cluster-rivers", "label": {"en": "River cities", "fr": "Villes fluviales", "es": "Ciudades fluviales"}},
            {"id": "flooding", "cluster": "rivers", "label": {"en": "Flooding", "fr": "Inondations", "es": "Inundaciones"}},
        ]
    }
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(taxonomy))
    assert known_clusters(path) == {"rivers": "River cities"}
    assert "esd" in known_clusters(None)


def test_merging_a_write_into_sorted_records_equals_sorting_again() -> None:
    import random

    from matcher.snapshot import _merged

    rng = random.Random(7)
    records = sorted((Resource.model_validate(resource(f"r{n:03d}", "t", "s")) for n in rng.sample(range(500), 60)), key=lambda r: r.id)
    for _ in range(30):
        upserted = [Resource.model_validate(resource(f"r{n:03d}", "t", f"v{n}")) for n in rng.sample(range(500), 5)]
        deleted = {r.id for r in rng.sample(records, 3)} - {r.id for r in upserted}
        merged, ids = _merged(records, [r.id for r in records], upserted, deleted)
        expected = {r.id: r for r in records if r.id not in deleted} | {r.id: r for r in upserted}
        assert merged == [expected[k] for k in sorted(expected)] and ids == sorted(expected)
        records = merged


def test_a_write_of_members_keeps_the_resources_matrix_and_a_write_of_resources_refits_it(tmp_path: Path) -> None:
    """What is worked out from a collection's passages (their vectors in memory, their TF-IDF fit)
    is shared with the next snapshot when the write left that collection alone, and only then."""
    workspace = seeded(tmp_path)
    before = workspace.snapshot().recommender
    before.evidence  # noqa: B018 - built, as a serving worker's is
    workspace.write([Member.model_validate(member("probe", strengths=[{"text": "school gardens"}]))])
    after = workspace.snapshot().recommender
    assert after.resource_matrix is before.resource_matrix
    assert after.member_matrix is not before.member_matrix
    assert "probe" in after.member_matrix.owners and "probe" not in before.member_matrix.owners
    workspace.delete("members", ["probe"])  # a member deleted: the resources are left alone too
    assert workspace.snapshot().recommender.resource_matrix is before.resource_matrix
    # Another worker loading the same writes from disk on top of the indexes it holds shares it too.
    loaded = load_indexes(workspace.settings, since=before.indexes)
    assert loaded.generation == workspace.snapshot().generation
    assert PassageMatrix.of(loaded["resources"]) is before.resource_matrix
    workspace.write([Resource.model_validate(resource("seeds", "Seed banks", "Seed banks for school gardens."))])
    refit = workspace.snapshot().recommender
    assert refit.resource_matrix is not after.resource_matrix
    lexical = refit.resource_matrix.lexical
    assert lexical is not None
    row = refit.resource_matrix.owners.index("seeds")
    assert lexical.passage_scores(["seed banks"])[0, row] > 0  # the new resource's words are in the fit
