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


# A sentence with a number in it has a singular and a plural form ("1 mentee does", "2 mentees do"),
# and languages differ in where they switch (French says "0 filleul", English "0 mentees"): such a
# template is registered here, by both English forms, with the value whose number picks the form.
_PLURALS: dict[str, tuple[str, str, str]] = {}


def ngettext(singular: str, plural: str, count: str = "count") -> str:
    """Marks a template with two forms (pybabel extracts both through its ``ngettext`` keyword) and
    returns the singular, the message id; an explanation of it says the English form that
    ``values[count]`` calls for, and a translation picks the reader's language's own form."""
    _PLURALS[singular] = _PLURALS[plural] = (singular, plural, count)
    return singular


def message_id(template: str) -> str:
    """The message id of a template (a plural template's singular form)."""
    return _PLURALS[template][0] if template in _PLURALS else template


# ---- pairing: why a request cannot be met ----------------------------------------------------------
PAIRING_CAPACITY = N_(
    "%(mentees)s mentees need at least %(need)s partners in all; the %(mentors)s mentors can take %(capacity)s in all. "
    "Raise the mentors' maximum load, add mentors, or lower the partners per mentee."
)
PAIRING_MIN_LOAD = N_(
    "mentors must take at least %(must_take)s mentees in all, but the mentees accept at most %(can_give)s partners in all."
)
PAIRING_TOO_FEW_MENTORS = ngettext(
    "%(count)s mentee has too few eligible mentors: %(details)s", "%(count)s mentees have too few eligible mentors: %(details)s"
)
PAIRING_MENTEE_SHORT = ngettext(
    "%(mentee)s has %(eligible)s eligible mentor, needs %(needed)s (%(details)s)",
    "%(mentee)s has %(eligible)s eligible mentors, needs %(needed)s (%(details)s)",
    "eligible",
)
PAIRING_AND_MORE = N_("and %(count)s more")
PAIRING_LANGUAGE = ngettext(
    "%(count)s mentee needs a %(language)s-speaking mentor (%(demand)s partners in all); "
    "%(language)s-speaking mentors can take %(capacity)s in all.",
    "%(count)s mentees need a %(language)s-speaking mentor (%(demand)s partners in all); "
    "%(language)s-speaking mentors can take %(capacity)s in all.",
)
PAIRING_REQUIRED_LANGUAGE = ngettext(
    "%(count)s mentee does not speak %(language)s, which every pair must speak: %(mentees)s",
    "%(count)s mentees do not speak %(language)s, which every pair must speak: %(mentees)s",
)
PAIRING_MENTOR_UNDERLOADED = ngettext(
    "mentor %(mentor)s must take at least %(minimum)s mentee but only %(eligible)s may pair with it",
    "mentor %(mentor)s must take at least %(minimum)s mentees but only %(eligible)s may pair with it",
    "minimum",
)
PAIRING_MENTOR_FORCED = ngettext(
    "mentor %(mentor)s is forced into %(forced)s pair but can take %(maximum)s",
    "mentor %(mentor)s is forced into %(forced)s pairs but can take %(maximum)s",
    "forced",
)
PAIRING_MENTOR_TIES = ngettext(
    "mentor %(mentor)s keeps %(forced)s tied pair (tie policy: keep) but can take %(maximum)s",
    "mentor %(mentor)s keeps %(forced)s tied pairs (tie policy: keep) but can take %(maximum)s",
    "forced",
)
PAIRING_TOGETHER = N_(
    "the constraints together leave no solution, though no single one does alone; "
    "relax the minimum partners per mentee or the mentors' minimum loads"
)
PAIRING_NO_ELIGIBLE = N_("no eligible mentor (%(details)s)")
PAIRING_NO_MENTOR = N_("no mentor in the cohort")
PAIRING_MENTORS_FULL = N_("its eligible mentors were full with pairs of higher total affinity")
# Why candidate mentors were ruled out for a mentee, each with how many.
EXCLUDED_SAME_MEMBER = N_("%(count)s the member itself")
EXCLUDED_PARTNERS = ngettext("%(count)s already a partner", "%(count)s already partners")
EXCLUDED_CONFLICTS = ngettext("%(count)s listed as a conflict", "%(count)s listed as conflicts")
EXCLUDED_DECLINED = ngettext("%(count)s declined in an earlier proposal", "%(count)s declined in earlier proposals")
EXCLUDED_ENGAGED = N_("%(count)s already in an active partnership or an open proposal with it")
EXCLUDED_COUNTRY = N_("%(count)s in the same country")
EXCLUDED_LANGUAGE = ngettext("%(count)s shares no working language", "%(count)s share no working language")
EXCLUDED_REQUIRED_LANGUAGE = ngettext(
    "%(count)s does not speak %(language)s, which every pair must speak", "%(count)s do not speak %(language)s, which every pair must speak"
)
EXCLUDED_MENTEE_LANGUAGE = ngettext(
    "%(count)s ruled out as the mentee does not speak %(language)s, which every pair must speak",
    "%(count)s ruled out as the mentee does not speak %(language)s, which every pair must speak",
)
EXCLUDED_TIE = ngettext(
    "%(count)s tied to it (twinning or cooperation), forbidden by the tie policy",
    "%(count)s tied to it (twinnings or cooperation), forbidden by the tie policy",
)

# ---- capacity map: why a need is unmet ---------------------------------------------------------------
UNMET_NO_PROVIDER = N_("nobody in the network offers this topic")
UNMET_NO_LANGUAGE = ngettext(
    "%(providers)s provider, not sharing a working language (%(languages)s)",
    "%(providers)s providers, none sharing a working language (%(languages)s)",
    "providers",
)
UNMET_NO_EVIDENCE = N_("nobody in the network states this")
UNMET_NO_EVIDENCE_CLOSEST = N_("nobody in the network states this; closest match: %(name)s (%(score).2f)")

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
IMPORT_EXTRA_CELLS = ngettext("%(count)s more cell than the header has", "%(count)s more cells than the header has")
IMPORT_CELL_JSON = N_("column '%(column)s' holds invalid JSON: %(error)s")
IMPORT_TOO_LONG_TEXT = N_("at most %(max)s characters (got %(input)s)")
IMPORT_TOO_SHORT_TEXT = ngettext("at least %(min)s character", "at least %(min)s characters", "min")
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
# Pairing constraints whose lower bound is above the upper one.
PAIRING_EMPTY_COHORT = N_(
    "nobody to pair: %(mentees)s mentees with needs and %(mentors)s mentors match the choices made (ids, regions, kinds)"
)
PAIRING_PARTNERS_CROSSED = N_("the fewest partners per mentee (%(low)s) is above the most (%(high)s)")
PAIRING_LOAD_CROSSED = N_("the fewest mentees per mentor (%(low)s) is above the most (%(high)s)")
PAIRING_OVERRIDE_CROSSED = N_("the load override for %(member)s: its fewest (%(low)s) is above its most (%(high)s)")
ENDS_BEFORE_START = N_("it ends (%(ends)s) before it starts (%(starts)s)")
STATUS_NEEDS_PLAN_ITEM = N_("a new status needs the plan item it applies to")
# A step of a proposal or a request given a value it cannot take (the console's forms).
FIELD_EMPTY = N_("it is empty")
NOT_A_RATING = N_("'%(value)s' is not a whole number from 1 to 5")
NEXT_CHECK_IN_NOT_AFTER = N_("the next check-in (%(next_due)s) must come after this one (%(held)s)")


# ---- expert groups ---------------------------------------------------------------------------------
EXPERTS_FOUND = ngettext(
    "%(count)s member with evidence for this theme or its aspects (%(strong)s strong)",
    "%(count)s members with evidence for this theme or its aspects (%(strong)s strong)",
)
EXPERTS_SHORT = N_("%(details)s; %(asked)s asked, %(given)s given: no other member has at least partial evidence within the group's limits")
EXPERTS_NONE = N_("nobody in the network states this; closest matches: %(details)s")
# The same when the request kept only some kinds of member: 'nobody in the network' would be untrue.
EXPERTS_NONE_OF_KINDS = N_("no member of the kinds asked (%(kinds)s) states this; closest matches: %(details)s")
SEARCH_NOTHING_ABOUT = N_("no resource in the network is about this; closest matches, all weak")
# ---- an empty peer ranking: only filters empty one (without evidence, the closest few come back)
PEERS_NO_COMMON_LANGUAGE = N_(
    "no member of the network works in %(languages)s: ask with options.require_common_language false to see members working in other"
    " languages"
)
# ---- an empty 'whom can I help' answer
HELPS_NO_EVIDENCE = N_("this member states no strength and authored no resource: there is nothing to meet another member's need with")
HELPS_NONE_MET = N_(
    "this member's strengths and resources meet no other member's need at least partially: ask with only_evidence false to see the closest"
)
HELPS_NO_COMMON_LANGUAGE = N_("no member sharing a working language with this member states a need")
PEERS_NONE_ALLOWED = N_(
    "no member passes this request's filters (regions, countries, kinds, networks, clusters, exclusions, partners, declined proposals)"
)
EXPERTS_CLOSEST = N_("%(name)s (%(score).2f, %(details)s)")
QUALITY: dict[str, str] = {"strong": N_("strong match"), "partial": N_("partial match"), "weak": N_("weak match")}
EXPERTS_NO_CLOSEST = N_("none")
ASPECT_NO_EVIDENCE = N_("no candidate in the network has evidence for it")
ASPECT_LEFT_OUT = N_("candidates exist but the group's size or country/region limits left them out")

Value = str | int | float
# The values that hold member ids ("city-dakar-sn", or a list of them): a reader is told names.
MEMBER_VALUES = ("mentee", "mentor", "mentees")
# The values that hold a day as ISO text ("2026-06-01"): a reader is told it in its locale's form.
DATE_VALUES = ("starts", "ends", "next_due", "held")
# The values that hold language codes ("en, fr"): a reader is told their names ("anglais, français").
LANGUAGE_LIST_VALUES = ("languages",)
_ID = re.compile(r"[^\s,()]+")
_FIXED_POINT = re.compile(r"%\((\w+)\)\.(\d+)f")  # %(score).2f


class Explanation(BaseModel):
    """One sentence for a person: ``template`` % ``values``. ``values`` holds every placeholder the
    template names: ``details`` (the details' sentences joined by "; ") and ``language`` (the English
    name of ``language_code``) are filled in here, so a hub that renders ``template % values``
    gets the English sentence; a translation recomputes both in the reader's language. A template
    with a number ("%(count)s mentees do not speak…") is set here to the English form that number
    calls for; its message id (``message_id``) is the singular form."""

    template: str = Field(
        description="The English sentence with %(name)s placeholders (the console's message id). A sentence with a number"
        " is in the form its number calls for ('1 mentee does', '2 mentees do'); its catalogue entry is a plural one whose"
        " msgid is the singular."
    )
    values: dict[str, Value] = Field(
        default_factory=dict,
        description="Every placeholder of the template, so that template % values (Python's %-formatting) is the English sentence.",
    )
    details: list[Explanation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fill_derived(self) -> Explanation:
        if self.template in _PLURALS:
            singular, plural, count = _PLURALS[self.template]
            if count in self.values:
                self.template = singular if _english_one(self.values[count]) else plural
        # A hub renders template % values as the document says: derived placeholders must be there too.
        if "language_code" in self.values and "language" not in self.values:
            self.values["language"] = english_language_name(str(self.values["language_code"]))
        if self.details and "details" not in self.values:
            self.values["details"] = "; ".join(detail.text() for detail in self.details)
        return self

    @property
    def message_id(self) -> str:
        """The catalogues' id of the template (the singular form of one with a number)."""
        return message_id(self.template)

    def text(
        self,
        translate: Callable[[str], str] | None = None,
        language_name: Callable[[str], str] | None = None,
        decimal: Callable[[float, int], str] | None = None,
        plural: Callable[[str, str, int], str] | None = None,
        member_name: Callable[[str], str] | None = None,
        day: Callable[[str], str] | None = None,
    ) -> str:
        """The sentence, in English, or through ``translate`` (a gettext), ``plural`` (an ngettext,
        for templates with a number), ``language_name``, ``decimal`` (a number with so many
        decimals, in the reader's locale: 0,21 in French), ``member_name`` (a member's name for
        its id, for the ids in ``MEMBER_VALUES``) and ``day`` (an ISO day in the reader's form:
        "1 juin 2026", for ``DATE_VALUES``)."""
        values: dict[str, Value] = dict(self.values)
        if self.details:
            values["details"] = "; ".join(
                detail.text(translate, language_name, decimal, plural, member_name, day) for detail in self.details
            )
        if day is not None:
            for key in DATE_VALUES:
                if isinstance(values.get(key), str):
                    values[key] = day(str(values[key]))
        if member_name is not None:
            for key in MEMBER_VALUES:
                if isinstance(values.get(key), str):
                    values[key] = _ID.sub(lambda found: member_name(found.group(0)), str(values[key]))
        if "language_code" in values:
            code = str(values["language_code"])
            values["language"] = language_name(code) if language_name else english_language_name(code)
        if language_name is not None:  # the English text (a hub's) keeps the codes it documents
            for key in LANGUAGE_LIST_VALUES:
                if isinstance(values.get(key), str):
                    values[key] = _ID.sub(lambda found: language_name(found.group(0)), str(values[key]))
        template = self.template
        forms = _PLURALS.get(template)
        if forms is not None and plural is not None and forms[2] in values:
            template = plural(forms[0], forms[1], _whole(values[forms[2]]))
        elif translate is not None:
            template = translate(template)
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


def _whole(value: Value) -> int:
    """The number that picks a plural form (a count stored as text or a float still counts)."""
    try:
        return int(float(value))
    except ValueError:
        return 0


def _english_one(value: Value) -> bool:
    """English takes its singular for exactly one ("0 mentees", "1 mentee", "1.5 days")."""
    try:
        return float(value) == 1
    except ValueError:
        return False


def english_noun(count: int, singular: str, plural: str | None = None) -> str:
    """``singular`` or ``plural`` (default: singular + "s") as English calls for after ``count``,
    for the library's English-only messages (errors a developer reads): "1 record", "2 records"."""
    return singular if count == 1 else plural or singular + "s"


def english_language_name(code: str) -> str:
    found = iso_languages.get(alpha_2=code)
    return str(found.name) if found else code
