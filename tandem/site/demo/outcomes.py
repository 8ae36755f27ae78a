"""Demo data for outcomes: questionnaires answered over time for the demo cases that
worked with a mentor (active, closing or closed with a match).

- The person's wellbeing (ONS) at the start of support, at each review and at closure,
  most improving a little each time, some not; answered through a link, with their
  mentor, or on paper.
- Relationship and trust at each review.
- The referrer's view at the latest review, through the referrer's own link.
- The mentor's reflection when a closed case's match ended.

Only for local evaluation and tests. Runs once, after the demo meetings: when any
answer exists for a demo case, nothing is done. Written with bulk_create (a handful of
queries whatever the number of cases); every answer is encrypted under the person's key
as in use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.cases.models import Case, CaseStatus, Review
from tandem.core.encryption import preload_data_keys
from tandem.core.encryption.datakeys import key_for_encryption
from tandem.matching.models import Match, MatchStatus
from tandem.outcomes.models import (
    AnsweredVia,
    AnswerLink,
    Channel,
    Instrument,
    Occasion,
    Respondent,
    Response,
)
from tandem.outcomes.scoring import score

from .accounts import DEMO_DOMAIN
from .cases import DEMO_CASES

COORDINATOR_EMAIL = f"coordinator@{DEMO_DOMAIN}"
STATUSES = (CaseStatus.ACTIVE, CaseStatus.CLOSING, CaseStatus.CLOSED)


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _ons(rng: random.Random, step: int, trend: float) -> dict:
    base = 4 + trend * step
    return {
        "satisfied": _clamp(base + rng.uniform(-1, 1), 0, 10),
        "worthwhile": _clamp(base + 1 + rng.uniform(-1, 1), 0, 10),
        "happy": _clamp(base + rng.uniform(-1.5, 1.5), 0, 10),
        "anxious": _clamp(7 - trend * step + rng.uniform(-1, 1), 0, 10),
    }


def _trust(rng: random.Random, step: int) -> dict:
    level = 3 + min(step, 3) * 0.4
    return {
        "listens": _clamp(level + rng.uniform(-0.5, 1), 1, 5),
        "respect": _clamp(level + rng.uniform(-0.5, 1), 1, 5),
        "holds_back": _clamp(6 - level + rng.uniform(-1, 0.5), 1, 5),
        "keeps_word": _clamp(level + rng.uniform(-1, 0.5), 1, 5),
        "worth_it": _clamp(level + rng.uniform(-0.5, 0.5), 1, 5),
    }


def ensure_demo_outcomes(
    *, now: dt.datetime | None = None, specs: list | None = None, seed: int = 11
) -> int:
    """Create the demo answers for the cases of ``specs`` (the demo cases unless given);
    returns how many were made."""
    now = now or timezone.now()
    specs = DEMO_CASES if specs is None else specs
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    if coordinator is None:
        return 0
    cases = list(
        Case.objects.filter(
            record_uuid__in=[s.record_uuid for s in specs], status__in=STATUSES
        ).order_by("pk")
    )
    if not cases or Response.objects.filter(case__in=cases).exists():
        return 0
    instruments = {i.key: i for i in Instrument.objects.filter(is_active=True)}
    if not {"ons4", "trust", "referrer_view", "mentor_reflection"} <= set(instruments):
        return 0
    versions = {key: i.versions.get(number=i.current_version) for key, i in instruments.items()}
    matches = {}
    for match in Match.objects.filter(
        case__in=cases, status__in=[MatchStatus.ACTIVE, MatchStatus.ENDED]
    ).order_by("started_at", "pk"):
        matches.setdefault(match.case_id, match)
    reviews: dict[int, list[dt.date]] = {}
    for case_id, reviewed_on in Review.objects.filter(case__in=cases).values_list(
        "case_id", "reviewed_on"
    ):
        reviews.setdefault(case_id, []).append(reviewed_on)
    preload_data_keys(c.encryption_subject() for c in cases)
    for case in cases:
        key_for_encryption(case.encryption_subject())

    rng = random.Random(seed)  # noqa: S311  (demo answers, not secrets)
    responses: list[Response] = []
    links: list[AnswerLink] = []

    def at(day: dt.date) -> dt.datetime:
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(11, 0)))
        return min(moment, now)

    def add(case, key, day, occasion, answers, via, *, recorded_by=None, link=None):
        version = versions[key]
        responses.append(
            Response(
                case=case,
                version=version,
                respondent=instruments[key].respondent,
                occasion=occasion,
                answered_via=via,
                link=link,
                answered_at=at(day),
                recorded_by=recorded_by,
                answers=json.dumps(answers, sort_keys=True),
                scores=json.dumps(score(version.parsed, answers).as_dict(), sort_keys=True),
            )
        )

    ways = [AnsweredVia.LINK, AnsweredVia.WITH_MENTOR, AnsweredVia.SIGNED_IN]
    for n, case in enumerate(cases):
        match = matches.get(case.pk)
        if match is None or match.started_at is None:
            continue
        mentor_user = match.mentor.user if match.mentor.user_id else None
        trend = [0.6, 0.4, 0.1, -0.2][n % 4]  # most improve; one in four does not
        start = timezone.localtime(match.started_at).date()
        first_via = ways[n % 2]
        add(
            case,
            "ons4",
            start,
            Occasion.START,
            _ons(rng, 0, trend),
            first_via,
            recorded_by=None if first_via == AnsweredVia.LINK else mentor_user,
        )
        dates = sorted(d for d in reviews.get(case.pk, []) if d > start)
        for step, day in enumerate(dates, start=1):
            via = ways[(n + step) % 2]
            add(
                case,
                "ons4",
                day,
                Occasion.REVIEW,
                _ons(rng, step, trend),
                via,
                recorded_by=None if via == AnsweredVia.LINK else mentor_user,
            )
            add(case, "trust", day, Occasion.REVIEW, _trust(rng, step), AnsweredVia.LINK)
        if dates and n % 3 != 2:
            link = AnswerLink(
                case=case,
                version=versions["referrer_view"],
                respondent=Respondent.REFERRER,
                occasion=Occasion.REVIEW,
                channel=Channel.EMAIL,
                token_hash=hashlib.sha256(f"demo-referrer-{case.pk}".encode()).hexdigest(),
                created_at=at(dates[-1]) - dt.timedelta(days=3),
                expires_at=at(dates[-1]) + dt.timedelta(days=11),
                used_at=at(dates[-1]),
                created_by=coordinator,
            )
            links.append(link)
            view = _clamp(3 + trend * 2 + rng.uniform(-0.5, 0.5), 1, 5)
            add(
                case,
                "referrer_view",
                dates[-1],
                Occasion.REVIEW,
                {
                    "situation": view,
                    "engagement": _clamp(view + rng.choice([-1, 0, 1]), 1, 5),
                    "wellbeing": view,
                    "comment": "",
                },
                AnsweredVia.LINK,
                link=link,
            )
        if case.status == CaseStatus.CLOSED and case.closed_at:
            closed = timezone.localtime(case.closed_at).date()
            add(
                case,
                "ons4",
                closed,
                Occasion.CLOSURE,
                _ons(rng, len(dates) + 1, trend),
                AnsweredVia.WITH_MENTOR,
                recorded_by=mentor_user,
            )
            if match.status == MatchStatus.ENDED:
                add(
                    case,
                    "mentor_reflection",
                    closed,
                    Occasion.CLOSURE,
                    {
                        "goals": _clamp(3 + trend * 3, 1, 5),
                        "relationship": _clamp(4 + trend, 1, 5),
                        "approach": _clamp(3.5 + trend, 1, 5),
                        "supported": 4,
                        "next_time": "",
                    },
                    AnsweredVia.SIGNED_IN,
                    recorded_by=mentor_user,
                )
    with transaction.atomic():
        AnswerLink.objects.bulk_create(links)
        Response.objects.bulk_create(responses, batch_size=500)
    return len(responses)
