"""The rehabilitation pathway: people convicted of terrorism-related or hate-crime
offences, whose mentoring often starts in custody and continues on licence.

What is said about the person (the establishment, the offender manager, licence
conditions, the panel's agencies and actions, visit bookings) is encrypted under the
person's own key, like the case itself. Dates stay plain: the release prompts and the
panel reviews are found by date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.cases.models import ClientRelated
from tandem.core.encryption import EncryptedCharField, EncryptedTextField


class CustodyStatus(models.TextChoices):
    REMANDED = "remanded", "Remanded in custody"
    SENTENCED = "sentenced", "Sentenced, in custody"
    ON_LICENCE = "on_licence", "On licence"
    COMMUNITY_ORDER = "community_order", "On a community order"
    COMPLETED = "completed", "Sentence completed"


IN_CUSTODY = frozenset({CustodyStatus.REMANDED, CustodyStatus.SENTENCED})


class ProtectionLevel(models.TextChoices):
    NOT_MANAGED = "not_managed", "Not managed under public-protection arrangements"
    LEVEL_1 = "level_1", "Level 1: ordinary agency management"
    LEVEL_2 = "level_2", "Level 2: active multi-agency management"
    LEVEL_3 = "level_3", "Level 3: senior multi-agency management"
    NOT_KNOWN = "not_known", "Not known"


class RehabilitationPolicy(models.Model):
    """The scheme's rules for the rehabilitation pathway (one row)."""

    first_meeting_days = models.PositiveSmallIntegerField(
        default=7,
        help_text="The first meeting after release should be held within this many days.",
    )
    release_prompt_days = models.PositiveSmallIntegerField(
        default=28,
        help_text="Prompt the coordinators and the mentor this many days before a release.",
    )
    panel_review_weeks = models.PositiveSmallIntegerField(
        default=12, help_text="The panel reviews an adopted case every this many weeks."
    )
    panel_before_matching = models.BooleanField(
        default=True,
        help_text="A case referred by the multi-agency panel waits for the panel to adopt it "
        "before it can be matched.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "rehabilitation policy"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="rehabilitation_policy_single_row"),
            models.CheckConstraint(
                condition=Q(first_meeting_days__gte=1, first_meeting_days__lte=90)
                & Q(release_prompt_days__gte=1, release_prompt_days__lte=180)
                & Q(panel_review_weeks__gte=1, panel_review_weeks__lte=104),
                name="rehabilitation_policy_values_sane",
            ),
        ]

    def __str__(self):
        return "Rehabilitation policy"

    @classmethod
    def current(cls) -> RehabilitationPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class RehabilitationRecord(ClientRelated):
    """Custody, release and licence of one person on the rehabilitation pathway."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="rehabilitation"
    )
    custody_status = models.CharField(max_length=20, choices=CustodyStatus.choices)
    establishment = EncryptedCharField(max_length=200, blank=True)
    expected_release_date = models.DateField(null=True, blank=True)
    licence_end_date = models.DateField(null=True, blank=True)
    offender_manager_name = EncryptedCharField(max_length=200, blank=True)
    offender_manager_contact = EncryptedCharField(max_length=200, blank=True)
    protection_level = models.CharField(
        max_length=20, choices=ProtectionLevel.choices, default=ProtectionLevel.NOT_KNOWN
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # Optimistic concurrency: every change bumps it; a form carries the version it saw.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(custody_status__in=CustodyStatus.values),
                name="rehabilitation_record_valid_status",
            ),
            models.CheckConstraint(
                condition=Q(licence_end_date__isnull=True)
                | Q(expected_release_date__isnull=True)
                | Q(licence_end_date__gte=models.F("expected_release_date")),
                name="rehabilitation_licence_ends_after_release",
            ),
        ]
        indexes = [models.Index(fields=["custody_status", "expected_release_date"])]

    def __str__(self):
        return f"Rehabilitation details of {self.case}"

    @property
    def in_custody(self) -> bool:
        return self.custody_status in IN_CUSTODY


class ConditionKind(models.TextChoices):
    NO_CONTACT = "no_contact", "No contact with named people"
    NON_ASSOCIATION = "non_association", "Not to associate with named people"
    EXCLUSION_ZONE = "exclusion_zone", "Exclusion zone"
    INTERNET = "internet", "Limits on internet use"
    APPROVED_PREMISES = "approved_premises", "To live at approved premises"
    OTHER = "other", "Another condition that bears on mentoring"


NAMED_KINDS = frozenset({ConditionKind.NO_CONTACT, ConditionKind.NON_ASSOCIATION})


class LicenceCondition(ClientRelated):
    """A licence condition that bears on mentoring. Ended, not deleted."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="licence_conditions"
    )
    kind = models.CharField(max_length=20, choices=ConditionKind.choices)
    area = models.ForeignKey(
        "catalogues.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    names = EncryptedTextField(blank=True, help_text="One person per line.")
    details = EncryptedTextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    ended_on = models.DateField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="exclusion_zone") | Q(area__isnull=False),
                name="rehabilitation_exclusion_zone_has_area",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ConditionKind.values),
                name="rehabilitation_condition_valid_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.case})"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    def name_list(self) -> list[str]:
        return [" ".join(line.split()) for line in self.names.splitlines() if line.strip()]


class CustodyVisit(ClientRelated):
    """The visit booking of a session held in custody."""

    session = models.OneToOneField(
        "meetings.Session", on_delete=models.PROTECT, related_name="custody_visit"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    establishment = EncryptedCharField(max_length=200)
    booking_reference = EncryptedCharField(max_length=100)
    booked_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    def __str__(self):
        return f"Visit booking for {self.session}"


class PanelKind(models.TextChoices):
    PRESENTATION = "presentation", "Presentation"
    REVIEW = "review", "Review"


class PanelDecision(models.TextChoices):
    ADOPT = "adopt", "Adopt"
    NOT_ADOPT = "not_adopt", "Not adopt"
    SIGNPOST = "signpost", "Signpost elsewhere"


class PanelMeeting(ClientRelated):
    """The case presented to (or reviewed by) the multi-agency panel, and its decision
    (empty until the panel decides)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="panel_meetings")
    kind = models.CharField(max_length=20, choices=PanelKind.choices)
    met_on = models.DateField()
    decision = models.CharField(max_length=20, choices=PanelDecision.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    agencies_present = EncryptedTextField(blank=True)
    actions = EncryptedTextField(blank=True)
    signposted_to = EncryptedCharField(max_length=200, blank=True)
    next_review_due = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-met_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="") | Q(decided_on__isnull=False),
                name="rehabilitation_panel_decision_dated",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["", *PanelDecision.values]),
                name="rehabilitation_panel_valid_decision",
            ),
        ]
        indexes = [models.Index(fields=["next_review_due"])]

    def __str__(self):
        return f"Panel {self.get_kind_display().lower()} of {self.case} on {self.met_on}"


class ReleaseAlertKind(models.TextChoices):
    PROMPT = "prompt", "Release coming: plan the first meeting"
    OVERDUE = "overdue", "No meeting held after release"


class ReleaseAlert(models.Model):
    """One prompt or contact alert about one release (``release_date`` names it), so the
    scheduled command never alerts twice for the same release, also when two copies
    run at once."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReleaseAlertKind.choices)
    release_date = models.DateField()
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "release_date"], name="rehabilitation_release_alert_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.case}"
