"""Wording that follows a number."""

import pytest

from tandem.core.text import counted


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 days"), (1, "1 day"), (2, "2 days"), (21, "21 days")]
)
def test_counted_agrees_with_the_number(count, expected):
    assert counted(count, "%(count)d day", "%(count)d days") == expected


def test_counted_need_not_show_the_number():
    assert counted(1, "an hour", "%(count)d hours") == "an hour"
    assert counted(3, "an hour", "%(count)d hours") == "3 hours"
