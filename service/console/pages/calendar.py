"""The shared calendar (of the network or one cluster, with its iCalendar file) and the resource
page of the peer-learning database: filters by cluster, topic, kind, language and author, and a
search where a programme's exact name comes first."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query
from fastapi.responses import Response

from matcher.calendar.book import CalendarBook
from matcher.calendar.subscriptions import FeedGrant, FeedTokens
from matcher.clusters.names import cluster_names
from matcher.errors import UnknownIdError
from matcher.graph.taxonomy import load_taxonomy
from matcher.records import ResourceKind
from matcher.usecases import calendar, library
from matcher.usecases.clusters import resolve_cluster
from matcher.usecases.unread import question_flags
from service.console.web import DOWNLOAD_HEADERS, SignedIn

router = APIRouter(include_in_schema=False)
RESOURCE_KINDS: tuple[str, ...] = ResourceKind.__args__  # type: ignore[attr-defined]
SHOWN = 50
TEXT_SHOWN = 4_000  # characters of a resource's text on its page (a text may hold 200,000)


@router.get("/calendar")
def calendar_page(page: SignedIn, cluster: str = Query("", max_length=200), past: bool = False) -> Response:
    snapshot, store = page.state.snapshot, page.state.workspace.store
    events = calendar.events_of(snapshot, store, cluster or None)
    now = dt.datetime.now(dt.UTC)
    shown = events if past else [e for e in events if e.ends >= now]
    outputs: dict[str, list[calendar.LearningEntry]] = {}
    for entry in calendar.peer_learning(snapshot, store, cluster or None):
        if entry.event_id:
            outputs.setdefault(entry.event_id, []).append(entry)
    codes = list(cluster_names(snapshot.settings.taxonomy_path))
    return page.render(
        "calendar.html",
        subscription=_subscription(page, cluster),
        events=shown,
        hidden=len(events) - len(shown),
        cluster=cluster,
        past=past,
        codes=codes,
        outputs=outputs,
        names=snapshot.names,
    )


def _subscription(page: SignedIn, cluster: str) -> str | None:
    """The secret address a calendar application subscribes to, in the reader's language; None
    while PEERMATCH_LINK_SECRET is not set."""
    mail = page.state.mail
    if mail.link_secret is None:
        return None
    code = resolve_cluster(page.state.snapshot, cluster) if cluster else None
    language = page.t.language if page.t.language in ("en", "fr", "es") else "en"
    token = FeedTokens(mail.link_secret.get_secret_value()).issue(FeedGrant(code, language))  # type: ignore[arg-type]
    return f"{(mail.public_url or str(page.request.base_url)).rstrip('/')}/v1/feeds/{token}.ics"


@router.get("/calendar.ics")
def calendar_file(page: SignedIn, cluster: str = Query("", max_length=200)) -> Response:
    body = calendar.calendar_feed(page.state.snapshot, page.state.workspace.store, cluster or None, page.t.language)
    name = f"peermatch-{cluster}" if cluster else "peermatch"
    headers = DOWNLOAD_HEADERS | {"Content-Disposition": f'attachment; filename="{name}.ics"'}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


@router.get("/resources")
def resource_page(
    page: SignedIn,
    q: str = Query("", max_length=500),
    cluster: str = Query("", max_length=200),
    topic: str = Query("", max_length=200),
    kind: str = Query("", max_length=50),
    language: str = Query("", max_length=8),
    author: str = Query("", max_length=200),
) -> Response:
    snapshot = page.state.snapshot
    query = library.ResourceQuery(q=q, cluster=cluster, topic=topic, kind=kind, language=language, author=author)
    total, hits, nothing_about = library.find_resources(snapshot, page.state.workspace.store, query, SHOWN)
    taxonomy = load_taxonomy(snapshot.settings.taxonomy_path)
    topics = {t.id: t for t in taxonomy.values() if not t.id.startswith("cluster-")}
    authors = sorted({a for r in snapshot.resources for a in r.authors}, key=lambda a: snapshot.names.get(a, a))
    return page.render(
        "resources.html",
        rq=query,
        total=total,
        hits=hits,
        nothing_about=nothing_about,
        unread=bool(query.q.strip()) and bool(question_flags(snapshot, [query.q])),  # as GET /v1/library flags it
        codes=list(cluster_names(snapshot.settings.taxonomy_path)),
        topics=topics,
        kinds=RESOURCE_KINDS,
        resource_languages=sorted({r.language for r in snapshot.resources}),
        authors=authors,
        names=snapshot.names,
    )


@router.get("/resources/{resource_id}")
def resource_detail(page: SignedIn, resource_id: str) -> Response:
    """One resource as a reader opens it from a search: what it is, by whom, its summary and text
    (the first ``TEXT_SHOWN`` characters), its topics, cluster and event, and its address."""
    snapshot = page.state.snapshot
    resource = snapshot.resources_by_id.get(resource_id)
    if resource is None:
        raise UnknownIdError("resource", resource_id)  # the 404 page, naming it in the reader's language
    link = CalendarBook(page.state.workspace.store).links().get(resource.id)
    taxonomy = load_taxonomy(snapshot.settings.taxonomy_path)
    return page.render(
        "resource.html",
        r=resource,
        text=resource.text[:TEXT_SHOWN],
        cut=len(resource.text) > TEXT_SHOWN,
        topics=[taxonomy.get(t, t) for t in resource.topics],
        link=link,
        names=snapshot.names,
    )
