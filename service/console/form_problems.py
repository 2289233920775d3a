"""A console form that the models refused, told in the reader's language.

pydantic says ``field 'max_load': Input should be greater than or equal to 1``: English on a French
page, and a name from the code, not the label the officer read. Each problem here names the field
by its label on the page and says why with the import's translated reasons
(``matcher.ingest.validate.reason_of``); a field the page does not label keeps its model name.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from matcher.errors import PeermatchError
from matcher.explanations import NOT_A_RATING, Explanation, explain
from matcher.ingest.validate import reason_of
from service.console.i18n import Translator


class FormProblem(PeermatchError):
    """A box of a form that cannot be read; the message names it by its label."""


def whole_number(form: Mapping[str, Any], name: str, label: str, default: int, t: Translator) -> int:
    """The whole number typed in box ``name``, or ``default`` when it is left empty; else a
    FormProblem naming the box by its (untranslated) ``label``, not Python's "invalid literal for int()"."""
    raw = str(form.get(name) or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise FormProblem(t.plain("%(field)s: '%(value)s' is not a whole number", field=t.plain(label), value=raw)) from None


def day(form: Mapping[str, Any], name: str, label: str, t: Translator, default: dt.date | None = None) -> dt.date | None:
    """The date typed in box ``name`` (year-month-day, as the browser's date box sends it), or
    ``default`` when it is left empty; else a FormProblem naming the box, not Python's "Invalid
    isoformat string"."""
    raw = str(form.get(name) or "").strip()
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise FormProblem(t.plain("%(field)s: '%(value)s' is not a date (year-month-day)", field=t.plain(label), value=raw)) from None


def rating(form: Mapping[str, Any], name: str, label: str, t: Translator) -> int:
    """The rating from 1 to 5 in box ``name``; else a FormProblem naming the box."""
    raw = str(form.get(name) or "").strip()
    if not raw.isdecimal() or not 1 <= int(raw) <= 5:
        raise refused(label, explain(NOT_A_RATING, value=raw), t)
    return int(raw)


def refused(label: str, why: Explanation, t: Translator) -> FormProblem:
    """The box labelled ``label`` (untranslated) refused, and why, in the reader's language."""
    return FormProblem(t.plain("%(field)s: %(reason)s", field=t.plain(label), reason=t.explain(why)))


def told(error: PeermatchError, t: Translator, labels: Mapping[str, str] | None = None) -> str:
    """A book's refusal in the reader's language when it says why as data (``explanation``),
    its field named by the label the page shows (``labels``: field -> untranslated label);
    else the book's own sentence."""
    explanation: Explanation | None = getattr(error, "explanation", None)
    if explanation is None:
        return str(error)
    field = str(getattr(error, "field", "") or "")
    if not field:
        return t.explain(explanation)
    return str(refused(labels[field] if labels and field in labels else field, explanation, t))


def form_problems(error: ValidationError, t: Translator, labels: Mapping[str, str]) -> str:
    """Every refused field of a form as ``label: why``; ``labels``: model field name -> the
    untranslated label the page shows for it (the nearest named part of an error's location wins:
    ``constraints.max_load`` is the ``max_load`` box)."""
    problems = []
    for detail in error.errors(include_url=False):
        path = [str(part) for part in detail["loc"]]
        reason = t.explain(reason_of(detail))
        if not path:  # the form as a whole (a rule between fields): the reason says which
            problems.append(reason)
            continue
        label = next((t.plain(labels[part]) for part in reversed(path) if part in labels), ".".join(path))
        problems.append(t.plain("%(field)s: %(reason)s", field=label, reason=reason))
    # Joined by the language's own list sign: "a ; b" in French, which spaces its semicolons.
    return functools.reduce(lambda joined, problem: t.plain("%(problems)s; %(problem)s", problems=joined, problem=problem), problems)
