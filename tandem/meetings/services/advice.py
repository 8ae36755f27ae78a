"""Asking and answering questions for specialist advice; reading a case's questions.

The question text never leaves the encrypted column: not in notifications, audit
events or logs. Advisers are told that a question is waiting in their specialism and
follow the link to read it.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from tandem.accounts.models import User
from tandem.audit.services import record_event
from tandem.cases.models import Case
from tandem.catalogues.models import Specialism
from tandem.core.notifications import notify
from tandem.mentors.models import MentorStatus
from tandem.mentors.services.profile import active_coordinators

from ..models import AdviceAnswer, AdviceQuestion
from ..names import names_in
from ..selectors.advice import person_names

QUESTION_MAX = 4000
ANSWER_MAX = 8000


class AdviceRefused(Exception):
    """The question or answer cannot be kept as written; the message says why and is
    safe to show to the person who wrote it."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def advisers_for(specialism: Specialism, *, exclude=None) -> list[User]:
    """Active mentors with an active account who hold ``specialism``; when there are
    none, the active coordinators, so that a question is never left unseen."""
    skip = getattr(exclude, "pk", None)
    mentors = list(
        User.objects.filter(
            is_active=True,
            mentor_profile__status=MentorStatus.ACTIVE,
            mentor_profile__specialisms__specialism=specialism,
        )
        .exclude(pk=skip)
        .distinct()
    )
    return mentors or list(active_coordinators().exclude(pk=skip))


@transaction.atomic
def advice_question_ask(
    *, actor, case: Case, specialism: Specialism, question: str, request=None
) -> AdviceQuestion:
    """Keep a question about ``case`` for the people who hold ``specialism``."""
    text = (question or "").strip()
    if not text:
        raise AdviceRefused("Enter your question.", field="question")
    if len(text) > QUESTION_MAX:
        raise AdviceRefused(
            f"Your question must be {QUESTION_MAX:,} characters or fewer.", field="question"
        )
    if not specialism.is_active:
        raise AdviceRefused("Choose a specialism that is still offered.", field="specialism")
    named = names_in(text, person_names(case))
    if named:
        raise AdviceRefused(
            "Your question uses the person's name (“"
            + "”, “".join(named)
            + "”). Advisers must not know who the person is: take the name out, for "
            "example write “the young man” or “the person I mentor”, and send it again.",
            field="question",
        )
    asked = AdviceQuestion.objects.create(
        case=case, specialism=specialism, asked_by=actor, question=text
    )
    record_event(
        actor=actor,
        action="advice_question.ask",
        obj=asked,
        request=request,
        changed_fields=["case", "specialism", "question"],
    )
    notify(
        users=advisers_for(specialism, exclude=actor),
        message=f"A mentor has asked a question for specialist advice on {specialism.name}.",
        link=reverse("meetings:advice_answer", kwargs={"pk": asked.pk}),
    )
    return asked


@transaction.atomic
def advice_question_answer(
    *, actor, question: AdviceQuestion, answer: str, request=None
) -> AdviceAnswer:
    """Add ``actor``'s answer to ``question`` and tell the mentor who asked."""
    text = (answer or "").strip()
    if not text:
        raise AdviceRefused("Enter your answer.", field="answer")
    if len(text) > ANSWER_MAX:
        raise AdviceRefused(
            f"Your answer must be {ANSWER_MAX:,} characters or fewer.", field="answer"
        )
    # Lock the question so that answers are numbered in the order they were given.
    question = AdviceQuestion.objects.select_for_update().select_related("case").get(pk=question.pk)
    given = AdviceAnswer.objects.create(question=question, answered_by=actor, answer=text)
    record_event(
        actor=actor,
        action="advice_question.answer",
        obj=given,
        request=request,
        changed_fields=["question", "answer"],
    )
    if question.asked_by_id != actor.pk:
        notify(
            users=[question.asked_by_id],
            message=f"Your question about {question.case.reference} has a new answer.",
            link=reverse("meetings:advice_case", kwargs={"case_pk": question.case_id}),
        )
    return given


@transaction.atomic
def advice_list_audit(*, actor, case: Case, request=None, reason: str = "advice") -> None:
    """Audit that ``actor`` read the questions and answers of ``case`` (the case's
    advice page, or the advice block of the case workspace)."""
    record_event(
        actor=actor,
        action="advice_question.list",
        object_type="cases.case",
        object_id=str(case.pk),
        reason=reason,
        request=request,
    )


@transaction.atomic
def advice_queue_audit(*, actor, request=None) -> None:
    """Audit that ``actor`` listed the questions waiting for their specialisms (the list
    shows no question text, but tells what an adviser was shown)."""
    record_event(
        actor=actor,
        action="advice_question.list",
        object_type="meetings.advicequestion",
        reason="adviser",
        request=request,
    )
