"""Erasure proven at the raw level: after ``retention.case_erase`` nothing the person had
is left in the database's storage, in any form a leak could take.

A person is given distinctive values in every field that holds something about them
(name, date of birth, guardian and contact details, the referral, notes, a concern,
questionnaire answers). After erasure the raw storage is searched for each value (in
the encodings of the encryption canary), for the blind-index digests the person's rows
held and for the wrapped data key that could have opened their ciphertext:

- SQLite: the test database is a file (config/settings/test.py); the database file and
  its -wal and -shm files are read byte for byte. Deleted rows stay in free pages unless
  ``secure_delete`` is on, and old page versions stay in the write-ahead log until it is
  truncated: Tandem sets the one on every connection and does the other after erasure.
- PostgreSQL: the database is dumped with pg_dump (skipped on SQLite, as the SQLite
  test is skipped on PostgreSQL).

The case still counts in the analytics and the audit chain verifies. The same is proven
for a mentor erased by ``retention.mentor_erase``: every value they had, in their record,
their account and everything about them, is gone from the SQLite files, and the pool's
counts still add up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from conftest import create_user
from tandem.cases.models import Case, CaseStatus
from tandem.core.encryption.models import DataKey
from tandem.core.tests.encryption.test_canary import found
from tandem.meetings.models import MeetingBrief, SessionStatus
from tandem.meetings.tests.factories import make_session, working_match
from tandem.outcomes.tests.factories import answer
from tandem.privacy import retention
from tandem.privacy.models import RetentionRule
from tandem.reports import analytics
from tandem.safeguarding.tests.factories import raise_concern

VALUES = {
    "first_name": "Zebulonia",
    "last_name": "Quarterfield-Ombasi",
    "date_of_birth": "2008-11-23",
    "guardian_name": "Marisol Quarterfield",
    "guardian_contact": "07700 900 431 marisol.q@example.net",
    "reason": "Posted recruitment videos for Brigade Halvorsen in the Elmtree group chat",
    "accessibility_needs": "Needs sessions after 4pm at the Kestrelwick library",
    "screening_notes": "Brother Ignatius-Pemberton is also known to police",
    "private_notes": "Talked about cousin Delphine Arkwright-Soames and her husband",
    "summary": "Discussed the Wolverhollow football trials",
    "concern": "Said he would bring a blade to Thornbury Vale Academy on Friday",
    "brief_contact": "Flat 9, 17 Pellingham Crescent, KW4 7QX",
    "preferred_name": "Zebbo-the-Quiet",
}


def _person() -> Case:
    """A closed case whose person has a distinctive value in every field."""
    match = working_match(started_days_ago=200)
    case = match.case
    for field in (
        "first_name",
        "last_name",
        "date_of_birth",
        "guardian_name",
        "guardian_contact",
        "reason",
        "accessibility_needs",
        "screening_notes",
    ):
        setattr(case, field, VALUES[field])
    case.save()
    make_session(
        match,
        status=SessionStatus.HELD,
        days_ago=30,
        private_notes=VALUES["private_notes"],
        summary=VALUES["summary"],
    )
    MeetingBrief.objects.create(
        case=case,
        preferred_name=VALUES["preferred_name"],
        contact_details=VALUES["brief_contact"],
        updated_by=match.proposed_by,
    )
    concern = raise_concern(match=match, details=VALUES["concern"])
    assert concern.case_id == case.pk
    answer(case, satisfied=3, worthwhile=4, happy=2, anxious=9)
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED,
        closure_outcome="completed",
        closed_at=timezone.now(),
    )
    return Case.objects.get(pk=case.pk)


def _traces(case: Case) -> dict[str, bytes]:
    """What could still identify the person: the digests and the wrapped data key."""
    row = DataKey.objects.get(subject_type="client", subject_id=str(case.record_uuid))
    assert row.wrapped_key
    traces = {"wrapped data key": bytes(row.wrapped_key)}
    for name in ("name_index", "identity_index"):
        digest = getattr(case, name)
        assert len(digest) == 64
        traces[name] = digest.encode()
    return traces


def _held(trace: bytes, blob: bytes) -> bool:
    """``trace`` is in ``blob`` as bytes or as hex (how pg_dump writes bytea)."""
    return any(form in blob for form in (trace, trace.hex().encode()))


def _erase_and_check(storage) -> None:
    case = _person()
    counted = analytics.case_rows()
    assert len(counted) == 1 and counted[0]["planned_exit"]
    traces = _traces(case)
    # The search can see what is stored: before erasure the digests are there.
    before = storage()
    for label, trace in traces.items():
        assert _held(trace, before), f"the search cannot see the {label}"

    officer = create_user("data_protection_officer")
    retention.case_erase(
        actor=officer, case=case, rule=RetentionRule.objects.get(code="closed-case")
    )

    after = storage()
    assert case.reference.encode() in after, "the search cannot see stored text"
    for label, value in VALUES.items():
        assert not found(value, after), f"{label} found in storage after erasure"
    for label, trace in traces.items():
        assert not _held(trace, after), f"the {label} is still in storage after erasure"
    # The case still counts, with its outcome and factors; only the answers went with it.
    still = analytics.case_rows()
    assert len(still) == 1
    assert {k: v for k, v in still[0].items() if k != "wellbeing_change"} == {
        k: v for k, v in counted[0].items() if k != "wellbeing_change"
    }
    call_command("audit_verify", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_after_erasure_the_sqlite_files_hold_nothing_the_person_had():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite files; this run's database is PostgreSQL (see the pg_dump test)")
    assert not connection.is_in_memory_db(), "the SQLite test database must be a file"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1, "secure_delete must be on for every connection"
    database = Path(connection.settings_dict["NAME"])

    def storage() -> bytes:
        paths = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        return b"".join(p.read_bytes() for p in paths if p.exists())

    _erase_and_check(storage)


def _pg_dump_storage():
    """Reads the PostgreSQL test database as pg_dump writes it."""
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump must be installed to run this test"
    db = connection.settings_dict
    command = [pg_dump, "--no-owner", "--no-privileges", "--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [flag, str(db[key])]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}

    def storage() -> bytes:
        return subprocess.run(command, capture_output=True, env=env, timeout=120, check=True).stdout

    return storage


@pytest.mark.django_db(transaction=True)
def test_after_erasure_a_postgresql_dump_holds_nothing_the_person_had():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL dump; this run's database is SQLite (see the SQLite test)")
    _erase_and_check(_pg_dump_storage())


# A mentor ------------------------------------------------------------------------------------

MENTOR_VALUES = {
    "full_name": "Hesketh Marlowe-Abernathy",
    "email": "hesketh.marlowe@example.net",
    "phone": "07700 900 862",
    "motivation": "After my nephew Barnaby-Quill was groomed online",
    "experience": "Youth worker at the Saltmarsh Lane centre",
    "faith_background": "Raised in the Gospel Hall at Fennimore Street",
    "cultural_background": "Cornish and Nigerian family from Penwithick",
    "lived_experience": "Left the Crowmarsh Patriots in 2011",
    "gender_self_description": "Genderfluid-Hesketh",
    "ethnicity_description": "Kernewek-Yoruba heritage",
    "conflict_name": "Wilhelmina Crowmarsh-Tate",
    "conflict_connection": "My former partner's sister",
    "vetting_reference": "DBS-0099-ZZQ-4471",
    "failure_reason": "Reference from Pellow & Daughters refused to comment",
    "left_reason": "Hesketh moved to Lisbon with Sebastiano",
    "evidence": "MA dissertation on the Thornwick sermons",
    "qualification": "Diploma from the Ravenscar Institute",
    "accreditation_note": "Hesketh impressed the panel at Quarry Bank",
    "observation": "Hesketh handled the Ormskirk disclosure calmly",
    "feedback": "The Pendleford family said Hesketh was patient",
    "change_value": "Hesketh Abernathy-Marlowe",
    "change_explanation": "Marriage to Sebastiano Ferreira-Lund",
    "change_decision": "Seen the certificate from Truro register office",
    "supervision": "Hesketh is tired after the Wexcombe incident",
    "expenses_note": "Taxi from Gullsway Point to Brackenridge",
    "receipt_filename": "hesketh-taxi-gullsway.pdf",
}


def _mentor_with_everything():
    """A former mentor whose every field holds a distinctive value, with an account that
    acted (its audit events), a claim with a receipt and supervision records."""
    import datetime as dt

    from tandem.audit.services import record_event
    from tandem.catalogues.models import Specialism
    from tandem.meetings.tests.factories import add_receipt, held_session, make_claim
    from tandem.mentors.models import (
        ConflictDeclaration,
        FeedbackRecord,
        MentorSpecialism,
        MentorStatus,
        ObservedPractice,
        ProfileChangeRequest,
        VettingCheck,
        VettingCheckType,
    )
    from tandem.mentors.services.pipeline import mentor_transition
    from tandem.mentors.tests.factories import make_matchable_mentor
    from tandem.supervision.tests.factories import make_record

    v = MENTOR_VALUES
    user = create_user("mentor", full_name=v["full_name"], email=v["email"])
    mentor = make_matchable_mentor(
        user=user,
        full_name=v["full_name"],
        email=v["email"],
        phone=v["phone"],
        motivation=v["motivation"],
        experience=v["experience"],
        faith_background=v["faith_background"],
        cultural_background=v["cultural_background"],
        has_lived_experience=True,
        lived_experience=v["lived_experience"],
        gender="self_described",
        gender_self_description=v["gender_self_description"],
        ethnicity_description=v["ethnicity_description"],
    )
    coordinator = create_user("coordinator")
    ConflictDeclaration.objects.create(
        mentor=mentor, kind="person", name=v["conflict_name"], connection=v["conflict_connection"]
    )
    check_type = VettingCheckType.objects.first()
    VettingCheck.objects.create(
        mentor=mentor,
        check_type=check_type,
        outcome="failed",
        checked_on=timezone.localdate() - dt.timedelta(days=400),
        verifier="Vetting officer",
        reference_number=v["vetting_reference"],
        failure_reason=v["failure_reason"],
        recorded_by=coordinator,
    )
    MentorSpecialism.objects.create(
        mentor=mentor,
        specialism=Specialism.objects.first(),
        evidence=v["evidence"],
        qualification=v["qualification"],
    )
    accreditation = mentor.accreditations.first()
    type(accreditation).objects.filter(pk=accreditation.pk).update(note=v["accreditation_note"])
    ObservedPractice.objects.create(
        mentor=mentor,
        observed_on=timezone.localdate(),
        observer="Quality lead",
        rating="good",
        notes=v["observation"],
        recorded_by=coordinator,
    )
    FeedbackRecord.objects.create(
        mentor=mentor,
        received_on=timezone.localdate(),
        source="family",
        positive=True,
        summary=v["feedback"],
        recorded_by=coordinator,
    )
    ProfileChangeRequest.objects.create(
        mentor=mentor,
        field="full_name",
        new_value=v["change_value"],
        explanation=v["change_explanation"],
        status="approved",
        decided_by=coordinator,
        decided_at=timezone.now(),
        decision_reason=v["change_decision"],
    )
    make_record(mentor, notes=v["supervision"])
    claim = make_claim(held_session(mentor), expenses_note=v["expenses_note"])
    add_receipt(claim, filename=v["receipt_filename"], data=b"%PDF-1.4 " + v["full_name"].encode())
    record_event(actor=user, action="mentor.profile_view", obj=mentor)
    from tandem.core.models import Notification

    Notification.objects.create(
        user=coordinator, message=f"{v['full_name']} needs a debrief by Friday."
    )
    mentor_transition(
        actor=coordinator, mentor=mentor, to_status=MentorStatus.LEFT, reason=v["left_reason"]
    )
    return type(mentor).objects.get(pk=mentor.pk)


def _erase_mentor_and_check(storage) -> None:
    from tandem.mentors.models import ConflictDeclaration
    from tandem.mentors.selectors import composition

    mentor = _mentor_with_everything()
    coordinator = create_user("coordinator")
    counted = composition(actor=coordinator)
    key = DataKey.objects.get(subject_type="mentor", subject_id=str(mentor.record_uuid))
    traces = {"wrapped data key": bytes(key.wrapped_key)}
    digest = ConflictDeclaration.objects.get(mentor=mentor).name_index
    assert len(digest) == 64
    traces["conflict name_index"] = digest.encode()
    before = storage()
    for label, trace in traces.items():
        assert _held(trace, before), f"the search cannot see the {label}"
    assert found(MENTOR_VALUES["full_name"], before), "the search cannot see plain text"

    officer = create_user("data_protection_officer")
    retention.mentor_erase(
        actor=officer, mentor=mentor, rule=RetentionRule.objects.get(code="former-mentor")
    )

    after = storage()
    for label, value in MENTOR_VALUES.items():
        assert not found(value, after), f"the mentor's {label} found in storage after erasure"
    for label, trace in traces.items():
        assert not _held(trace, after), f"the {label} is still in storage after erasure"
    still = composition(actor=coordinator)
    assert still["total"] == counted["total"]
    assert still["by_status"] == counted["by_status"]
    call_command("audit_verify", stdout=StringIO())


@pytest.mark.django_db(transaction=True)
def test_after_a_mentors_erasure_the_sqlite_files_hold_nothing_they_had():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite files; this run's database is PostgreSQL (see the pg_dump test)")
    database = Path(connection.settings_dict["NAME"])

    def storage() -> bytes:
        paths = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        return b"".join(p.read_bytes() for p in paths if p.exists())

    _erase_mentor_and_check(storage)


@pytest.mark.django_db(transaction=True)
def test_after_a_mentors_erasure_a_postgresql_dump_holds_nothing_they_had():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL dump; this run's database is SQLite (see the SQLite test)")
    _erase_mentor_and_check(_pg_dump_storage())
