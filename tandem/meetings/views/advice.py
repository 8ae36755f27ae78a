"""Questions for specialist advice: a case's questions and answers (the mentor, their
supervisor, coordinators), asking one (the matched mentor), and the advisers' pages
(questions for their specialisms, without the case reference, and answering).

Every read of a case's questions and every question opened by an adviser is audited;
asking and answering are audited by the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_view
from tandem.core.access import Scope
from tandem.core.permissions import permission_required
from tandem.matching.models import CaseNeeds

from ..forms.advice import AnswerForm, AskForm
from ..permissions import case_advice, questions
from ..selectors import advice as selectors
from ..services import advice as services

TEMPLATES = "meetings/advice"


def _case(request, action: str, case_pk: int):
    return case_advice.get_object_or_404(request.user, action, pk=case_pk)


@require_GET
@permission_required("advice_question", "view")
def advice_case(request, case_pk: int):
    case = _case(request, "view", case_pk)
    rows = selectors.case_questions(case)
    services.advice_list_audit(actor=request.user, case=case, request=request)
    return render(
        request,
        f"{TEMPLATES}/case.html",
        {
            "case": case,
            "questions": rows,
            "can_ask": case_advice.has_object_permission(request.user, "ask", case),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("advice_question", "ask")
def advice_ask(request, case_pk: int):
    case = _case(request, "ask", case_pk)
    if request.method == "POST":
        form = AskForm(request.POST)
        if form.is_valid():
            try:
                services.advice_question_ask(
                    actor=request.user,
                    case=case,
                    specialism=form.cleaned_data["specialism"],
                    question=form.cleaned_data["question"],
                    request=request,
                )
            except services.AdviceRefused as refusal:
                form.add_error(refusal.field, str(refusal))
            else:
                messages.success(
                    request,
                    "Your question has been sent to the people who hold the specialism. "
                    "You will get a notification when someone answers.",
                )
                return redirect("meetings:advice_case", case_pk=case.pk)
    else:
        # The specialism the case's matching needs call for is the likely one to ask.
        form = AskForm(initial={"specialism": CaseNeeds.of(case).required_specialism_id})
    return render(request, f"{TEMPLATES}/ask.html", {"case": case, "form": form})


@require_GET
@permission_required("advice_question", "answer")
def advice_queue(request):
    queue = selectors.adviser_queue(request.user)
    services.advice_queue_audit(actor=request.user, request=request)
    return render(
        request,
        f"{TEMPLATES}/queue.html",
        {
            "queue": queue,
            "every_question": Scope.ALL in questions.scopes(request.user, "answer"),
            "cases": selectors.cases_to_ask_about(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("advice_question", "answer")
def advice_answer(request, pk: int):
    question = selectors.question_for_adviser(request.user, pk)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.advice_question_answer(
                actor=request.user,
                question=question,
                answer=form.cleaned_data["answer"],
                request=request,
            )
        except services.AdviceRefused as refusal:
            form.add_error(refusal.field, str(refusal))
        else:
            messages.success(request, "Thank you: your answer has been sent to the mentor.")
            return redirect("meetings:advice_queue")
    record_view(actor=request.user, obj=question, request=request, reason="adviser")
    return render(request, f"{TEMPLATES}/answer.html", {"question": question, "form": form})


urlpatterns = [
    path("cases/<int:case_pk>/advice/", advice_case, name="advice_case"),
    path("cases/<int:case_pk>/advice/ask/", advice_ask, name="advice_ask"),
    path("advice/", advice_queue, name="advice_queue"),
    path("advice/<int:pk>/", advice_answer, name="advice_answer"),
]
