"""Expert groups of people: compose one for a theme (members' staff and external experts, with an
optional gender or region balance rule that the page reports), save it with a mandate (each person
is invited), and a page per saved group with each invitation's answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import ValidationError

from matcher.errors import PeermatchError
from matcher.people.book import PeopleBook
from matcher.people.model import BalanceRule, PeopleGroupOptions
from matcher.usecases import people
from service.console.form_problems import form_problems, whole_number
from service.console.web import ConsolePage, SignedIn

router = APIRouter(include_in_schema=False)
GroupId = Annotated[int, Path(ge=1, le=2**63 - 1)]


# The group options' fields as groups.html labels them.
GROUP_LABELS = {
    "k": "Group size",
    "aspects": "Aspects (one per line)",
    "by": "Balance rule",
    "max_share": "Largest share of the seats one gender or region may hold (%)",
}


def _options(k: int, aspects: str, balance: str, share: int, external: bool) -> PeopleGroupOptions:
    lines = [line.strip() for line in aspects.splitlines() if line.strip()][:20]
    rule = BalanceRule(by=balance, max_share=share / 100) if balance in ("gender", "region") else None  # type: ignore[arg-type]
    return PeopleGroupOptions(k=k, aspects=lines, balance=rule, external=external)


def _compose_form(page: ConsolePage, theme: str, aspects: str, k: int, balance: str, share: int, external: bool) -> Response:
    snapshot, store = page.state.snapshot, page.state.workspace.store
    group = None
    if theme.strip():
        group = people.compose_group(snapshot, store, theme.strip(), _options(k, aspects, balance, share, external))
    form = {"theme": theme, "aspects": aspects, "k": k, "balance": balance, "share": share, "external": external}
    return page.render(
        "groups.html", form=form, group=group, saved=PeopleBook(store).groups(), count=len(people.all_people(store)), names=snapshot.names
    )


@router.get("/groups")
def groups_page(
    page: SignedIn,
    theme: str = Query("", max_length=2000),
    aspects: str = Query("", max_length=20 * 520),
    k: int = Query(5, ge=1, le=30),
    balance: str = Query("", pattern="^(|gender|region)$"),
    share: int = Query(50, ge=1, le=100),
    external: bool = True,
) -> Response:
    return _compose_form(page, theme, aspects, k, balance, share, external)


@router.post("/groups")
async def save_group(page: SignedIn) -> Response:
    page.require_secretariat()
    form = await page.form()
    theme = str(form.get("theme") or "").strip()
    try:
        k = whole_number(form, "k", GROUP_LABELS["k"], 5, page.t)
        share = whole_number(form, "share", GROUP_LABELS["max_share"], 50, page.t)
        options = _options(k, str(form.get("aspects") or ""), str(form.get("balance") or ""), share, form.get("external") == "true")
        group = people.compose_group(page.state.snapshot, page.state.workspace.store, theme, options)
        name, mandate = str(form.get("name") or "").strip(), str(form.get("mandate") or "").strip()
        if not name or not mandate:
            raise PeermatchError(page.t.plain("Give the group a name and a mandate."))
        group_id = people.save_group(page.state.workspace.store, name, mandate, group, page.actor)
    except ValidationError as error:
        return page.redirect("/groups", form_problems(error, page.t, GROUP_LABELS), error=True)
    except (PeermatchError, ValueError) as error:
        return page.redirect("/groups", str(error), error=True)
    return page.redirect(f"/groups/{group_id}", page.t.plain("Saved: each person is invited."))


@router.get("/groups/{group_id}")
def group_page(page: SignedIn, group_id: GroupId) -> Response:
    saved = people.saved_group(page.state.workspace.store, group_id)
    return page.render("group.html", g=saved, names=page.state.snapshot.names)


@router.post("/groups/{group_id}/answer")
async def record_answer(page: SignedIn, group_id: GroupId) -> Response:
    page.require_secretariat()
    form = await page.form()
    status = str(form.get("status") or "")
    if status not in ("accepted", "declined"):
        return page.redirect(f"/groups/{group_id}", page.t.plain("Choose accepted or declined."), error=True)
    try:
        people.answer_invitation(
            page.state.workspace.store,
            group_id,
            str(form.get("person_id") or ""),
            status,  # type: ignore[arg-type]
            str(form.get("note") or ""),
        )
    except PeermatchError as error:
        return page.redirect(f"/groups/{group_id}", str(error), error=True)
    return page.redirect(f"/groups/{group_id}", page.t.plain("Saved."))
