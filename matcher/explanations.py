"""Explanations as data: the English template, the values that fill it, and nested details.

The library explains itself in English (``Explanation.text()``), and the console shows the same
explanation in the reader's language: each template below is a message id of the console's
catalogues (``pybabel`` extracts them through the ``N_`` marker), translated first and then
filled with the same values. Every sentence the library says to a person lives here, so a new
one cannot skip translation.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pycountry import languages as iso_languages
from pydantic import BaseModel, Field, model_validator


def N_(message: str) -> str:
    """Marks a template for extraction into the catalogues; it is translated where it is shown."""
    return message


# ---- pairing: why a request cannot be met ----------------------------------------------------------
PAIRING_CAPACITY = N_(
    "%(mentees)s mentees need at least %(need)s partners in all; the %(mentors)s mentors can take %(capacity)s in all. "
    "Raise the mentors' maximum load, add mentors, or lower the partners per mentee."
)
PAIRING_MIN_LOAD = N_(
    "mentors must take at least %(must_take)s mentees in all, but the mentees accept at most %(can_give)s partners in all."
)
PAIRING_TOO_FEW_MENTORS = N_("%(count)s mentee(s) have too few eligible mentors: %(details)s")
PAIRING_MENTEE_SHORT = N_("%(mentee)s has %(eligible)s eligible mentor(s), needs %(needed)s (%(details)s)")
PAIRING_AND_MORE = N_("and %(count)s more")
PAIRING_LANGUAGE = N_(
    "%(count)s mentees need a %(language)s-speaking mentor (%(demand)s partners in all); "
    "%(language)s-speaking mentors can take %(capacity)s in all."
)
PAIRING_REQUIRED_LANGUAGE = N_("%(count)s mentee(s) do not speak %(language)s, which every pair must speak: %(mentees)s")
PAIRING_MENTOR_UNDERLOADED = N_("mentor %(mentor)s must take at least %(minimum)s mentee(s) but only %(eligible)s may pair with it")
PAIRING_MENTOR_FORCED = N_("mentor %(mentor)s is forced into %(forced)s pairs but can take %(maximum)s")
PAIRING_MENTOR_TIES = N_("mentor %(mentor)s keeps %(forced)s tied pair(s) (tie policy: keep) but can take %(maximum)s")
PAIRING_TOGETHER = N_(
    "the constraints together leave no solution, though no single one does alone; "
    "relax the minimum partners per mentee or the mentors' minimum loads"
)
PAIRING_NO_ELIGIBLE = N_("no eligible mentor (%(details)s)")
PAIRING_NO_MENTOR = N_("no mentor in the cohort")
PAIRING_MENTORS_FULL = N_("its eligible mentors were full with pairs of higher total affinity")
# Why candidate mentors were ruled out for a mentee, each with how many.
EXCLUDED_SAME_MEMBER = N_("%(count)s the member itself")
EXCLUDED_PARTNERS = N_("%(count)s already partners")
EXCLUDED_CONFLICTS = N_("%(count)s listed as conflicts")
EXCLUDED_DECLINED = N_("%(count)s declined in an earlier proposal")
EXCLUDED_ENGAGED = N_("%(count)s already in an active partnership or an open proposal with it")
EXCLUDED_COUNTRY = N_("%(count)s in the same country")
EXCLUDED_LANGUAGE = N_("%(count)s share no working language")
EXCLUDED_REQUIRED_LANGUAGE = N_("%(count)s do not speak %(language)s, which every pair must speak")
EXCLUDED_MENTEE_LANGUAGE = N_("%(count)s ruled out as the mentee does not speak %(language)s, which every pair must speak")
EXCLUDED_TIE = N_("%(count)s tied to it (twinning or cooperation), forbidden by the tie policy")

# ---- capacity map: why a need is unmet ---------------------------------------------------------------
UNMET_NO_PROVIDER = N_("nobody in the network offers this topic")
UNMET_NO_LANGUAGE = N_("%(providers)s provider(s), none sharing a working language (%(languages)s)")
UNMET_NO_EVIDENCE = N_("nobody in the network states this")
UNMET_NO_EVIDENCE_CLOSEST = N_("nobody in the network states this; closest partial match: %(name)s (%(score).2f)")

# ---- import: why a record is refused -----------------------------------------------------------------
IMPORT_UNKNOWN_FIELD = N_("unknown field")
IMPORT_REQUIRED = N_("this field is required")
IMPORT_ONE_OF = N_("must be one of %(expected)s")
IMPORT_NOT_COUNTRY = N_("'%(value)s' is not an ISO 3166-1 alpha-2 country code (e.g. FR, KE, BR)")
IMPORT_NOT_LANGUAGE = N_("'%(value)s' is not an ISO 639-1 language code (e.g. en, fr, es, pt, ar)")
IMPORT_CONTROL_CHARACTER = N_("control character U+%(code)s at position %(position)s")
IMPORT_OWN_PARTNER = N_("member '%(id)s' lists itself among its partners")
IMPORT_NO_BODY = N_("a resource needs a text or a summary")
IMPORT_DUPLICATE_ID = N_("duplicate id, first seen on line %(line)s")
IMPORT_UNKNOWN_MEMBER = N_("unknown member '%(id)s'")
IMPORT_NOT_OBJECT = N_("expected a JSON object, got %(type)s")
IMPORT_INVALID_JSON = N_("invalid JSON: %(error)s at column %(column)s")
IMPORT_EXTRA_CELLS = N_("%(count)s more cell(s) than the header has")
IMPORT_CELL_JSON = N_("column '%(column)s' holds invalid JSON: %(error)s")
IMPORT_TOO_LONG_TEXT = N_("at most %(max)s characters (got %(input)s)")
IMPORT_TOO_SHORT_TEXT = N_("at least %(min)s character(s)")
IMPORT_TOO_MANY = N_("at most %(max)s items (got %(count)s)")
IMPORT_AT_LEAST = N_("must be at least %(min)s (got %(input)s)")
IMPORT_AT_MOST = N_("must be at most %(max)s (got %(input)s)")
IMPORT_WHOLE_NUMBER = N_("must be a whole number (got %(input)s)")
IMPORT_TEXT = N_("must be text (got %(input)s)")
IMPORT_LIST = N_("must be a list (got %(input)s)")
IMPORT_OBJECT = N_("must be an object with named fields (got %(input)s)")
IMPORT_URL = N_("not a valid web address (got %(input)s)")
IMPORT_DATE = N_("not a valid date, expected YYYY-MM-DD (got %(input)s)")
IMPORT_OTHER = N_("%(message)s (got %(input)s)")


# ---- expert groups ---------------------------------------------------------------------------------
EXPERTS_FOUND = N_("%(count)s member(s) with evidence for this theme or its aspects (%(strong)s strong)")
EXPERTS_SHORT = N_("%(details)s; %(asked)s asked, %(given)s given: no other member has at least partial evidence within the group's limits")
EXPERTS_NONE = N_("nobody in the network states this; closest partial matches: %(details)s")
EXPERTS_CLOSEST = N_("%(name)s (%(score).2f, %(details)s)")
QUALITY: dict[str, str] = {"strong": N_("strong match"), "partial": N_("partial match"), "weak": N_("weak match")}
EXPERTS_NO_CLOSEST = N_("none")
ASPECT_NO_EVIDENCE = N_("no candidate in the network has evidence for it")
ASPECT_LEFT_OUT = N_("candidates exist but the group's size or country/region limits left them out")

Value = str | int | float
_FIXED_POINT = re.compile(r"%\((\w+)\)\.(\d+)f")  # %(score).2f


class Explanation(BaseModel):
    """One sentence for a person: ``template`` % ``values``. ``values`` holds every placeholder the
    template names: ``details`` (the details' sentences joined by "; ") and ``language`` (the English
    name of ``language_code``) are filled in here, so a hub that renders ``template % values``
    gets the English sentence; a translation recomputes both in the reader's language."""

    template: str = Field(description="The English sentence with %(name)s placeholders (the console's message id).")
    values: dict[str, Value] = Field(
        default_factory=dict,
        description="Every placeholder of the template, so that template % values (Python's %-formatting) is the English sentence.",
    )
    details: list[Explanation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fill_derived(self) -> Explanation:
        # A hub renders template % values as the document says: derived placeholders must be there too.
        if "language_code" in self.values and "language" not in self.values:
            self.values["language"] = english_language_name(str(self.values["language_code"]))
        if self.details and "details" not in self.values:
            self.values["details"] = "; ".join(detail.text() for detail in self.details)
        return self

    def text(
        self,
        translate: Callable[[str], str] | None = None,
        language_name: Callable[[str], str] | None = None,
        decimal: Callable[[float, int], str] | None = None,
    ) -> str:
        """The sentence, in English, or through ``translate`` (a gettext), ``language_name`` and
        ``decimal`` (a number with so many decimals, in the reader's locale: 0,21 in French)."""
        values: dict[str, Value] = dict(self.values)
        if self.details:
            values["details"] = "; ".join(detail.text(translate, language_name, decimal) for detail in self.details)
        if "language_code" in values:
            code = str(values["language_code"])
            values["language"] = language_name(code) if language_name else english_language_name(code)
        template = translate(self.template) if translate else self.template
        if decimal is not None:

            def localised(match: re.Match[str]) -> str:
                name, digits = match.group(1), int(match.group(2))
                values[name] = decimal(float(values[name]), digits)
                return f"%({name})s"

            template = _FIXED_POINT.sub(localised, template)
        return template % values

    def __str__(self) -> str:
        return self.text()


def explain(template: str, *details: Explanation, **values: Value) -> Explanation:
    return Explanation(template=template, values=values, details=list(details))


class ExplainedValueError(ValueError):
    """A validator's refusal that carries its explanation, so the console can translate it."""

    def __init__(self, explanation: Explanation) -> None:
        super().__init__(explanation.text())
        self.explanation = explanation


def english_language_name(code: str) -> str:
    found = iso_languages.get(alpha_2=code)
    return str(found.name) if found else code
