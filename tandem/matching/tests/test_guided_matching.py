"""What matching tells the case page's guidance (the live match), and the match list's
filter for proposals left unanswered too long."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.guidance import case_facts
from tandem.cases.models import CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.mentors.tests.factories import make_mentor

from ..models import MatchStatus
from .factories import live_match, waiting_case

pytestmark = pytest.mark.django_db


def test_the_guidance_follows_the_live_match(client, signed_in):
    case = waiting_case()
    assert case_facts(case).match_status == ""
    signed_in(create_user("coordinator"))
    detail = reverse("cases:detail", kwargs={"pk": case.pk})
    assert ">Find a mentor</a>" in client.get(detail).content.decode()

    match = live_match(case, make_mentor())
    html = client.get(detail).content.decode()
    assert ">Find a mentor</a>" not in html and "waits for their answer" in html

    match.status = MatchStatus.ACCEPTED
    match.save()
    case.status = CaseStatus.MATCHED
    case.save()
    html = client.get(detail).content.decode()
    assert f'href="{reverse("matching:match_start", kwargs={"pk": match.pk})}"' in html
    assert ">Record the first meeting</a>" in html


def _proposal(days_old: int):
    match = live_match(make_case(status=CaseStatus.AWAITING_MATCH), make_mentor())
    match.proposed_at = timezone.now() - dt.timedelta(days=days_old)
    match.save()
    return match


def test_the_match_list_shows_only_proposals_unanswered_too_long(client, signed_in):
    old, recent = _proposal(4), _proposal(1)
    signed_in(create_user("coordinator"))

    html = client.get(reverse("matching:match_list") + "?unanswered=on").content.decode()

    assert old.case.reference in html and recent.case.reference not in html
    assert "unanswered for more than 3 days" in html
    event = AuditEvent.objects.filter(action="match.list").latest("pk")
    assert event.changed_fields == ["unanswered"]


@override_settings(TANDEM_PROPOSAL_ANSWER_DAYS=0)
def test_the_number_of_days_is_a_setting(client, signed_in):
    recent = _proposal(1)
    signed_in(create_user("coordinator"))
    html = client.get(reverse("matching:match_list") + "?unanswered=on").content.decode()
    assert recent.case.reference in html and "more than 0 days" in html


def test_nothing_unanswered_says_so(client, signed_in):
    _proposal(1)
    signed_in(create_user("coordinator"))
    html = client.get(reverse("matching:match_list") + "?unanswered=on").content.decode()
    assert "No proposal has been waiting for its mentor" in html
