"""Safeguarding concerns: raised by anyone working on a case (or by a mentor about their
own safety), acknowledged within a deadline set by urgency, actioned, escalated to a
statutory agency or resolved, and closed with an outcome and the lead's sign-off.

What was seen or heard, the outcome and the receiving agency's reference are encrypted
under the person's key (or the mentor's, for a concern about the mentor without a case),
so erasing the subject destroys them too. A concern is never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.catalogues.models import CatalogueEntry
from tandem.core.encryption import EncryptedCharField, EncryptedTextField
from tandem.core.models import EncryptedModel

# Catalogues ----------------------------------------------------------------------------


class ConcernCategory(CatalogueEntry):
    """What a concern is about (risk of serious harm to others, child protection…).
    A serious category is flagged so that supervision can ask for a debrief."""

    code = models.SlugField(max_length=50, unique=True)
    is_serious = models.BooleanField(
        default=False, help_text="A concern of this kind on a mentor's case calls for a debrief."
    )
    about_mentor = models.BooleanField(
        default=False, help_text="The concern is about the mentor's own safety."
    )

    class Meta(CatalogueEntry.Meta):
        verbose_name_plural = "concern categories"


class Agency(CatalogueEntry):
    """Where a concern can be escalated: police or the statutory prevention route,
    children's or adult social care, health, probation, emergency services."""

    code = models.SlugField(max_length=50, unique=True)

    class Meta(CatalogueEntry.Meta):
        verbose_name_plural = "agencies"


# Policy --------------------------------------------------------------------------------


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    URGENT = "urgent", "Urgent"
    STANDARD = "standard", "Standard"


class SafeguardingPolicy(models.Model):
    """How fast a concern must be acknowledged, when alerts go out, and who deputises
    for the lead (one row)."""

    immediate_minutes = models.PositiveIntegerField(
        default=60, help_text="An immediate concern is acknowledged within this many minutes."
    )
    urgent_minutes = models.PositiveIntegerField(
        default=240, help_text="An urgent concern is acknowledged within this many minutes."
    )
    standard_working_days = models.PositiveSmallIntegerField(
        default=2,
        help_text="A standard concern is acknowledged within this many working days "
        "(weekends and bank holidays in England and Wales do not count).",
    )
    warn_minutes = models.PositiveIntegerField(
        default=30, help_text="Alert the lead this many minutes before a deadline."
    )
    repeat_minutes = models.PositiveIntegerField(
        default=60, help_text="Repeat a missed-deadline alert this often until acknowledged."
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="A safeguarding lead who deputises in the lead's absence.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "safeguarding policy"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="safeguarding_policy_single_row"),
            models.CheckConstraint(
                condition=Q(immediate_minutes__gte=1)
                & Q(urgent_minutes__gte=1)
                & Q(standard_working_days__gte=1)
                & Q(repeat_minutes__gte=5),
                name="safeguarding_policy_sane",
            ),
        ]

    def __str__(self):
        return "Safeguarding policy"

    @classmethod
    def current(cls) -> SafeguardingPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


# Concerns ------------------------------------------------------------------------------


class ConcernStatus(models.TextChoices):
    RAISED = "raised", "Raised"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACTIONED = "actioned", "Actioned"
    ESCALATED = "escalated", "Escalated"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action needed"
    MANAGED_IN_SCHEME = "managed_in_scheme", "Managed within the scheme"
    STATUTORY_LEAD = "statutory_lead", "Taken on by a statutory agency"
    SUPPORT_ENDED = "support_ended", "Support ended"
    OTHER = "other", "Other"


class CaseArrangement(models.TextChoices):
    """What an escalation means for mentoring. Escalating does not end the match."""

    CONTINUES = "continues", "Mentoring continues as before"
    STATUTORY_LEAD = "statutory_lead", "Mentoring continues, led by the statutory agency"
    ON_HOLD = "on_hold", "Mentoring paused while the agency decides"


class Concern(EncryptedModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="concerns"
    )
    session = models.ForeignKey(
        "meetings.Session",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="safeguarding_concerns",
    )
    # The mentor the concern is about (their own safety), when there is no case.
    mentor = models.ForeignKey(
        "mentors.Mentor", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(ConcernCategory, on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    details = EncryptedTextField(help_text="What was seen or heard.")
    status = models.CharField(
        max_length=15, choices=ConcernStatus.choices, default=ConcernStatus.RAISED
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    # When it must be acknowledged by (from the urgency and the policy).
    due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actioned_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_notes = EncryptedTextField(blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    case_arrangement = models.CharField(
        max_length=20, choices=CaseArrangement.choices, default=CaseArrangement.CONTINUES
    )
    # Optimistic concurrency: every change bumps it; a form carries the version it saw.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ConcernStatus.values),
                name="safeguarding_concern_valid_status",
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="safeguarding_concern_valid_urgency"
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(mentor__isnull=False),
                name="safeguarding_concern_about_someone",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (~Q(outcome="") & Q(signed_off_by__isnull=False) & Q(closed_at__isnull=False)),
                name="safeguarding_concern_closed_has_outcome_and_sign_off",
            ),
            models.CheckConstraint(
                condition=Q(status="raised") | Q(acknowledged_at__isnull=False),
                name="safeguarding_concern_acknowledged_when_past_raised",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self):
        return f"Concern {self.reference}"

    @property
    def reference(self) -> str:
        return f"SG-{self.pk:05d}" if self.pk else "SG-new"

    @property
    def is_open(self) -> bool:
        return self.status != ConcernStatus.CLOSED

    def encryption_subject(self) -> tuple[str, str]:
        if self.case_id:
            return ("client", str(self.case.record_uuid))
        return ("mentor", str(self.mentor.record_uuid))

    def is_overdue(self, now=None) -> bool:
        return self.status == ConcernStatus.RAISED and self.due_at < (now or timezone.now())


class ConcernStep(models.Model):
    """One step of a concern's history: who moved it, from what, to what, when. Holds no
    content."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="steps")
    action = models.CharField(max_length=20)
    summary = models.CharField(max_length=200)
    from_status = models.CharField(max_length=15, choices=ConcernStatus.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=ConcernStatus.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self):
        return f"{self.concern}: {self.summary}"


class EscalationMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    SECURE_EMAIL = "secure_email", "Secure email"
    REFERRAL_FORM = "referral_form", "The agency's referral form"
    IN_PERSON = "in_person", "In person"
    MEETING = "meeting", "Multi-agency meeting"


class Escalation(EncryptedModel):
    """A referral of a concern to an agency outside the scheme: to whom, when, how, by
    whom, their reference (encrypted) and what they decided."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="escalations")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    escalated_at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=20, choices=EscalationMethod.choices)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agency_reference = EncryptedCharField(max_length=100, blank=True)
    decision = EncryptedTextField(blank=True)
    decision_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["escalated_at", "pk"]

    def __str__(self):
        return f"Escalation of {self.concern} to {self.agency}"

    def encryption_subject(self) -> tuple[str, str]:
        return self.concern.encryption_subject()


class AlertKind(models.TextChoices):
    NEARING = "nearing", "Deadline nearing"
    MISSED = "missed", "Deadline missed"


class ConcernAlert(models.Model):
    """The ledger of alerts sent about a concern's deadline. ``slot`` numbers the repeats
    of a missed-deadline alert (0 for the first); the unique constraint means each alert
    goes out once, also when two copies of the command run at once."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    slot = models.PositiveIntegerField(default=0)
    # The deadline the alert was about: a changed urgency starts a new series.
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "kind", "due_at", "slot"], name="safeguarding_alert_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.slot}): {self.concern}"
