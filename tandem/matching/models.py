"""Matches between a case and a mentor, batch proposals, the scheme's matching policy,
and what matching alone needs to know about a case.

A match is proposed by a coordinator, accepted or declined by the mentor, started when
the first meeting is arranged, and ended with a reason. A proposed, accepted or active
match holds one of the mentor's places (``LIVE``): the services never let a mentor's
live matches exceed their caseload cap, and the database never lets a case have two.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.core.encryption import EncryptedTextField
from tandem.core.models import EncryptedModel

from .criteria import PREFERENCE


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed to the mentor"
    ACCEPTED = "accepted", "Accepted by the mentor"
    DECLINED = "declined", "Declined by the mentor"
    WITHDRAWN = "withdrawn", "Proposal withdrawn"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


LIVE = (MatchStatus.PROPOSED, MatchStatus.ACCEPTED, MatchStatus.ACTIVE)
# The mentor is working with the person: they may see the case.
WORKING = (MatchStatus.ACCEPTED, MatchStatus.ACTIVE)


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", "I cannot take on another person now"
    CONFLICT = "conflict", "I have a connection with this person or their family"
    NOT_RIGHT = "not_right", "I am not the right mentor for this person"
    OTHER = "other", "Another reason"


class EndReason(models.TextChoices):
    COMPLETED = "completed", "Support completed"
    CLIENT_DISENGAGED = "client_disengaged", "The person stopped engaging"
    MENTOR_UNAVAILABLE = "mentor_unavailable", "The mentor is no longer available"
    RELATIONSHIP = "relationship", "The relationship did not work"
    CONDUCT = "conduct", "A safeguarding or conduct concern about the match"
    CASE_ENDED = "case_ended", "The case ended"
    OTHER = "other", "Another reason"


# Endings after which the same pair must never be proposed again.
BAD_ENDINGS = (EndReason.RELATIONSHIP, EndReason.CONDUCT)


class MeetingPlace(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    PHONE = "phone", "By phone"


class Match(EncryptedModel):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="matches")
    mentor = models.ForeignKey("mentors.Mentor", on_delete=models.PROTECT, related_name="matches")
    status = models.CharField(
        max_length=20, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    score = models.PositiveIntegerField(help_text="Fit score out of 1,000 when proposed.")
    # The score's breakdown when proposed, [{"criterion", "points", "words"}] as JSON:
    # encrypted, because the words speak of the person's needs (language, faith, age).
    explanation_json = EncryptedTextField(blank=True)
    batch = models.ForeignKey(
        "BatchProposal", on_delete=models.PROTECT, null=True, blank=True, related_name="matches"
    )

    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    decline_note = EncryptedTextField(blank=True)
    withdrawn_reason = EncryptedTextField(blank=True)

    started_at = models.DateTimeField(null=True, blank=True)
    first_meeting_at = models.DateTimeField(null=True, blank=True)
    first_meeting_place = models.CharField(max_length=20, choices=MeetingPlace.choices, blank=True)

    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_note = EncryptedTextField(blank=True)
    rematch = models.BooleanField(default=False)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=LIVE),
                name="matching_one_live_match_per_case",
            ),
            models.CheckConstraint(
                condition=Q(status__in=MatchStatus.values), name="matching_match_valid_status"
            ),
            models.CheckConstraint(
                condition=~Q(status=MatchStatus.ACTIVE) | Q(first_meeting_at__isnull=False),
                name="matching_active_has_first_meeting",
            ),
            models.CheckConstraint(
                condition=~Q(status=MatchStatus.ENDED) | ~Q(end_reason=""),
                name="matching_ended_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["status", "proposed_at"]),
        ]

    def __str__(self):
        return f"{self.case} with {self.mentor} ({self.get_status_display().lower()})"

    def encryption_subject(self) -> tuple[str, str]:
        return ("client", str(self.case.record_uuid))

    @property
    def explanation(self) -> list[dict]:
        return json.loads(self.explanation_json) if self.explanation_json else []

    @explanation.setter
    def explanation(self, parts: list[dict]) -> None:
        self.explanation_json = json.dumps(parts, ensure_ascii=False) if parts else ""

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    @property
    def ended_badly(self) -> bool:
        return self.status == MatchStatus.ENDED and self.end_reason in BAD_ENDINGS


class BatchStatus(models.TextChoices):
    DRAFT = "draft", "For review"
    CONFIRMED = "confirmed", "Confirmed"
    DISCARDED = "discarded", "Discarded"


class BatchProposal(models.Model):
    """The optimal assignment for every case waiting at one moment, for a coordinator
    to review, change and confirm. Nothing is proposed to a mentor until confirmed."""

    status = models.CharField(max_length=20, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    cases_waiting = models.PositiveIntegerField(default=0)
    optimal_score = models.PositiveIntegerField(default=0)
    optimal_matched = models.PositiveIntegerField(default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Batch proposal of {self.created_at:%d %B %Y %H:%M}"


class BatchPair(models.Model):
    batch = models.ForeignKey(BatchProposal, on_delete=models.CASCADE, related_name="pairs")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey("mentors.Mentor", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveIntegerField()
    changed = models.BooleanField(default=False, help_text="Changed by the coordinator.")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "case"], name="matching_batch_case_once")
        ]

    def __str__(self):
        return f"{self.case} with {self.mentor}"


MAX_WEIGHT = 10


def _weight(code: str):
    return models.PositiveSmallIntegerField(
        default=PREFERENCE[code].default_weight, validators=[MaxValueValidator(MAX_WEIGHT)]
    )


class MatchingPolicy(models.Model):
    """The scheme's matching settings: one row. Weights are relative (0 to 10), one per
    preference of ``criteria.PREFERENCES`` (a test keeps the two in step)."""

    weight_specialism = _weight("specialism")
    weight_language = _weight("language")
    weight_faith = _weight("faith")
    weight_lived_experience = _weight("lived_experience")
    weight_age = _weight("age")
    weight_distance = _weight("distance")
    weight_availability = _weight("availability")
    weight_workload = _weight("workload")
    weight_continuity = _weight("continuity")
    priority_min_level = models.ForeignKey(
        "mentors.AccreditationLevel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Lowest accreditation level for a priority case.",
    )
    urgent_min_level = models.ForeignKey(
        "mentors.AccreditationLevel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Lowest accreditation level for an urgent case.",
    )
    high_risk_min_level = models.ForeignKey(
        "mentors.AccreditationLevel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Lowest accreditation level when the latest assessment rates any factor "
        "at the framework's highest level.",
    )
    few_feasible = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(50)],
        help_text="A waiting case with this many feasible mentors or fewer counts as a gap.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "matching policy"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="matching_policy_single")]

    def __str__(self):
        return "Matching policy"

    @classmethod
    def load(cls) -> MatchingPolicy:
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


class CaseNeeds(models.Model):
    """What matching needs to know about a case beyond the referral's statement (which
    stays on the case: languages, interpreter, preferred language, mentor's gender, area,
    online sessions). A case has no row until its needs are first saved; ``of`` gives
    the defaults until then."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="matching_needs"
    )
    requested_faith = models.ForeignKey(
        "catalogues.Faith",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set only when the person asked for a mentor of this faith.",
    )
    required_specialism = models.ForeignKey(
        "catalogues.Specialism",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="A specialism the mentor must have (for example theology).",
    )
    # When the person can meet: bit (weekday * 3 + part) of the mentor availability grid.
    availability = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "case needs"

    def __str__(self):
        return f"Matching needs of {self.case_id}"

    @classmethod
    def of(cls, case) -> CaseNeeds:
        """The case's needs (``select_related("matching_needs")`` saves the query), or
        the defaults, unsaved, when none were recorded."""
        try:
            return case.matching_needs
        except cls.DoesNotExist:
            return cls(case=case)
