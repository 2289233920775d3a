"""The console over HTTP (no browser): sign-in, sessions, lock-out, CSRF, roles, languages, import."""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from service.console.accounts import Accounts, SignInRefused, accounts_path
from tests.conftest import import_file, member, write_jsonl
from tests.fakes import FakeEncoder
from tests.test_service import READ, auth, seeded_settings

PASSWORD = "correct horse battery"
BASE = "https://testserver"  # the session cookie is Secure: the test client must speak https to get it back


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


@pytest.fixture
def app_and_accounts(tmp_path: Path) -> tuple[TestClient, Accounts]:
    settings = seeded_settings(tmp_path, max_sign_in_failures=3)
    app = create_app(settings, FakeEncoder())
    accounts: Accounts = app.state.accounts
    accounts.create_user("alice", "secretariat", PASSWORD)
    accounts.create_user("victor", "viewer", PASSWORD)
    return TestClient(app, base_url=BASE), accounts


def sign_in(client: TestClient, name: str = "alice", password: str = PASSWORD, next_path: str = "/members") -> object:
    page = client.get("/signin")
    return client.post(
        "/signin", data={"name": name, "password": password, "csrf_token": csrf_of(page.text), "next": next_path}, follow_redirects=False
    )


def signed_in_at_pairing(app_and_accounts: tuple[TestClient, Accounts]) -> tuple[TestClient, str]:
    """Alice signed in, with the pairing form's CSRF token."""
    client, _ = app_and_accounts
    sign_in(client)
    return client, csrf_of(client.get("/pairing").text)


def test_signed_out_the_root_is_the_sign_in_page_and_pages_redirect_to_it(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, _ = app_and_accounts
    root = client.get("/")
    assert root.status_code == 200 and 'action="/signin"' in root.text and 'type="password"' in root.text
    members = client.get("/members?region=Africa&kind=city", follow_redirects=False)
    assert members.status_code == 303 and members.headers["location"] == "/signin?next=/members%3Fregion%3DAfrica%26kind%3Dcity"
    # after signing in, the whole address comes back, filters and all
    page = client.get(members.headers["location"])
    form = {"name": "alice", "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": "/members?region=Africa&kind=city"}
    assert 'name="next" value="/members?region=Africa&amp;kind=city"' in page.text
    assert client.post("/signin", data=form, follow_redirects=False).headers["location"] == "/members?region=Africa&kind=city"


def test_sign_in_sets_a_secure_httponly_samesite_session_and_sign_out_ends_it(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, _ = app_and_accounts
    answer = sign_in(client)
    assert answer.status_code == 303 and answer.headers["location"] == "/members"  # type: ignore[attr-defined]
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("peermatch_session="))  # type: ignore[attr-defined]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
    page = client.get("/members")
    assert page.status_code == 200 and "Dakar" in page.text
    client.post("/signout", data={"csrf_token": csrf_of(page.text)})
    assert client.get("/members", follow_redirects=False).status_code == 303


def test_a_stolen_cookie_value_is_useless_after_sign_out(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, _ = app_and_accounts
    sign_in(client)
    token = client.cookies.get("peermatch_session")
    page = client.get("/members")
    client.post("/signout", data={"csrf_token": csrf_of(page.text)})
    thief = TestClient(client.app, base_url=BASE, cookies={"peermatch_session": token or ""})
    assert thief.get("/members", follow_redirects=False).status_code == 303


def test_passwords_are_stored_as_argon2id_hashes_only(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    _, accounts = app_and_accounts
    text = accounts_path(accounts.path.parent).read_bytes()
    assert PASSWORD.encode() not in text
    stored = accounts._db.execute("SELECT password_hash FROM users WHERE name = 'alice'").fetchone()[0]
    assert stored.startswith("$argon2id$")


def test_repeated_failures_lock_the_account_even_for_the_right_password(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, accounts = app_and_accounts
    for _ in range(2):
        wrong = sign_in(client, password="not the password")
        assert wrong.status_code == 401 and "Wrong name or password" in wrong.text  # type: ignore[attr-defined]
    third = sign_in(client, password="not the password")
    assert third.status_code == 401 and "locked" in third.text  # type: ignore[attr-defined]
    right = sign_in(client)
    assert right.status_code == 401 and "locked" in right.text  # type: ignore[attr-defined]
    accounts.unlock("alice")
    assert sign_in(client).status_code == 303  # type: ignore[attr-defined]


def test_an_unknown_name_gets_the_same_answers_as_a_known_one_lock_out_included(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, _ = app_and_accounts
    answers = {}
    for name in ("mallory", "alice"):
        answers[name] = [sign_in(client, name=name, password="not the password").text for _ in range(3)]  # type: ignore[attr-defined]
    for known, unknown in zip(answers["alice"], answers["mallory"], strict=True):
        assert ("locked" in known) == ("locked" in unknown) and ("Wrong name" in known) == ("Wrong name" in unknown)
    assert "locked" in answers["mallory"][-1]


def test_parallel_guesses_cannot_share_one_failure_count(tmp_path: Path) -> None:
    """Each attempt is counted before its password is checked: 20 guesses at once get at most
    ``max_failures - 1`` plain refusals, and the account ends locked."""
    from concurrent.futures import ThreadPoolExecutor

    accounts = Accounts(tmp_path / "console.sqlite", max_failures=5)
    accounts.create_user("alice", "secretariat", PASSWORD)

    def guess(_: int) -> str:
        try:
            accounts.authenticate("alice", "wrong guess")
        except SignInRefused as refused:
            return refused.reason
        return "signed in"

    with ThreadPoolExecutor(max_workers=20) as pool:
        reasons = list(pool.map(guess, range(20)))
    assert reasons.count("invalid") <= 4 and "signed in" not in reasons
    with pytest.raises(SignInRefused, match="locked"):
        accounts.authenticate("alice", PASSWORD)


def test_forms_without_the_sessions_csrf_token_or_from_another_origin_are_refused(
    app_and_accounts: tuple[TestClient, Accounts], tmp_path: Path
) -> None:
    client, _ = app_and_accounts
    sign_in(client)
    form = {"mentee_regions": "Africa", "max_load": "3"}
    assert client.post("/pairing", data=form).status_code == 403
    assert client.post("/pairing", data={**form, "csrf_token": "forged"}).status_code == 403
    token = csrf_of(client.get("/pairing").text)
    other = client.post("/pairing", data={**form, "csrf_token": token}, headers={"Origin": "https://evil.example"})
    assert other.status_code == 403
    # the sign-in form itself: its double-submit token must match its cookie
    fresh = TestClient(client.app, base_url=BASE)
    refused = fresh.post("/signin", data={"name": "alice", "password": PASSWORD, "csrf_token": "guess"}, follow_redirects=False)
    assert refused.status_code == 400 and fresh.cookies.get("peermatch_session") is None


def test_a_viewer_sees_pages_but_cannot_run_a_pairing_or_import(app_and_accounts: tuple[TestClient, Accounts], tmp_path: Path) -> None:
    client, _ = app_and_accounts
    sign_in(client, name="victor")
    page = client.get("/pairing")
    assert page.status_code == 200 and "Only secretariat staff can run a pairing" in page.text
    assert client.post("/pairing", data={"csrf_token": csrf_of(page.text), "mentee_regions": "Africa"}).status_code == 403
    upload = write_jsonl(tmp_path / "members.jsonl", [member("paris")])
    with open(upload, "rb") as handle:
        refused = client.post("/import", data={"csrf_token": csrf_of(page.text)}, files={"file": ("members.jsonl", handle)})
    assert refused.status_code == 403


def test_the_language_follows_the_browser_then_the_switch_and_is_remembered(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, accounts = app_and_accounts
    french = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in french.text and "Se connecter" in french.text
    sign_in(client)
    page = client.get("/members")
    switched = client.post("/language", data={"csrf_token": csrf_of(page.text), "language": "es", "back": "/members"})
    assert '<html lang="es">' in switched.text and "Miembros" in switched.text
    assert accounts.user("alice").language == "es"
    # a new browser (no cookie) gets the account's language after signing in
    other = TestClient(client.app, base_url=BASE)
    sign_in(other)
    assert '<html lang="es">' in other.get("/members").text


def test_numbers_and_dates_follow_the_locale() -> None:
    from service.console.i18n import Translator

    assert Translator("fr").score(0.5612) == "0,56" and Translator("en").score(0.5612) == "0.56"
    assert Translator("es").number(12345) == "12.345" and Translator("en").number(12345) == "12,345"
    assert Translator("fr").date("2026-11-25T10:00:00", "long").startswith("25 novembre 2026")
    assert Translator("es").date("2026-11-25") == "25 nov 2026"  # a day is a day, not midnight
    assert Translator("en").date("2026-11-25T10:00:00+00:00").endswith("UTC")


def test_an_import_with_a_bad_line_writes_nothing_until_the_valid_records_are_chosen(
    app_and_accounts: tuple[TestClient, Accounts], tmp_path: Path
) -> None:
    client, _ = app_and_accounts
    sign_in(client)
    page = client.get("/import")
    rows = [member("paris"), member("nowhere", country="XX")]
    upload = write_jsonl(tmp_path / "new-members.jsonl", rows)
    with open(upload, "rb") as handle:
        checked = client.post("/import", data={"csrf_token": csrf_of(page.text)}, files={"file": ("new-members.jsonl", handle)})
    assert checked.status_code == 200
    assert "<td>2</td><td>nowhere</td><td><code>country</code></td>" in checked.text
    state = client.app.state.service  # type: ignore[attr-defined]
    assert state.workspace.store.count("members") == 3  # nothing written yet
    token = re.search(r'action="/import/([A-Za-z0-9_-]+)"', checked.text).group(1)  # type: ignore[union-attr]
    report = client.get(f"/import/{token}/rejections.csv")
    assert "new-members.jsonl,2,nowhere,country," in report.content.decode("utf-8-sig")
    done = client.post(f"/import/{token}", data={"csrf_token": csrf_of(checked.text), "valid_only": "true"})
    assert done.status_code == 200 and "1 record written, 1 rejected" in done.text
    assert state.workspace.store.count("members") == 4 and "paris" in {m.id for m in state.snapshot.members}


def test_accounts_refuse_short_passwords_unknown_roles_and_bad_names(tmp_path: Path) -> None:
    from service.console.accounts import AccountError

    accounts = Accounts(tmp_path / "console.sqlite")
    with pytest.raises(AccountError, match="too short"):
        accounts.create_user("bob", "viewer", "short")
    with pytest.raises(AccountError, match="role 'admin'"):
        accounts.create_user("bob", "admin", PASSWORD)
    with pytest.raises(AccountError, match="user name"):
        accounts.create_user("bob smith", "viewer", PASSWORD)
    accounts.create_user("bob", "viewer", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        accounts.create_user("bob", "viewer", PASSWORD)
    with pytest.raises(SignInRefused):
        accounts.authenticate("bob", PASSWORD + "x")


def test_a_session_ends_after_its_idle_time(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path / "console.sqlite", idle_minutes=1)
    user = accounts.create_user("bob", "viewer", PASSWORD)
    token = accounts.start_session(user)
    assert accounts.session(token) is not None
    accounts._db.execute("UPDATE sessions SET last_seen = '2000-01-01T00:00:00+00:00'")
    assert accounts.session(token) is None


def test_a_set_password_ends_every_session_of_the_user(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path / "console.sqlite")
    token = accounts.start_session(accounts.create_user("bob", "viewer", PASSWORD))
    accounts.set_password("bob", PASSWORD + " new")
    assert accounts.session(token) is None


def test_the_proposals_page_filters_by_status(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    from matcher.partnerships import Partnerships

    client, _ = app_and_accounts
    book = Partnerships(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    rejected = book.propose("recommendation", "dakar", "lyon", "user:alice")
    book.reject(rejected.id, "user:alice")
    waiting = book.propose("recommendation", "dakar", "lima", "user:alice")
    sign_in(client)
    page = client.get("/proposals?status=proposed")
    assert page.status_code == 200 and '<option value="proposed" selected>' in page.text
    assert f'href="/proposals/{waiting.id}"' in page.text and f'href="/proposals/{rejected.id}"' not in page.text
    assert f'href="/proposals/{rejected.id}"' in client.get("/proposals?status=rejected").text


def test_a_need_written_in_english_is_marked_english_whatever_the_members_first_language(
    app_and_accounts: tuple[TestClient, Accounts],
) -> None:
    from tests.conftest import member
    from tests.test_service import WRITE, auth

    client, _ = app_and_accounts
    need = "We need help training teachers to use digital tools in rural schools"
    strength = "Nous formons les animateurs des centres communautaires à l'alphabétisation des adultes"
    addis = member("addis", country="ET", region="Africa", languages=["am", "en", "fr"], needs=[{"text": need}])
    addis["strengths"] = [{"text": strength}]
    assert client.put("/v1/members/addis", headers=auth(WRITE), json=addis).status_code == 200
    sign_in(client)
    page = client.get("/members/addis").text
    assert f'<li lang="en">{need}' in page and '<li lang="fr">Nous formons' in page  # not lang="am" for either


def test_a_proposals_steps_say_who_as_a_person_reads_it(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    """The store keeps 'user:alice', 'key:write', 'contact:...'; the page says alice, the hub, the emailed link."""
    from matcher.partnerships import Partnerships

    client, _ = app_and_accounts
    book = Partnerships(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    proposal = book.propose("recommendation", "dakar", "lyon", "user:alice")
    book.approve(proposal.id, "key:write")
    book.respond(proposal.id, "dakar", True, "contact:dakar@example.org")
    sign_in(client)
    page = client.get(f"/proposals/{proposal.id}").text
    assert "— alice," in page and "the hub (API key write)" in page and "dakar@example.org, by the link sent by email" in page
    assert "user:alice" not in page and "key:write" not in page
    client.cookies.set("peermatch_lang", "fr")
    assert "le hub (clé d’API write)" in client.get(f"/proposals/{proposal.id}").text


def finished_job_page(client: TestClient, answer_url: str) -> str:
    """The pairing run's page once the job is done (it runs in a background thread)."""
    import time

    for _ in range(200):
        page = client.get(answer_url)
        if "Solving" not in page.text:
            return page.text
        time.sleep(0.05)
    raise AssertionError("the pairing job did not finish")


def test_an_impossible_pairing_says_which_constraint_binds(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, token = signed_in_at_pairing(app_and_accounts)
    # Dakar speaks French, Lima Spanish: a shared language is impossible.
    form = {"csrf_token": token, "mentees": "dakar", "mentors": "lima", "require_common_language": "true", "max_load": "1"}
    run = client.post("/pairing", data=form, follow_redirects=False)
    assert run.status_code == 303
    text = finished_job_page(client, run.headers["location"])
    assert "Why some requests cannot be met" in text and "share no working language" in text
    assert "partner.Mean" not in text and "pairs.Mean" not in text  # two sentences, with their space
    # the same explanation in French: the library's reasons are translated too, not only the labels
    client.cookies.set("peermatch_lang", "fr")
    french = client.get(run.headers["location"]).text
    assert "Pourquoi certaines demandes ne peuvent pas être satisfaites" in french
    assert "sans langue de travail commune" in french and "share no working language" not in french


def test_a_bad_forced_pair_line_is_named_with_its_line(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, token = signed_in_at_pairing(app_and_accounts)
    answer = client.post("/pairing", data={"csrf_token": token, "mentees": "dakar", "forced": "dakar, lyon\ndakar lyon lima"})
    assert answer.status_code == 422 and "Forced pairs, line 2" in answer.text


def test_the_pairs_of_a_run_and_a_saved_expert_group_become_proposals(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    from matcher.partnerships import Partnerships

    client, token = signed_in_at_pairing(app_and_accounts)
    run = client.post("/pairing", data={"csrf_token": token, "mentees": "dakar", "mentors": "lyon"}, follow_redirects=False)
    text = finished_job_page(client, run.headers["location"])
    assert "Lyon" in text
    client.post(run.headers["location"] + "/propose", data={"csrf_token": token, "propose": "dakar|lyon"})
    book = Partnerships(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    total, proposals = book.list()
    assert total == 1 and (proposals[0].kind, proposals[0].member_id, proposals[0].partner_id) == ("pairing", "dakar", "lyon")
    assert proposals[0].created_by == "user:alice" and proposals[0].source and proposals[0].source.startswith("pairing:")
    saved = client.post(
        "/proposals/expert-group",
        data={"csrf_token": token, "group": "Digital inclusion", "theme": "digital older adults", "member": ["lyon", "lima"]},
    )
    assert saved.status_code == 200 and "2 invitations" in saved.text
    groups = book.list(status="proposed")[1]
    assert {(p.kind, p.member_id, p.partner_id) for p in groups if p.kind == "expert_group"} == {
        ("expert_group", "lyon", "Digital inclusion"),
        ("expert_group", "lima", "Digital inclusion"),
    }


def test_console_pages_are_compressed_and_the_api_is_not(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, _ = app_and_accounts
    sign_in(client)
    page = client.get("/members", headers={"Accept-Encoding": "gzip"})
    assert page.headers.get("content-encoding") == "gzip"
    api = client.get("/v1/members", headers={"Accept-Encoding": "gzip", "Authorization": "Bearer read-key-123"})
    assert api.status_code == 200 and "content-encoding" not in api.headers


def test_odd_form_values_and_addresses_get_a_page_that_names_them_not_a_500(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, token = signed_in_at_pairing(app_and_accounts)
    weight = client.post("/pairing", data={"csrf_token": token, "mentees": "dakar", "africa_weight": "abc"})
    assert weight.status_code == 422 and "Weight of African mentees: &#39;abc&#39; is not a number" in weight.text
    run = client.post("/pairing", data={"csrf_token": token, "mentees": "dakar", "mentors": "lyon"}, follow_redirects=False)
    finished_job_page(client, run.headers["location"])
    bad_lock = client.post(run.headers["location"] + "/resolve", data={"csrf_token": token, "lock": "dakar"})
    assert bad_lock.status_code == 400 and "A locked pair must name a mentee and a mentor" in bad_lock.text
    huge = client.get("/proposals/99999999999999999999", headers={"Accept": "text/html"})
    assert huge.status_code == 422 and "text/html" in huge.headers["content-type"] and "proposal_id" in huge.text


def test_csv_cells_that_a_spreadsheet_would_run_are_made_text(app_and_accounts: tuple[TestClient, Accounts], tmp_path: Path) -> None:
    client, _ = app_and_accounts
    sign_in(client)
    upload = write_jsonl(tmp_path / "members.jsonl", [member("=HYPERLINK", name="x")])
    with open(upload, "rb") as handle:
        form = {"csrf_token": csrf_of(client.get("/import").text)}
        checked = client.post("/import", data=form, files={"file": ("members.jsonl", handle)})
    token = re.search(r'action="/import/([A-Za-z0-9_-]+)"', checked.text).group(1)  # type: ignore[union-attr]
    report = client.get(f"/import/{token}/rejections.csv").content.decode("utf-8-sig")
    assert ",'=HYPERLINK," in report and ",=HYPERLINK," not in report


def test_signing_out_of_an_expired_session_clears_the_cookie(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, _ = app_and_accounts
    stale = TestClient(client.app, base_url=BASE, cookies={"peermatch_session": "expired-token"})
    answer = stale.post("/signout", data={}, follow_redirects=False)
    assert answer.status_code == 303 and any(c.startswith('peermatch_session=""') for c in answer.headers.get_list("set-cookie"))


def test_the_language_switch_works_on_an_error_page_when_signed_out(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, _ = app_and_accounts
    missing = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    switched = client.post("/language", data={"csrf_token": csrf_of(missing.text), "language": "fr", "back": "/"})
    assert switched.status_code == 200 and '<html lang="fr">' in switched.text


def test_an_unknown_id_in_an_address_is_told_in_the_readers_language(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, _ = app_and_accounts
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    member = client.get("/members/nobody", headers={"Accept": "text/html"})
    assert member.status_code == 404 and "Aucun membre n’a l’identifiant « nobody »." in unescape(member.text)
    client.cookies.set("peermatch_lang", "es")
    proposal = client.get("/proposals/999", headers={"Accept": "text/html"})
    assert proposal.status_code == 404 and "Ninguna propuesta tiene el número 999." in unescape(proposal.text)
    assert "with id" not in member.text + proposal.text
    assert 'href="/proposals">Volver a las propuestas' in proposal.text  # back to the section, not to the members


def test_templates_use_no_inline_style_or_script_the_csp_would_block() -> None:
    """default-src 'self' ignores style="..." attributes and inline scripts: layout must be in the stylesheet."""
    from service.console.web import TEMPLATES

    offenders = [p.name for p in TEMPLATES.glob("*.html") if re.search(r'style="|<script(?![^>]*\bsrc=)|<style', p.read_text())]
    assert offenders == []


def test_a_no_match_answer_is_translated_down_to_its_match_quality_and_decimal_sign() -> None:
    from matcher.explanations import EXPERTS_CLOSEST, EXPERTS_NONE, QUALITY, explain
    from service.console.i18n import Translator

    answer = explain(EXPERTS_NONE, explain(EXPERTS_CLOSEST, explain(QUALITY["weak"]), name="Lyon", score=0.214))
    assert answer.text() == "nobody in the network states this; closest matches: Lyon (0.21, weak match)"
    assert Translator("fr").explain(answer).endswith("Lyon (0,21, correspondance faible)")
    assert Translator("es").explain(answer).endswith("Lyon (0,21, coincidencia débil)")
    assert Translator("en").explain(answer) == answer.text()



def test_the_capacity_map_names_taxonomy_topics_in_the_readers_language(tmp_path: Path) -> None:
    from matcher.graph.taxonomy import load_taxonomy

    settings = seeded_settings(tmp_path)
    from matcher.store import Store

    with Store(settings.store_path) as store:
        tagged = member("bamako", country="ML", region="Africa", strengths=[{"text": "flood drills", "topic": "disaster-risk"}])
        import_file(store, write_jsonl(tmp_path / "tagged.jsonl", [tagged]), settings)
    client = TestClient(create_app(settings, FakeEncoder()), base_url=BASE)
    client.app.state.accounts.create_user("alice", "secretariat", PASSWORD)  # type: ignore[attr-defined]
    sign_in(client)
    labels = load_taxonomy()["disaster-risk"].label
    english = client.get("/capacity").text
    assert f'<th scope="row">{labels["en"]}</th>' in english
    page = client.get("/members")
    french = client.post("/language", data={"csrf_token": csrf_of(page.text), "language": "fr", "back": "/capacity"}).text
    assert f'<th scope="row">{escape(labels["fr"])}</th>' in french and labels["en"] not in french
    cell = client.get("/capacity/cell?topic=disaster-risk&side=offers").text
    assert escape(labels["fr"]) in cell and "Bamako" in cell


def test_why_a_record_is_refused_is_said_in_the_readers_language(app_and_accounts: tuple[TestClient, Accounts], tmp_path: Path) -> None:
    client, _ = app_and_accounts
    sign_in(client)
    page = client.get("/members")
    client.post("/language", data={"csrf_token": csrf_of(page.text), "language": "fr", "back": "/import"})
    page = client.get("/import")
    rows = [member("nowhere", country="XX"), member("odd", kind="village", colour="blue")]
    upload = write_jsonl(tmp_path / "bad.jsonl", rows)
    with open(upload, "rb") as handle:
        checked = client.post("/import", data={"csrf_token": csrf_of(page.text)}, files={"file": ("bad.jsonl", handle)}).text
    assert escape("« XX » n’est pas un code pays ISO 3166-1 alpha-2") in checked
    assert "<td><code>colour</code></td><td>champ inconnu</td>" in checked
    # The words a French sheet may write (it may say "ville"), then the codes.
    kind_reason = unescape(checked).split("<td><code>kind</code></td><td>", 1)[1].split("</td>", 1)[0]
    assert kind_reason.startswith("doit être l’une de ces valeurs : ville, collectivité locale")
    assert "(ou les codes city, local_government" in kind_reason
    assert "is not an ISO" not in checked and "unknown field" not in checked
    token = re.search(r'action="/import/([A-Za-z0-9_-]+)"', checked).group(1)  # type: ignore[union-attr]
    assert "champ inconnu" in client.get(f"/import/{token}/rejections.csv").content.decode("utf-8-sig")


def test_console_pages_that_rank_share_the_bound_on_heavy_work(
    app_and_accounts: tuple[TestClient, Accounts], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A member page ranks peers and resources like GET /v1/members/{id}/peers: when the heavy
    work is at its limit, the page waits its turn or says, in the reader's language, to retry."""
    from service.limits import Bound

    client, _ = app_and_accounts
    sign_in(client)
    page = client.get("/members")
    client.post("/language", data={"csrf_token": csrf_of(page.text), "language": "fr", "back": "/members"})

    async def full(self: Bound) -> bool:
        return False

    monkeypatch.setattr(Bound, "enter", full)
    busy = client.get("/members/dakar")
    assert busy.status_code == 503 and busy.headers["retry-after"].isdigit()
    assert '<html lang="fr">' in busy.text and "Le service est occupé" in busy.text
    assert client.get("/members").status_code == 200  # the list ranks nothing: it does not wait
    refused = client.post("/import/some-token", data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 503  # confirming an import writes: the write bound
    api = client.get("/v1/capacity", headers=auth(READ))
    assert api.status_code == 503 and api.json()["code"] == "busy"  # /v1 keeps its JSON answer


def test_a_clusters_name_as_the_theme_fills_the_aspects_with_its_practice_themes(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    client, _ = app_and_accounts
    sign_in(client)
    client.cookies.set("peermatch_lang", "es")
    page = unescape(client.get("/experts", params={"theme": "Educación para la ciudadanía mundial"}).text)
    aspects = page.split('<textarea id="aspects"', 1)[1].split("</textarea>", 1)[0]
    assert "La educación para la paz y el diálogo intercultural" in aspects
    assert "El tema es el nombre de un grupo temático" in page
    typed = unescape(client.get("/experts", params={"theme": "Educación para la ciudadanía mundial", "aspects": "huertos"}).text)
    typed_aspects = typed.split('<textarea id="aspects"', 1)[1].split("</textarea>", 1)[0]
    assert "El tema es el nombre de un grupo temático" not in typed and "la paz" not in typed_aspects
    assert "Este tema figura en la taxonomía" in page  # asked in its names: said so
    free = unescape(client.get("/experts", params={"theme": "huertos escolares"}).text)
    assert "Grupo propuesto" in free and "Este tema figura en la taxonomía" not in free


def test_an_expert_row_in_french_names_its_ranking_number_and_writes_french_colons(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    """'Meilleure preuve 0,46' above 'thème : 0,63' read as a best evidence lower than the theme's:
    the second number is the ranking for the theme (every piece of evidence), and says so. An
    aspect's score is followed by a French colon, with its space: '(0,69) :'."""
    client, _ = app_and_accounts
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    page = unescape(client.get("/experts", params={"theme": "digital literacy for older adults", "aspects": "digital\nolder adults"}).text)
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert re.search(r"classement pour le thème : \d,\d\d", rows) and "thème : " not in rows.replace("classement pour le thème : ", "")
    covered = re.findall(r"</strong> \((\d,\d\d)\)( ?):", rows)
    assert covered and all(space == " " for _, space in covered), covered


def test_an_expert_swap_candidate_names_what_its_number_is(app_and_accounts: tuple[TestClient, Accounts]) -> None:
    """The swap list read 'Reims (0,17)' beside members whose match read 0,46 and whose ranking for
    the theme read 0,16: a bare number, which of the two it is unsaid. It is the ranking for the theme."""
    from tests.conftest import member
    from tests.test_service import WRITE, auth

    client, _ = app_and_accounts
    for i, text in enumerate(["digital literacy classes for older adults", "older adults learn digital skills", "digital literacy"]):
        record = member(f"extra{i}", name=f"Extra {i}", strengths=[{"text": text}])
        assert client.put(f"/v1/members/extra{i}", headers=auth(WRITE), json=record).status_code == 200
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    page = unescape(client.get("/experts", params={"theme": "digital literacy for older adults", "k": 1}).text)
    options = re.findall(r'<option value="[^"]+">([^<]*)</option>', page.split('name="swap_in"', 1)[1].split("</select>", 1)[0])
    assert options, page
    assert all(re.search(r"\(classement pour le thème : \d,\d\d\)$", o) for o in options), options
