"""Core models: the per-subject data keys and the base for models with encrypted fields
(both defined in the encryption package, which owns them), and in-app notifications."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from .encryption.fields import EncryptedModel
from .encryption.models import DataKey

__all__ = ["BackgroundWork", "DataKey", "EncryptedModel", "Notification"]


class Notification(models.Model):
    """An in-app message for one user (reminders, alerts). Never holds case content."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"Notification for user {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"


class BackgroundWork(models.Model):
    """One piece of work handed to the task worker, known by a key so that it is done once
    however often it is queued, retried or picked up (tandem.core.background). Holds no
    content: the task's arguments live with the task and are pruned with it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    key = models.CharField(max_length=200, unique=True)
    function = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.function} ({self.get_status_display()}, {self.attempts} attempts)"


def assign_changes(instance: models.Model, values: dict) -> list[str]:
    """Set ``values`` (by field name; a related object or None for a foreign key) on
    ``instance`` and return the names of those that differ, in the order given. Foreign
    keys are compared by primary key, so nothing is fetched to compare them."""
    changed = []
    for name, value in values.items():
        field = instance._meta.get_field(name)
        wanted = value.pk if field.is_relation and value is not None else value
        if getattr(instance, field.attname) != wanted:
            setattr(instance, name, value)
            changed.append(name)
    return changed
