"""Test data for claims: sessions made directly on the models (not through the session
services), claims in any state, and receipt files of each kind."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import struct
import zlib
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import create_user
from tandem.cases.models import Approach
from tandem.cases.tests.factories import make_case
from tandem.matching.models import MatchStatus
from tandem.matching.tests.factories import live_match
from tandem.mentors.models import Accreditation, AccreditationLevel
from tandem.mentors.tests.factories import make_mentor

from ..models import Claim, ClaimStatus, PlaceType, Receipt, Session, SessionStatus

_n = itertools.count(1)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def accredit(mentor, code: str = "accredited", *, on: dt.date | None = None):
    on = on or timezone.localdate() - dt.timedelta(days=400)
    return Accreditation.objects.create(
        mentor=mentor,
        level=AccreditationLevel.objects.get(code=code),
        awarded_on=on,
        expires_on=on + dt.timedelta(days=3650),
        awarded_by=create_user("coordinator"),
    )


def mentor_with_account(*, level: str | None = "accredited", **fields):
    fields.setdefault("user", create_user("mentor"))
    mentor = make_mentor(status="active", **fields)
    if level:
        accredit(mentor, level)
    return mentor


def held_session(
    mentor=None,
    *,
    starts_at: dt.datetime | None = None,
    status: str = SessionStatus.HELD,
    match=None,
    **fields,
) -> Session:
    """A session of ``mentor`` (a new mentor when None) on a live match, held by default."""
    mentor = mentor or mentor_with_account()
    if match is None:
        match = live_match(make_case(), mentor, status=MatchStatus.ACTIVE)
    starts_at = starts_at or timezone.now() - dt.timedelta(days=2, hours=next(_n) % 12)
    if status == SessionStatus.HELD:
        fields.setdefault("approach", Approach.BEFRIENDING)
        fields.setdefault("style", 2)
        fields.setdefault("engagement", 4)
        fields.setdefault("trust", 3)
    fields.setdefault("duration_minutes", 90)
    fields.setdefault("travel_minutes", 45)
    return Session.objects.create(
        match=match,
        case=match.case,
        mentor=match.mentor,
        status=status,
        starts_at=starts_at,
        place_type=fields.pop("place_type", None) or PlaceType.objects.get(code="community-venue"),
        created_by=fields.pop("created_by", None) or match.proposed_by,
        **fields,
    )


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
