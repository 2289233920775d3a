"""What every console page shares: templates, the signed-in person, CSRF, the language, rendering.

Pages are rendered on the server (Jinja2) and work without JavaScript: a slow connection gets
HTML and one small stylesheet. Every form that changes something is a POST carrying the
session's CSRF token (synchronizer token); the sign-in form, before any session, uses a
double-submit cookie. POSTs from another origin are refused whatever their token.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from matcher.graph.taxonomy import Topic, load_taxonomy
from matcher.scoring.calibration import match_quality
from service.console import needs
from service.console.accounts import Accounts, Session
from service.console.i18n import LANGUAGES, Translator, negotiate
from service.settings import ServiceSettings
from service.state import ServiceState

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "peermatch_session"
LANGUAGE_COOKIE = "peermatch_lang"
SIGN_IN_CSRF_COOKIE = "peermatch_signin_csrf"
NOTICE_COOKIE = "peermatch_notice"  # a one-line notice after a redirect ("3 pairs locked"), shown once
# No inline script or style, nothing from elsewhere: what a console page may load.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
# A CSV download holds member data: no copy kept by a browser or proxy, never sniffed as HTML.
DOWNLOAD_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)


def text_language(text: str, declared: Sequence[str]) -> str:
    """The ``lang`` of a member's text: the language it is written in (among those the member
    declares, when the guess is weak), not the member's first one: a need written in English by a
    city that declares Amharic first must not be read aloud as Amharic."""
    from matcher.text_language import detect

    return detect(text, declared) or (declared[0] if declared else "")


def capfirst(text: str) -> str:
    """A library phrase ("no resource in the network is about this; ...") standing as a sentence
    of its own: its first letter upper-cased, the rest as it is (Jinja's capitalize lowers it)."""
    return text[:1].upper() + text[1:]


environment.filters["text_lang"] = text_language
environment.filters["capfirst"] = capfirst
environment.filters["answered"] = needs.answered
environment.filters["not_answered"] = needs.not_answered
environment.filters["need_quality"] = needs.need_quality
environment.filters["match_quality"] = match_quality  # a score on the label's scale to its label: the thresholds live in one place


class SignInRequired(Exception):
    """Raised by a page that needs a signed-in person; answered with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class Forbidden(Exception):
    """A signed-in viewer asked for something only the secretariat may do, or a form's CSRF token is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


@cache
def cluster_topics(taxonomy_path: Path | None) -> dict[str, Topic]:
    """Cluster code -> its taxonomy topic (labels in each language), read once per taxonomy."""
    return {t.id.removeprefix("cluster-"): t for t in load_taxonomy(taxonomy_path).values() if t.id.startswith("cluster-")}


@dataclass
class ConsolePage:
    """One request's view of the console: who, in which language, with which CSRF token."""

    request: Request
    session: Session | None
    t: Translator

    @property
    def state(self) -> ServiceState:
        state: ServiceState = self.request.app.state.service
        return state

    @property
    def accounts(self) -> Accounts:
        accounts: Accounts = self.request.app.state.accounts
        return accounts

    @property
    def actor(self) -> str:
        """Who did it, as stored with every step of a proposal."""
        return f"user:{self.session.user.name}" if self.session else "anonymous"

    def cluster_name(self, code: str) -> str:
        """A cluster by its name in the reader's language (the taxonomy's "cluster-<code>" topic), not its code."""
        topic = cluster_topics(self.state.settings.taxonomy_path).get(code)
        return self.t.pick(topic.label, topic.label["en"]) if topic else code

    def require_secretariat(self) -> None:
        if self.session is None or not self.session.user.can_act:
            raise Forbidden(self.t.plain("Only secretariat staff can do this; your account can only view."))

    async def form(self) -> dict[str, Any]:
        """The POSTed form, after the CSRF and origin checks."""
        form = await self.request.form()
        check_origin(self.request)
        token = str(form.get("csrf_token", ""))
        if self.session is None or not hmac.compare_digest(token, self.session.csrf):
            raise Forbidden(self.t.plain("This form has expired or did not come from this console. Reload the page and try again."))
        return {key: form.getlist(key) if len(form.getlist(key)) > 1 else form.get(key) for key in form}

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        notice = unquote(self.request.cookies.get(NOTICE_COOKIE, "")) or None
        if notice and notice.startswith("!"):  # an error carried over a redirect
            context.setdefault("error", notice[1:])
        else:
            context.setdefault("notice", notice)
        context.setdefault("notice", None)
        context.setdefault("error", None)
        signin_token = context.setdefault("signin_csrf", sign_in_csrf(self.request) if self.session is None else "")
        html = environment.get_template(template).render(
            page=self,
            t=self.t,
            _=self.t.gettext,
            gettext=self.t.gettext,
            ngettext=self.t.ngettext,
            cluster_name=self.cluster_name,
            user=self.session.user if self.session else None,
            csrf=self.session.csrf if self.session else "",
            languages=LANGUAGES,
            path=self.request.url.path,
            query=self.request.url.query,
            **context,
        )
        response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
        if notice:
            response.delete_cookie(NOTICE_COOKIE, path="/")
        if self.session is None and SIGN_IN_CSRF_COOKIE not in self.request.cookies:
            # Signed out, the language switch on any page (an error page too) needs the double-submit cookie.
            settings = self.state.settings
            response.set_cookie(
                SIGN_IN_CSRF_COOKIE, signin_token, httponly=True, secure=settings.cookie_secure, samesite="strict", path="/"
            )
        return response

    def redirect(self, path: str, notice: str | None = None, error: bool = False) -> RedirectResponse:
        """A 303 after a POST, with an optional one-line notice (or error) shown once on the next page."""
        response = RedirectResponse(path, status_code=303, headers=SECURITY_HEADERS)
        if notice:
            value = ("!" if error else "") + notice[:500]
            secure = self.state.settings.cookie_secure
            response.set_cookie(NOTICE_COOKIE, quote(value), max_age=60, httponly=True, secure=secure, samesite="strict", path="/")
        return response


def check_origin(request: Request) -> None:
    """A POST must come from this console's own pages (the Origin, or else the Referer, names this host)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:
        return  # old clients send neither; the CSRF token still has to match
    if urlsplit(origin).netloc != request.headers.get("host", ""):
        raise Forbidden(Translator(language_of(request, None)).plain("This form did not come from this console's pages."))


def language_of(request: Request, session: Session | None) -> str:
    """The chosen language: the switch (a cookie), else the person's saved choice, else the browser's."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if session is not None and session.user.language in LANGUAGES:
        return session.user.language  # type: ignore[return-value]
    return negotiate(request.headers.get("accept-language"))


def current_session(request: Request) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    accounts: Accounts = request.app.state.accounts
    return accounts.session(token)


def any_page(request: Request) -> ConsolePage:
    session = current_session(request)
    return ConsolePage(request, session, Translator(language_of(request, session)))


def signed_in_page(request: Request) -> ConsolePage:
    page = any_page(request)
    if page.session is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target)
    return page


AnyPage = Annotated[ConsolePage, Depends(any_page)]
SignedIn = Annotated[ConsolePage, Depends(signed_in_page)]


def set_session_cookie(response: Response, token: str, settings: ServiceSettings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )


def sign_in_csrf(request: Request) -> str:
    """The double-submit token of the sign-in form: the cookie's, or a new one."""
    return request.cookies.get(SIGN_IN_CSRF_COOKIE) or secrets.token_urlsafe(24)


def safe_next(path: str | None) -> str:
    """Where to go after signing in: a path on this console only (never another site)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or path.startswith("/v1"):
        return "/members"
    return path
