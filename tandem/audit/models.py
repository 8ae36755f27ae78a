"""The audit log: an append-only, hash-chained record of who did and saw what.

Each event carries the SHA-256 of the event before it, so altering, removing,
inserting or reordering any event breaks the chain from that point on, and
``python manage.py audit_verify`` finds the first broken link. The database
itself refuses UPDATE, DELETE and TRUNCATE on the table (triggers installed by
migration 0002); the Python guards below only fail earlier and more clearly.

Events hold names and identifiers, never values: ``changed_fields`` lists the
names of the fields a change touched, and no note text, answer or personal
detail is ever copied here.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64
HEAD_ID = 1


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")

    delete.queryset_only = True


class AuditEvent(models.Model):
    """One thing that happened: who (and in which role) did what to which record, and why.

    Write events only through ``tandem.audit.services.record_event``, which assigns
    the sequence number and the hash under a lock on the chain head.
    """

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        editable=False,
        help_text="Empty for the system and for people who have not signed in.",
    )
    actor_label = models.CharField(
        max_length=254,
        blank=True,
        help_text="The acting account as user:<id>; events written before that hold its email.",
    )
    role = models.CharField(
        max_length=200, blank=True, help_text="The role or roles the actor acted in, joined by +."
    )
    action = models.CharField(max_length=100, help_text="A dotted verb, e.g. user.deactivate.")
    object_type = models.CharField(max_length=100, blank=True, help_text="e.g. accounts.user")
    object_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    changed_fields = models.JSONField(
        default=list, blank=True, help_text="Names of the fields changed; never their values."
    )
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["occurred_at"], name="audit_event_occurred_idx"),
            models.Index(fields=["actor_label"], name="audit_event_actor_label_idx"),
            models.Index(fields=["action"], name="audit_event_action_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_event_object_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sequence__gte=1), name="audit_event_sequence_from_one"
            ),
        ]

    def __str__(self):
        who = self.actor_label or "system"
        return f"#{self.sequence} {self.action} by {who}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def canonical(self) -> bytes:
        """The event as sorted-key, compact, ASCII JSON; the bytes its hash covers."""
        payload = {
            "sequence": self.sequence,
            "occurred_at": self.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "role": self.role,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "reason": self.reason,
            "request_id": self.request_id,
            "changed_fields": self.changed_fields,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("ascii")

    def compute_hash(self) -> str:
        """Hex SHA-256 of the previous event's hash followed by this event's canonical form."""
        return hashlib.sha256(self.prev_hash.encode() + self.canonical()).hexdigest()


class AuditChainHead(models.Model):
    """The single row that says where the chain ends.

    Writers lock it (``select_for_update``) to take the next sequence number, so
    numbers are gapless and in commit order on every database; verification
    compares it with the last event to notice a removed tail.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=HEAD_ID, editable=False)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=HEAD_ID), name="audit_chainhead_single_row"
            ),
        ]

    def __str__(self):
        return f"Audit chain head at #{self.sequence}"
