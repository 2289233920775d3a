"""Requests and offers in Debian's Chromium, on the Coalition demo: the whole life of a request,
in French (Senegal's request: three partners, school meals uncovered, a partner declines and the
package is re-solved around the confirmed parts) and in English (the DRC's radio request); the
list's filters, a preview with a partner left out, the offers page; axe-core's WCAG checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import Server, accessibility_violations, shoot, signed_in, why_no_browser

if why_no_browser():
    pytest.skip(why_no_browser() or "", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect  # noqa: E402

# What each language reads, so that the page is really translated, not only tagged.
WORDS = {
    "fr": {
        "title": "Demandes de soutien",
        "uncovered": "Non couvert",
        "connectivity": "connectivité",
        "expertise": "expertise",
        "financial": "financier",
        "content": "contenus",
        "in_kind": "en nature",
        "delivery": "en cours de mise en œuvre",
        "closed": "clôturé",
        "offers": "Offres des membres",
    },
    "en": {
        "title": "Requests for support",
        "uncovered": "Not covered",
        "connectivity": "connectivity",
        "expertise": "expertise",
        "financial": "financial",
        "content": "content",
        "in_kind": "in kind",
        "delivery": "in delivery",
        "closed": "closed",
        "offers": "Offers of the members",
    },
}
REQUEST_OF = {"fr": "req-sn-ecoles-rurales", "en": "req-cd-radio"}


def answer(page: Page, kind: str, choice: str) -> None:
    """Record the answer of the part whose legend names ``kind`` (a translated type of support)."""
    form = page.locator("form.respond", has=page.locator("legend", has_text=kind)).first
    form.locator(f"input[value={choice}]").check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def check_accessible(page: Page, where: str) -> None:
    violations = accessibility_violations(page)
    assert not violations, f"{where}: {violations}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_life_of_a_request_in_the_console(browser: Browser, server: Server, screenshots: Path, language: str) -> None:
    words = WORDS[language]
    request_id = REQUEST_OF[language]
    page = signed_in(browser, server, language)
    page.goto("/requests?status=triaged")
    expect(page.locator("h1")).to_have_text(words["title"])
    expect(page.locator(f"a[href='/requests/{request_id}']")).to_be_visible()
    page.fill("#f-country", "PE")
    page.click("form.filters button[type=submit]")
    expect(page.locator("a[href='/requests/req-pe-andes']")).to_be_visible()
    expect(page.locator(f"a[href='/requests/{request_id}']")).to_have_count(0)
    check_accessible(page, "requests list")
    shoot(page, screenshots, f"requests-{language}")

    page.goto(f"/requests/{request_id}")
    page.click("#solve-form button.primary")  # propose a package
    page.wait_for_load_state()
    articles = page.locator("article.component")
    if language == "fr":
        # three partners, one offer of each type that someone offers; the meals named as uncovered
        partners = {row.inner_text() for row in page.locator("article.component tbody tr td:first-child").all()}
        assert len(partners) >= 3, partners
        for index in (0, 1, 2):
            expect(articles.nth(index).locator("tbody tr")).to_have_count(1)
            expect(articles.nth(index).locator("tbody .quality")).to_have_count(1)  # the evidence's label beside its score
        expect(articles.nth(3).locator(".uncovered")).to_contain_text(words["uncovered"])
        expect(articles.nth(3).locator("tbody tr")).to_have_count(0)
    check_accessible(page, "request page")
    shoot(page, screenshots, f"request-proposed-{language}")

    # a partner left out: the preview shows how the coverage changes, nothing is stored
    first_partner = page.locator("#solve-out option").first.get_attribute("value")
    page.select_option("#solve-out", [first_partner or ""])
    page.click("#solve-form button[name=preview]")
    expect(page.locator("section.preview")).to_be_visible()
    shoot(page, screenshots, f"request-preview-{language}")
    page.goto(f"/requests/{request_id}")

    page.click("form[action$='/approve'] button[type=submit]")
    page.wait_for_load_state()
    if language == "fr":
        answer(page, words["expertise"], "confirmed")
        answer(page, words["financial"], "confirmed")
        declined_partner = articles.nth(0).locator("tbody tr td:first-child").inner_text()
        answer(page, words["connectivity"], "declined")  # re-solved at once: another connectivity offer
        replacement = articles.nth(0).locator("tbody tr td:first-child").inner_text()
        assert replacement and replacement != declined_partner
        expect(articles.nth(1).locator(".status-confirmed")).to_have_count(1)  # the confirmed parts stay
        expect(articles.nth(2).locator(".status-confirmed")).to_have_count(1)
        shoot(page, screenshots, f"request-re-solved-{language}")
        answer(page, words["connectivity"], "confirmed")
    else:
        answer(page, words["in_kind"], "confirmed")
        answer(page, words["content"], "declined")  # the only radio offer: nothing replaces it, the reason says so
        expect(articles.nth(0).locator(".uncovered")).to_be_visible()
        shoot(page, screenshots, f"request-re-solved-{language}")
    page.click("form[action$='/deliver'] button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("h1 .status")).to_have_text(words["delivery"])
    page.fill("#check-in-note", "first deliveries made")
    page.click("form[action$='/check-in'] button[type=submit]")
    page.wait_for_load_state()
    for field in page.locator("input[name^=outcome_]").all():
        field.fill("done")
    page.select_option("#close-rating", "4")
    page.click("form[action$='/close'] button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("h1 .status")).to_contain_text(words["closed"])
    expect(page.locator(".timeline")).to_contain_text("first deliveries made")
    check_accessible(page, "closed request")
    shoot(page, screenshots, f"request-closed-{language}")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_offers_page(browser: Browser, server: Server, screenshots: Path, language: str) -> None:
    page = signed_in(browser, server, language)
    page.goto("/offers")
    expect(page.locator("h1")).to_have_text(WORDS[language]["offers"])
    page.select_option("#f-type", "financial")
    page.select_option("#f-region", "Africa")
    page.click("form.filters button[type=submit]")
    rows = page.locator("table").first.locator("tbody tr")
    assert rows.count() == 2, rows.all_inner_texts()
    expect(page.locator("#supply tbody tr")).to_have_count(5)  # one row a region: offered beside still needed
    check_accessible(page, "offers")
    shoot(page, screenshots, f"offers-{language}")
