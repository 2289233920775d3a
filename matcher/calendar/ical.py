"""The calendar as an iCalendar feed (RFC 5545), written by the ``icalendar`` library: one VEVENT
per event, with a stable UID so that a subscribed calendar updates an event instead of doubling it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import icalendar

from matcher.calendar.model import Event

PRODUCT_ID = "-//peermatch//shared calendar//EN"
UID_DOMAIN = "peermatch"


def feed(events: list[Event], name: str, names: Mapping[str, str], cluster_names: Mapping[str, str], stamp: dt.datetime) -> bytes:
    """The events as one VCALENDAR. ``names``: member id -> name (hosts and participants are
    written by name); ``cluster_names``: code -> name, for the event's categories; ``stamp``: DTSTAMP."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for event in events:
        entry = icalendar.Event()
        entry.add("uid", f"{event.id}@{UID_DOMAIN}")
        entry.add("dtstamp", stamp.astimezone(dt.UTC))
        entry.add("dtstart", event.starts.astimezone(dt.UTC))
        entry.add("dtend", event.ends.astimezone(dt.UTC))
        entry.add("summary", event.title)
        if event.place:
            entry.add("location", event.place)
        if event.online_url is not None:
            entry.add("url", str(event.online_url))
        hosts = ", ".join(names.get(h, h) for h in event.hosts)
        lines = [event.description] if event.description else []
        lines.append(f"Hosts: {hosts}")
        if event.participants:
            lines.append("Participants: " + ", ".join(names.get(p, p) for p in event.participants))
        if event.generated:
            lines.append("(Generated demo event, not a real one.)")
        entry.add("description", "\n".join(lines))
        categories = [event.kind.replace("_", " ")]
        if event.cluster:
            categories.append(cluster_names.get(event.cluster, event.cluster))
        entry.add("categories", categories)
        calendar.add_component(entry)
    return bytes(calendar.to_ical())
