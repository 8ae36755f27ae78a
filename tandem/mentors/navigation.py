"""The tabs of a mentor's record, each shown only to users whose roles reach it."""

from __future__ import annotations

from tandem.core.navigation import record_tabs

from .permissions import MentorPolicy

TABS = [
    ("Overview", "mentors:detail", "mentor"),
    ("Vetting", "mentors:vetting", "mentor_vetting"),
    ("Training and accreditation", "mentors:training", "mentor_training"),
    ("Quality", "mentors:quality", "mentor_training"),
    # Supervision sits above the register: the tab shows when it is installed.
    ("Supervision", "supervision:mentor", "supervision"),
]


def mentor_tabs(request, mentor) -> list[dict]:
    return record_tabs(request, mentor, TABS, MentorPolicy)
