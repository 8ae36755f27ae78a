"""Information shared outside the scheme: the lawful bases it may rest on, every
disclosure (what, to whom, when, why, on which basis, authorised by whom), requests
received for information and their decisions, and progress reports to partners.

Everything said about the person (what was shared, why, names of the people it went
to, reasons for a decision, a report's contents) is encrypted under the person's key,
like the case itself, so erasing the person erases it too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from tandem.cases.models import ClientRelated
from tandem.catalogues.models import CatalogueEntry
from tandem.core.encryption import EncryptedCharField, EncryptedTextField


class LawfulBasis(CatalogueEntry):
    """A lawful basis for sharing: a UK GDPR Article 6 basis, with the Article 9 or
    Article 10 condition and the Data Protection Act 2018 Schedule 1 condition that
    special-category or criminal-offence data also needs."""

    code = models.SlugField(max_length=50, unique=True)
    article_6 = models.CharField("UK GDPR Article 6 basis", max_length=200)
    special_condition = models.CharField("Article 9 or 10 condition", max_length=200, blank=True)
    schedule_1 = models.CharField("DPA 2018 Schedule 1 condition", max_length=200, blank=True)

    class Meta(CatalogueEntry.Meta):
        verbose_name_plural = "lawful bases"


class DisclosureKind(models.TextChoices):
    PROGRESS_REPORT = "progress_report", "Progress report"
    SAFEGUARDING = "safeguarding", "Safeguarding escalation"
    POLICE_REQUEST = "police_request", "Request from the police"
    COURT_ORDER = "court_order", "Court order"
    OTHER_REQUEST = "other_request", "Request from another agency"
    OTHER = "other", "Other disclosure"


class Disclosure(ClientRelated):
    """One disclosure of information about a person outside the scheme."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="disclosures")
    kind = models.CharField(max_length=20, choices=DisclosureKind.choices)
    recipient_agency = models.CharField(max_length=200)
    recipient_person = EncryptedCharField(max_length=200, blank=True)
    shared_at = models.DateTimeField(default=timezone.now)
    what_shared = EncryptedTextField()
    purpose = EncryptedTextField()
    lawful_basis = models.ForeignKey(LawfulBasis, on_delete=models.PROTECT, related_name="+")
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    # What the disclosure came from, when it came from Tandem itself.
    escalation = models.OneToOneField(
        "safeguarding.Escalation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosure",
    )
    report = models.OneToOneField(
        "ProgressReport",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosure",
    )
    request = models.OneToOneField(
        "InformationRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disclosure",
    )

    class Meta:
        ordering = ["-shared_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DisclosureKind.values), name="privacy_disclosure_valid_kind"
            ),
        ]
        indexes = [models.Index(fields=["case", "shared_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} about {self.case} to {self.recipient_agency}"


class RequestKind(models.TextChoices):
    POLICE = "police_request", "Request from the police"
    COURT_ORDER = "court_order", "Court order"
    OTHER = "other_request", "Request from another agency"


class RequestStatus(models.TextChoices):
    LOGGED = "logged", "Logged"
    DECIDED = "decided", "Decided"
    ANSWERED = "answered", "Answered"


class RequestDecision(models.TextChoices):
    RELEASE = "release", "Release"
    PART_RELEASE = "part_release", "Release in part"
    REFUSE = "refuse", "Refuse"


class Exemption(models.TextChoices):
    NONE = "none", "None: the lawful basis alone"
    CRIME = "crime", "Crime and taxation (DPA 2018 Schedule 2, paragraph 2)"
    LEGAL = "legal", "Required by law or in legal proceedings (Schedule 2, paragraph 5)"
    COURT_ORDER = "court_order", "An order of a court or tribunal (Schedule 2, paragraph 5(2))"
    PROTECTION = "protection", "Protection of the public (Schedule 2, paragraph 7)"
    THIRD_PARTY = "third_party", "Information about other people (Schedule 2, paragraph 16)"


class InformationRequest(ClientRelated):
    """A request received for information about a person: logged, then decided
    (release, release in part, refuse, with the exemption relied on), then answered.
    The moves are data (``lifecycle.REQUEST_ACTIONS``)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="information_requests"
    )
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.LOGGED
    )
    requester_agency = models.CharField(max_length=200)
    requester_person = EncryptedCharField(max_length=200, blank=True)
    requester_reference = EncryptedCharField(max_length=100, blank=True)
    received_on = models.DateField()
    respond_by = models.DateField(null=True, blank=True)
    what_requested = EncryptedTextField()
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(default=timezone.now)

    decision = models.CharField(max_length=20, choices=RequestDecision.choices, blank=True)
    exemption = models.CharField(max_length=20, choices=Exemption.choices, blank=True)
    lawful_basis = models.ForeignKey(
        LawfulBasis, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_release = EncryptedTextField(blank=True)
    withheld = EncryptedTextField(blank=True)
    decision_reasons = EncryptedTextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="privacy_request_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(status=RequestStatus.LOGGED) | ~Q(decision=""),
                name="privacy_request_decided_has_decision",
            ),
            models.CheckConstraint(
                condition=Q(decision=RequestDecision.REFUSE)
                | Q(decision="")
                | Q(lawful_basis__isnull=False),
                name="privacy_request_release_has_basis",
            ),
        ]
        indexes = [models.Index(fields=["status", "received_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} about {self.case}"


class ReportAudience(models.TextChoices):
    REFERRER = "referrer", "The referrer"
    PANEL = "panel", "The multi-agency panel"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RELEASED = "released", "Released"


class ProgressReport(ClientRelated):
    """A progress report to a partner, composed from shareable session summaries,
    attendance, plan goals and their attainment (never private notes), fixed when
    composed, released with who approved it. ``contents`` is the composed report as
    JSON (encrypted); the coordinator adds an overall summary."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="reports")
    audience = models.CharField(max_length=10, choices=ReportAudience.choices)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default="draft")
    period_start = models.DateField()
    period_end = models.DateField()
    contents = EncryptedTextField()
    overall = EncryptedTextField(blank=True)
    composed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    composed_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-composed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="privacy_report_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")),
                name="privacy_report_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(status=ReportStatus.DRAFT) | Q(released_by__isnull=False),
                name="privacy_report_released_says_by_whom",
            ),
        ]

    def __str__(self):
        return f"Progress report on {self.case}, {self.period_start} to {self.period_end}"


# Retention -------------------------------------------------------------------------------


class RetentionAction(models.TextChoices):
    ERASE = "erase", "Erase: destroy the person's key and blank their indexes"
    ANONYMISE = "anonymise", "Anonymise: erase, and blank what could still point to them"
    REVIEW = "review", "Review: the officer decides"


class RetentionRule(models.Model):
    """How long one kind of record is kept and what happens at the end: the retention
    schedule as data (installed by a data migration, shown in docs/data-protection.md)."""

    code = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=200)
    starts_from = models.CharField(max_length=200)
    period_months = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=10, choices=RetentionAction.choices)
    reason = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=RetentionAction.values),
                name="privacy_retention_valid_action",
            ),
            models.CheckConstraint(
                condition=Q(period_months__gte=1, period_months__lte=1200),
                name="privacy_retention_period_sane",
            ),
        ]

    def __str__(self):
        return f"{self.kind}: {self.period_months} months, then {self.action}"


class LegalHold(models.Model):
    """A hold on a case or on a mentor: while it stands, nothing about the person is
    erased, whatever the schedule says. The reason is not about the person (a claim, an
    inquiry) and stays readable after erasure. Exactly one of ``case`` and ``mentor``."""

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    mentor = models.ForeignKey(
        "mentors.Mentor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legal_holds",
    )
    reason = models.CharField(max_length=300)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(lifted_at__isnull=True),
                name="privacy_one_standing_hold_per_case",
            ),
            models.UniqueConstraint(
                fields=["mentor"],
                condition=Q(lifted_at__isnull=True),
                name="privacy_one_standing_hold_per_mentor",
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=True, mentor__isnull=False)
                | Q(case__isnull=False, mentor__isnull=True),
                name="privacy_legal_hold_on_one_person",
            ),
        ]

    def __str__(self):
        if self.mentor_id is not None:
            return f"Legal hold on mentor {self.mentor_id}"
        return f"Legal hold on {self.case}"


class CarriedOut(models.Model):
    """What was done under retention: which rule (None for an erasure at the person's
    request), what, approved by whom, when."""

    rule = models.ForeignKey(
        RetentionRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=RetentionAction.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    carried_out_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-carried_out_at", "-pk"]


class Erasure(CarriedOut):
    """What retention did to one case. The case row stays (its status, dates, concern
    type and area still count in reports); what identified the person is gone."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="erasure")

    class Meta(CarriedOut.Meta):
        pass

    def __str__(self):
        return f"Erasure of {self.case}"


class MentorErasure(CarriedOut):
    """What retention did to one mentor: the mentor's key destroyed, their name, contact
    details and free text blanked, their sign-in account deactivated and scrubbed. The
    row stays with its status, dates, accreditation level, areas and counts, so the
    pool's reports still add up."""

    mentor = models.OneToOneField(
        "mentors.Mentor", on_delete=models.PROTECT, related_name="erasure"
    )

    class Meta(CarriedOut.Meta):
        pass

    def __str__(self):
        return f"Erasure of mentor {self.mentor_id}"


class ClaimAnonymisation(models.Model):
    """A payment claim past the finance period with its personal text (the note on
    expenses, the reasons for the decision) and its receipts gone; the amounts, rates,
    month and status stay, so the scheme's totals still add up."""

    claim = models.OneToOneField(
        "meetings.Claim", on_delete=models.PROTECT, related_name="anonymisation"
    )
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    carried_out_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-carried_out_at", "-pk"]

    def __str__(self):
        return f"Anonymisation of claim {self.claim_id}"


# Subject access ----------------------------------------------------------------------------


class SubjectAccessRequest(models.Model):
    """A person's request for what Tandem holds about them: answered within one
    calendar month of receipt, extendable by up to two more with a reason (UK GDPR
    Article 12(3)). One open request per person at a time."""

    # The person asking: someone supported (their case) or a mentor (their own records).
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subject_access_requests",
    )
    mentor = models.ForeignKey(
        "mentors.Mentor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subject_access_requests",
    )
    received_on = models.DateField()
    due_on = models.DateField()
    extended_to = models.DateField(null=True, blank=True)
    extension_reason = models.CharField(max_length=300, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The officer who checked the package (its redactions) and approved its release.
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(completed_on__isnull=True),
                name="privacy_one_open_subject_access_per_case",
            ),
            models.UniqueConstraint(
                fields=["mentor"],
                condition=Q(completed_on__isnull=True),
                name="privacy_one_open_subject_access_per_mentor",
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=True, mentor__isnull=False)
                | Q(case__isnull=False, mentor__isnull=True),
                name="privacy_subject_access_about_one_person",
            ),
            models.CheckConstraint(
                condition=Q(extended_to__isnull=True) | ~Q(extension_reason=""),
                name="privacy_subject_access_extension_has_reason",
            ),
        ]

    def __str__(self):
        return f"Subject access request about {self.case or self.mentor}"

    @property
    def person(self):
        return self.case or self.mentor

    @property
    def deadline(self):
        return self.extended_to or self.due_on


class Restriction(models.Model):
    """Processing restricted at the person's request (UK GDPR Article 18), for example
    while the accuracy of a record is contested: while it stands, the case is held out of
    matching. The reason says why in general terms, never the contested content."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="processing_restrictions"
    )
    reason = models.CharField(max_length=300)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(lifted_at__isnull=True),
                name="privacy_one_standing_restriction_per_case",
            )
        ]

    def __str__(self):
        return f"Restriction on {self.case}"


class ErasureDecision(models.TextChoices):
    ERASE = "erase", "Erase"
    REFUSE = "refuse", "Refuse"


class ErasureRequest(models.Model):
    """A person's request to be erased (UK GDPR Article 17), with the officer's decision
    and reasons in general terms (kept readable after erasure). Erasing is refused while
    safeguarding retention applies (an open concern) or a legal hold stands; it is
    carried out by the same mechanism as retention."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="erasure_requests"
    )
    received_on = models.DateField()
    decision = models.CharField(max_length=10, choices=ErasureDecision.choices)
    reasons = models.CharField(max_length=500)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=ErasureDecision.values),
                name="privacy_erasure_request_valid_decision",
            )
        ]

    def __str__(self):
        return f"Erasure request about {self.case}"


# Rectification -------------------------------------------------------------------------------


class Rectification(ClientRelated):
    """A correction of one field of a person's record (UK GDPR Article 16), with the
    reason. The old value is kept (encrypted under the person's key) only when the field
    allows it and the person correcting it says why the law requires it; otherwise it is
    overwritten and only the fact of the correction remains."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="rectifications")
    field = models.CharField(max_length=40)
    reason = EncryptedTextField()
    old_value = EncryptedTextField(blank=True)
    kept_because = EncryptedTextField(blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-made_at", "-pk"]
        indexes = [models.Index(fields=["case", "made_at"])]

    def __str__(self):
        return f"Correction of {self.field} for {self.case}"

    @property
    def old_value_kept(self) -> bool:
        return bool(self.kept_because)


class WithholdReason(models.TextChoices):
    THIRD_PARTY = "third_party", "Another person's information (DPA 2018 Schedule 2, paragraph 16)"
    THIRD_PARTY_SOURCE = "source", "Given by someone else in confidence (Schedule 2, paragraph 16)"
    STAFF = "staff", "A member of staff's name where it would put them at risk"
    CRIME = "crime", "Prevention or detection of crime (Schedule 2, paragraph 2)"
    SAFEGUARDING = "safeguarding", "Serious harm to the person or others (Schedule 3)"


class Redaction(ClientRelated):
    """Something withheld from the person's subject access package before release: a
    whole item (one field of one record) or words within it (``text``), with the
    exemption relied on. The released package shows "[withheld: reason]" in its place."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="redactions")
    section = models.CharField(max_length=100)  # a model's label, e.g. meetings.session
    record_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=60)
    text = EncryptedTextField(blank=True)  # blank: the whole item
    reason = models.CharField(max_length=20, choices=WithholdReason.choices)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["section", "record_id", "field", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=WithholdReason.values),
                name="privacy_redaction_valid_reason",
            )
        ]

    def __str__(self):
        return f"Withheld from the package about {self.case}"
