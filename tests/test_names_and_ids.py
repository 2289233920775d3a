"""Issue 21, item 11: ids that no URL can reach, names that spoof their display, upload names."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from matcher.records import Member
from service.console.pages.imports import _safe_name
from tests.conftest import member


@pytest.mark.parametrize("record_id", [".", "..", "..."])
def test_ids_of_dots_only_are_refused(record_id: str) -> None:
    with pytest.raises(ValidationError, match="dots"):
        Member.model_validate(member(record_id))


def test_ids_with_dots_among_other_characters_are_kept() -> None:
    assert Member.model_validate(member("city.lyon.fr")).id == "city.lyon.fr"


@pytest.mark.parametrize("character", ["\u202e", "\u2066", "\u200b", "\ufeff", "\u2060"])
def test_bidi_overrides_and_zero_width_characters_are_refused_in_names(character: str) -> None:
    with pytest.raises(ValidationError, match=f"U\\+{ord(character):04X}"):
        Member.model_validate(member("a", name=f"Lyon{character}gnp.exe"))


def test_a_persian_name_with_a_zero_width_non_joiner_is_kept() -> None:
    name = "می\u200cخواهم"  # ZWNJ is spelling in Persian, not a trick
    assert Member.model_validate(member("a", name=name)).name == name


def test_a_long_upload_name_keeps_its_extension() -> None:
    assert _safe_name("m" * 150 + ".jsonl").endswith(".jsonl")
    assert len(_safe_name("m" * 150 + ".jsonl")) <= 100
