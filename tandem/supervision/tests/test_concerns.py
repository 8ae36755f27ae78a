"""Supervision hears of safeguarding concerns: a serious one requires a debrief of the
mentors working with the person, and the oversight page counts the open ones."""

from __future__ import annotations

import pytest

from tandem.safeguarding import services
from tandem.safeguarding.models import Outcome
from tandem.safeguarding.tests.factories import lead, mentor_concern, raise_concern
from tandem.supervision.concerns import open_concern_counts
from tandem.supervision.models import DebriefRequirement

pytestmark = pytest.mark.django_db


def test_a_serious_concern_on_a_case_requires_a_debrief_of_its_mentor_once():
    concern = raise_concern(code="harm-to-others")

    requirement = DebriefRequirement.objects.get()
    assert requirement.source == f"safeguarding.concern:{concern.pk}"
    assert requirement.reason_code == "concern:harm-to-others"
    assert requirement.mentor.matches.filter(case=concern.case).exists()


def test_a_concern_of_a_category_that_is_not_serious_requires_no_debrief():
    raise_concern(code="information-incident")

    assert not DebriefRequirement.objects.exists()


def test_a_concern_about_a_mentors_own_safety_requires_their_debrief():
    concern = mentor_concern()

    assert DebriefRequirement.objects.get().mentor == concern.mentor


def test_open_concerns_are_counted_per_mentor_and_closed_ones_are_not():
    concern = raise_concern()
    mentor_id = concern.case.matches.get().mentor_id
    other = raise_concern()
    the_lead = lead()
    services.concern_acknowledge(actor=the_lead, concern=other)
    services.concern_action(actor=the_lead, concern=other)
    services.concern_resolve(actor=the_lead, concern=other)
    services.concern_close(
        actor=the_lead, concern=other, outcome=Outcome.values[0], signed_off=True
    )
    other_mentor = other.case.matches.get().mentor_id

    counts = open_concern_counts([mentor_id, other_mentor])

    assert counts[mentor_id].count == 1
    assert other_mentor not in counts
