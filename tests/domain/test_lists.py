"""The scope a person writes after `list`, read once for every topic."""

from __future__ import annotations

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.lists import ListScope, parse_scope


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("", ListScope.OPEN),
        ("   ", ListScope.OPEN),
        ("open", ListScope.OPEN),
        (" Overdue ", ListScope.OVERDUE),
        ("MINE", ListScope.MINE),
        ("all", ListScope.ALL),
    ],
)
def test_each_scope_is_read_whatever_its_case(text: str, scope: ListScope) -> None:
    assert parse_scope(text, "dispute.bad_scope") is scope


@pytest.mark.parametrize("code", ["dispute.bad_scope", "complaint.bad_scope"])
def test_a_word_that_is_no_scope_is_refused_with_the_topics_code(code: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_scope("  Closed ones  ", code)
    assert refused.value.code == code
    assert refused.value.params == {
        "text": "Closed ones",
        "choices": ("open", "overdue", "mine", "all"),
    }


def test_a_long_bad_scope_is_said_back_cut_short() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_scope("x" * 100, "complaint.bad_scope")
    assert refused.value.params["text"] == "x" * 40
