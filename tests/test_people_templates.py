"""A sentence that several people's expertise share word for word is a template, not expertise
(``matcher.people.compose.template_parts``)."""

from __future__ import annotations

from matcher.people.compose import part_shape, template_parts
from matcher.people.model import Person


def person(pid: str, expertise: str) -> Person:
    fields = {"id": pid, "name": pid, "role": "staff", "languages": ["en"], "expertise": expertise}
    return Person.model_validate(fields | {"organisation": "UIL", "region": "Africa"})


def test_a_sentence_in_three_peoples_expertise_is_a_template_numbers_aside() -> None:
    people = [
        person("a", "Head of the learning department. 7 years of experience; leads work on literacy for adults."),
        person("b", "Head of the  learning department. 12 years of experience; leads work on school gardens."),
        person("c", "head of the learning department. 3 years of experience; leads work on migrants."),
        person("d", "Leads work on literacy for adults. Teaches evening classes."),
    ]
    found = template_parts(people)
    assert found == {part_shape("Head of the learning department."), part_shape("1 years of experience;")}
    assert part_shape("leads work on literacy for adults.") not in found  # two people: not a template


def test_two_people_sharing_a_sentence_do_not_make_it_a_template() -> None:
    people = [person("a", "Runs the city's adult literacy classes."), person("b", "Runs the city's adult literacy classes.")]
    assert template_parts(people) == set()


def test_in_a_large_book_a_title_a_few_people_share_sets_them_apart() -> None:
    """Three teacher trainers among forty people: their title is what they know, not boilerplate."""
    trainers = [person(f"t{n}", f"Teacher trainer at the ministry. Runs course {n} on assessment for primary teachers.") for n in range(3)]
    others = [person(f"o{n}", f"Runs the city's programme number {n} on something else entirely.") for n in range(37)]
    assert part_shape("Teacher trainer at the ministry.") not in template_parts(trainers + others)
    assert part_shape("Teacher trainer at the ministry.") in template_parts(trainers)  # three of three: the same words for all
