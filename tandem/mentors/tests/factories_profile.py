"""Test helpers for the profile, self-service and reminders tests."""

from __future__ import annotations

from conftest import create_user
from tandem.mentors.models import Mentor, MentorStatus

from .factories import make_matchable_mentor, make_mentor


def mentor_with_account(*, matchable: bool = False, **fields) -> tuple:
    """A mentor record linked to a signed-in-able user with the mentor role."""
    user = create_user("mentor", full_name=fields.pop("full_name", "Amira Hussain"))
    fields.setdefault("email", user.email)
    fields.setdefault("full_name", user.full_name)
    if matchable:
        mentor = make_matchable_mentor(user=user, **fields)
    else:
        fields.setdefault("status", MentorStatus.TRAINING)
        mentor = make_mentor(user=user, **fields)
    return user, mentor


def profile_post(**overrides) -> dict:
    """A complete, valid profile form submission (mentor's form)."""
    data = {
        "gender": "female",
        "gender_self_description": "",
        "age_band": "35-44",
        "faith_background": "",
        "cultural_background": "",
        "has_lived_experience": "no",
        "lived_experience": "",
        "travel_radius_km": "15",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def refreshed(mentor: Mentor) -> Mentor:
    return Mentor.objects.get(pk=mentor.pk)
