import hashlib
import json
from datetime import UTC
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import ProtectedError

from tandem.audit.models import GENESIS_HASH, AppendOnlyError, AuditChainHead, AuditEvent
from tandem.audit.services import record_event, record_view
from tandem.core.request_context import request_id_var

from .factories import create_user, record_events

pytestmark = pytest.mark.django_db


def expected_hash(event: AuditEvent) -> str:
    """The documented formula, written out independently of the model."""
    body = {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "role": event.role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "reason": event.reason,
        "request_id": event.request_id,
        "changed_fields": event.changed_fields,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((event.prev_hash + canonical).encode()).hexdigest()


class TestChain:
    def test_events_link_from_genesis_with_gapless_sequence_numbers(self):
        user = create_user("coordinator")
        record_events(3, actor=user)
        events = list(AuditEvent.objects.order_by("sequence"))
        assert [e.sequence for e in events] == [1, 2, 3]
        assert events[0].prev_hash == GENESIS_HASH
        assert events[1].prev_hash == events[0].hash
        assert events[2].prev_hash == events[1].hash
        head = AuditChainHead.objects.get()
        assert (head.sequence, head.hash) == (3, events[2].hash)

    def test_hash_is_sha256_of_previous_hash_and_sorted_json_as_read_back(self):
        user = create_user("coordinator")
        record_event(
            actor=user,
            action="user.update",
            obj=user,
            reason="Ünïcödé reason — with “quotes”",
            changed_fields=["full_name", "email"],
        )
        event = AuditEvent.objects.get()  # read back from the database, not the instance
        assert len(event.hash) == 64
        assert event.hash == expected_hash(event) == event.compute_hash()

    def test_sequence_continues_after_earlier_events(self):
        first = record_event(actor=None, action="system.start")
        second = record_event(actor=None, action="system.stop")
        assert second.sequence == first.sequence + 1
        assert second.prev_hash == first.hash


class TestRecordEvent:
    def test_snapshot_of_actor_roles_and_object(self):
        admin = create_user("coordinator", "administrator", email="Admin@Example.org")
        subject = create_user("mentor")
        event = record_event(
            actor=admin, action="user.deactivate", obj=subject, reason="Left the scheme"
        )
        assert event.actor == admin
        assert event.actor_label == f"user:{admin.pk}"  # never the email: erasure-safe
        assert event.role == "administrator+coordinator"
        assert event.object_type == "accounts.user"
        assert event.object_id == str(subject.pk)
        assert event.reason == "Left the scheme"

    def test_explicit_role_wins(self):
        user = create_user("coordinator", "mentor")
        assert record_event(actor=user, action="case.view", role="mentor").role == "mentor"

    def test_anonymous_and_system_events_have_no_actor(self):
        anonymous = record_event(actor=AnonymousUser(), action="auth.login_failed")
        system = record_event(actor=None, action="retention.run")
        for event in (anonymous, system):
            assert event.actor is None
            assert event.actor_label == ""
            assert event.role == ""

    def test_request_id_from_the_request_then_from_the_context(self):
        request = SimpleNamespace(request_id="req-from-request-1")
        assert record_event(actor=None, action="a.b", request=request).request_id == (
            "req-from-request-1"
        )
        token = request_id_var.set("req-from-context-2")
        try:
            assert record_event(actor=None, action="a.b").request_id == "req-from-context-2"
        finally:
            request_id_var.reset(token)
        assert record_event(actor=None, action="a.b").request_id == ""

    def test_record_view_names_the_action_after_the_object_type(self):
        viewer = create_user("administrator")
        subject = create_user("mentor")
        event = record_view(actor=viewer, obj=subject, reason="Checking access")
        assert event.action == "accounts.user.view"
        assert (event.object_type, event.object_id) == ("accounts.user", str(subject.pk))
        assert event.reason == "Checking access"

    def test_changed_fields_are_stored_as_sorted_names(self):
        event = record_event(
            actor=None, action="plan.update", changed_fields=["goals", "approach", "plan.goals"]
        )
        assert AuditEvent.objects.get(pk=event.pk).changed_fields == [
            "approach",
            "goals",
            "plan.goals",
        ]

    @pytest.mark.parametrize(
        "changed_fields",
        [
            ["email", "jane@example.org"],
            ["notes", "He said he would hurt someone"],
            ["first name"],
            ["name=Jane"],
            [""],
            [42],
            ["x" * 65],
            "full_name",  # a bare string is a value, not a list of names
        ],
    )
    def test_changed_fields_refuse_anything_but_names(self, changed_fields):
        with pytest.raises(ValueError, match="field names") as excinfo:
            record_event(actor=None, action="case.update", changed_fields=changed_fields)
        assert "jane@example.org" not in str(excinfo.value)
        assert not AuditEvent.objects.exists()

    @pytest.mark.parametrize("action", ["", "deactivate", "User.Deactivate", "user deactivate"])
    def test_action_must_be_a_dotted_verb(self, action):
        with pytest.raises(ValueError, match="action"):
            record_event(actor=None, action=action)

    def test_object_type_must_be_a_label(self):
        with pytest.raises(ValueError, match="object type"):
            record_event(actor=None, action="case.view", object_type="Jane Smith")

    def test_rolls_back_with_the_callers_transaction(self):
        record_event(actor=None, action="case.open")

        class Boom(Exception):
            pass

        with pytest.raises(Boom), transaction.atomic():
            record_event(actor=None, action="case.close")
            raise Boom

        assert list(AuditEvent.objects.values_list("action", flat=True)) == ["case.open"]
        assert AuditChainHead.objects.get().sequence == 1
        # No gap is left behind: the next event takes the number the rolled-back one had.
        assert record_event(actor=None, action="case.close").sequence == 2

    def test_missing_head_is_recreated_on_an_empty_log(self):
        AuditChainHead.objects.all().delete()
        event = record_event(actor=None, action="system.start")
        assert (event.sequence, event.prev_hash) == (1, GENESIS_HASH)


class TestPythonGuards:
    def test_saved_event_cannot_be_saved_again_or_deleted(self):
        event = record_event(actor=None, action="case.open")
        event.reason = "rewritten"
        with pytest.raises(AppendOnlyError):
            event.save()
        with pytest.raises(AppendOnlyError):
            event.delete()

    def test_querysets_cannot_update_or_delete(self):
        record_event(actor=None, action="case.open")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.update(reason="x")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.filter(action="case.open").update(reason="x")
        with pytest.raises(AppendOnlyError):
            AuditEvent.objects.all().delete()

    def test_a_user_with_events_cannot_be_deleted(self):
        user = create_user("mentor")
        record_event(actor=user, action="auth.login")
        with pytest.raises(ProtectedError):
            user.delete()
