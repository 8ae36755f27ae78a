"""Reads of specialist-advice questions, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet

from tandem.cases.models import Case
from tandem.catalogues.models import Specialism
from tandem.core.encryption import preload_data_keys
from tandem.matching.models import Match, MatchStatus

from ..models import AdviceAnswer, AdviceQuestion, MeetingBrief
from ..permissions import case_advice, held_specialisms, questions

ANSWERED_SHOWN = 25


def _with_answers(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("specialism", "asked_by", "case").prefetch_related(
        Prefetch("answers", queryset=AdviceAnswer.objects.select_related("answered_by"))
    )


def _preload(rows) -> list:
    rows = list(rows)
    preload_data_keys(q.encryption_subject() for q in rows)
    return rows


def case_questions(case: Case) -> list[AdviceQuestion]:
    """Every question about ``case``, newest first, with their answers (oldest first)."""
    return _preload(_with_answers(AdviceQuestion.objects.filter(case=case)))


@dataclass(frozen=True)
class CaseAdvice:
    """What the case workspace shows of the case's questions (``meetings/includes/advice.html``)."""

    case: Case
    questions: list[AdviceQuestion]
    total: int
    can_ask: bool


def case_advice_summary(user, case: Case, *, latest: int = 3) -> CaseAdvice:
    """The latest questions about ``case`` for someone allowed to see them."""
    rows = _preload(_with_answers(AdviceQuestion.objects.filter(case=case))[:latest])
    total = AdviceQuestion.objects.filter(case=case).count() if len(rows) == latest else len(rows)
    return CaseAdvice(
        case=case,
        questions=rows,
        total=total,
        can_ask=case_advice.has_object_permission(user, "ask", case),
    )


@dataclass(frozen=True)
class AdviserQueue:
    waiting: list[AdviceQuestion]  # no answer yet, oldest first
    answered: list[AdviceQuestion]  # answered, newest first (the latest few)
    specialisms: list[Specialism]  # the adviser's own, empty for a coordinator


def adviser_queue(user) -> AdviserQueue:
    """The questions ``user`` may answer, without their text (the list shows the
    specialism, the concern type and the date; the text is read, and audited, one
    question at a time). Nothing here may show the case reference."""
    scoped = (
        questions.queryset(user, "answer")
        .select_related("specialism", "case__concern_type")
        .annotate(answer_count=Count("answers"))
    )
    waiting = list(scoped.filter(answer_count=0).order_by("asked_at", "pk"))
    answered = list(scoped.filter(answer_count__gt=0).order_by("-asked_at", "-pk")[:ANSWERED_SHOWN])
    specialisms = list(Specialism.objects.filter(pk__in=held_specialisms(user)))
    return AdviserQueue(waiting=waiting, answered=answered, specialisms=specialisms)


def question_for_adviser(user, pk) -> AdviceQuestion:
    """One question the user may answer, with its answers (404 otherwise)."""
    question = questions.get_object_or_404(
        user,
        "answer",
        queryset=_with_answers(AdviceQuestion.objects.select_related("case__concern_type")),
        pk=pk,
    )
    preload_data_keys([question.encryption_subject()])
    return question


def cases_to_ask_about(user) -> list[Case]:
    """The cases the user works with as a mentor (accepted or active matches), by reference."""
    matches = Match.objects.filter(
        mentor__user=user, status__in=(MatchStatus.ACCEPTED, MatchStatus.ACTIVE)
    ).values("case_id")
    return list(case_advice.queryset(user, "ask").filter(pk__in=matches).order_by("reference"))


def person_names(case: Case) -> list[str]:
    """The names a question must not contain: the case's first and last names and the
    preferred name in the meeting brief."""
    names = [case.first_name, case.last_name]
    brief = MeetingBrief.objects.filter(case=case).first()
    if brief is not None:
        names.append(brief.preferred_name)
    return [n for n in names if n]
