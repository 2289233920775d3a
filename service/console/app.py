"""Adds the console to the service's app: accounts, static files, pages, and HTML error pages."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.errors import PeermatchError, UnknownIdError
from matcher.explanations import N_
from matcher.store.permissions import PRIVATE_FILE, make_private
from service.console.accounts import Accounts, accounts_path
from service.console.form_problems import told
from service.console.i18n import Translator
from service.console.pages import (
    answer,
    calendar,
    capacity,
    clusters,
    experts,
    imports,
    members,
    pairing,
    people,
    progress,
    proposals,
    requests,
    signin,
)
from service.console.unknown import unknown_id
from service.console.web import STATIC, Forbidden, SignInRequired, any_page
from service.settings import ServiceSettings


def open_accounts(settings: ServiceSettings) -> Accounts:
    path = accounts_path(settings.data_dir)
    accounts = Accounts(
        path,
        max_failures=settings.max_sign_in_failures,
        lockout_minutes=settings.lockout_minutes,
        session_hours=settings.session_hours,
        idle_minutes=settings.idle_minutes,
        database_url=settings.database_url,
    )
    if settings.database_url is None:
        make_private(path, PRIVATE_FILE)  # password hashes and session digests: the owner only
    return accounts


def install(app: FastAPI, settings: ServiceSettings) -> Accounts:
    accounts = open_accounts(settings)
    app.state.accounts = accounts
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (signin, members, capacity, experts, pairing, proposals, requests, imports, clusters, calendar, people, answer, progress):
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, error: SignInRequired) -> Response:
        return RedirectResponse(f"/signin?next={quote(error.next_path, safe='/')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, error: Forbidden) -> Response:
        page = any_page(request)
        return page.render("error.html", status=403, heading=page.t.plain("Not allowed"), message=str(error), back=back_to(request, page.t))

    return accounts


def wants_html(request: Request) -> bool:
    """A browser on a console page (not /v1, which always answers JSON)."""
    return not request.url.path.startswith("/v1") and "text/html" in request.headers.get("accept", "")


def busy_page(request: Request, retry_after: int) -> HTMLResponse:
    """What a person sees when the service is computing as much as it may at once (503)."""
    page = any_page(request)
    message = page.t.plain("Too many pages are being computed at the moment; try again in %(seconds)s seconds.", seconds=retry_after)
    heading = page.t.plain("The service is busy")
    response = page.render("error.html", status=503, heading=heading, message=message, back=back_to(request, page.t))
    response.headers["Retry-After"] = str(retry_after)
    return response


# Each section's list page and its link's words: a proposal's error leads back to the proposals,
# not to the members (an offer belongs to the requests).
SECTIONS = {
    "proposals": ("/proposals", N_("Back to the proposals")),
    "requests": ("/requests", N_("Back to the requests")),
    "offers": ("/requests", N_("Back to the requests")),
    "clusters": ("/clusters", N_("Back to the clusters")),
    "resources": ("/resources", N_("Back to the resources")),
    "pairing": ("/pairing", N_("Back to pairing")),
    "groups": ("/groups", N_("Back to the groups")),
    "calendar": ("/calendar", N_("Back to the calendar")),
    "experts": ("/experts", N_("Back to expert groups")),
}
MEMBERS = ("/members", N_("Back to the members"))


def back_to(request: Request, t: Translator) -> tuple[str, str]:
    """The list page of the section an error happened in, and its link's words."""
    path, words = SECTIONS.get(request.url.path.strip("/").split("/")[0], MEMBERS)
    return path, t.plain(words)


def html_error(request: Request, error: Exception) -> HTMLResponse:
    """The console's page for an error the JSON handlers would answer on /v1."""
    page = any_page(request)
    t = page.t
    if isinstance(error, StarletteHTTPException) and error.status_code == 404 or isinstance(error, UnknownIdError):
        status, heading = 404, t.plain("Not found")
        message = unknown_id(t, error) if isinstance(error, UnknownIdError) else t.plain("There is no page at this address.")
    elif isinstance(error, RequestValidationError):
        fields = sorted({".".join(str(part) for part in item.get("loc", ())[1:]) for item in error.errors()})
        status, heading = 422, t.plain("This cannot be done")
        message = t.plain("This page cannot use the value given for: %(fields)s.", fields=", ".join(fields) or "?")
    elif isinstance(error, StarletteHTTPException) and error.status_code == 413:
        status, heading, message = 413, t.plain("The file is too large"), str(error.detail)
    elif isinstance(error, StarletteHTTPException):
        status, heading, message = error.status_code, t.plain("Something went wrong"), str(error.detail)
    elif isinstance(error, PeermatchError):
        status, heading, message = 400, t.plain("This cannot be done"), told(error, t)
    else:
        status, heading, message = 500, t.plain("Something went wrong"), t.plain("An internal error occurred; it has been logged.")
    return page.render("error.html", status=status, heading=heading, message=message, back=back_to(request, t))
