"""The retention schedule: what is due, the dry run, erasure approved by the officer (the
person's key destroyed, blind indexes blanked, aggregates kept, the audit chain intact)
and the legal hold that stops it."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import Case, CaseStatus
from tandem.cases.tests.factories import make_case
from tandem.core.encryption import is_subject_erased

from .. import retention
from ..models import Erasure, RetentionRule

pytestmark = pytest.mark.django_db


def _closed(years_ago: float, **fields) -> Case:
    case = make_case(status=CaseStatus.CLOSED, **fields)
    Case.objects.filter(pk=case.pk).update(
        status_changed_at=timezone.now() - dt.timedelta(days=365.25 * years_ago)
    )
    case.refresh_from_db()
    return case


def _raw_everything() -> str:
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            found.append(repr(cursor.fetchall()))
    return "\n".join(found)


def test_the_schedule_is_data_with_a_period_and_an_action_per_kind_of_record():
    codes = set(RetentionRule.objects.values_list("code", flat=True))
    assert {"referral-not-taken-forward", "closed-case", "former-mentor", "audit-events"} <= codes
    assert RetentionRule.objects.get(code="closed-case").period_months == 72


def test_the_dry_run_lists_what_is_due_and_changes_nothing():
    old = _closed(7)
    recent = _closed(2)
    out = StringIO()
    call_command("retention_review", stdout=out)
    text = out.getvalue()
    assert old.reference in text and recent.reference not in text
    assert "Dry run" in text
    assert not Erasure.objects.exists()
    assert not is_subject_erased(old.encryption_subject())


def test_applying_needs_the_officers_approval():
    _closed(7)
    coordinator = create_user("coordinator")
    with pytest.raises(CommandError, match="data-protection officer"):
        call_command("retention_review", "--apply", f"--approved-by={coordinator.email}")


def test_erasure_destroys_the_key_blanks_indexes_keeps_aggregates_and_the_chain():
    person = _closed(7, first_name="Quillon", last_name="Farthingale")
    other = _closed(1, first_name="Keepme", last_name="Present")
    index = Case.objects.values_list("name_index", flat=True).get(pk=person.pk)
    assert index
    closed_before = Case.objects.filter(status=CaseStatus.CLOSED).count()
    officer = create_user("data_protection_officer")
    out = StringIO()
    call_command("retention_review", "--apply", f"--approved-by={officer.email}", stdout=out)
    assert f"{person.reference}  closed-case" in out.getvalue()
    assert is_subject_erased(person.encryption_subject())
    assert not is_subject_erased(other.encryption_subject())
    erased = Case.objects.get(pk=person.pk)
    assert erased.name_index == "" and erased.identity_index == ""
    assert erased.subject_erased
    assert Case.objects.filter(status=CaseStatus.CLOSED).count() == closed_before
    dump = _raw_everything()
    assert "Quillon" not in dump and "Farthingale" not in dump and index not in dump
    assert AuditEvent.objects.filter(
        actor=officer, action="retention.erase", object_id=str(person.pk)
    ).exists()
    call_command("audit_verify", stdout=StringIO())
    # Nothing is erased twice.
    assert retention.due() == []


def test_a_legal_hold_keeps_the_case_until_it_is_lifted():
    case = _closed(7)
    officer = create_user("data_protection_officer")
    retention.hold_place(actor=officer, case=case, reason="A claim against the scheme")
    out = StringIO()
    call_command("retention_review", "--apply", f"--approved-by={officer.email}", stdout=out)
    assert "HELD" in out.getvalue()
    assert not is_subject_erased(case.encryption_subject())
    with pytest.raises(retention.RetentionRefused, match="legal hold"):
        retention.case_erase(
            actor=officer, case=case, rule=RetentionRule.objects.get(code="closed-case")
        )
    retention.hold_lift(actor=officer, case=case)
    call_command("retention_review", "--apply", f"--approved-by={officer.email}", stdout=out)
    assert is_subject_erased(case.encryption_subject())


def test_the_officer_reviews_and_erases_from_the_page_and_a_coordinator_cannot(client, signed_in):
    case = _closed(7)
    signed_in(create_user("coordinator"))
    assert client.get("/privacy/retention/").status_code == 403
    officer = create_user("data_protection_officer")
    signed_in(officer)
    page = client.get("/privacy/retention/").content.decode()
    assert case.reference in page
    refused = client.post(f"/privacy/cases/{case.pk}/erase/", {})
    assert refused.status_code == 200
    assert "Confirm that nothing requires this record to be kept" in refused.content.decode()
    assert client.post(f"/privacy/cases/{case.pk}/erase/", {"confirm": "on"}).status_code == 302
    assert Erasure.objects.filter(case=case, approved_by=officer).exists()
    # The hold form refuses an empty reason with a clear error.
    live = _closed(7)
    response = client.post(f"/privacy/cases/{live.pk}/legal-hold/", {"reason": "  "})
    assert "Enter the reason for the hold" in response.content.decode()


def test_an_erased_persons_pages_still_open_and_say_erased(client, signed_in):
    from .factories import released_report

    case = _closed(7)
    report = released_report(case)
    officer = create_user("data_protection_officer")
    retention.case_erase(
        actor=officer, case=case, rule=RetentionRule.objects.get(code="closed-case")
    )
    signed_in(create_user("coordinator"))
    for url in (f"/privacy/cases/{case.pk}/", f"/privacy/reports/{report.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "[erased]" in response.content.decode()


def test_the_data_protection_page_shows_the_default_schedule():
    from pathlib import Path

    page = Path(__file__).resolve().parents[3] / "docs" / "data-protection.md"
    assert retention.schedule_markdown() in page.read_text()


def test_a_request_to_be_erased_is_refused_while_a_concern_is_open_then_carried_out(
    client, signed_in
):
    from tandem.safeguarding.models import ConcernCategory
    from tandem.safeguarding.services import concern_raise

    from ..models import ErasureRequest

    case = make_case(status=CaseStatus.ACTIVE)
    concern = concern_raise(
        actor=create_user("coordinator"),
        category=ConcernCategory.objects.get(code="risk-to-self"),
        urgency="urgent",
        details="Said something worrying.",
        case=case,
    )
    officer = create_user("data_protection_officer")
    signed_in(officer)
    url = f"/privacy/cases/{case.pk}/erasure-request/"
    today = timezone.localdate().strftime("%d/%m/%Y")
    refused = client.post(url, {"received_on": today, "decision": "erase", "reasons": "Asked."})
    assert refused.status_code == 200
    assert "safeguarding retention applies" in refused.content.decode()
    assert not is_subject_erased(case.encryption_subject())
    type(concern).objects.filter(pk=concern.pk).update(  # the concern is closed
        status="closed",
        outcome="no_further_action",
        signed_off_by=officer,
        closed_at=timezone.now(),
        resolved_at=timezone.now(),
        acknowledged_at=timezone.now(),
        acknowledged_by=officer,
    )
    done = client.post(url, {"received_on": today, "decision": "erase", "reasons": "Asked."})
    assert done.status_code == 302
    assert is_subject_erased(case.encryption_subject())
    assert ErasureRequest.objects.get(case=case).decided_by == officer
    assert Erasure.objects.get(case=case).rule is None
    call_command("audit_verify", stdout=StringIO())
