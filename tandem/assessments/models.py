"""Structured assessments: frameworks are configuration (dimensions, factors, rating
scale); an assessment rates every factor with narrative evidence, adds a summary and a
management plan, and computes no total score. Every reassessment is kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from tandem.core.encryption import EncryptedTextField
from tandem.core.models import EncryptedModel


class Framework(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="assessments_one_default_framework",
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.version})"


class Dimension(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "position"], name="assessments_dimension_position"
            )
        ]

    def __str__(self):
        return self.name


class Factor(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="factors")
    number = models.PositiveSmallIntegerField(help_text="Numbered through the whole framework.")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "number"], name="assessments_factor_number"
            )
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"


class RatingLevel(models.Model):
    """One point of a framework's rating scale. ``rank`` orders the known levels
    (higher is more concern); "not known" has no rank."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField(max_length=30)
    label = models.CharField(max_length=50)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="assessments_level_code")
        ]

    def __str__(self):
        return self.label


class AssessmentKind(models.TextChoices):
    INTAKE = "intake", "Initial assessment"
    REASSESSMENT = "reassessment", "Reassessment"


class Assessment(EncryptedModel):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assessments")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=AssessmentKind.choices)
    assessed_on = models.DateField()
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    summary = EncryptedTextField()
    management_plan = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.case} on {self.assessed_on}"

    def encryption_subject(self) -> tuple[str, str]:
        return ("client", str(self.case.record_uuid))


class FactorRating(EncryptedModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    factor = models.ForeignKey(Factor, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(RatingLevel, on_delete=models.PROTECT, related_name="+")
    narrative = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["factor__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "factor"], name="assessments_factor_rated_once"
            )
        ]

    def __str__(self):
        return f"{self.factor}: {self.level}"

    def encryption_subject(self) -> tuple[str, str]:
        return ("client", str(self.assessment.case.record_uuid))


class AssessmentDraft(EncryptedModel):
    """An assessment being written: the form's answers as typed so far (encrypted, as
    one JSON document keyed by the form's field names), saved part-way and resumed.
    A draft is kept apart from ``Assessment``, so it never counts as the case's
    assessment: only a completed one does. A case has at most one draft; completing it
    records the assessment and removes the draft."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="assessment_draft"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    answers = EncryptedTextField(blank=True)
    # How many of the framework's dimensions have every factor rated, and how many it
    # has: kept beside the encrypted answers so that lists show progress unencrypted.
    dimensions_done = models.PositiveSmallIntegerField(default=0)
    dimensions_total = models.PositiveSmallIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # Counts the saves, so that a page built from an older save is refused instead of
    # overwriting what someone else saved meanwhile.
    revision = models.PositiveIntegerField(default=1)

    def __str__(self):
        return f"Draft assessment of {self.case}"

    def encryption_subject(self) -> tuple[str, str]:
        return ("client", str(self.case.record_uuid))
