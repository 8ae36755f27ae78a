"""Questionnaires as data, the links that ask for answers, and the answers themselves.

- ``Instrument``: a questionnaire the scheme uses (its key, name, who answers it and
  when it is asked). Its wording and scoring live in versions.
- ``InstrumentVersion``: one immutable definition (tandem.outcomes.scoring). Revising an
  instrument adds a version; answers keep the version they were given under, so a
  changed question never rewrites what someone said to the old one.
- ``AnswerLink``: an expiring, single-use invitation to answer, for the person or the
  referrer. Only the SHA-256 of its random token is stored.
- ``Response``: the answers and their scores, encrypted under the person's key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.cases.models import ClientRelated
from tandem.core.encryption import EncryptedTextField

from .scoring import Definition, validate


class Respondent(models.TextChoices):
    PERSON = "person", "The person supported"
    REFERRER = "referrer", "The referrer"
    MENTOR = "mentor", "The mentor"


class Occasion(models.TextChoices):
    START = "start", "Start of support"
    REVIEW = "review", "Review"
    CLOSURE = "closure", "Closure"
    FOLLOW_UP_6 = "follow_up_6", "6-month follow-up"
    FOLLOW_UP_12 = "follow_up_12", "12-month follow-up"
    OTHER = "other", "Other time"


class Channel(models.TextChoices):
    QR = "qr", "Shown as a QR code in person"
    EMAIL = "email", "Sent by email"
    TEXT = "text", "Sent by text message"


class AnsweredVia(models.TextChoices):
    LINK = "link", "Through a link"
    WITH_MENTOR = "with_mentor", "With their mentor"
    SIGNED_IN = "signed_in", "Signed in to Tandem"


class Instrument(models.Model):
    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=150)
    description = models.CharField(max_length=500, blank=True)
    respondent = models.CharField(max_length=10, choices=Respondent.choices)
    # When it is asked (the schedule): each true occasion makes it due then.
    at_start = models.BooleanField(default=False)
    at_review = models.BooleanField(default=False)
    at_closure = models.BooleanField(default=False)
    at_follow_up = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Optimistic concurrency: revising carries the version number it started from.
    current_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(respondent__in=Respondent.values),
                name="outcomes_instrument_valid_respondent",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def occasions(self) -> list[str]:
        schedule = [
            (self.at_start, Occasion.START),
            (self.at_review, Occasion.REVIEW),
            (self.at_closure, Occasion.CLOSURE),
        ]
        chosen = [occasion for on, occasion in schedule if on]
        if self.at_follow_up:
            chosen += [Occasion.FOLLOW_UP_6, Occasion.FOLLOW_UP_12]
        return chosen

    @property
    def schedule_display(self) -> str:
        labels = [Occasion(o).label.lower() for o in self.occasions]
        if self.at_follow_up:
            labels = [lbl for lbl in labels if "follow-up" not in lbl] + ["each follow-up"]
        if self.at_review:
            labels = ["every review" if lbl == "review" else lbl for lbl in labels]
        return ", ".join(labels).capitalize() if labels else "When asked"


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="outcomes_version_number_once"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="outcomes_version_from_one"),
        ]

    def __str__(self):
        return f"{self.instrument} (version {self.number})"

    @property
    def parsed(self) -> Definition:
        cached = getattr(self, "_parsed", None)
        if cached is None:
            cached = self._parsed = validate(self.definition)
        return cached


class AnswerLink(models.Model):
    """An invitation to answer one questionnaire once. The token is shown once when the
    link is made; the database keeps only its hash, so a copy of the database cannot
    be used to answer. The row names the case for the people working on it; the page
    the link opens shows nothing of it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    respondent = models.CharField(max_length=10, choices=Respondent.choices)
    occasion = models.CharField(max_length=20, choices=Occasion.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(respondent__in=[Respondent.PERSON, Respondent.REFERRER]),
                name="outcomes_link_person_or_referrer",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="outcomes_link_expires_after_made",
            ),
        ]

    def __str__(self):
        return f"Answer link {self.pk}"

    @property
    def state(self) -> str:
        if self.used_at:
            return "Answered"
        if self.revoked_at:
            return "Withdrawn"
        if self.expires_at <= timezone.now():
            return "Expired"
        return "Waiting"


class Response(ClientRelated):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    respondent = models.CharField(max_length=10, choices=Respondent.choices)
    occasion = models.CharField(max_length=20, choices=Occasion.choices)
    answered_via = models.CharField(max_length=12, choices=AnsweredVia.choices)
    link = models.OneToOneField(
        AnswerLink, on_delete=models.PROTECT, null=True, blank=True, related_name="response"
    )
    language = models.CharField(max_length=10, default="en")
    answered_at = models.DateTimeField(default=timezone.now)
    # Who recorded it when signed in (the mentor with the person, or the mentor's own
    # reflection); empty for answers through a link.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # JSON: {item code: point, words or null}, and the scores (scoring.Scores.as_dict).
    answers = EncryptedTextField()
    scores = EncryptedTextField()

    class Meta:
        ordering = ["answered_at", "pk"]
        indexes = [models.Index(fields=["case", "answered_at"], name="outcomes_response_case")]
        constraints = [
            models.CheckConstraint(
                condition=Q(occasion__in=Occasion.values), name="outcomes_response_valid_occasion"
            ),
        ]

    def __str__(self):
        return f"Answers to {self.version} for {self.case}"
