"""The tabs of a mentor's record, each shown only to users whose roles reach it."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from .permissions import MentorPolicy

TABS = [
    ("Overview", "mentors:detail", "mentor"),
    ("Vetting", "mentors:vetting", "mentor_vetting"),
    ("Training and accreditation", "mentors:training", "mentor_training"),
    ("Quality", "mentors:quality", "mentor_training"),
]


def mentor_tabs(request, mentor) -> list[dict]:
    tabs = []
    for label, url_name, resource in TABS:
        if not MentorPolicy(resource).has_object_permission(request.user, "view", mentor):
            continue
        try:
            href = reverse(url_name, kwargs={"pk": mentor.pk})
        except NoReverseMatch:  # a tab whose page is not installed
            continue
        tabs.append({"text": label, "href": href, "active": request.path == href})
    return tabs
