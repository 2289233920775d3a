"""Issue 24 in Debian's Chromium, in English and in French: a cluster page (coordinators' terms, work
plan, status updates, participation flagging inactive members) with a status update added through
its form; the calendar; the resource page finding a programme by its name; a group of people with
an external expert and a gender rule, saved and answered. Screenshots, and axe-core on each page."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import Server, accessibility_violations, shoot, signed_in, why_no_browser

if why_no_browser():
    pytest.skip(why_no_browser() or "", allow_module_level=True)

from playwright.sync_api import Browser, expect  # noqa: E402

LANGUAGES = ["en", "fr"]
ESD = {"en": "Education for sustainable development", "fr": "Éducation au développement durable"}
COMMUNITY = {"en": "Community of learning: Climate change education in school curricula: 1 host, ", "fr": "1 animateur, "}
WORDS = {
    "en": {
        "in office": "in office",
        "no activity": "no activity",
        "title": "name in the text",
        "external": "external expert",
        "respected": "Respected.",
        "accepted": "accepted",
    },
    "fr": {
        "in office": "en fonction",
        "no activity": "aucune activité",
        "title": "nom dans le texte",
        "external": "expert externe",
        "respected": "Respectée.",
        "accepted": "accepté",
    },
}


def _clean(page: object) -> None:
    violations = accessibility_violations(page)  # type: ignore[arg-type]
    assert violations == [], violations


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_cluster_page_with_terms_plan_updates_and_inactive_members(
    browser: Browser, server: Server, screenshots: Path, language: str
) -> None:
    page = signed_in(browser, server, language)
    page.goto("/clusters")
    expect(page.locator("main table")).to_contain_text(ESD[language])
    expect(page.locator("main table")).not_to_contain_text(">esd<")
    _clean(page)
    page.click(f"text={ESD[language]}")
    expect(page.locator("h1")).to_have_text(ESD[language])
    expect(page.locator("#coord-h ~ table tbody tr").first).to_contain_text(WORDS[language]["in office"])
    expect(page.locator("#plan-h ~ table tbody tr")).to_have_count(3)
    expect(page.locator("#part-h ~ div table tbody tr.inactive").first).to_contain_text(WORDS[language]["no activity"])
    expect(page.locator("#learning-h ~ ul").nth(1)).to_contain_text(COMMUNITY[language])
    text = f"Browser test update ({language})"
    page.fill("#u-text", text)
    page.fill("#u-on", "2026-11-30")
    page.click("form[action$='/updates'] button[type=submit]")
    expect(page.locator("#updates-h ~ ol li").first).to_contain_text(text)
    _clean(page)
    shoot(page, screenshots, f"cluster-{language}")
    page.emulate_media(media="print")  # printed, the page is the report: no menus, no forms
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("form[action$='/updates']")).to_be_hidden()
    expect(page.locator("#part-h")).to_be_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_calendar_and_resources(browser: Browser, server: Server, screenshots: Path, language: str) -> None:
    page = signed_in(browser, server, language)
    page.goto("/calendar?cluster=esd&past=true")
    rows = page.locator("main table tbody tr")
    expect(rows.first).to_contain_text(ESD[language])
    assert rows.count() >= 8
    expect(page.locator("a[href='/calendar.ics?cluster=esd']")).to_be_visible()
    _clean(page)
    shoot(page, screenshots, f"calendar-{language}")
    page.goto("/resources")
    page.fill("#f-q", "Digital Transformation Collaborative")
    page.click("form[role=search] button[type=submit]")
    first = page.locator("ol.results li").first
    expect(first).to_contain_text(WORDS[language]["title"])
    expect(first).to_contain_text("2023")
    _clean(page)
    shoot(page, screenshots, f"resources-{language}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_group_of_people_with_an_external_expert_and_a_gender_rule(
    browser: Browser, server: Server, screenshots: Path, language: str
) -> None:
    page = signed_in(browser, server, language)
    page.goto("/groups")
    page.fill("#g-theme", "Education for sustainable development")
    page.fill("#g-aspects", "climate change in the school curriculum\nteacher training\ncommunity action")
    page.select_option("#g-balance", "gender")
    page.click("form[action='/groups'][method=get] button[type=submit]")
    table = page.locator("#composed-h ~ table")
    expect(table).to_contain_text(WORDS[language]["external"])
    expect(page.locator("#composed-h ~ p[role=status]")).to_contain_text(WORDS[language]["respected"])
    _clean(page)
    page.fill("#s-name", f"ESD advisers {language}")
    page.fill("#s-mandate", "Review the cluster's 2027 work plan.")
    page.click("form[action='/groups'][method=post] button[type=submit]")
    expect(page.locator("h1")).to_have_text(f"ESD advisers {language}")
    page.locator("main form.inline button").first.click()
    expect(page.locator("main table").last.locator("tbody tr").first).to_contain_text(WORDS[language]["accepted"])
    _clean(page)
    shoot(page, screenshots, f"group-{language}")
