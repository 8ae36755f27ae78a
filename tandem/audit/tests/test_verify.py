"""audit_verify: intact chains pass, and every kind of tampering is found at the right place."""

import pytest
from django.core.management import CommandError, call_command

from tandem.audit.models import AuditChainHead, AuditEvent
from tandem.audit.selectors import verify_chain

from .factories import create_user, drop_guards, execute, record_events

pytestmark = pytest.mark.django_db

TEMPORARY = 10**12


@pytest.fixture
def five_events():
    user = create_user("coordinator")
    events = record_events(5, actor=user, reason="Routine", changed_fields=["status"])
    drop_guards()  # rolled back with the test's transaction
    return events


def assert_broken_at(sequence: int) -> None:
    result = verify_chain()
    assert not result.intact
    assert result.first_bad_sequence == sequence, result.problem
    assert result.events == sequence - 1
    with pytest.raises(CommandError, match=rf"broken at sequence {sequence}:"):
        call_command("audit_verify")


def test_empty_log_is_intact(capsys):
    call_command("audit_verify")
    assert "Audit chain intact: 0 events" in capsys.readouterr().out


def test_intact_chain_passes_and_prints_the_count_and_head(capsys):
    events = record_events(7)
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert "Audit chain intact: 7 events" in out
    assert f"Head: 7:{events[-1].hash}" in out
    assert verify_chain().intact


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("reason", "Nothing to see"),
        ("action", "case.view"),
        ("actor_label", "someone-else@example.org"),
        ("role", "administrator"),
        ("object_id", "999"),
        ("request_id", "forged"),
        ("changed_fields", '["status", "notes"]'),
        ("occurred_at", "2020-01-01 00:00:00"),
    ],
)
def test_an_altered_field_is_found(five_events, column, value):
    execute(f"UPDATE audit_auditevent SET {column} = %s WHERE sequence = 3", [value])
    assert_broken_at(3)


def test_an_altered_actor_is_found(five_events):
    other = create_user("mentor")
    execute("UPDATE audit_auditevent SET actor_id = %s WHERE sequence = 2", [other.pk])
    assert_broken_at(2)


def test_an_altered_event_with_a_recomputed_hash_breaks_the_next_link(five_events):
    event = AuditEvent.objects.get(sequence=3)
    event.reason = "Rewritten"
    execute(
        "UPDATE audit_auditevent SET reason = %s, hash = %s WHERE sequence = 3",
        ["Rewritten", event.compute_hash()],
    )
    assert_broken_at(4)


def test_a_deleted_middle_event_is_found(five_events):
    execute("DELETE FROM audit_auditevent WHERE sequence = 3")
    assert_broken_at(3)


def test_a_deleted_first_event_is_found(five_events):
    execute("DELETE FROM audit_auditevent WHERE sequence = 1")
    assert_broken_at(1)


def test_a_deleted_last_event_is_found_through_the_chain_head(five_events):
    execute("DELETE FROM audit_auditevent WHERE sequence = 5")
    assert_broken_at(5)


def test_a_removed_tail_is_found_through_the_chain_head(five_events):
    execute("DELETE FROM audit_auditevent WHERE sequence >= 4")
    assert_broken_at(4)


def test_swapped_events_are_found(five_events):
    execute("UPDATE audit_auditevent SET sequence = %s WHERE sequence = 2", [TEMPORARY])
    execute("UPDATE audit_auditevent SET sequence = 2 WHERE sequence = 4")
    execute("UPDATE audit_auditevent SET sequence = 4 WHERE sequence = %s", [TEMPORARY])
    assert_broken_at(2)


def test_neighbours_swapped_are_found(five_events):
    execute("UPDATE audit_auditevent SET sequence = %s WHERE sequence = 3", [TEMPORARY])
    execute("UPDATE audit_auditevent SET sequence = 3 WHERE sequence = 4")
    execute("UPDATE audit_auditevent SET sequence = 4 WHERE sequence = %s", [TEMPORARY])
    assert_broken_at(3)


def forge(events, *, sequence: int, prev_hash: str, valid_hash: bool) -> AuditEvent:
    template = events[0]
    forged = AuditEvent(
        sequence=sequence,
        occurred_at=template.occurred_at,
        action="case.close",
        object_type="cases.case",
        object_id="1",
        prev_hash=prev_hash,
    )
    forged.hash = forged.compute_hash() if valid_hash else "f" * 64
    forged.save(force_insert=True)  # straight in, bypassing record_event and its head
    return forged


def test_a_forged_event_appended_with_a_valid_hash_is_found_through_the_head(five_events):
    forge(five_events, sequence=6, prev_hash=five_events[-1].hash, valid_hash=True)
    assert_broken_at(6)


def test_a_forged_event_appended_with_a_made_up_hash_is_found(five_events):
    forge(five_events, sequence=6, prev_hash=five_events[-1].hash, valid_hash=False)
    assert_broken_at(6)


def test_a_forged_event_inserted_in_the_middle_is_found(five_events):
    for sequence in (5, 4, 3):  # make room, highest first to keep sequence unique
        execute(
            "UPDATE audit_auditevent SET sequence = sequence + 1 WHERE sequence = %s", [sequence]
        )
    forge(five_events, sequence=3, prev_hash=five_events[1].hash, valid_hash=False)
    assert_broken_at(3)


def test_a_perfectly_forged_middle_event_is_found_at_the_next_link(five_events):
    for sequence in (5, 4, 3):
        execute(
            "UPDATE audit_auditevent SET sequence = sequence + 1 WHERE sequence = %s", [sequence]
        )
    forge(five_events, sequence=3, prev_hash=five_events[1].hash, valid_hash=True)
    assert_broken_at(4)


def test_a_rewound_chain_head_is_found(five_events):
    AuditChainHead.objects.update(sequence=4, hash=five_events[3].hash)
    assert_broken_at(5)


def test_anchor_catches_a_log_rewritten_wholesale(five_events, capsys):
    anchor = f"3:{five_events[2].hash}"
    call_command("audit_verify", anchor=anchor)
    assert "intact: 5 events" in capsys.readouterr().out
    # Rewrite everything from event 3 on, hashes and head included: the chain is
    # self-consistent again, and only the anchor kept elsewhere notices.
    prev_hash = five_events[1].hash
    for event in AuditEvent.objects.filter(sequence__gte=3).order_by("sequence"):
        event.reason = "Rewritten"
        event.prev_hash = prev_hash
        new_hash = event.compute_hash()
        execute(
            "UPDATE audit_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
            ["Rewritten", prev_hash, new_hash, event.pk],
        )
        prev_hash = new_hash
    AuditChainHead.objects.update(hash=prev_hash)
    assert verify_chain().intact
    with pytest.raises(CommandError, match=r"broken at sequence 3: .*anchor"):
        call_command("audit_verify", anchor=anchor)


def test_anchor_beyond_the_end_is_reported(capsys):
    record_events(2)
    with pytest.raises(CommandError, match="broken at sequence 3"):
        call_command("audit_verify", anchor="9:" + "a" * 64)


def test_malformed_anchor_is_refused():
    with pytest.raises(CommandError, match="--anchor"):
        call_command("audit_verify", anchor="nonsense")
