"""The console's pairing page over HTTP (issue 22 item 12): a language both must speak, weak pairs
flagged, choosing the pairs to propose, and what changed after locking pairs and solving again."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from matcher.partnerships import Partnerships
from service.console.accounts import Accounts
from tests.test_console import app_and_accounts, csrf_of, finished_job_page, signed_in_at_pairing  # noqa: F401 (fixture)

# Dakar (French) with Lyon (French, strong: 0.96 with the fake encoder) and, forced, Lima (Spanish, weak: 0.02).
TWO_PAIRS = {"mentees": "dakar", "mentors": "lyon lima", "max_partners": "2", "forced": "dakar, lima"}


def run(client: TestClient, token: str, **fields: str) -> tuple[str, str]:
    answer = client.post("/pairing", data={"csrf_token": token, **fields}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"], finished_job_page(client, answer.headers["location"])


def test_a_required_language_is_offered_enforced_and_named_when_it_binds(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, token = signed_in_at_pairing(app_and_accounts)
    form = client.get("/pairing").text
    assert 'name="required_language"' in form and '<option value="es">Spanish</option>' in form
    # Spanish required: Dakar speaks French only, so nobody can be paired, and the page says why, naming Spanish.
    url, page = run(client, token, mentees="dakar", mentors="lyon lima", required_language="es")
    assert "Why some requests cannot be met" in page
    assert "1 mentee does not speak Spanish, which every pair must speak: Dakar" in page
    assert '<option value="es" selected>' in page  # the run's settings keep the choice
    client.cookies.set("peermatch_lang", "fr")
    french = client.get(url).text
    assert "1 filleul ne parle pas la langue « Espagnol », exigée de chaque paire : Dakar" in french
    client.cookies.set("peermatch_lang", "en")
    # French required: Dakar and Lyon both speak it; Lima does not, so it is never chosen.
    _, page = run(client, token, mentees="dakar", mentors="lyon lima", required_language="fr", max_partners="2")
    assert 'href="/members/lyon"' in page
    assert 'href="/members/lima"' not in page.split("<caption>")[1].split("</table>")[0]
    bad = client.post("/pairing", data={"csrf_token": token, "mentees": "dakar", "required_language": "xx"})
    assert bad.status_code == 422 and "required_language" in bad.text


def test_weak_pairs_are_flagged_on_the_page_and_in_the_csv_and_left_unticked(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, token = signed_in_at_pairing(app_and_accounts)
    url, page = run(client, token, **TWO_PAIRS)
    assert "1 pair is a weak match (match below 0.30)" in page
    assert page.count("weak: check before proposing") == 1 and "strong match" in page
    assert 'value="dakar|lyon" id="propose-1" checked' in page or 'value="dakar|lyon" id="propose-2" checked' in page
    weak_box = page.split('value="dakar|lima"', 2)[2].split(">")[0]  # the second dakar|lima input is the propose box
    assert "checked" not in weak_box
    rows = list(csv.reader(io.StringIO(client.get(url + "/export.csv").content.decode("utf-8-sig"))))
    assert rows[0][5:7] == ["match score", "match"]
    by_mentor = {row[2]: row for row in rows[1:]}
    assert by_mentor["lima"][6] == "weak match: check before proposing" and by_mentor["lyon"][6] == "strong match"
    assert float(by_mentor["lima"][5]) < 0.3 <= 0.7 <= float(by_mentor["lyon"][5])  # the number each label comes from
    client.cookies.set("peermatch_lang", "es")
    rows = list(csv.reader(io.StringIO(client.get(url + "/export.csv").content.decode("utf-8-sig")), delimiter=";"))
    assert "débil" in {row[2]: row for row in rows[1:]}["lima"][6]


def test_only_the_ticked_pairs_are_proposed(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, token = signed_in_at_pairing(app_and_accounts)
    url, _ = run(client, token, **TWO_PAIRS)
    book = Partnerships(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    nothing = client.post(url + "/propose", data={"csrf_token": token}, follow_redirects=False)
    assert nothing.status_code == 303 and book.list()[0] == 0  # nothing ticked: nothing proposed, and said
    assert "Tick the pairs to propose." in client.get(nothing.headers["location"]).text
    assert client.post(url + "/propose", data={"csrf_token": "forged", "propose": "dakar|lyon"}).status_code == 403
    client.post(url + "/propose", data={"csrf_token": token, "propose": ["dakar|lyon", "dakar|nobody"]})
    total, proposals = book.list()
    assert total == 1 and (proposals[0].member_id, proposals[0].partner_id) == ("dakar", "lyon")


def test_solving_again_lists_the_kept_new_and_dropped_pairs_with_the_locked_ones_marked(
    app_and_accounts: tuple[TestClient, Accounts],  # noqa: F811
) -> None:
    client, token = signed_in_at_pairing(app_and_accounts)
    first, page = run(client, token, mentees="dakar", mentors="lyon lima", max_partners="2")
    assert 'id="changes"' not in page  # a first run has nothing to compare with
    assert 'href="/members/lima"' not in page.split("<caption>")[1]  # weak and without a shared language: left out
    # Lock Dakar-Lyon (kept) and Dakar-Lima (new): the second run's page lists both, marked locked.
    answer = client.post(first + "/resolve", data={"csrf_token": token, "lock": ["dakar|lyon", "dakar|lima"]}, follow_redirects=False)
    second = answer.headers["location"]
    assert second.endswith("?previous=" + first.rsplit("/", 1)[1])
    page = finished_job_page(client, second)
    changes = page.split('id="changes"')[1].split("</section>")[0]
    assert "1 pair kept, 1 new, 0 dropped." in changes
    kept = changes.split('class="changes-kept"')[1].split("</ul>")[0]
    new = changes.split('class="changes-new"')[1].split("</ul>")[0]
    assert "Lyon" in kept and "Lima" not in kept and "Lima" in new and "locked" in kept and "locked" in new
    assert 'class="changes-dropped"' not in changes
    client.cookies.set("peermatch_lang", "fr")
    assert "Ce qui a changé depuis l’exécution" in client.get(second).text
    client.cookies.set("peermatch_lang", "en")
    # From the second run's settings, without the lock: a new run that drops nothing but shows the comparison.
    settings = {
        "csrf_token": token,
        "previous": second.split("/")[-1].split("?")[0],
        "mentees": "dakar",
        "mentors": "lima",
        "require_common_language": "true",
    }
    third = client.post("/pairing", data=settings, follow_redirects=False).headers["location"]
    changes = finished_job_page(client, third).split('id="changes"')[1].split("</section>")[0]
    dropped = changes.split('class="changes-dropped"')[1].split("</ul>")[0]
    assert "Lyon" in dropped


def test_the_run_summary_names_the_tie_policy_in_words_and_counts_in_the_right_number(
    app_and_accounts: tuple[TestClient, Accounts],  # noqa: F811
) -> None:
    client, token = signed_in_at_pairing(app_and_accounts)
    url, page = run(client, token, mentees="dakar", mentors="lyon", tie_policy="keep")
    assert "Existing ties, policy “keep (always pair them)”: 0 of 0 in the cohort kept." in page  # not the code alone
    assert "Solved: 1 pair." in page
    client.cookies.set("peermatch_lang", "fr")
    assert "Résolu : 1 paire." in client.get(url).text


def test_shared_languages_are_named_in_the_readers_language(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """A pair's and a recommended peer's shared languages read 'langues communes : FR' (a code)
    where the confirmation page says 'Français'."""
    client, token = signed_in_at_pairing(app_and_accounts)
    url, _ = run(client, token, mentees="dakar", mentors="lyon")
    client.cookies.set("peermatch_lang", "fr")
    pairs = client.get(url).text
    member = client.get("/members/dakar").text
    for page in (pairs, member):
        assert "langues communes : Français" in page and "langues communes : FR" not in page


def test_a_run_stored_before_pairs_had_a_match_score_shows_none_beside_its_label(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Runs are kept 30 days. One stored before a pair carried match_score loaded it as 0.0 beside
    the label its affinity gave: 'strong match 0.00'. The number it does not have is shown as such."""
    import json

    client, token = signed_in_at_pairing(app_and_accounts)
    url, _ = run(client, token, **TWO_PAIRS)
    store = client.app.state.service.workspace.store  # type: ignore[attr-defined]
    row = store.job(url.rstrip("/").rsplit("/", 1)[1])
    result = json.loads(str(row["result"]))
    for pair in result["pairs"]:
        del pair["match_score"]  # as a run stored before it existed
    store.save_job({**row, "result": json.dumps(result)})
    page = client.get(url).text
    lyon = page.split('href="/members/lyon"', 1)[1].split("</tr>", 1)[0]
    assert "strong match" in lyon and "0.00" not in lyon and "–" in lyon, lyon
    rows = list(csv.reader(io.StringIO(client.get(url + "/export.csv").content.decode("utf-8-sig"))))
    by_mentor = {r[2]: r for r in rows[1:]}
    assert by_mentor["lyon"][5] == "" and by_mentor["lyon"][6] == "strong match"


def test_a_proposed_pair_keeps_the_label_and_the_number_it_comes_from(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """A proposal from a peer keeps its match_score and label; one from a pairing kept the affinity
    (what the solver maximises, counting shared words) and no label, so the proposals list put two
    different numbers in one Score column and the proposal's page showed no label."""
    client, token = signed_in_at_pairing(app_and_accounts)
    url, _ = run(client, token, **TWO_PAIRS)
    job = client.app.state.service.jobs.get(url.rstrip("/").rsplit("/", 1)[1])  # type: ignore[attr-defined]
    lyon = next(pair for pair in job.result.pairs if pair.mentor == "lyon")
    assert lyon.match_score is not None and lyon.match_score != lyon.affinity
    client.post(url + "/propose", data={"csrf_token": token, "propose": ["dakar|lyon"]})
    _, proposals = Partnerships(client.app.state.service.workspace.store).list()  # type: ignore[attr-defined]
    assert (proposals[0].score, proposals[0].quality) == (lyon.match_score, lyon.match_quality)


def test_the_csv_names_the_common_languages_in_the_readers_language(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """The page reads 'langues communes : Français'; the CSV it exports read 'fr', a code."""
    client, token = signed_in_at_pairing(app_and_accounts)
    url, _ = run(client, token, **TWO_PAIRS)
    client.cookies.set("peermatch_lang", "fr")
    rows = list(csv.reader(io.StringIO(client.get(url + "/export.csv").content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][7] == "langues communes"
    assert {row[2]: row for row in rows[1:]}["lyon"][7] == "Français", rows
