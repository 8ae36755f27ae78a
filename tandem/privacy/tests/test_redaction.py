"""The redaction step before a subject access package is released: the officer withholds
third parties' data with a reason, the package shows "[withheld: reason]" in its place,
and the release records who approved it."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import make_session, working_match

from ..models import Redaction, SubjectAccessRequest
from ..redaction import RedactionRefused, redaction_add
from ..subject_access import compile_package

pytestmark = pytest.mark.django_db

NOTE = "Talked about his uncle Farouk Delacroix-Benn, who drives him to the mosque."


def _world():
    match = working_match()
    session = make_session(
        match, status=SessionStatus.HELD, days_ago=3, private_notes=NOTE, summary="Football."
    )
    return match.case, session


def _package(client, case, kind="zip") -> str:
    response = client.get(f"/privacy/cases/{case.pk}/subject-access/?format={kind}")
    assert response.status_code == 200
    if kind == "pdf":
        return response.content.decode("latin-1")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return archive.read(f"{case.reference}/everything.json").decode()


def test_the_officer_withholds_a_name_and_an_item_and_approves_the_release(client, signed_in):
    case, session = _world()
    officer = create_user("data_protection_officer", full_name="Olu Officer")
    signed_in(officer)
    url = f"/privacy/cases/{case.pk}/subject-access/review/"
    page = client.get(url).content.decode()
    assert "Farouk Delacroix-Benn" in page  # the officer reads what would be released
    assert AuditEvent.objects.filter(actor=officer, action="subject_access.review").exists()
    item = f"meetings.session:{session.pk}:private_notes"
    done = client.post(
        url,
        {
            "step": "withhold",
            "item": item,
            "text": "Farouk Delacroix-Benn",
            "reason": "third_party",
        },
    )
    assert done.status_code == 302
    whole = f"meetings.session:{session.pk}:summary"
    client.post(url, {"step": "withhold", "item": whole, "text": "", "reason": "source"})
    assert Redaction.objects.filter(case=case).count() == 2
    package = json.loads(_package(client, case))
    notes = package["meetings.session"][0]
    assert "Farouk" not in json.dumps(package)  # nor the redactions themselves
    assert "[withheld: Another person's information" in notes["private_notes"]
    assert notes["private_notes"].startswith("Talked about his uncle [withheld:")
    assert notes["summary"].startswith("[withheld: Given by someone else")
    assert "privacy.redaction" not in package
    pdf = _package(client, case, "pdf")
    assert len(pdf) > 500
    # Approving the release records who approved it; the package says so (by role).
    client.post(
        f"/privacy/cases/{case.pk}/subject-access/",
        {"step": "log", "received_on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    assert client.post(url, {"step": "release"}).status_code == 302
    made = SubjectAccessRequest.objects.get(case=case)
    assert made.released_by == officer and made.released_at is not None
    assert json.loads(_package(client, case))["release"][0]["approved_by"] == (
        "the data-protection officer"
    )
    for action in ("subject_access.redact", "subject_access.release"):
        assert AuditEvent.objects.filter(actor=officer, action=action).exists()
    # Putting an item back.
    first = Redaction.objects.filter(case=case).first()
    client.post(url, {"step": "remove", "redaction": first.pk})
    assert Redaction.objects.filter(case=case).count() == 1


def test_a_redaction_that_cannot_be_made_is_a_clear_error(client, signed_in):
    case, session = _world()
    signed_in(create_user("data_protection_officer"))
    url = f"/privacy/cases/{case.pk}/subject-access/review/"
    item = f"meetings.session:{session.pk}:private_notes"
    for data, message in (
        ({"item": item, "text": "Not in the note", "reason": "third_party"}, "not in the item"),
        (
            {"item": "cases.case:999999:reason", "text": "", "reason": "third_party"},
            "from the list",
        ),
        ({"item": item, "text": "", "reason": ""}, "Select the reason"),
    ):
        response = client.post(url, {"step": "withhold", **data})
        assert response.status_code == 200
        assert message in response.content.decode(), data
    assert not Redaction.objects.exists()
    refused = client.post(url, {"step": "release"}, follow=True)
    assert "Log the request before approving a release" in refused.content.decode()
    again = client.post(url, {"step": "remove", "redaction": "x"}, follow=True)
    assert "The form was incomplete" in again.content.decode()


def test_only_the_officer_withholds_and_a_coordinator_cannot_reach_the_review(client, signed_in):
    case, session = _world()
    coordinator = create_user("coordinator")
    with pytest.raises(RedactionRefused, match="Only the data-protection officer"):
        redaction_add(
            actor=coordinator,
            case=case,
            sections=compile_package(case),
            item=f"meetings.session:{session.pk}:private_notes",
            text="",
            reason="third_party",
        )
    signed_in(coordinator)
    assert client.get(f"/privacy/cases/{case.pk}/subject-access/review/").status_code in (403, 404)
