"""Factories for outcomes tests: answer links and answers made through the services."""

from __future__ import annotations

from conftest import create_user
from tandem.cases.models import Case
from tandem.cases.tests.factories import make_case

from .. import services
from ..models import Channel, Instrument, Occasion


def make_link(
    *, case_id: int | None = None, key: str = "ons4", channel: str = Channel.QR, actor=None
):
    """A waiting link for ``key`` on the case (a new case when none is given) and its token."""
    case = Case.objects.get(pk=case_id) if case_id else make_case()
    return services.link_create(
        actor=actor or create_user("coordinator"),
        case=case,
        instrument=Instrument.objects.get(key=key),
        occasion=Occasion.START,
        channel=channel,
        address="",
        answer_url=lambda token: f"https://tandem.example/outcomes/a/{token}/",
    )


def answer(case, key: str = "ons4", *, actor=None, occasion=Occasion.START, **answers):
    return services.answer_signed_in(
        actor=actor or create_user("coordinator"),
        case=case,
        instrument=Instrument.objects.get(key=key),
        occasion=occasion,
        answers=answers,
    )
