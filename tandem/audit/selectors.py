"""Reading the audit log: the events behind the audit page, and chain verification."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from .models import GENESIS_HASH, HEAD_ID, AuditChainHead, AuditEvent
from .permissions import audit_log

VERIFY_CHUNK_SIZE = 2000


def event_list(*, actor) -> QuerySet[AuditEvent]:
    """The events ``actor`` may see, newest first; ``AuditEventFilter`` searches them."""
    return audit_log.queryset(actor, "view").order_by("-sequence")


def log_size() -> int:
    """How many events the log holds, from the chain head rather than a count: sequence
    numbers run from 1 without gaps, so the head's number is the count, read from one row
    instead of counting millions (``audit_verify`` is what checks that it is true)."""
    return AuditChainHead.objects.filter(pk=HEAD_ID).values_list("sequence", flat=True).first() or 0


@dataclass(frozen=True)
class VerificationResult:
    intact: bool
    events: int  # events checked and found sound, in order, before any break
    first_bad_sequence: int | None = None
    problem: str = ""
    head_sequence: int = 0
    head_hash: str = GENESIS_HASH

    def __str__(self):
        if self.intact:
            return f"Audit chain intact: {self.events} events"
        return f"Audit chain broken at sequence {self.first_bad_sequence}: {self.problem}"


class _ChainWalk:
    """Follows the chain event by event, remembering only the last link."""

    def __init__(self, anchor: tuple[int, str] | None):
        self.last_sequence = 0
        self.last_hash = GENESIS_HASH
        self.anchor = anchor
        self.first_bad: int | None = None
        self.problem = ""

    def fail(self, sequence: int, problem: str) -> None:
        self.first_bad, self.problem = sequence, problem

    def follow(self, events: Iterable[AuditEvent]) -> bool:
        for event in events:
            expected = self.last_sequence + 1
            if event.sequence != expected:
                self.fail(
                    expected, f"event {expected} is missing (the next one is {event.sequence})"
                )
                return False
            if event.prev_hash != self.last_hash:
                self.fail(expected, f"event {expected} does not link to event {expected - 1}")
                return False
            try:
                computed = event.compute_hash()
            except (TypeError, ValueError, AttributeError):
                computed = None
            if computed != event.hash:
                self.fail(expected, f"event {expected} has been altered (its hash does not match)")
                return False
            if self.anchor and self.anchor[0] == expected and self.anchor[1] != event.hash:
                self.fail(expected, f"event {expected} differs from the anchor recorded earlier")
                return False
            self.last_sequence, self.last_hash = event.sequence, event.hash
        return True

    def check_head(self, head: AuditChainHead | None) -> bool:
        if head is None:
            if self.last_sequence:
                self.fail(self.last_sequence, "the chain head is missing")
                return False
            return True
        if head.sequence > self.last_sequence:
            missing = self.last_sequence + 1
            self.fail(missing, f"event {missing} is missing: the chain head is at {head.sequence}")
            return False
        if head.sequence < self.last_sequence:
            extra = head.sequence + 1
            self.fail(extra, f"event {extra} lies beyond the chain head: it was not recorded here")
            return False
        if head.hash != self.last_hash:
            self.fail(head.sequence, f"event {head.sequence} does not match the chain head")
            return False
        if self.anchor and self.anchor[0] > self.last_sequence:
            self.fail(self.last_sequence + 1, f"the log ends before the anchor at {self.anchor[0]}")
            return False
        return True


def verify_chain(*, anchor: tuple[int, str] | None = None) -> VerificationResult:
    """Walk the whole chain in sequence order and report the first broken link.

    Streams events, so memory stays flat however long the log is. The walk runs
    without locks; only the final comparison with the chain head (and the few events
    written meanwhile) happens under the head lock, so writers wait only briefly.
    ``anchor`` is a (sequence, hash) pair printed by an earlier run and kept
    elsewhere: it catches a log rewritten wholesale, hashes and head included.
    """
    walk = _ChainWalk(anchor)
    events = AuditEvent.objects.order_by("sequence")
    intact = walk.follow(events.iterator(chunk_size=VERIFY_CHUNK_SIZE))
    head = None
    if intact:
        with transaction.atomic():
            head = AuditChainHead.objects.select_for_update().filter(pk=HEAD_ID).first()
            later = events.filter(sequence__gt=walk.last_sequence)
            intact = walk.follow(later.iterator(chunk_size=VERIFY_CHUNK_SIZE))
            intact = intact and walk.check_head(head)
    sound = walk.last_sequence if intact else max(0, min(walk.last_sequence, walk.first_bad - 1))
    return VerificationResult(
        intact=intact,
        events=sound,
        first_bad_sequence=walk.first_bad,
        problem=walk.problem,
        head_sequence=head.sequence if head else walk.last_sequence,
        head_hash=head.hash if head else walk.last_hash,
    )
