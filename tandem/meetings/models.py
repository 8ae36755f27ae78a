"""The mentoring relationship after the match: sessions and what happened in them,
the notes in two tiers, what a mentor needs to meet the person, contact monitoring,
lone working, calendar feeds, payment claims and questions for specialist advice.

Everything said about the person (notes, summaries, next steps, contact details,
advice questions) is encrypted under the person's own key, like the case itself, so
erasing the person destroys it too. Claims and receipts are the mentor's records,
encrypted under the mentor's key.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.cases.models import STYLE_SCALE, Approach, ClientRelated
from tandem.catalogues.models import CatalogueEntry
from tandem.core.encryption import EncryptedCharField, EncryptedTextField
from tandem.core.models import EncryptedModel

RATING_SCALE = [(n, str(n)) for n in range(1, 6)]


# Catalogues ----------------------------------------------------------------------------


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    PHONE = "phone", "By phone"


class PlaceType(CatalogueEntry):
    """Where a session happens (community venue, school, prison, the person's home,
    online…). A place that needs lone-working check-in asks the mentor to check in at
    the start and out at the end."""

    code = models.SlugField(max_length=50, unique=True)
    mode = models.CharField(max_length=10, choices=MeetingMode.choices)
    needs_lone_working = models.BooleanField(
        default=False, help_text="The mentor checks in at the start and out at the end."
    )

    class Meta(CatalogueEntry.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(needs_lone_working=False) | Q(mode="in_person"),
                name="meetings_placetype_lone_working_in_person",
            )
        ]


class Topic(CatalogueEntry):
    """What a session talked about (identity and belonging, grievances, theology…)."""

    code = models.SlugField(max_length=50, unique=True)

    class Meta(CatalogueEntry.Meta):
        pass


# Sessions ------------------------------------------------------------------------------


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"
    RESCHEDULED = "rescheduled", "Rescheduled"


# Statuses a planned session can move to; every other status is final.
OUTCOMES = (
    SessionStatus.HELD,
    SessionStatus.DID_NOT_ATTEND,
    SessionStatus.CANCELLED,
    SessionStatus.RESCHEDULED,
)


class CancelledBy(models.TextChoices):
    PERSON = "person", "The person"
    MENTOR = "mentor", "The mentor"
    SCHEME = "scheme", "The scheme"


class Session(ClientRelated):
    """One meeting between a mentor and the person: planned, then held, missed
    (did not attend), cancelled or rescheduled (to a new planned session).

    Two tiers of notes: ``private_notes`` are the mentor's working notes (the mentor
    who wrote them, their supervisor, the safeguarding lead when a concern refers to
    the session); ``summary`` is shareable (coordinators and supervisors; the only
    source of progress reports to partners)."""

    match = models.ForeignKey("matching.Match", on_delete=models.PROTECT, related_name="sessions")
    # The match's case and mentor, kept on the row so that case and mentor pages and
    # contact monitoring read sessions through one index each.
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="sessions")
    mentor = models.ForeignKey("mentors.Mentor", on_delete=models.PROTECT, related_name="sessions")
    status = models.CharField(
        max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    is_first = models.BooleanField(default=False, help_text="The match's first meeting.")
    # Sessions scheduled together as a weekly or fortnightly series share an id.
    series = models.UUIDField(null=True, blank=True)

    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    travel_minutes = models.PositiveSmallIntegerField(default=0)
    place_type = models.ForeignKey(PlaceType, on_delete=models.PROTECT, related_name="+")
    # Where, when it matters (licence conditions can exclude a person from an area), and
    # whom else the mentor expects: both optional, both checked by planning warnings.
    area = models.ForeignKey(
        "catalogues.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    others_expected = EncryptedCharField(max_length=300, null=True, blank=True)
    family_present = models.BooleanField(default=False)
    professional_present = models.BooleanField(default=False)

    # What happened, recorded for every held session.
    approach = models.CharField(max_length=20, choices=Approach.choices, blank=True)
    style = models.PositiveSmallIntegerField(
        choices=list(STYLE_SCALE.items()), null=True, blank=True
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="+")
    engagement = models.PositiveSmallIntegerField(choices=RATING_SCALE, null=True, blank=True)
    trust = models.PositiveSmallIntegerField(choices=RATING_SCALE, null=True, blank=True)
    next_steps = EncryptedTextField(blank=True)
    private_notes = EncryptedTextField(blank=True)
    summary = EncryptedTextField(blank=True)

    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True)
    rescheduled_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rescheduled_from"
    )

    # Lone working: check-in at the start, check-out at the end; a missed check-out
    # alerts coordinators, then escalates until someone acknowledges it.
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    check_out_alerted_at = models.DateTimeField(null=True, blank=True)
    check_out_escalated_at = models.DateTimeField(null=True, blank=True)
    check_out_acknowledged_at = models.DateTimeField(null=True, blank=True)
    check_out_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    # Optimistic concurrency: every change bumps it; a form carries the version it saw.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values), name="meetings_session_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1, duration_minutes__lte=720)
                & Q(travel_minutes__lte=720),
                name="meetings_session_durations_sane",
            ),
            models.CheckConstraint(
                condition=~Q(status=SessionStatus.HELD)
                | (
                    ~Q(approach="")
                    & Q(style__isnull=False, engagement__isnull=False, trust__isnull=False)
                ),
                name="meetings_session_held_is_recorded",
            ),
            models.CheckConstraint(
                condition=(Q(style__isnull=True) | Q(style__gte=1, style__lte=5))
                & (Q(engagement__isnull=True) | Q(engagement__gte=1, engagement__lte=5))
                & (Q(trust__isnull=True) | Q(trust__gte=1, trust__lte=5)),
                name="meetings_session_ratings_on_scale",
            ),
            models.CheckConstraint(
                condition=~Q(status=SessionStatus.CANCELLED) | ~Q(cancelled_by=""),
                name="meetings_session_cancelled_says_by_whom",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True) | Q(checked_in_at__isnull=False),
                name="meetings_session_check_out_after_check_in",
            ),
            models.UniqueConstraint(
                fields=["match"],
                condition=Q(is_first=True),
                name="meetings_one_first_session_per_match",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "status", "starts_at"]),
            models.Index(fields=["mentor", "status", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
        ]

    def __str__(self):
        return f"Session with {self.case} on {self.starts_at:%d %b %Y}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        return self.status == SessionStatus.PLANNED


# What a mentor needs to meet the person ------------------------------------------------


class MeetingBrief(ClientRelated):
    """Entered by a coordinator when a match starts: how the person likes to be called,
    how to reach them and what the mentor should know about risks to themselves.
    Readable by the matched mentor and coordinators only."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="brief")
    preferred_name = EncryptedCharField(max_length=100, blank=True)
    contact_details = EncryptedTextField(blank=True)
    risks_to_mentor = EncryptedTextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Meeting brief for {self.case}"


# Contact monitoring and lone working ---------------------------------------------------


class MeetingsPolicy(models.Model):
    """The scheme's thresholds for contact monitoring, lone working and claims (one row)."""

    gap_multiple = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        default=2,
        help_text="Alert when a case goes this many times its planned frequency without "
        "a held session.",
    )
    missed_in_a_row = models.PositiveSmallIntegerField(
        default=2, help_text="Alert after this many did-not-attends in a row."
    )
    check_out_grace_minutes = models.PositiveSmallIntegerField(
        default=30, help_text="Minutes after a session's end before a missed check-out alerts."
    )
    check_out_escalation_minutes = models.PositiveSmallIntegerField(
        default=30, help_text="Minutes after the alert before an unacknowledged one escalates."
    )
    pays_did_not_attend = models.BooleanField(
        default=False, help_text="Mentors may claim for a session the person did not attend."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "meetings policy"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="meetings_policy_single_row"),
            models.CheckConstraint(
                condition=Q(gap_multiple__gte=1) & Q(missed_in_a_row__gte=1),
                name="meetings_policy_thresholds_sane",
            ),
        ]

    def __str__(self):
        return "Meetings policy"

    @classmethod
    def current(cls) -> MeetingsPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class MatchContact(models.Model):
    """What contact monitoring reads about one match's sessions: the last held session
    and the run of did-not-attends since it. Derived data, kept so that the contact
    pages read one row per match instead of searching its sessions on every request:
    ``services.contact.contact_summary_refresh`` writes it whenever a session is saved
    or deleted (a receiver of the model's own signals, so no write path can forget it),
    and every ``contact_alerts`` run derives it again for every active match and
    repairs any row that differs."""

    match = models.OneToOneField(
        "matching.Match", on_delete=models.CASCADE, primary_key=True, related_name="contact"
    )
    last_held_at = models.DateTimeField(null=True, blank=True)
    last_held = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    missed_run = models.PositiveIntegerField(
        default=0, help_text="Did-not-attends since the last held session."
    )
    missed_from = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return f"Contact of {self.match_id}"


class ContactAlertKind(models.TextChoices):
    GAP = "gap", "No contact for too long"
    MISSED = "missed", "Did not attend, several times in a row"


class ContactAlert(models.Model):
    """One alert about one gap in contact. ``anchor`` names the gap (the last held
    session's start, or the last missed session's id), so the scheduled command never
    alerts twice for the same gap, also when two copies run at once."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ContactAlertKind.choices)
    anchor = models.CharField(max_length=64)
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "anchor"], name="meetings_contact_alert_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.case}"


class CheckInWith(models.TextChoices):
    PERSON = "person", "The person"
    MENTOR = "mentor", "The mentor"
    FAMILY = "family", "A family member"
    REFERRER = "referrer", "The referrer"
    OTHER = "other", "Another professional"


class CheckInOutcome(models.TextChoices):
    REACHED = "reached", "Reached: contact is back on track"
    REACHED_CONCERN = "reached_concern", "Reached: there is a concern"
    NO_ANSWER = "no_answer", "No answer"
    OTHER = "other", "Other"


class CoordinatorCheckIn(ClientRelated):
    """A coordinator's contact with someone about a case whose contact is overdue."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    contacted = models.CharField(max_length=10, choices=CheckInWith.choices)
    outcome = models.CharField(max_length=20, choices=CheckInOutcome.choices)
    note = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"Check-in on {self.case}"


# Calendar ------------------------------------------------------------------------------


class CalendarFeed(models.Model):
    """A mentor's personal iCalendar subscription. Only a hash of the secret in the
    URL is kept, so the URL cannot be read back; revoking deletes the row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Calendar feed of {self.user}"


# Payment claims ------------------------------------------------------------------------


class ClaimRate(models.Model):
    """What the scheme pays per accreditation level, set by coordinators."""

    level = models.OneToOneField(
        "mentors.AccreditationLevel", on_delete=models.CASCADE, related_name="claim_rate"
    )
    hourly_rate = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    mileage_rate = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, help_text="Pounds per mile."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(hourly_rate__gte=0) & Q(mileage_rate__gte=0),
                name="meetings_claim_rate_not_negative",
            )
        ]

    def __str__(self):
        return f"Rates for {self.level}"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    QUERIED = "queried", "Queried"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Claim(EncryptedModel):
    """A mentor's claim for one session (hours, mileage, expenses with receipts)."""

    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="claim")
    mentor = models.ForeignKey("mentors.Mentor", on_delete=models.PROTECT, related_name="claims")
    month = models.DateField(help_text="The first day of the month the claim belongs to.")
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    session_hours = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    travel_hours = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    miles = models.DecimalField(max_digits=6, decimal_places=1, default=0)
    expenses = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    expenses_note = EncryptedTextField(blank=True)
    # The rates in force when the claim was submitted, so later rate changes do not
    # change what was claimed.
    hourly_rate = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    mileage_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-month", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values), name="meetings_claim_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(session_hours__gte=0)
                & Q(travel_hours__gte=0)
                & Q(miles__gte=0)
                & Q(expenses__gte=0),
                name="meetings_claim_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["status", "month"])]

    def __str__(self):
        return f"Claim for {self.session}"

    def encryption_subject(self) -> tuple[str, str]:
        return ("mentor", str(self.mentor.record_uuid))


class Receipt(EncryptedModel):
    """A receipt for a claim's expenses: PDF, JPEG or PNG, at most 5 MB, its type
    checked from the content, the file itself encrypted (base64 inside)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="receipts")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    content = EncryptedTextField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.filename

    def encryption_subject(self) -> tuple[str, str]:
        return ("mentor", str(self.claim.mentor.record_uuid))


# Specialist advice ---------------------------------------------------------------------


class AdviceQuestion(ClientRelated):
    """A mentor's question about a case (theology, ideology…) for people who hold the
    specialism; written without naming the person and kept with the case."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    specialism = models.ForeignKey(
        "catalogues.Specialism", on_delete=models.PROTECT, related_name="+"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = models.DateTimeField(default=timezone.now)
    question = EncryptedTextField()

    class Meta:
        ordering = ["-asked_at"]

    def __str__(self):
        return f"Question on {self.case}"


class AdviceAnswer(ClientRelated):
    question = models.ForeignKey(AdviceQuestion, on_delete=models.CASCADE, related_name="answers")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)
    answer = EncryptedTextField()

    class Meta:
        ordering = ["answered_at", "pk"]

    def __str__(self):
        return f"Answer to {self.question}"

    def encryption_subject(self) -> tuple[str, str]:
        return ("client", str(self.question.case.record_uuid))
