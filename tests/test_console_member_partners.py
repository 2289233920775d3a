"""A member's page: proposing a recommended peer asks to confirm on a page that quotes the evidence
for every need the peer answers (a plain GET link and a form: no JavaScript), and partnerships made
through proposals stay listed with their state and dated history once they close."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from matcher.partnerships import Partnerships
from service.console.accounts import Accounts
from tests.conftest import member, resource
from tests.test_console import app_and_accounts, csrf_of, sign_in  # noqa: F401
from tests.test_service import ANSWER, WRITE, auth

NEEDS = ["digital skills for older adults", "flood drills for schools"]
# Written in English by a member that declares French only: quoted with its own language.
FLOODS = "Schools hold flood drills for schools every term with the fire brigade."


def in_french(client: TestClient) -> None:
    """Signed in as the secretariat, reading the console in French."""
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")


def member_section(client: TestClient, member_id: str, heading: str) -> str:
    """The section of a member's page under the heading with id ``heading``, entities decoded."""
    page = html.unescape(client.get(f"/members/{member_id}").text)
    return page.split(f'id="{heading}"', 1)[1].split("</section>", 1)[0]


def with_two_needs_met(client: TestClient) -> None:
    """Thiès needs two things and Porto offers both, so Porto answers two needs."""
    thies = member("thies", name="Thiès", country="SN", region="Africa", needs=[{"text": n, "priority": 4} for n in NEEDS])
    porto = member("porto", country="PT", strengths=[{"text": "digital skills for older adults", "level": 5}, {"text": FLOODS}])
    for record in (thies, porto):
        assert client.put(f"/v1/members/{record['id']}", headers=auth(WRITE), json=record).status_code == 200


def with_stand_ins(client: TestClient) -> None:
    """Thiès and Porto, then Rouen (one strength, no needs, no profile) and Caen (a name alone);
    Alice signed in, reading French."""
    with_two_needs_met(client)
    bare = member("rouen", name="Rouen", strengths=[{"text": "digital literacy for older adults"}])
    bare.pop("profile")
    assert client.put("/v1/members/rouen", headers=auth(WRITE), json=bare).status_code == 200
    nameless = member("caen", name="Caen")
    nameless.pop("profile")
    assert client.put("/v1/members/caen", headers=auth(WRITE), json=nameless).status_code == 200
    in_french(client)


def hidden(page: str) -> dict[str, str]:
    form = page.split('<form method="post" action="/proposals"', 1)[1].split("</form>", 1)[0]
    return {name: html.unescape(value) for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)}


def test_propose_asks_to_confirm_and_quotes_the_evidence_for_every_need(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    with_two_needs_met(client)
    sign_in(client)
    book = Partnerships(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    member_page = client.get("/members/thies").text
    assert 'href="/members/thies/propose/porto"' in member_page  # a link to the confirmation, not a form that acts at once
    assert 'action="/proposals"' not in member_page
    confirm = client.get("/members/thies/propose/porto")
    assert confirm.status_code == 200 and book.list()[0] == 0  # looking stores nothing
    page = confirm.text
    needs_quoted = re.findall(r'<ol class="needs-met">(.*?)</ol>', page, re.S)[0]
    for need in NEEDS:
        assert need in needs_quoted
    assert needs_quoted.count("<blockquote") >= 2  # each need with its evidence, in full
    assert f'<blockquote lang="en">{FLOODS}</blockquote>' in needs_quoted  # not lang="fr", Porto's declared language
    assert "2 needs that Porto answers" in page
    fields = hidden(page)
    assert (fields["member_id"], fields["partner_id"]) == ("thies", "porto")
    done = client.post("/proposals", data=fields, follow_redirects=False)
    assert done.status_code == 303 and "/proposals/" in done.headers["location"]
    total, [proposal] = book.list()
    assert total == 1 and (proposal.member_id, proposal.partner_id, proposal.status) == ("thies", "porto", "proposed")
    lines = proposal.reason.splitlines()
    assert sorted(line.split(" ← ")[0] for line in lines) == sorted(NEEDS)  # every need, one line each
    assert all(len(line.split(" ← ")[1]) > 10 for line in lines)  # each with its evidence quoted
    # Asked again, the open proposal is shown instead of a second one.
    again = client.get("/members/thies/propose/porto", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith(f"/proposals/{proposal.id}")
    # Somebody not among the recommended peers: back to the member's page, saying so.
    refused = client.get("/members/thies/propose/dakar")
    assert "Dakar is no longer among the recommended peers of Thiès." in refused.text
    assert book.list()[0] == 1
    # The number stored is the match the label comes from (0-1), not the ranking's.
    assert proposal.score is not None and 0.0 <= proposal.score <= 1.0 and proposal.quality == fields["quality"]
    assert f'value="{proposal.score}"' in page and proposal.score != float(re.findall(r"ranking: ([0-9.]+)", page)[0])


def test_a_member_is_not_proposed_to_itself_nor_to_a_member_that_does_not_exist(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    with_two_needs_met(client)
    sign_in(client)
    book = Partnerships(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    to_itself = client.get("/members/thies/propose/thies")
    assert "A member cannot be its own partner." in to_itself.text and to_itself.url.path == "/members/thies"
    nowhere = client.get("/members/thies/propose/city-nowhere")
    assert "No member has the id “city-nowhere”." in html.unescape(nowhere.text) and "no longer" not in nowhere.text
    assert book.list()[0] == 0


def test_a_viewer_cannot_open_the_confirmation(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    with_two_needs_met(client)
    sign_in(client, "victor")
    assert "/propose/" not in client.get("/members/thies").text
    assert client.get("/members/thies/propose/porto").status_code == 403


def test_a_closed_partnership_stays_listed_with_its_state_history_and_outcome(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    sign_in(client)
    assert "No partner recorded." in client.get("/members/dakar").text
    pid = client.post("/v1/proposals", headers=auth(WRITE), json={"kind": "pairing", "member_id": "dakar", "partner_id": "lyon"}).json()[
        "id"
    ]
    client.post(f"/v1/proposals/{pid}/approve", headers=auth(WRITE), json={})
    for side in ("dakar", "lyon"):
        client.post(f"/v1/proposals/{pid}/respond", headers=auth(ANSWER), json={"side": side, "accepted": True})
    scheduled = client.post(f"/v1/proposals/{pid}/check-in-due", headers=auth(WRITE), json={"due": "2027-01-15"})
    assert scheduled.status_code == 200
    client.post(f"/v1/proposals/{pid}/close", headers=auth(WRITE), json={"outcome": "Twelve teachers trained", "rating": 4})
    steps = client.get(f"/proposals/{pid}").text.split('class="timeline"', 1)[1]
    assert "<strong>check-in scheduled</strong>" in steps and "due Jan 15, 2027" in steps  # not the stored step name "schedule"
    for language, words in {
        "en": ("closed", "Partnership", "Outcome:", "rating 4 of 5"),
        "fr": ("clôturée", "Partenariat", "Résultat :", "note 4 sur 5"),
    }.items():
        client.cookies.set("peermatch_lang", language)
        partners = client.get("/members/dakar").text.split('id="partners-h"', 1)[1].split("</ul>", 1)[0]
        assert 'href="/members/lyon"' in partners and f'href="/proposals/{pid}"' in partners
        assert "No partner recorded." not in partners and "Aucun partenaire" not in partners
        for word in words:
            assert word in partners, (language, word)
        history = re.sub(r"<[^>]+>|\s+", " ", partners.split('class="history"', 1)[1])
        # each step that changed the state, in order: approved, active, closed
        assert re.search(r"(approved|approuvée) .+ → active .+ → (closed|clôturée)", history), history
        assert "Twelve teachers trained" in partners


def test_no_template_marks_a_members_text_with_its_first_declared_language() -> None:
    """A need or a quote is marked with the language it is written in (the text_lang filter), not
    the member's first language: a city declaring Amharic may write in English."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[1] / "service" / "console" / "templates"
    marked = [
        (path.name, line.strip()[:120])
        for path in templates.glob("*.html")
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r'lang="\{\{[^}]*languages\[0\]', line) and "member.name" not in line
    ]
    assert marked == []


def test_a_member_with_no_needs_is_told_what_its_peers_are(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    with_two_needs_met(client)
    quiet = member("quiet", name="Quiet", country="FR", profile="A ministry in charge of primary schools.")
    assert client.put("/v1/members/quiet", headers=auth(WRITE), json=quiet).status_code == 200
    in_french(client)
    page = html.unescape(client.get("/members/quiet").text)
    assert "Ce membre n’exprime aucun besoin" in page
    assert "Ce membre n’exprime aucun besoin" not in html.unescape(client.get("/members/thies").text)


def peer_row(page: str, peer_id: str) -> str:
    """The evidence cell of one recommended peer on a member's page, tags removed."""
    row = page.split(f'<a href="/members/{peer_id}">', 1)[1].split("</tr>", 1)[0]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", row)))


def test_a_need_the_peer_does_not_answer_is_not_quoted_as_answered(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Lyon offers digital literacy for older adults and nothing about floods: on Thiès's page its
    row says which need it answers, with that need's own label, and names the flood drills as a
    need it does not answer; the confirmation counts one need, and the proposal's reason quotes
    only that one (the closest flood evidence is no reason to propose Lyon)."""
    client, _ = app_and_accounts
    with_two_needs_met(client)
    in_french(client)
    page = client.get("/members/thies").text
    lyon = peer_row(page, "lyon")
    answered_part, _, not_answered_part = lyon.partition("Ne répond pas à ce besoin (correspondance faible) :")
    assert not_answered_part, lyon
    assert "digital skills for older adults" in answered_part and "flood drills for schools" not in answered_part
    assert "flood drills for schools" in not_answered_part
    assert re.search(r"digital skills for older adults \(\d,\d+ (forte correspondance|correspondance partielle)\) ←", answered_part), lyon
    # Porto answers both needs: nothing is said to be unanswered.
    assert "Ne répond pas" not in peer_row(page, "porto")
    confirm = html.unescape(client.get("/members/thies/propose/lyon").text)
    assert "1 besoin auquel répond Lyon" in confirm, confirm
    answered_list = re.findall(r'<ol class="needs-met">(.*?)</ol>', confirm, re.S)[0]
    assert "digital skills for older adults" in answered_list and "flood drills" not in answered_list
    not_answered_list = re.findall(r'<ul class="needs-not-met">(.*?)</ul>', confirm, re.S)[0]
    assert "flood drills for schools" in not_answered_list and "correspondance faible" in not_answered_list
    assert [line.split(" ← ")[0] for line in hidden(confirm)["reason"].splitlines()] == ["digital skills for older adults"]


def test_the_peer_list_says_it_follows_the_ranking_score_not_the_label(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Ziguinchor's peers read 0,53 then 0,55 then 0,45 then 0,32 then 0,38: the page must say
    that the order is the ranking score's (shown under each label), in the reader's language."""
    client, _ = app_and_accounts
    with_two_needs_met(client)
    in_french(client)
    page = html.unescape(client.get("/members/thies").text)
    hint = page.split('id="ranking-hint">', 1)[1].split("</p>", 1)[0]
    assert hint.startswith("La liste suit le score de classement"), hint
    assert page.index('id="ranking-hint"') < page.index("<table")  # read before the list
    assert "classement : " in page.split("<table", 1)[1]  # the number it names is on the page


def test_no_needs_nor_profile_is_matched_on_strengths_else_told_it_is_the_name(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Rouen states a strength and nothing else: its strengths stand in for its needs (its name,
    which the ranking used to read, found other cities). A member with nothing but a name is told
    that its peers come from its name. Neither page says 'its profile stands in'."""
    client, _ = app_and_accounts
    with_stand_ins(client)
    page = html.unescape(client.get("/members/rouen").text)
    assert "ses points forts en tiennent lieu" in page and "n’a pas de profil" in page
    assert "son profil en tient lieu" not in page and "Son profil" not in page
    peers = page.split('id="peers-h"', 1)[1].split("</section>", 1)[0]
    assert "<table" in peers and "Ses points forts" in peers  # each row names what was matched
    name_only = html.unescape(client.get("/members/caen").text)
    assert "à partir de son seul nom" in name_only and "Son nom" in name_only.split('id="peers-h"', 1)[1]
    quiet = html.unescape(client.get("/members/porto").text)  # a profile and no needs: the profile stands in
    assert "son profil en tient lieu" in quiet and "n’a pas de profil" not in quiet


def test_a_member_with_no_needs_is_not_told_nobody_states_them(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Blackrock states no needs; each of its (weak) peers said 'no evidence: nobody in the network
    states this', where 'this' is nothing. A member with needs keeps that sentence."""
    client, _ = app_and_accounts
    with_two_needs_met(client)
    in_french(client)
    quiet = member_section(client, "porto", "peers-h")
    assert "<table" in quiet and "personne dans le réseau n’indique cela" not in quiet
    assert "la correspondance la plus proche, pas une réponse à un besoin : il n’en indique aucun" in quiet


def test_whom_it_can_help_heads_its_evidence_as_evidence_not_as_what_it_answers(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """The 'whom it can help' table quotes the member's own strength under a column French and
    Spanish called 'En réponse à' (what the resources table means by it: the need answered):
    'En réponse à : A set of indicators tracks…' reads backwards."""
    client, _ = app_and_accounts
    with_two_needs_met(client)
    in_french(client)
    page = html.unescape(client.get("/members/porto").text)
    helps = page.split('id="helps-h"', 1)[1].split("</section>", 1)[0]
    heads = re.findall(r'<th scope="col">([^<]*)</th>', helps)
    assert heads == ["Membre", "Son besoin", "Correspondance", "Sa preuve"], heads
    assert "Thiès" in helps  # Porto meets Thiès's needs: the table is there


def test_proposing_for_a_member_with_no_needs_does_not_call_its_profile_a_need(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Blackrock states no needs: its confirmation read '0 besoin auquel répond Tipperary' and then
    '1 besoin auquel il ne répond pas', that 'need' being Blackrock's own profile."""
    client, _ = app_and_accounts
    with_two_needs_met(client)
    in_french(client)
    first = re.findall(r'href="(/members/porto/propose/[^"?]+)"', client.get("/members/porto").text)[0]
    page = html.unescape(client.get(first).text)
    section = page.split('<section aria-labelledby="answers-h">', 1)[1].split("</section>", 1)[0]
    assert "Sur quoi repose la proposition" in section and "Porto n’indique aucun besoin" in section, section
    assert "besoin auquel" not in section and "Son profil" in section
    assert "<strong>Une ville apprenante.</strong>" not in section  # its profile is named, not set out as a need


def proposal_answers(client: TestClient, member_id: str) -> str:
    """The 'what the match rests on' section of the proposal confirmation for the member's first peer."""
    first = re.findall(rf'href="(/members/{member_id}/propose/[^"?]+)"', client.get(f"/members/{member_id}").text)[0]
    page = html.unescape(client.get(first).text)
    return page.split('<section aria-labelledby="answers-h">', 1)[1].split("</section>", 1)[0]


def test_proposing_for_a_member_matched_on_its_strengths_names_its_strengths(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Rouen states no needs and has no profile: its strengths stand in (``peers.stand_in``), as its
    member page says. The confirmation said the match compared 'its profile (or, without one, its
    name)' and headed each row 'Son nom', though Rouen's name was never compared."""
    client, _ = app_and_accounts
    with_stand_ins(client)
    strengths = proposal_answers(client, "rouen")
    assert "Ses points forts" in strengths and "ses points forts" in strengths, strengths
    assert "Son nom" not in strengths and "son nom" not in strengths
    name_only = proposal_answers(client, "caen")  # nothing but a name: the name is what was compared
    assert "Son nom" in name_only and "Ses points forts" not in name_only


def test_the_member_page_says_why_it_can_help_nobody_and_that_weak_resources_are_the_closest(
    app_and_accounts: tuple[TestClient, Accounts],  # noqa: F811
) -> None:
    """As the API does (answer_explanation, the 'no evidence' flag): Dakar states no strength, so
    it can help nobody, where the page said no need is met by its strengths; a baker's weak
    resources were listed without saying that nothing answers its need."""
    client, _ = app_and_accounts
    baker = member("baker", needs=[{"text": "tarte tatin"}])
    assert client.put("/v1/members/baker", headers=auth(WRITE), json=baker).status_code == 200
    guide = resource("older", "Digital literacy for older adults", "Digital literacy classes for older adults.")
    assert client.put("/v1/resources/older", headers=auth(WRITE), json=guide).status_code == 200  # answers Dakar's need
    in_french(client)

    def section(member_id: str, heading: str) -> str:
        page = html.unescape(client.get(f"/members/{member_id}").text)
        return " ".join(page.split(f'id="{heading}"', 1)[1].split("</section>", 1)[0].split())

    assert "Ce membre n'indique aucun point fort et n'est l'auteur d'aucune ressource" in section("dakar", "helps-h")
    assert "Aucun membre partageant une langue de travail" in section("lima", "helps-h")  # alone in Spanish
    closest = section("baker", "resources-h")
    assert "<table" in closest and "Aucune ressource ne répond" in closest, closest
    assert "Aucune ressource ne répond" not in section("dakar", "resources-h")


def test_proposing_for_a_member_with_no_needs_names_what_stands_in_in_its_sentence(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """The sentence above the match names the one thing compared: its profile, else its strengths,
    else its name; it said 'its profile (or, without one, its name)' whichever it was."""
    client, _ = app_and_accounts
    with_stand_ins(client)
    strengths = proposal_answers(client, "rouen")
    assert "compare ses points forts avec ce que fait" in strengths, strengths
    assert "Ses points forts" in strengths and "Son nom" not in strengths and "son profil" not in strengths
    named = proposal_answers(client, "caen")
    assert "compare son nom avec ce que fait" in named and "Son nom" in named, named
    profiled = proposal_answers(client, "porto")
    assert "compare son profil avec ce que fait" in profiled and "Son profil" in profiled, profiled


def test_a_member_with_no_needs_is_not_told_its_peers_answer_its_needs(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Rouen and Blackrock state no needs, yet their peer list opened 'Who can help with this
    member's needs' and closed 'weighs each need by its priority … for one need', round a sentence
    saying that nothing answers a need. A member with needs keeps both sentences."""
    client, _ = app_and_accounts
    with_two_needs_met(client)
    bare = member("rouen", name="Rouen", strengths=[{"text": "digital skills for older adults"}])
    bare.pop("profile")
    assert client.put("/v1/members/rouen", headers=auth(WRITE), json=bare).status_code == 200
    in_french(client)
    for member_id in ("rouen", "porto"):  # strengths only; a profile and no needs
        peers = html.unescape(client.get(f"/members/{member_id}").text).split('id="peers-h"', 1)[1].split("<table", 1)[0]
        assert "Les scores sont sur une seule échelle" in peers, peers
        assert "Qui peut aider ce membre dans ses besoins" not in peers, peers
        hint = peers.split('id="ranking-hint">', 1)[1].split("</p>", 1)[0]
        assert hint.startswith("La liste suit le score de classement"), hint
        assert "besoin" not in hint, hint
    needs = html.unescape(client.get("/members/thies").text).split('id="peers-h"', 1)[1].split("<table", 1)[0]
    assert "Qui peut aider ce membre dans ses besoins" in needs and "pondère chaque besoin par sa priorité" in needs


def test_recommended_resources_say_what_orders_them_and_show_it(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Cove's resources read 0,50, 0,49, 0,49, 0,33, 0,49 under a 'Score' column: the list follows
    the label, then a ranking score the page did not show. The column is the match, as in the
    peers' table; the ranking score sits under each label, and a hint says what orders the list."""
    client, _ = app_and_accounts
    with_two_needs_met(client)
    in_french(client)
    page = html.unescape(client.get("/members/thies").text)
    section = page.split('id="resources-h"', 1)[1].split("</section>", 1)[0]
    assert "<table" in section, section
    heads = re.findall(r'<th scope="col">([^<]*)</th>', section)
    assert heads == ["Ressource", "Langue", "Correspondance", "En réponse à"], heads
    hint = section.split('id="resources-hint">', 1)[1].split("</p>", 1)[0]
    assert "score de classement" in hint and section.index('id="resources-hint"') < section.index("<table"), hint
    assert "classement : " in section.split("<table", 1)[1]


def test_a_resource_found_for_the_profile_is_said_to_answer_the_profile(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Blackrock's resources read 'En réponse à : Blackrock is a learning city…', its profile quoted
    as if it were a need; and Rouen (no needs, no profile) was told 'no resource answers this
    member's needs yet', needs it does not have."""
    client, _ = app_and_accounts
    with_two_needs_met(client)
    profiled = member("quiet", name="Quiet", profile="Schools hold flood drills for schools every term.")
    assert client.put("/v1/members/quiet", headers=auth(WRITE), json=profiled).status_code == 200
    bare = member("rouen", name="Rouen", strengths=[{"text": "digital skills for older adults"}])
    bare.pop("profile")
    assert client.put("/v1/members/rouen", headers=auth(WRITE), json=bare).status_code == 200
    in_french(client)
    section = member_section(client, "quiet", "resources-h")
    cells = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r'<td class="evidence"[^>]*>(.*?)</td>', section, re.S)
    ]
    assert cells and all(c.startswith("Son profil : Schools hold flood drills") for c in cells), cells
    thies = member_section(client, "thies", "resources-h")
    assert "Son profil" not in thies  # a need answered is quoted as itself
    rouen = member_section(client, "rouen", "resources-h")
    assert "aux besoins de ce membre" not in rouen and "n’indique aucun besoin et n’a pas de profil" in rouen, rouen


def test_weak_resources_of_a_member_with_no_needs_are_not_said_to_miss_its_needs(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Blackrock states no needs: its resources (all weak, found for its profile) read 'Aucune
    ressource ne répond, même partiellement, aux besoins de ce membre', needs it does not have."""
    client, _ = app_and_accounts
    with_stand_ins(client)
    section = member_section(client, "porto", "resources-h")
    notice = section.split('id="resources-closest">', 1)[1].split("</p>", 1)[0]
    assert "besoin" not in notice and "son profil" in notice, notice
    needs = member_section(client, "thies", "resources-h")
    if 'id="resources-closest"' in needs:  # a member with needs keeps the sentence about its needs
        assert "aux besoins de ce membre" in needs.split('id="resources-closest">', 1)[1].split("</p>", 1)[0]
