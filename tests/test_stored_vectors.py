"""A stored member's need vectors come from the snapshot's matrix, not from the encoder again."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from matcher.recommend.peers import PeerOptions
from matcher.settings import Settings
from matcher.workspace import Workspace
from tests.conftest import import_file, member, write_jsonl
from tests.fakes import FakeEncoder

LONG_NEED = " ".join(["digital"] * 12)  # longer than a passage of 8 words: two windows, no single row


def workspace(tmp_path: Path) -> tuple[Workspace, FakeEncoder]:
    settings = Settings(data_dir=tmp_path / "data", passage_words=8, passage_overlap=2)
    encoder = FakeEncoder()
    space = Workspace(settings, encoder)
    rows = [
        member("dakar", needs=[{"text": "digital older adults"}, {"text": "flood drills"}]),
        member("lyon", strengths=[{"text": "digital literacy for older adults"}]),
        member("lima", needs=[{"text": LONG_NEED}], strengths=[{"text": "flood drills"}]),
    ]
    import_file(space, write_jsonl(tmp_path / "members.jsonl", rows), settings)
    return space, encoder


def test_a_stored_members_needs_are_rows_of_the_matrix_and_equal_their_encoding(tmp_path: Path) -> None:
    space, encoder = workspace(tmp_path)
    recommender = space.snapshot().recommender
    texts = ["digital older adults", "flood drills"]
    before = encoder.encoded_count
    vectors = recommender.stored_vectors.vectors("dakar", texts, ["need:0", "need:1"])
    assert encoder.encoded_count == before  # read, not encoded
    np.testing.assert_array_equal(vectors, FakeEncoder().encode(texts))


def test_a_text_not_stored_as_one_passage_is_encoded(tmp_path: Path) -> None:
    space, encoder = workspace(tmp_path)
    stored = space.snapshot().recommender.stored_vectors
    before = encoder.encoded_count
    np.testing.assert_array_equal(stored.vectors("lima", [LONG_NEED], ["need:0"]), FakeEncoder().encode([LONG_NEED]))
    assert encoder.encoded_count == before + 1  # split in two windows: the text's own vector is encoded
    stored.vectors("dakar", ["something else"], ["need:0"])  # not the stored text: encoded, never the stored row
    assert encoder.encoded_count == before + 2


def test_a_stored_members_peer_request_encodes_nothing(tmp_path: Path) -> None:
    space, encoder = workspace(tmp_path)
    recommender = space.snapshot().recommender
    recommender.peers("dakar", PeerOptions(graph_weight=0.0))  # the first request builds the evidence
    before = encoder.encoded_count
    assert {p.id for p in recommender.peers("dakar", PeerOptions(graph_weight=0.0))} == {"lyon", "lima"}
    assert encoder.encoded_count == before
