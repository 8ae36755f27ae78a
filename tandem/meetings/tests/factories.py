"""Test data for meetings, made directly on the models (not through the services):
mentors who can sign in, working matches, sessions in any status, claims with their
receipts, and questions for specialist advice.

Matches are proposed by a user without roles, so that tests count only the
coordinators they make.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import struct
import zlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import create_user
from tandem.cases.models import Approach, CaseStatus, SupportPlan
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import Specialism
from tandem.matching.models import Match, MatchStatus
from tandem.matching.tests.factories import live_match
from tandem.mentors.models import Accreditation, AccreditationLevel, MentorSpecialism, MentorStatus
from tandem.mentors.tests.factories import make_mentor

from ..models import (
    AdviceAnswer,
    AdviceQuestion,
    Claim,
    ClaimStatus,
    MeetingBrief,
    PlaceType,
    Receipt,
    Session,
    SessionStatus,
)

# Mentors and matches ---------------------------------------------------------------------


def accredit(mentor, code: str = "accredited", *, on: dt.date | None = None) -> Accreditation:
    on = on or timezone.localdate() - dt.timedelta(days=400)
    return Accreditation.objects.create(
        mentor=mentor,
        level=AccreditationLevel.objects.get(code=code),
        awarded_on=on,
        expires_on=on + dt.timedelta(days=3650),
        awarded_by=create_user("coordinator"),
    )


def mentor_with_account(*, level: str | None = None, **fields):
    """A mentor who can sign in (role mentor), active unless ``status`` says otherwise,
    accredited at ``level`` when given."""
    fields.setdefault("user", create_user("mentor"))
    fields.setdefault("status", MentorStatus.ACTIVE)
    mentor = make_mentor(**fields)
    if level:
        accredit(mentor, level)
    return mentor


def working_match(
    *,
    mentor=None,
    case=None,
    status: str = MatchStatus.ACTIVE,
    started_days_ago: float | None = None,
    frequency: str | None = None,
    **mentor_fields,
) -> Match:
    """A match the mentor works on (active by default). A new mentor has an account and a
    supervisor. The match started ``started_days_ago`` days ago when given (today
    otherwise); the case has a plan of ``frequency`` when given."""
    if mentor is None:
        mentor_fields.setdefault("supervisor", create_user("supervisor"))
        mentor = mentor_with_account(**mentor_fields)
    case = case or make_case(
        status=CaseStatus.ACTIVE if status == MatchStatus.ACTIVE else CaseStatus.MATCHED
    )
    dates = {}
    if started_days_ago is not None:
        started = timezone.now() - dt.timedelta(days=started_days_ago)
        dates = {"started_at": started, "first_meeting_at": started}
    match = live_match(case, mentor, status=status, by=create_user(), **dates)
    if frequency:
        SupportPlan.objects.create(
            case=case,
            approach=Approach.BEFRIENDING,
            intended_style=2,
            frequency=frequency,
            updated_by=match.proposed_by,
        )
    return match


def active_match(*, started_days_ago: float = 60, frequency: str | None = "weekly", **fields):
    """A working match with a history for contact monitoring: started
    ``started_days_ago`` days ago, its case on a plan of ``frequency`` (none when None)."""
    return working_match(started_days_ago=started_days_ago, frequency=frequency, **fields)


# Sessions ---------------------------------------------------------------------------------


def place(code: str = "community-venue") -> PlaceType:
    return PlaceType.objects.get(code=code)


def make_session(
    match: Match,
    *,
    status: str = SessionStatus.PLANNED,
    starts_at: dt.datetime | None = None,
    days_ago: float | None = None,
    place_code: str = "community-venue",
    **fields,
) -> Session:
    """A session of ``match`` in ``status`` at ``starts_at``, or ``days_ago`` days ago, or
    three days ahead when neither is given. A held session has what happened filled in."""
    if starts_at is None:
        starts_at = timezone.now() + (
            dt.timedelta(days=3) if days_ago is None else -dt.timedelta(days=days_ago)
        )
    if status == SessionStatus.HELD:
        fields.setdefault("approach", Approach.BEFRIENDING)
        fields.setdefault("style", 2)
        fields.setdefault("engagement", 4)
        fields.setdefault("trust", 3)
    if status == SessionStatus.CANCELLED:
        fields.setdefault("cancelled_by", "person")
    fields.setdefault("place_type", place(place_code))
    return Session.objects.create(
        match=match,
        case=match.case,
        mentor=match.mentor,
        status=status,
        starts_at=starts_at,
        created_by=fields.pop("created_by", None) or match.mentor.user or match.proposed_by,
        **fields,
    )


# Claims -----------------------------------------------------------------------------------

_hours_back = itertools.count(1)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def held_session(
    mentor=None, *, match=None, starts_at: dt.datetime | None = None, **fields
) -> Session:
    """A session to claim for: held (unless ``status`` says otherwise) two days ago, 90
    minutes with 45 of travel, on ``match`` or a new active match of ``mentor`` (a new
    accredited mentor when None)."""
    if match is None:
        match = working_match(mentor=mentor or mentor_with_account(level="accredited"))
    fields.setdefault("status", SessionStatus.HELD)
    fields.setdefault("duration_minutes", 90)
    fields.setdefault("travel_minutes", 45)
    # Distinct start times, so that lists ordered by time are ordered the same every run.
    starts_at = starts_at or timezone.now() - dt.timedelta(days=2, hours=next(_hours_back) % 12)
    return make_session(match, starts_at=starts_at, **fields)


def make_claim(
    session: Session | None = None,
    *,
    status: str = ClaimStatus.DRAFT,
    receipt: bool = False,
    **fields,
) -> Claim:
    session = session or held_session()
    fields.setdefault("session_hours", Decimal("1.50"))
    fields.setdefault("travel_hours", Decimal("0.75"))
    fields.setdefault("miles", Decimal("10.0"))
    fields.setdefault("expenses", Decimal("0.00"))
    if status != ClaimStatus.DRAFT:
        fields.setdefault("submitted_at", timezone.now())
        fields.setdefault("hourly_rate", Decimal("18.00"))
        fields.setdefault("mileage_rate", Decimal("0.45"))
    claim = Claim.objects.create(
        session=session,
        mentor=session.mentor,
        month=timezone.localtime(session.starts_at).date().replace(day=1),
        status=status,
        **fields,
    )
    if receipt:
        add_receipt(claim)
    return claim


def add_receipt(claim: Claim, *, filename: str = "receipt.pdf", data: bytes = PDF) -> Receipt:
    return Receipt.objects.create(
        claim=claim,
        filename=filename,
        content_type="application/pdf",
        size=len(data),
        content=base64.b64encode(data).decode(),
    )


def png_bytes() -> bytes:
    """A real one-pixel PNG (for browser uploads)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    raw = b"\x00\xff\xff\xff"
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# Specialist advice ------------------------------------------------------------------------


@dataclass
class AdviceWorld:
    case: object
    mentor_user: object
    supervisor: object
    adviser: object
    specialism: Specialism


def adviser(specialism: Specialism, *, status=MentorStatus.ACTIVE):
    """A user with the mentor role whose mentor record holds ``specialism``."""
    mentor = mentor_with_account(status=status)
    MentorSpecialism.objects.create(mentor=mentor, specialism=specialism)
    return mentor.user


def advice_world(*, first_name="Aisha", last_name="Begum", preferred_name="") -> AdviceWorld:
    """A case with a working match, its mentor and their supervisor, and an adviser who
    holds the specialism the questions are for."""
    specialism = Specialism.objects.get(code="islamic-theology")
    match = working_match(case=make_case(first_name=first_name, last_name=last_name))
    if preferred_name:
        MeetingBrief.objects.create(
            case=match.case, preferred_name=preferred_name, updated_by=create_user("coordinator")
        )
    return AdviceWorld(
        match.case, match.mentor.user, match.mentor.supervisor, adviser(specialism), specialism
    )


def ask(world: AdviceWorld, text="How do I answer a question about jihad?", **fields):
    fields.setdefault("specialism", world.specialism)
    return AdviceQuestion.objects.create(
        case=world.case, asked_by=world.mentor_user, question=text, **fields
    )


def answer(question, by, text="Explain the inner struggle; point to mainstream scholars."):
    return AdviceAnswer.objects.create(question=question, answered_by=by, answer=text)
