"""The network-structures file: the demo's loads on the demo records (twice without doubling), and a
bad entry is refused with its file, section, position and field, with nothing written."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from matcher.calendar.book import CalendarBook
from matcher.clusters.book import ClusterBook
from matcher.demo import DEMO_FILES, DEMO_NETWORKS
from matcher.errors import UnreadableFileError
from matcher.people.book import PeopleBook
from matcher.settings import Settings
from matcher.store import Store
from matcher.usecases.network_file import load_network_file
from matcher.workspace import Workspace
from tests.fakes import FakeEncoder


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    settings = Settings(data_dir=tmp_path_factory.mktemp("demo") / "data")
    workspace = Workspace(settings, FakeEncoder())
    workspace.import_files(list(DEMO_FILES))
    workspace.close()
    return Store(settings.store_path)


def test_the_demo_structures_load_on_the_demo_records_and_again_without_doubling(demo_store: Store) -> None:
    first = load_network_file(demo_store, DEMO_NETWORKS)
    again = load_network_file(demo_store, DEMO_NETWORKS)
    assert first == again and first["events"] >= 50 and first["people"] >= 20
    book, names = ClusterBook(demo_store), {m.id: m.name for m in demo_store.members()}
    for cluster in ("gced", "esd", "health", "pme", "inclusion"):
        terms = book.coordinators(cluster, dt.date(2026, 6, 30), names)
        assert [t.current for t in terms] == [True, False], cluster  # the elected city, then the previous term
        assert (terms[0].ends - terms[0].starts).days == 729  # two years
    assert len(book.updates("esd")) == 3
    links = CalendarBook(demo_store).links()
    assert links and all((link.event_id or link.community_id) and link.cluster for link in links.values())
    assert {link.community_id for link in links.values() if link.community_id} == {
        f"community-{c}" for c in ("gced", "esd", "health", "pme", "inclusion")
    }
    people = PeopleBook(demo_store).all()
    assert {p.external for p in people} == {True, False} and all(p.generated for p in people)


def test_a_bad_entry_names_its_file_section_and_field_and_nothing_is_written(demo_store: Store, tmp_path: Path) -> None:
    data = json.loads(DEMO_NETWORKS.read_text(encoding="utf-8"))
    before = len(CalendarBook(demo_store).events())
    data["events"][3]["hosts"] = ["city-atlantis-xx"]
    data["coordinators"] = []
    bad = tmp_path / "networks.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"networks.json: events\[3\], field 'hosts/participants': .*city-atlantis-xx"):
        load_network_file(demo_store, bad)
    data["events"][3]["ends"] = "2020-01-01T00:00:00Z"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"events\[3\], field '\(entry\)': .*before it starts"):
        load_network_file(demo_store, bad)
    assert len(CalendarBook(demo_store).events()) == before
    assert ClusterBook(demo_store).coordinators("esd", dt.date(2026, 6, 30), {})  # the refused file removed nothing
