"""Rectification (UK GDPR Article 16): a field corrected with a reason, audited without
the values, the old value kept (encrypted) only where the law requires it, and the
person found by their corrected name."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import Case
from tandem.cases.search import find_people
from tandem.cases.tests.factories import make_case
from tandem.privacy import rectification as rect
from tandem.privacy.models import Rectification, RetentionRule
from tandem.privacy.retention import case_erase

pytestmark = pytest.mark.django_db


def _raw_everything() -> str:
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            found.append(repr(cursor.fetchall()))
    return "\n".join(found)


def test_a_corrected_name_is_found_and_the_old_one_is_not_and_is_not_kept():
    case = make_case(first_name="Jon", last_name="Smyth", date_of_birth="2009-05-17")
    coordinator = create_user("coordinator")
    assert list(find_people(actor=coordinator, name="Jon Smyth")) == [case]
    made = rect.case_rectify(
        actor=coordinator,
        case=case,
        field="last_name",
        value="Smith",
        reason="The referrer misspelt the name; the person showed a letter.",
    )
    assert list(find_people(actor=coordinator, name="Jon Smith")) == [case]
    assert list(find_people(actor=coordinator, name="Jon Smyth")) == []
    by_identity = find_people(
        actor=coordinator, name="Jon Smith", date_of_birth=dt.date(2009, 5, 17)
    )
    assert list(by_identity) == [case]
    assert Case.objects.get(pk=case.pk).last_name == "Smith"
    assert made.old_value == "" and not made.old_value_kept
    assert "Smyth" not in _raw_everything()
    event = AuditEvent.objects.get(action="rectification.make", object_id=str(case.pk))
    assert event.actor == coordinator
    assert set(event.changed_fields) == {"last_name", "name_index", "identity_index"}
    assert "Smith" not in repr(event.__dict__) and "Smyth" not in repr(event.__dict__)
    assert Case.objects.get(pk=case.pk).version == case.version + 1


def test_the_old_date_of_birth_is_kept_encrypted_when_the_law_requires_it():
    case = make_case(date_of_birth="2009-05-17", age_at_referral=17)
    officer = create_user("data_protection_officer")
    born = dt.date(2011, 2, 3)
    rect.case_rectify(
        actor=officer,
        case=case,
        field="date_of_birth",
        value=born,
        reason="Birth certificate seen.",
        keep_old=True,
        kept_because="Consent was taken on the old date of birth.",
    )
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.date_of_birth == "2011-02-03"
    assert fresh.age_at_referral < 17  # recomputed from the corrected date
    made = Rectification.objects.get(case=case)
    assert made.old_value == "2009-05-17" and made.old_value_kept
    raw = _raw_everything()
    assert "2009-05-17" not in raw and "Consent was taken" not in raw  # encrypted
    # Erasing the person erases the kept value with them.
    case_erase(actor=officer, case=fresh, rule=RetentionRule.objects.get(code="closed-case"))
    assert Rectification.objects.get(case=case).subject_erased


@pytest.mark.parametrize(
    "change, message",
    [
        ({"field": "nickname", "value": "x"}, "Select a field"),
        ({"field": "last_name", "value": "New", "reason": " "}, "Enter the reason"),
        ({"field": "last_name", "value": "  "}, "Enter the corrected last name"),
        ({"field": "last_name", "value": "Example"}, "already says that"),
        ({"field": "last_name", "value": "x" * 101}, "100 characters or fewer"),
        ({"field": "date_of_birth", "value": "2009-01-01"}, "real date"),
        (
            {"field": "guardian_contact", "value": "0700", "keep_old": True, "kept_because": "x"},
            "never kept",
        ),
        ({"field": "last_name", "value": "New", "keep_old": True}, "Say why the law requires"),
    ],
)
def test_a_correction_that_cannot_be_made_is_refused_and_changes_nothing(change, message):
    case = make_case(last_name="Example")
    change.setdefault("reason", "Shown a document.")
    with pytest.raises(rect.RectificationRefused, match=message):
        rect.case_rectify(actor=create_user("coordinator"), case=case, **change)
    assert Case.objects.get(pk=case.pk).last_name == "Example"
    assert not Rectification.objects.exists()
    future = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(rect.RectificationRefused, match="in the past"):
        rect.case_rectify(
            actor=create_user("coordinator"),
            case=case,
            field="date_of_birth",
            value=future,
            reason="r",
        )


def test_only_the_officer_or_a_coordinator_corrects_and_never_an_erased_person():
    case = make_case()
    with pytest.raises(rect.RectificationRefused, match="Only the data-protection officer"):
        rect.case_rectify(
            actor=create_user("supervisor"), case=case, field="last_name", value="New", reason="r"
        )
    officer = create_user("data_protection_officer")
    case_erase(actor=officer, case=case, rule=None)
    with pytest.raises(rect.RectificationRefused, match="erased"):
        rect.case_rectify(
            actor=officer,
            case=Case.objects.get(pk=case.pk),
            field="last_name",
            value="New",
            reason="r",
        )


def test_the_coordinator_corrects_from_the_pages_and_a_mistake_keeps_what_was_typed(
    client, signed_in
):
    case = make_case(first_name="Ayesha", last_name="Khan")
    coordinator = create_user("coordinator")
    signed_in(coordinator)
    assert "Correct the record" in client.get(f"/privacy/cases/{case.pk}/").content.decode()
    listing = client.get(f"/privacy/cases/{case.pk}/rectification/")
    assert listing.status_code == 200
    assert "Nothing has been corrected" in listing.content.decode()
    url = f"/privacy/cases/{case.pk}/rectification/first_name/"
    page = client.get(url).content.decode()
    assert "Ayesha" in page
    assert AuditEvent.objects.filter(
        actor=coordinator, action="cases.case.view", reason="rectification"
    ).exists()
    refused = client.post(
        url, {"value": "Aisha", "reason": "", "keep_old": "on", "version": case.version}
    )
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Enter the reason for the correction" in text
    assert "Say why the law requires the old value to be kept" in text
    assert 'value="Aisha"' in text
    done = client.post(
        url, {"value": "Aisha", "reason": "Spelling on her passport.", "version": case.version}
    )
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).first_name == "Aisha"
    listing = client.get(f"/privacy/cases/{case.pk}/rectification/").content.decode()
    assert "Spelling on her passport." in listing and "Overwritten" in listing
    # A form from a stale page is refused, the record untouched.
    stale = client.post(url, {"value": "Aysha", "reason": "r", "version": case.version})
    assert "Someone else changed this case" in stale.content.decode()
    assert Case.objects.get(pk=case.pk).first_name == "Aisha"
    # A date that is not a date is a clear error, not a failure.
    bad = client.post(
        f"/privacy/cases/{case.pk}/rectification/date_of_birth/",
        {"value": "31/02/2009", "reason": "r", "version": case.version + 1},
    )
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    assert client.get(f"/privacy/cases/{case.pk}/rectification/nickname/").status_code == 404


def test_others_cannot_reach_the_correction_pages(client, signed_in):
    case = make_case()
    for role in ("mentor", "supervisor", "referrer", "board_member"):
        signed_in(create_user(role))
        assert client.get(f"/privacy/cases/{case.pk}/rectification/").status_code in (403, 404)
        response = client.post(
            f"/privacy/cases/{case.pk}/rectification/last_name/",
            {"value": "X", "reason": "r", "version": case.version},
        )
        assert response.status_code in (403, 404)
    assert Case.objects.get(pk=case.pk).last_name == "Example"


@pytest.mark.django_db(transaction=True)  # keys committed, as in use, so they are cached
def test_the_corrections_page_reads_a_fixed_number_of_queries(
    client, signed_in, django_assert_max_num_queries
):
    case = make_case()
    officer = create_user("data_protection_officer")
    signed_in(officer)
    url = f"/privacy/cases/{case.pk}/rectification/"

    def correct(n):
        rect.case_rectify(
            actor=create_user("coordinator"),
            case=Case.objects.get(pk=case.pk),
            field="reason",
            value=f"Corrected referral reason {n}",
            reason=f"Reason {n}",
        )

    correct(0)
    client.get(url)  # warm up the session
    with django_assert_max_num_queries(16) as few:
        client.get(url)
    for n in range(1, 7):
        correct(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Overwritten") == 7
