"""Whether a mentor can take a new case today, derived and never stored.

One function answers for one mentor with the reasons when not
(``mentor_matchability``); one queryset annotation answers for the whole pool in a
single query (``annotate_matchable``), which the matching engine filters on. The
two read the same rules and a property-based test keeps them in agreement.

A mentor is matchable when they are active; the latest check of every required
vetting type passed and has not expired; they hold a current, unrevoked
accreditation; they accepted the current code of conduct; and they have spare
capacity (places held below their caseload cap; the places come from matching through
``register_caseload_counter``).

Capabilities above the register add blocking rules of their own through
``register_blocking_rule`` (supervision: overdue supervision, the caseload cap of the
mentor's level). A rule gives both halves: the reason in words for one mentor and the
condition for the whole pool, so the register never imports the capability.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db.models import (
    BooleanField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from tandem.core.dates import long_date

from .models import (
    Accreditation,
    CheckOutcome,
    CodeAcceptance,
    CodeOfConduct,
    Mentor,
    MentorStatus,
    VettingCheck,
    VettingCheckType,
)


def is_current(expires_on: dt.date | None, today: dt.date) -> bool:
    """A record is valid up to the day before its expiry date: on that date it has expired."""
    return expires_on is None or expires_on > today


@dataclass(frozen=True)
class Matchability:
    matchable: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Rules:
    """What the rules need besides the mentor, loaded once for any number of mentors."""

    today: dt.date
    required_types: tuple[VettingCheckType, ...]
    current_code: CodeOfConduct | None

    @classmethod
    def load(cls, today: dt.date | None = None) -> Rules:
        return cls(
            today=today or timezone.localdate(),
            required_types=tuple(VettingCheckType.objects.filter(required=True, is_active=True)),
            current_code=CodeOfConduct.objects.current(),
        )


# The register holds no matches: the app that does says how many places each mentor's
# matches take (tandem.matching registers it when it is ready), as an expression over
# the mentor in the outer query, NULL for none.
_caseload_counters: list[Callable[[], Expression]] = []


def register_caseload_counter(counter: Callable[[], Expression]) -> None:
    """Let ``counter()`` count the places a mentor holds (one counter only)."""
    if _caseload_counters:
        raise ImproperlyConfigured("A caseload counter is already registered.")
    _caseload_counters.append(counter)


def current_caseload_expression() -> Expression:
    """The number of places a mentor holds: the caseload their cap is measured against.
    With no counter registered, nothing holds a place and every mentor's caseload is 0."""
    if not _caseload_counters:
        return Value(0, output_field=IntegerField())
    (counter,) = _caseload_counters
    return Coalesce(counter(), Value(0))


@dataclass(frozen=True)
class BlockingRule:
    """A rule a capability above the register adds to "can take a case today".

    ``prefetch(queryset, today)`` annotates what ``reason`` reads (no query per mentor);
    ``reason(mentor, today)`` is the reason in words, or None when the rule does not
    block; ``annotate(queryset, today)`` adds the annotations ``blocked(today)`` reads
    and ``blocked(today)`` is the SQL condition true when the rule blocks. Neither may
    run a query of its own: the pool stays one query. The property test in
    tests/test_matchability.py keeps the two halves in agreement.

    A rule that caps the caseload below the mentor's own cap also gives ``cap(today)``:
    the lower cap (NULL: none) as an expression over what ``annotate`` added, so that
    batch matching hands a mentor no more new cases than the lowest cap leaves room for.
    """

    name: str
    prefetch: Callable[[QuerySet[Mentor], dt.date], QuerySet[Mentor]]
    reason: Callable[[Mentor, dt.date], str | None]
    annotate: Callable[[QuerySet[Mentor], dt.date], QuerySet[Mentor]]
    blocked: Callable[[dt.date], Q]
    cap: Callable[[dt.date], Expression] | None = None


_blocking_rules: dict[str, BlockingRule] = {}


def register_blocking_rule(rule: BlockingRule) -> None:
    """Add ``rule`` to the register's matchability (once per name)."""
    if rule.name in _blocking_rules:
        raise ImproperlyConfigured(f"A blocking rule named {rule.name!r} is already registered.")
    _blocking_rules[rule.name] = rule


def blocking_rules() -> tuple[BlockingRule, ...]:
    return tuple(_blocking_rules.values())


def current_caseload(mentor: Mentor) -> int:
    return getattr(mentor, "current_caseload", 0) or 0


def prefetch_for_matchability(
    queryset: QuerySet[Mentor], today: dt.date | None = None
) -> QuerySet[Mentor]:
    """Everything ``mentor_matchability`` reads, in a fixed number of queries."""
    today = today or timezone.localdate()
    for rule in blocking_rules():
        queryset = rule.prefetch(queryset, today)
    return queryset.annotate(current_caseload=current_caseload_expression()).prefetch_related(
        Prefetch(
            "checks",
            queryset=VettingCheck.objects.select_related("check_type").order_by(
                "-checked_on", "-pk"
            ),
        ),
        Prefetch("accreditations", queryset=Accreditation.objects.select_related("level")),
        "acceptances",
    )


def latest_checks(mentor: Mentor) -> dict[int, VettingCheck]:
    """The latest check of each type (by date checked, then by entry)."""
    latest: dict[int, VettingCheck] = {}
    for check in sorted(mentor.checks.all(), key=lambda c: (c.checked_on, c.pk), reverse=True):
        latest.setdefault(check.check_type_id, check)
    return latest


def current_accreditation(mentor: Mentor, today: dt.date) -> Accreditation | None:
    current = [
        a
        for a in mentor.accreditations.all()
        if a.revoked_on is None and a.awarded_on <= today and is_current(a.expires_on, today)
    ]
    return max(current, key=lambda a: (a.level.rank, a.expires_on), default=None)


def mentor_matchability(mentor: Mentor, rules: Rules | None = None) -> Matchability:
    rules = rules or Rules.load()
    today = rules.today
    reasons: list[str] = []

    if mentor.status != MentorStatus.ACTIVE:
        reasons.append(f"Status is {MentorStatus(mentor.status).label.lower()}")

    latest = latest_checks(mentor)
    for check_type in rules.required_types:
        check = latest.get(check_type.pk)
        if check is None:
            reasons.append(f"{check_type.name}: no check recorded")
        elif check.outcome == CheckOutcome.FAILED:
            reasons.append(f"{check_type.name} failed on {long_date(check.checked_on)}")
        elif check.outcome == CheckOutcome.PENDING:
            reasons.append(f"{check_type.name} is pending")
        elif not is_current(check.expires_on, today):
            reasons.append(f"{check_type.name} expired on {long_date(check.expires_on)}")

    if current_accreditation(mentor, today) is None:
        accreditations = sorted(
            mentor.accreditations.all(), key=lambda a: (a.awarded_on, a.pk), reverse=True
        )
        if not accreditations:
            reasons.append("Not accredited")
        elif accreditations[0].revoked_on is not None:
            reasons.append(f"Accreditation revoked on {long_date(accreditations[0].revoked_on)}")
        elif accreditations[0].awarded_on > today:
            reasons.append(f"Accreditation starts on {long_date(accreditations[0].awarded_on)}")
        else:
            reasons.append(f"Accreditation expired on {long_date(accreditations[0].expires_on)}")

    if rules.current_code is not None and not any(
        a.code_id == rules.current_code.pk for a in mentor.acceptances.all()
    ):
        reasons.append(
            f"Has not accepted the code of conduct (version {rules.current_code.version})"
        )

    caseload = current_caseload(mentor)
    if caseload >= mentor.caseload_cap:
        reasons.append(f"No spare capacity ({caseload} of {mentor.caseload_cap} cases)")

    for rule in blocking_rules():
        reason = rule.reason(mentor, today)
        if reason:
            reasons.append(reason)

    return Matchability(matchable=not reasons, reasons=tuple(reasons))


def _failing_required_types(today: dt.date) -> QuerySet[VettingCheckType]:
    latest = VettingCheck.objects.filter(
        mentor=OuterRef(OuterRef("pk")), check_type=OuterRef("pk")
    ).order_by("-checked_on", "-pk")
    return (
        VettingCheckType.objects.filter(required=True, is_active=True)
        .annotate(
            latest_outcome=Subquery(latest.values("outcome")[:1]),
            latest_expiry=Subquery(latest.values("expires_on")[:1]),
        )
        .filter(
            Q(latest_outcome__isnull=True)
            | ~Q(latest_outcome=CheckOutcome.PASSED)
            | Q(latest_expiry__lte=today)
        )
    )


def annotate_matchable(
    queryset: QuerySet[Mentor], *, today: dt.date | None = None
) -> QuerySet[Mentor]:
    """Annotate each mentor with ``is_matchable`` and its parts, and ``places_cap`` (the
    lowest caseload cap that applies), in the same single query."""
    today = today or timezone.localdate()
    code = CodeOfConduct.objects.current()
    code_ok = (
        Exists(CodeAcceptance.objects.filter(mentor=OuterRef("pk"), code=code))
        if code is not None
        else Value(True)
    )
    queryset = queryset.annotate(
        current_caseload=current_caseload_expression(),
        checks_ok=~Exists(_failing_required_types(today)),
        accreditation_ok=Exists(
            Accreditation.objects.filter(
                mentor=OuterRef("pk"),
                revoked_on__isnull=True,
                awarded_on__lte=today,
                expires_on__gt=today,
            )
        ),
        code_ok=code_ok,
    )
    # ``rules_ok``: no rule registered by a capability above the register blocks.
    rules_ok: Q | None = None
    for rule in blocking_rules():
        queryset = rule.annotate(queryset, today)
        rules_ok = ~rule.blocked(today) if rules_ok is None else rules_ok & ~rule.blocked(today)
    queryset = queryset.annotate(
        rules_ok=ExpressionWrapper(rules_ok, output_field=BooleanField())
        if rules_ok is not None
        else Value(True, output_field=BooleanField())
    )
    # ``places_cap``: the lowest of the mentor's own cap and any cap a rule sets.
    caps = [
        Coalesce(rule.cap(today), F("caseload_cap"))
        for rule in blocking_rules()
        if rule.cap is not None
    ]
    queryset = queryset.annotate(
        places_cap=Least(F("caseload_cap"), *caps, output_field=IntegerField())
        if caps
        else ExpressionWrapper(F("caseload_cap"), output_field=IntegerField())
    )
    return queryset.annotate(
        is_matchable=ExpressionWrapper(
            Q(status=MentorStatus.ACTIVE)
            & Q(checks_ok=True)
            & Q(accreditation_ok=True)
            & Q(code_ok=True)
            & Q(rules_ok=True)
            & Q(caseload_cap__gt=current_caseload_expression()),
            output_field=BooleanField(),
        )
    )


# "Who can take a case today", kept between requests by a capability above the register
# (matching keeps the active pool and knows when it changes); None: worked out in SQL.
_can_take_provider: Callable[[dt.date], frozenset[int]] | None = None


def register_can_take_provider(provider: Callable[[dt.date], frozenset[int]]) -> None:
    """Let ``provider(today)`` say which mentors can take a case today, exactly as
    ``annotate_matchable``'s ``is_matchable`` would, from data it keeps up to date."""
    global _can_take_provider
    _can_take_provider = provider


def filter_can_take(
    queryset: QuerySet[Mentor], *, can_take: bool, today: dt.date | None = None
) -> QuerySet[Mentor]:
    """``queryset`` narrowed to the mentors who can (or cannot) take a case today. With a
    provider, one lookup in what it keeps; otherwise matchability in SQL for every
    mentor (a few hundred milliseconds at 5,000 mentors, paid again by the page's count
    and its rows)."""
    today = today or timezone.localdate()
    if _can_take_provider is None:
        return annotate_matchable(queryset, today=today).filter(is_matchable=can_take)
    ids = _can_take_provider(today)
    return queryset.filter(pk__in=ids) if can_take else queryset.exclude(pk__in=ids)


def matchable_mentors(*, today: dt.date | None = None) -> QuerySet[Mentor]:
    """The pool that can take a case today: one query."""
    return annotate_matchable(Mentor.objects.all(), today=today).filter(is_matchable=True)


def matchability_for(
    mentors: Iterable[Mentor], rules: Rules | None = None
) -> dict[int, Matchability]:
    rules = rules or Rules.load()
    return {mentor.pk: mentor_matchability(mentor, rules) for mentor in mentors}
