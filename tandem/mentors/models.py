"""The mentor register: recruitment, vetting, training, accreditation, quality
assurance and the profile that matching reads.

The register's own configuration (check types, modules, levels, codes of conduct) is
data a scheme configures; defaults come from a data migration. Areas, languages,
faiths and specialisms are shared catalogues (tandem.catalogues).
Whether a mentor can take a case today is derived (see matchability.py), never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.catalogues.models import Area, Faith, Language, Specialism
from tandem.core.encryption import BlindIndexField, EncryptedCharField, EncryptedTextField
from tandem.core.models import EncryptedModel

# Catalogues ----------------------------------------------------------------------------


class VettingCheckType(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=150)
    required = models.BooleanField(default=True)
    validity_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty when a passed check does not expire."
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class TrainingModule(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)
    cpd_hours = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AccreditationLevel(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="Higher is more senior.")
    required_modules = models.ManyToManyField(TrainingModule, blank=True, related_name="+")
    min_supervised_sessions = models.PositiveSmallIntegerField(default=0)
    requires_observed_practice = models.BooleanField(default=False)
    validity_months = models.PositiveSmallIntegerField(default=24)

    class Meta:
        ordering = ["rank"]

    def __str__(self):
        return self.name


class CodeOfConductQuerySet(models.QuerySet):
    def current(self) -> CodeOfConduct | None:
        """The code mentors must have accepted: the latest published."""
        return self.order_by("-published_at", "-pk").first()


class CodeOfConduct(models.Model):
    version = models.CharField(max_length=20, unique=True)
    text = models.TextField()
    published_at = models.DateTimeField(default=timezone.now)

    objects = CodeOfConductQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at"]
        get_latest_by = "published_at"

    def __str__(self):
        return f"Code of conduct {self.version}"


# The mentor ----------------------------------------------------------------------------


class MentorStatus(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    VETTING = "vetting", "Vetting"
    TRAINING = "training", "Training"
    ACTIVE = "active", "Accredited (active)"
    PAUSED = "paused", "Paused"
    SUSPENDED = "suspended", "Suspended"
    LEFT = "left", "Left"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    SELF_DESCRIBED = "self_described", "In another way"
    NOT_SAID = "not_said", "Prefer not to say"


class AgeBand(models.TextChoices):
    A18_24 = "18-24", "18 to 24"
    A25_34 = "25-34", "25 to 34"
    A35_44 = "35-44", "35 to 44"
    A45_54 = "45-54", "45 to 54"
    A55_64 = "55-64", "55 to 64"
    A65 = "65+", "65 or over"


class ApplicationSource(models.TextChoices):
    PUBLIC = "public", "Applied online"
    COORDINATOR = "coordinator", "Entered by a coordinator"


class Mentor(EncryptedModel):
    """One person in the mentor pool, from application to leaving."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mentor_profile",
    )
    full_name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    phone = EncryptedCharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=20, choices=MentorStatus.choices, default=MentorStatus.APPLICANT
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=ApplicationSource.choices)
    applied_on = models.DateField(default=timezone.localdate)
    motivation = EncryptedTextField(blank=True)
    experience = EncryptedTextField(blank=True)

    gender = models.CharField(max_length=20, choices=Gender.choices, blank=True)
    gender_self_description = models.CharField(max_length=100, blank=True)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, blank=True)
    faith = models.ForeignKey(
        Faith, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    faith_background = EncryptedTextField(blank=True)
    cultural_background = EncryptedTextField(blank=True)
    # Diversity monitoring: voluntary, special-category, encrypted (tandem.catalogues.ethnicity).
    ethnicity = EncryptedCharField(max_length=40, blank=True, null=True)
    ethnicity_description = EncryptedCharField(max_length=100, blank=True, null=True)
    has_lived_experience = models.BooleanField(default=False)
    lived_experience = EncryptedTextField(blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="mentors")
    travel_radius_km = models.PositiveSmallIntegerField(default=10)
    offers_online = models.BooleanField(default=False)
    caseload_cap = models.PositiveSmallIntegerField(default=2)

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisees",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MentorStatus.values), name="mentors_mentor_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(caseload_cap__lte=20), name="mentors_mentor_caseload_cap_sane"
            ),
            models.CheckConstraint(
                condition=Q(travel_radius_km__lte=500), name="mentors_mentor_radius_sane"
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return self.full_name

    def encryption_subject(self) -> tuple[str, str]:
        return ("mentor", str(self.record_uuid))


class MentorRelated(EncryptedModel):
    """Base for a mentor's records whose sensitive text is encrypted under the mentor's key."""

    class Meta:
        abstract = True

    def encryption_subject(self) -> tuple[str, str]:
        return ("mentor", str(self.mentor.record_uuid))


class StatusChange(models.Model):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=MentorStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=MentorStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.mentor}: {self.from_status or 'new'} → {self.to_status}"


class Proficiency(models.TextChoices):
    BASIC = "basic", "Basic"
    CONVERSATIONAL = "conversational", "Conversational"
    FLUENT = "fluent", "Fluent"
    FIRST = "first", "First language"


class MentorLanguage(models.Model):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="languages")
    language = models.ForeignKey(Language, on_delete=models.PROTECT, related_name="+")
    proficiency = models.CharField(max_length=20, choices=Proficiency.choices)

    class Meta:
        ordering = ["language__name"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "language"], name="mentors_language_once")
        ]

    def __str__(self):
        return f"{self.language} ({self.get_proficiency_display()})"


class MentorSpecialism(models.Model):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="specialisms")
    specialism = models.ForeignKey(Specialism, on_delete=models.PROTECT, related_name="+")
    evidence = models.CharField(max_length=500, blank=True)
    qualification = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["specialism__name"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "specialism"], name="mentors_specialism_once")
        ]

    def __str__(self):
        return str(self.specialism)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class DayPart(models.TextChoices):
    MORNING = "morning", "Morning"
    AFTERNOON = "afternoon", "Afternoon"
    EVENING = "evening", "Evening"


_PART_INDEX = {part: i for i, part in enumerate(DayPart.values)}


def slot_bit(weekday: int, part: str) -> int:
    """The bit of one (weekday, part of day) slot in an availability bit mask."""
    return 1 << (int(weekday) * len(_PART_INDEX) + _PART_INDEX[part])


class AvailabilitySlot(models.Model):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    part = models.CharField(max_length=10, choices=DayPart.choices)

    class Meta:
        ordering = ["weekday", "part"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "weekday", "part"], name="mentors_availability_once"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.get_part_display().lower()}"


# Vetting, training, accreditation, quality assurance ----------------------------------


class CheckOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class VettingCheck(MentorRelated):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="checks")
    check_type = models.ForeignKey(VettingCheckType, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=10, choices=CheckOutcome.choices)
    checked_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    verifier = models.CharField(max_length=150, help_text="Who carried out or verified it.")
    reference_number = EncryptedCharField(max_length=100, blank=True)
    failure_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["check_type__position", "-checked_on", "-pk"]
        indexes = [
            # The latest check of each type per mentor, which matchability looks up for
            # every mentor in the pool (bench/mentor_pool.py: 15 s → 81 ms at 2,000).
            models.Index(
                fields=["mentor", "check_type", "-checked_on", "-id"],
                name="mentors_check_latest_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=CheckOutcome.values), name="mentors_check_valid_outcome"
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("checked_on")),
                name="mentors_check_expires_after_checked",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=CheckOutcome.FAILED) | ~Q(failure_reason=""),
                name="mentors_check_failure_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.check_type}: {self.get_outcome_display()} ({self.checked_on})"


class TrainingCompletion(models.Model):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="completions")
    module = models.ForeignKey(TrainingModule, on_delete=models.PROTECT, related_name="+")
    completed_on = models.DateField()
    cpd_hours = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "module", "completed_on"], name="mentors_completion_once"
            ),
            models.CheckConstraint(
                condition=Q(cpd_hours__gte=0) & Q(cpd_hours__lte=200),
                name="mentors_completion_hours_sane",
            ),
        ]

    def __str__(self):
        return f"{self.module} ({self.completed_on})"


class Accreditation(models.Model):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="accreditations")
    level = models.ForeignKey(AccreditationLevel, on_delete=models.PROTECT, related_name="+")
    awarded_on = models.DateField()
    expires_on = models.DateField()
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    revoked_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("awarded_on")),
                name="mentors_accreditation_expires_after_award",
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | ~Q(revoked_reason=""),
                name="mentors_accreditation_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.level} from {self.awarded_on} to {self.expires_on}"


class ObservationRating(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"


class ObservedPractice(MentorRelated):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="observations")
    observed_on = models.DateField()
    observer = models.CharField(max_length=150)
    rating = models.CharField(max_length=30, choices=ObservationRating.choices)
    notes = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-observed_on", "-pk"]

    def __str__(self):
        return f"Observed {self.observed_on}: {self.get_rating_display()}"


class FeedbackSource(models.TextChoices):
    CLIENT = "client", "Client"
    REFERRER = "referrer", "Referrer"
    SUPERVISOR = "supervisor", "Supervisor"
    COORDINATOR = "coordinator", "Coordinator"
    FAMILY = "family", "Family"


class FeedbackRecord(MentorRelated):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="feedback")
    received_on = models.DateField()
    source = models.CharField(max_length=20, choices=FeedbackSource.choices)
    positive = models.BooleanField(help_text="Whether the feedback was positive overall.")
    summary = EncryptedTextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self):
        return f"Feedback from {self.get_source_display().lower()} on {self.received_on}"


class CodeAcceptance(models.Model):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="acceptances")
    code = models.ForeignKey(CodeOfConduct, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "code"], name="mentors_code_accepted_once")
        ]

    def __str__(self):
        return f"{self.mentor} accepted {self.code.version}"


class ConflictKind(models.TextChoices):
    PERSON = "person", "A person"
    FAMILY = "family", "A family"
    SCHOOL = "school", "A school or college"
    ORGANISATION = "organisation", "An organisation or group"


class ConflictDeclaration(MentorRelated):
    """Someone or something a mentor is connected to: matching keeps them apart."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(max_length=20, choices=ConflictKind.choices)
    name = EncryptedCharField(max_length=200)
    name_index = BlindIndexField(source="name", purpose="mentors.conflict.name")
    connection = EncryptedTextField(blank=True)
    declared_on = models.DateField(default=timezone.localdate)
    withdrawn_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-declared_on", "-pk"]

    def __str__(self):
        return f"Conflict declared on {self.declared_on} ({self.get_kind_display().lower()})"


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class ProfileChangeRequest(MentorRelated):
    """A change a mentor asked for that affects their vetting (for example a new name)."""

    FIELDS = {"full_name": "Name", "email": "Email address"}

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="change_requests")
    field = models.CharField(max_length=30, choices=list(FIELDS.items()))
    new_value = EncryptedCharField(max_length=254)
    explanation = EncryptedTextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.PENDING
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "field"],
                condition=Q(status="pending"),
                name="mentors_one_pending_change_per_field",
            )
        ]

    def __str__(self):
        return f"Change of {self.get_field_display().lower()} ({self.get_status_display()})"


class ReminderSent(models.Model):
    """The ledger that makes reminders idempotent: one row per reminder per recipient."""

    key = models.CharField(max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="mentors_reminder_once")
        ]

    def __str__(self):
        return f"{self.key} → {self.recipient_id}"
