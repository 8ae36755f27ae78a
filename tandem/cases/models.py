"""A case is one person referred to the scheme, from referral to the follow-ups after
closure. The person is known everywhere by the case's pseudonymous reference
(``T-2026-0042``); their identifying details and every narrative are encrypted under
the person's own data key, so erasing the person can destroy that key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.catalogues.models import (
    Area,
    ConcernType,
    Language,
    ReferralSource,
)
from tandem.core.encryption import BlindIndexField, EncryptedCharField, EncryptedTextField
from tandem.core.models import EncryptedModel

# Reference numbers ---------------------------------------------------------------------


class ReferenceCounter(models.Model):
    """The last reference number given out in a year, for gapless T-YYYY-NNNN references."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


# The case ------------------------------------------------------------------------------


class CaseStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    SCREENING = "screening", "Screening"
    ASSESSMENT = "assessment", "Assessment"
    AWAITING_MATCH = "awaiting_match", "Awaiting a match"
    MATCHED = "matched", "Matched"
    ACTIVE = "active", "In support"
    CLOSING = "closing", "Closing"
    CLOSED = "closed", "Closed"
    NOT_SUITABLE = "not_suitable", "Not suitable"
    CONSENT_DECLINED = "consent_declined", "Consent declined"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    ESCALATED = "escalated", "Escalated to statutory services"
    ON_HOLD = "on_hold", "On hold"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    PRIORITY = "priority", "Priority"
    URGENT = "urgent", "Urgent"


URGENCY_RANK = {Urgency.URGENT: 0, Urgency.PRIORITY: 1, Urgency.ROUTINE: 2}


class ClientGender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    SELF_DESCRIBED = "self_described", "In another way"
    NOT_KNOWN = "not_known", "Not known"


class MentorGenderPreference(models.TextChoices):
    ANY = "any", "No preference"
    FEMALE = "female", "A female mentor"
    MALE = "male", "A male mentor"


class ScreeningOutcome(models.TextChoices):
    CLEAR = "clear", "Clear vulnerability"
    POSSIBLE = "possible", "Possible vulnerability, limited information"
    NOT_APPROPRIATE = "not_appropriate", "Not appropriate"


class DuplicateDecision(models.TextChoices):
    NONE = "", "No possible duplicate"
    PENDING = "pending", "Possible duplicate, to decide"
    DIFFERENT = "different", "Decided: a different person"
    SAME = "same", "Decided: the same person"


class ClosureOutcome(models.TextChoices):
    COMPLETED = "completed", "Support completed, goals met"
    PARTIAL = "partial", "Support completed, some goals met"
    DISENGAGED = "disengaged", "Disengaged"
    CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
    ESCALATED = "escalated", "Escalated to statutory services"
    MOVED = "moved", "Moved away or out of scope"
    NOT_SUITABLE = "not_suitable", "Not suitable for mentoring"
    OTHER = "other", "Other"


class Pathway(models.TextChoices):
    PREVENTION = "prevention", "Prevention"
    REHABILITATION = "rehabilitation", "Rehabilitation"


PATHWAY_HINTS = {
    Pathway.PREVENTION: "The person is assessed to be at risk of violent extremism.",
    Pathway.REHABILITATION: "The person has been convicted of a terrorism-related or hate-crime "
    "offence; mentoring may start in custody and continue on licence.",
}


class Case(EncryptedModel):
    reference = models.CharField(max_length=20, unique=True)
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.REFERRED
    )
    status_before_hold = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    # Optimistic concurrency: every change bumps it; a form carries the version it saw.
    version = models.PositiveIntegerField(default=1)

    # Prevention or rehabilitation: chosen at referral, changed with a reason.
    pathway = models.CharField(max_length=20, choices=Pathway.choices, default=Pathway.PREVENTION)

    # The referral.
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals"
    )
    referral_source = models.ForeignKey(ReferralSource, on_delete=models.PROTECT, related_name="+")
    referrer_organisation = models.CharField(max_length=200)
    received_at = models.DateTimeField(default=timezone.now)
    reason = EncryptedTextField()
    concern_type = models.ForeignKey(ConcernType, on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    other_agencies = EncryptedTextField(blank=True)

    # The person: minimal, encrypted.
    first_name = EncryptedCharField(max_length=100)
    last_name = EncryptedCharField(max_length=100)
    date_of_birth = EncryptedCharField(max_length=10, help_text="ISO date, encrypted.")
    identity_index = BlindIndexField(
        source=("first_name", "last_name", "date_of_birth"), purpose="cases.client.identity"
    )
    # Finding a person by name alone (tandem.cases.search); name and date of birth use
    # identity_index.
    name_index = BlindIndexField(source=("first_name", "last_name"), purpose="cases.client.name")
    age_at_referral = models.PositiveSmallIntegerField()
    gender = models.CharField(max_length=20, choices=ClientGender.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="cases", null=True, blank=True
    )
    guardian_name = EncryptedCharField(max_length=200, blank=True)
    guardian_relationship = models.CharField(max_length=100, blank=True)
    guardian_contact = EncryptedCharField(max_length=200, blank=True)
    # Diversity monitoring: voluntary, special-category, encrypted (tandem.catalogues.ethnicity).
    ethnicity = EncryptedCharField(max_length=40, blank=True, null=True)
    ethnicity_description = EncryptedCharField(max_length=100, blank=True, null=True)

    # Needs and preferences.
    languages = models.ManyToManyField(Language, blank=True, related_name="+")
    interpreter_needed = models.BooleanField(default=False)
    accessibility_needs = EncryptedTextField(blank=True)
    mentor_gender_preference = models.CharField(
        max_length=10, choices=MentorGenderPreference.choices, default=MentorGenderPreference.ANY
    )
    preferred_language = models.ForeignKey(
        Language, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    faith_preference = EncryptedTextField(blank=True)
    accepts_online = models.BooleanField(default=False)

    # Possible duplicates are flagged for a coordinator, never merged.
    possible_duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    duplicate_decision = models.CharField(
        max_length=10, choices=DuplicateDecision.choices, blank=True
    )

    # Screening.
    screening_outcome = models.CharField(
        max_length=20, choices=ScreeningOutcome.choices, blank=True
    )
    screening_notes = EncryptedTextField(blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)

    # Reviews and closure.
    next_review_due = models.DateField(null=True, blank=True)
    closure_outcome = models.CharField(max_length=20, choices=ClosureOutcome.choices, blank=True)
    closing_report = EncryptedTextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="cases_case_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(age_at_referral__lte=120), name="cases_case_age_sane"
            ),
            models.CheckConstraint(
                condition=Q(pathway__in=Pathway.values), name="cases_case_valid_pathway"
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | ~Q(closure_outcome=""),
                name="cases_case_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.ON_HOLD) | ~Q(status_before_hold=""),
                name="cases_case_hold_remembers_status",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "urgency", "received_at"]),
            models.Index(fields=["next_review_due"]),
        ]

    def __str__(self):
        return self.reference

    def encryption_subject(self) -> tuple[str, str]:
        return ("client", str(self.record_uuid))

    @property
    def is_child(self) -> bool:
        return self.age_at_referral < 18


class ClientRelated(EncryptedModel):
    """Base for records about the case's person: encrypted under the person's key."""

    class Meta:
        abstract = True

    def encryption_subject(self) -> tuple[str, str]:
        return ("client", str(self.case.record_uuid))


class CaseEvent(ClientRelated):
    """One line of the case's timeline. ``summary`` never holds narrative or names: it
    says what happened ("Consent recorded (given by a parent or guardian)")."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    reason = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["case", "occurred_at"])]

    def __str__(self):
        return f"{self.case}: {self.summary}"


# Consent -------------------------------------------------------------------------------


class ConsentGiver(models.TextChoices):
    PERSON = "person", "The person themself"
    PARENT = "parent", "A parent"
    GUARDIAN = "guardian", "A guardian or carer with parental responsibility"


class ConsentDecision(models.TextChoices):
    GIVEN = "given", "Consent given"
    DECLINED = "declined", "Consent declined"


class ConsentMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    VIDEO = "video", "By video call"
    WRITTEN = "written", "In writing"


class ChildAgreement(models.TextChoices):
    NOT_RECORDED = "", "Not recorded"
    AGREED = "agreed", "The child agrees"
    DID_NOT_AGREE = "did_not_agree", "The child does not agree"


class Consent(ClientRelated):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    decision = models.CharField(max_length=10, choices=ConsentDecision.choices)
    given_by = models.CharField(max_length=10, choices=ConsentGiver.choices)
    giver_name = EncryptedCharField(max_length=200)
    decided_on = models.DateField()
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    capacity_note = EncryptedTextField(blank=True)
    # The consent rule's age band on the day (tandem.cases.consent_rule), kept because a
    # scheme may change its ages later.
    rule_band = models.CharField(max_length=20, blank=True)
    # A 16- or 17-year-old consenting for themself: the coordinator confirmed capacity.
    capacity_confirmed = models.BooleanField(default=False)
    # A younger child judged competent: their own agreement, and who judged them and when.
    child_agreement = models.CharField(max_length=20, choices=ChildAgreement.choices, blank=True)
    competence_assessed_by = EncryptedCharField(max_length=200, blank=True, null=True)
    competence_assessed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_reason = EncryptedTextField(blank=True)
    withdrawal_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(decision="given"),
                name="cases_consent_only_given_can_be_withdrawn",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} on {self.decided_on}"

    @property
    def is_current(self) -> bool:
        return self.decision == ConsentDecision.GIVEN and self.withdrawn_on is None


# Plan, goals, reviews ------------------------------------------------------------------


class Approach(models.TextChoices):
    BEFRIENDING = "befriending", "Befriending"
    INTERVENTIONIST = "interventionist", "Interventionist"
    MIXED = "mixed", "Mixed"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"


STYLE_SCALE = {
    1: "Empathetic",
    2: "Mostly empathetic",
    3: "Balanced",
    4: "Mostly challenging",
    5: "Confrontational",
}


class SupportPlan(ClientRelated):
    """The case's current support plan; changes are kept on the timeline."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    approach = models.CharField(max_length=20, choices=Approach.choices)
    intended_style = models.PositiveSmallIntegerField(choices=list(STYLE_SCALE.items()))
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    summary = EncryptedTextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(intended_style__gte=1) & Q(intended_style__lte=5),
                name="cases_plan_style_on_scale",
            )
        ]

    def __str__(self):
        return f"Support plan for {self.case}"


class GoalOwner(models.TextChoices):
    PERSON = "person", "The person"
    MENTOR = "mentor", "The mentor"
    REFERRER = "referrer", "The referrer"
    FAMILY = "family", "The family"


class Goal(ClientRelated):
    """A Goal Attainment Scaling goal: a description of each level from -2 to +2."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    title = EncryptedCharField(max_length=200)
    owner = models.CharField(max_length=10, choices=GoalOwner.choices)
    weight = models.PositiveSmallIntegerField(default=1)
    level_minus_2 = EncryptedTextField()
    level_minus_1 = EncryptedTextField()
    level_0 = EncryptedTextField()
    level_plus_1 = EncryptedTextField()
    level_plus_2 = EncryptedTextField()
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=10), name="cases_goal_weight_range"
            )
        ]

    def __str__(self):
        return f"Goal {self.position or self.pk} of {self.case}"


class Review(ClientRelated):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    summary = EncryptedTextField()
    reassessment_needed = models.BooleanField(default=False)
    t_score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self):
        return f"Review of {self.case} on {self.reviewed_on}"


class GoalScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="scores")
    score = models.SmallIntegerField()

    class Meta:
        ordering = ["goal__position", "goal__pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="cases_goal_scored_once"),
            models.CheckConstraint(
                condition=Q(score__gte=-2) & Q(score__lte=2), name="cases_goal_score_range"
            ),
        ]

    def __str__(self):
        return f"{self.goal}: {self.score:+d}"


class FollowUpKind(models.TextChoices):
    SIX_MONTHS = "6m", "6 months after closure"
    TWELVE_MONTHS = "12m", "12 months after closure"


class FollowUp(ClientRelated):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(max_length=5, choices=FollowUpKind.choices)
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = EncryptedTextField(blank=True)
    re_referred = models.BooleanField(
        null=True, blank=True, help_text="Whether the person has been referred again since."
    )

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="cases_follow_up_once"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} follow-up of {self.case}"
