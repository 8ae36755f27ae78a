"""Demo data for information sharing: a released progress report to the demo referrer
(on one of their referrals that is in support), a police request released in part and
answered, another still waiting for the officer's decision, and a disclosure to a court
logged by hand. Safeguarding escalations in the demo data are logged on their own.

Only for local evaluation and tests. Runs once, after the demo meetings and
safeguarding: when any progress report exists, nothing is done. Texts name nobody real.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.cases.models import Case, CaseStatus
from tandem.privacy import services
from tandem.privacy.models import LawfulBasis, ProgressReport

from .accounts import DEMO_DOMAIN

COORDINATOR_EMAIL = f"coordinator@{DEMO_DOMAIN}"
REFERRER_EMAIL = f"referrer@{DEMO_DOMAIN}"
DPO_EMAIL = f"dpo@{DEMO_DOMAIN}"


@transaction.atomic
def ensure_demo_privacy() -> int:
    """Create the demo sharing records; return how many disclosures were logged."""
    if ProgressReport.objects.exists():
        return 0
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    officer = User.objects.filter(email=DPO_EMAIL).first()
    referrer = User.objects.filter(email=REFERRER_EMAIL).first()
    if coordinator is None or officer is None:
        return 0
    in_support = Case.objects.filter(status=CaseStatus.ACTIVE).order_by("pk")
    referred = in_support.filter(referred_by=referrer).first() if referrer else None
    cases = list(in_support[:3])
    if not cases:
        return 0
    today = timezone.localdate()
    logged = 0
    report_case = referred or cases[0]
    report = services.report_compose(
        actor=coordinator,
        case=report_case,
        audience="referrer",
        period_start=today - dt.timedelta(days=90),
        period_end=today,
        overall="Engaging well and attending most sessions; the goals agreed at the start "
        "are on track.",
    )
    services.report_release(
        actor=coordinator,
        report=report,
        recipient_agency=report_case.referrer_organisation,
        lawful_basis=LawfulBasis.objects.get(code="consent"),
    )
    logged += 1
    crime = LawfulBasis.objects.get(code="crime-prevention")
    answered = services.request_log(
        actor=coordinator,
        case=cases[0],
        received=services.Received(
            kind="police_request",
            requester_agency="Counter-terrorism policing, West Midlands",
            requester_person="A detective constable",
            requester_reference="CTP-DEMO-0001",
            received_on=today - dt.timedelta(days=12),
            respond_by=today - dt.timedelta(days=2),
            what_requested="The dates of sessions in the last two months and whether travel "
            "abroad was mentioned.",
        ),
    )
    decided = services.request_decide(
        actor=officer,
        info_request=answered,
        decision=services.Decision(
            decision="part_release",
            reasons="The dates are necessary and proportionate for the investigation "
            "described; what was said in sessions is not.",
            exemption="crime",
            lawful_basis=crime,
            to_release="The dates of sessions held in the last two months.",
            withheld="What was discussed in sessions.",
        ),
    )
    services.request_answer(
        actor=coordinator, info_request=decided, answered_on=today - dt.timedelta(days=5)
    )
    logged += 1
    services.request_log(
        actor=coordinator,
        case=cases[-1],
        received=services.Received(
            kind="other_request",
            requester_agency="Children's social care",
            received_on=today - dt.timedelta(days=1),
            respond_by=today + dt.timedelta(days=13),
            what_requested="Whether the person is engaging with mentoring.",
        ),
    )
    court_case = cases[1] if len(cases) > 1 else cases[0]
    services.disclosure_record(
        actor=coordinator,
        case=court_case,
        sharing=services.Sharing(
            kind="court_order",
            recipient_agency="Birmingham Youth Court",
            what_shared="Attendance record and the closing dates of the plan's reviews.",
            purpose="Production order of the court.",
            lawful_basis=LawfulBasis.objects.get(code="legal-proceedings"),
            shared_at=timezone.now() - dt.timedelta(days=20),
        ),
        authorised_by=officer,
    )
    return logged + 1
