"""The exceptions peermatch raises where input enters; each message names what is wrong, where."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

import embeddings.errors
from matcher.explanations import Explanation, english_noun


class PeermatchError(Exception):
    """Base of every error peermatch raises on purpose."""


def validation_problems(error: ValidationError, whole: str = "(record)") -> str:
    """A pydantic error as people read it: each field named and why, without pydantic's own
    banners and links (``field 'region': Input should be 'Africa', ...; field 'country': Field required``)."""
    return "; ".join(f"field '{'.'.join(str(p) for p in item['loc']) or whole}': {item['msg']}" for item in error.errors())


@dataclass(frozen=True)
class RecordProblem:
    """One bad record: the file and line it came from, the field, and why it was refused."""

    file: str
    line: int
    field: str
    explanation: Explanation  # why, as data: the console shows it in the reader's language
    record_id: str | None = None

    @property
    def reason(self) -> str:
        """Why, in English."""
        return self.explanation.text()

    def as_dict(self) -> dict[str, object]:
        """Plain JSON: file, line, field, reason, record_id, and the explanation as data."""
        plain = {name: getattr(self, name) for name in ("file", "line", "field", "reason", "record_id")}
        return plain | {"explanation": self.explanation.model_dump()}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        who = f" (id {self.record_id})" if self.record_id else ""
        return f"{where}{who}: field '{self.field}': {self.reason}"


class InvalidRecordsError(PeermatchError):
    """An import refused because some records are invalid; nothing was written."""

    def __init__(self, problems: list[RecordProblem]) -> None:
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        records = english_noun(len(problems), "record")
        super().__init__(
            f"{len(problems)} invalid {records}; nothing was imported (use --skip-invalid to import the valid ones):\n{shown}{more}"
        )


class UnreadableFileError(PeermatchError):
    """A file that cannot be read or parsed at all (missing, wrong format, broken encoding)."""


class RecordTypeUnknownError(UnreadableFileError):
    """A file whose name and fields do not say whether it holds members or resources."""


class UnknownIdError(PeermatchError, KeyError):
    """An id that the store does not hold; ``field``: where the id was given (a body field such as
    'options.include'), when the caller knows and the id is not a path parameter."""

    def __init__(self, kind: str, record_id: str, field: str | None = None) -> None:
        self.kind = kind
        self.record_id = record_id
        self.field = field
        super().__init__(f"no {kind} with id '{record_id}'")

    def __str__(self) -> str:
        return str(self.args[0])


class ReferencedRecordError(PeermatchError):
    """A delete refused because other data still names the record: members that list it as a
    partner, resources that list it as an author, open proposals. Nothing was deleted; remove
    the references (or close the proposals) first, then delete."""

    def __init__(self, kind: str, record_id: str, references: list[str]) -> None:
        self.record_id = record_id
        self.references = references
        shown = "; ".join(references[:20]) + (f"; and {len(references) - 20} more" if len(references) > 20 else "")
        super().__init__(f"{kind} '{record_id}' is still referenced, nothing was deleted: {shown}")


class ModelNotFoundError(PeermatchError, embeddings.errors.ModelNotFoundError):
    """The configured embedding model is not on disk (peermatch never downloads one)."""


class IndexNotBuiltError(PeermatchError):
    """A search asked of an index that has not been built yet."""


class StoreVersionError(PeermatchError):
    """The store on disk was written by a newer peermatch than this one."""


class DamagedStoreError(PeermatchError):
    """The SQLite store is not a database, or is damaged."""


class DamagedIndexError(PeermatchError):
    """An index file that is missing, unreadable or not what was written (its checksum differs)."""


class WrongModelIndexError(PeermatchError):
    """An index built by another embedding model than the configured one."""


class UnknownProposalError(UnknownIdError):
    """A proposal id that the store does not hold."""

    def __init__(self, proposal_id: int) -> None:
        self.proposal_id = proposal_id
        super().__init__("proposal", str(proposal_id))


class InvalidProposalError(PeermatchError):
    """A proposal step given a bad value: ``field`` names it (an unknown member id, a rating out of
    range...). ``explanation``, where there is one, says why as data, for a page to translate."""

    def __init__(self, field: str, message: str, explanation: Explanation | None = None) -> None:
        self.field = field
        self.explanation = explanation
        super().__init__(f"field '{field}': {message}")


class ProposalConflictError(PeermatchError):
    """A step that the proposal's current state does not allow (the service answers 409)."""


class IllegalTransitionError(ProposalConflictError):
    """A step asked of a proposal in a status that does not allow it."""

    def __init__(
        self,
        proposal_id: int,
        status: str,
        step: str,
        why: str = "",
        *,
        allowed: tuple[str, ...] = (),
        answered: tuple[str, str] | None = None,
    ) -> None:
        """``allowed``: the statuses the step needs; ``answered``: (side, its answer) when the step
        was a second answer from a side. A page tells them in its reader's language."""
        self.proposal_id = proposal_id
        self.status = status
        self.step = step
        self.allowed = allowed
        self.answered = answered
        super().__init__(f"proposal {proposal_id} is '{status}': cannot {step}" + (f" ({why})" if why else ""))


class DuplicateProposalError(ProposalConflictError):
    """A proposal for a pair that already has an open one (proposed, approved or active)."""

    def __init__(self, existing_id: int, member_id: str, partner_id: str, status: str) -> None:
        self.existing_id = existing_id
        super().__init__(f"proposal {existing_id} for '{member_id}' and '{partner_id}' is already open ('{status}')")


class WeightsFileError(PeermatchError):
    """A learned peer-weights file that cannot be used (unreadable, out of bounds, another model)."""


class InvalidFieldError(PeermatchError):
    """A value that names nothing known or contradicts the store (an unknown cluster or member, a
    plan item of another cluster): ``field`` names it; the service answers 422."""

    def __init__(self, field: str, message: str, explanation: Explanation | None = None) -> None:
        self.field = field
        self.explanation = explanation
        super().__init__(f"field '{field}': {message}")


class UnknownClusterError(UnknownIdError):
    """A cluster name that is neither a cluster's code nor its name in any language."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__("cluster", name)
        self.args = (f"no cluster named '{name}' (known: {', '.join(known)}; or their names in English, French or Spanish)",)
