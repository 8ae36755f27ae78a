"""Supervision and support of mentors: who supervises each mentor (with history), the
scheme's supervision policy, supervision records with encrypted notes and agreed
actions, the mentor's own wellbeing check-ins, debriefs required after a serious
concern, and the reminders sent before supervision falls due.

The notes of a supervision and the text of its actions are encrypted under the
mentor's key and read by the mentor and their supervisor only; coordinators see that
a supervision happened, its date and kind, and when the next is due.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.cases.models import Case
from tandem.core.encryption import EncryptedTextField
from tandem.mentors.models import AccreditationLevel, Mentor, MentorRelated

MAX_FREQUENCY_WEEKS = 26
MAX_LEVEL_CAP = 20


class SupervisionFormat(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"
    GROUP = "group", "Group"


class SupervisionKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual supervision"
    GROUP = "group", "Group supervision"
    DEBRIEF = "debrief", "Debrief after a critical incident"
    OBSERVATION = "observation", "Observation"


# Policy --------------------------------------------------------------------------------


class SupervisionPolicy(models.Model):
    """The scheme's supervision settings besides the per-level rules: one row (pk 1)."""

    reminder_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Days before supervision falls due that the mentor and supervisor are reminded.",
    )
    debrief_days = models.PositiveSmallIntegerField(
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Days within which a debrief must be held after a serious concern.",
    )
    low_wellbeing_total = models.PositiveSmallIntegerField(
        default=13,
        validators=[MinValueValidator(5), MaxValueValidator(24)],
        help_text="A wellbeing check-in scoring this or less in total alerts the supervisor.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "supervision policy"

    def __str__(self):
        return "Supervision policy"

    @classmethod
    def current(cls) -> SupervisionPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class LevelRule(models.Model):
    """How often a mentor of an accreditation level must be supervised, how, and how
    many cases they may hold at that level."""

    level = models.OneToOneField(
        AccreditationLevel, on_delete=models.CASCADE, related_name="supervision_rule"
    )
    frequency_weeks = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_FREQUENCY_WEEKS)]
    )
    format = models.CharField(
        max_length=20, choices=SupervisionFormat.choices, default=SupervisionFormat.INDIVIDUAL
    )
    caseload_cap = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(MAX_LEVEL_CAP)]
    )

    class Meta:
        ordering = ["level__rank"]
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency_weeks__gte=1) & Q(frequency_weeks__lte=MAX_FREQUENCY_WEEKS),
                name="supervision_levelrule_frequency_range",
            ),
            models.CheckConstraint(
                condition=Q(caseload_cap__lte=MAX_LEVEL_CAP),
                name="supervision_levelrule_cap_sane",
            ),
        ]

    def __str__(self):
        return f"{self.level}: every {self.frequency_weeks} weeks"


# Assignment ----------------------------------------------------------------------------


class SupervisorAssignment(models.Model):
    """One period of a mentor's supervision by one supervisor (None: no supervisor).
    ``Mentor.supervisor`` is the current one; this is the history."""

    mentor = models.ForeignKey(
        Mentor, on_delete=models.CASCADE, related_name="supervisor_assignments"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_on = models.DateField(default=timezone.localdate)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        indexes = [models.Index(fields=["mentor", "started_on"])]

    def __str__(self):
        return f"{self.mentor}: {self.supervisor or 'no supervisor'} from {self.started_on}"


# Records -------------------------------------------------------------------------------


class SupervisionRecord(MentorRelated):
    """One supervision of a mentor. The notes are encrypted under the mentor's key."""

    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="supervisions")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField()
    kind = models.CharField(max_length=20, choices=SupervisionKind.choices)
    cases = models.ManyToManyField(Case, blank=True, related_name="+")
    approach = EncryptedTextField("Reflection on approach and style", blank=True)
    boundaries = EncryptedTextField("Boundaries and ethics", blank=True)
    theology = EncryptedTextField("Theological questions", blank=True)
    wellbeing = EncryptedTextField("Wellbeing", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["mentor", "held_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SupervisionKind.values), name="supervision_record_valid_kind"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.mentor} on {self.held_on}"


class ActionOwner(models.TextChoices):
    MENTOR = "mentor", "The mentor"
    SUPERVISOR = "supervisor", "The supervisor"


class SupervisionAction(MentorRelated):
    """An action agreed in a supervision: what (encrypted), who, by when."""

    record = models.ForeignKey(SupervisionRecord, on_delete=models.CASCADE, related_name="actions")
    mentor = models.ForeignKey(Mentor, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField()
    owner = models.CharField(max_length=20, choices=ActionOwner.choices)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return f"Action for {self.get_owner_display().lower()} due {self.due_on}"


# Wellbeing -----------------------------------------------------------------------------


class WellbeingCheckIn(models.Model):
    """The mentor's own answers to the five wellbeing questions (1 = most of the time,
    5 = never: higher is better). No free text, so nothing to encrypt; only the mentor
    and their supervisor see the answers."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="wellbeing_checkins")
    drained = models.PositiveSmallIntegerField()
    intrusive = models.PositiveSmallIntegerField()
    numb = models.PositiveSmallIntegerField()
    on_edge = models.PositiveSmallIntegerField()
    alone = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    is_low = models.BooleanField(default=False)
    wants_to_talk = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["mentor", "submitted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(drained__range=(1, 5))
                & Q(intrusive__range=(1, 5))
                & Q(numb__range=(1, 5))
                & Q(on_edge__range=(1, 5))
                & Q(alone__range=(1, 5)),
                name="supervision_wellbeing_items_1_to_5",
            )
        ]

    def __str__(self):
        return f"Wellbeing check-in of {self.mentor} at {self.submitted_at:%Y-%m-%d}"


# Debriefs and reminders ----------------------------------------------------------------


class DebriefRequirement(models.Model):
    """A debrief the mentor must have by ``due_by`` (for example after a serious concern
    on one of their cases); met by the first debrief supervision held on or after it
    was required."""

    mentor = models.ForeignKey(
        Mentor, on_delete=models.CASCADE, related_name="debrief_requirements"
    )
    reason_code = models.CharField(max_length=60)
    source = models.CharField(
        max_length=120,
        blank=True,
        help_text="What required it, as app_label.model:pk (for example a concern); no content.",
    )
    required_on = models.DateField(default=timezone.localdate)
    due_by = models.DateField()
    required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    met_by = models.ForeignKey(
        SupervisionRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_by", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "source"],
                condition=~Q(source=""),
                name="supervision_debrief_once_per_source",
            )
        ]

    def __str__(self):
        return f"Debrief for {self.mentor} due by {self.due_by}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Supervision due soon"
    OVERDUE = "overdue", "Supervision overdue"


class SupervisionReminder(models.Model):
    """That a reminder was sent for one due date: the command sends each once."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "due_on", "kind"], name="supervision_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.mentor} (due {self.due_on})"
