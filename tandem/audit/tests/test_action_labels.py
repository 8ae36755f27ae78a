"""The audit log's actions in words: one registry every app fills, used by the log page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import create_user, sign_in
from tandem.audit.actions import action_label, record_type_name, registered_actions
from tandem.audit.services import record_event

TANDEM = Path(__file__).resolve().parents[2]
LITERAL_ACTION = re.compile(r"""action=["']([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)["']""")


def _actions_in_the_code() -> set[str]:
    found = set()
    for path in TANDEM.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        found |= set(LITERAL_ACTION.findall(path.read_text()))
    return found


def test_every_action_the_code_records_has_words():
    actions = _actions_in_the_code()
    assert "mentor.check_record" in actions  # the scan finds them
    missing = sorted(
        a for a in actions if a not in registered_actions() and not a.endswith(".view")
    )
    assert not missing, f"Audit actions without words in an app's audit_labels.py: {missing}"


def test_actions_recorded_through_variables_have_words_too():
    for action in (
        "case.start_screening",
        "case.resume",
        "claim.approve",
        "claim.export_xlsx",
        "concern.escalate",
        "concern_alert.missed",
        "catalogue_entry.retire",
        "access.refused",
    ):
        assert action in registered_actions(), action


def test_labels_read_as_words():
    assert action_label("mentor.check_record") == "Recorded a vetting check"
    assert action_label("case.start_closing") == "Moved a case: start closing"
    assert action_label("cases.case.view") == "Looked at a case"
    assert action_label("mentors.mentor.view") == "Looked at a mentor's record"
    # Nobody registered these: still words, never a bare code.
    assert action_label("widget.spin_round") == "Widget: spin round"
    assert action_label("shop.widget.view") == "Looked at a widget record"
    assert record_type_name("") == "a record"


def test_a_label_cannot_be_registered_twice_with_different_words():
    from tandem.audit.actions import register_action_labels

    register_action_labels({"audit.search": "Searched the audit log"})  # the same: fine
    with pytest.raises(ValueError, match="already reads"):
        register_action_labels({"audit.search": "Looked for things"})


@pytest.mark.django_db
def test_the_audit_log_page_shows_actions_and_records_in_words(client):
    coordinator = create_user("coordinator")
    record_event(
        actor=coordinator, action="mentor.check_record", object_type="mentors.mentor", object_id="7"
    )
    sign_in(client, coordinator)
    body = client.get(reverse("audit:event_list")).content.decode()
    assert "Recorded a vetting check" in body
    assert "A mentor&#x27;s record, number 7" in body
    assert '<code class="govuk-body-s">mentor.check_record</code>' in body  # still searchable
