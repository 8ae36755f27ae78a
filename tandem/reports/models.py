"""An evaluation export asked for on the evaluator's page and made by a background task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExportStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to start"
    RUNNING = "running", "Being made"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"


class EvaluationExport(models.Model):
    """The ZIP is kept for ``TANDEM_EXPORT_KEEP_DAYS`` and then emptied by
    ``export_evaluation --purge``; the row stays as the record that it was made."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(max_length=500)
    k = models.PositiveSmallIntegerField(default=5)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.WAITING
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    archive = models.BinaryField(null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"Evaluation export {self.pk}"

    @property
    def filename(self) -> str:
        return f"tandem-evaluation-{timezone.localtime(self.requested_at):%Y-%m-%d}-{self.pk}.zip"
