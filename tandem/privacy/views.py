"""Information sharing's pages: a person's sharing page, logging a disclosure, the
scheme's sharing log, requests for information and their decisions, progress reports
and their release. Thin: load through the policies (404 for what the user may not
see), validate, call a service, redirect or render; a refusal comes back with
everything typed kept. Every page that shows what was shared is an audited view."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tandem.audit.services import record_event, record_view
from tandem.cases.models import Case
from tandem.cases.navigation import case_tabs
from tandem.cases.services.lifecycle import CaseConflict
from tandem.core.permissions import has_permission, permission_required

from . import lifecycle, redaction, restrictions, retention, selectors, services
from . import subject_access_requests as sar
from .forms import (
    AnswerForm,
    DecisionForm,
    DisclosureForm,
    ErasureRequestForm,
    HoldForm,
    RedactionForm,
    ReleaseForm,
    ReportForm,
    RequestForm,
    RestrictionForm,
    SubjectAccessForm,
    rectification_form,
)
from .models import (
    InformationRequest,
    LegalHold,
    ProgressReport,
    Rectification,
    Redaction,
    ReportStatus,
    RequestStatus,
    RetentionRule,
    SubjectAccessRequest,
)
from .pdf import report_pdf
from .permissions import (
    case_rectification,
    case_restriction,
    case_retention,
    case_sharing,
    case_subject_access,
    mentor_retention,
    reports,
    requests,
)
from .rectification import BY_NAME, FIELDS, RectificationRefused, case_rectify
from .subject_access import (
    compile_package,
    mentor_subject_access_compile,
    subject_access_compile,
)

T = "privacy"
PAGE_SIZE = 50


def _posted(request):
    return request.POST if request.method == "POST" else None


def _case(request, action: str, pk: int, policy=case_sharing) -> Case:
    return policy.get_object_or_404(request.user, action, pk=pk)


def _form_page(request, form, **context):
    return render(request, f"{T}/form_page.html", {"form": form, **context})


def _refused(request, form, refusal, **context):
    form.add_error(None, str(refusal))
    return _form_page(request, form, **context)


# A person's sharing page -------------------------------------------------------------------


@require_GET
@permission_required("case_sharing", "view")
def find(request):
    """Find a person's sharing page by their case reference (never by name)."""
    reference = request.GET.get("reference", "").strip().upper()
    error = ""
    if "reference" in request.GET:
        if not reference:
            error = "Enter the case reference, like T-2026-0042"
        elif len(reference) > 20:
            error = "A case reference is 20 characters or fewer"
        else:
            case = (
                case_sharing.queryset(request.user, "view")
                .filter(reference=reference)
                .only("pk")
                .first()
            )
            if case is not None:
                return redirect("privacy:case_sharing", pk=case.pk)
            error = f"No case has the reference {reference}"
    return render(request, f"{T}/find.html", {"reference": reference, "error": error})


@require_GET
@permission_required("case_sharing", "view")
def case_view(request, pk: int):
    case = _case(request, "view", pk)
    record_view(actor=request.user, obj=case, request=request, reason="sharing")
    user = request.user
    return render(
        request,
        f"{T}/case.html",
        {
            "case": case,
            "tabs": case_tabs(request, case),
            "disclosures": selectors.case_disclosures(case),
            "info_requests": selectors.case_requests(case),
            "reports": selectors.case_reports(case),
            "erased": case.subject_erased,
            "restriction": restrictions.standing(case),
            "can_restrict": has_permission(user, "restriction", "change"),
            "can_record": case_sharing.has_object_permission(user, "change", case),
            "can_compose": case_sharing.has_object_permission(user, "report", case),
            "can_subject_access": has_permission(user, "subject_access", "view"),
            "can_rectify": has_permission(user, "rectification", "change"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("case_sharing", "change")
def disclosure_add(request, pk: int):
    case = _case(request, "change", pk)
    form = DisclosureForm(
        _posted(request), initial={"shared_on": timezone.localdate().strftime("%d/%m/%Y")}
    )
    context = {
        "case": case,
        "title": "Log information shared",
        "intro": "Record every disclosure about this person outside the scheme: what, to "
        "whom, when, why and on which lawful basis. You are recorded as authorising it.",
        "button": "Log the disclosure",
        "back": ("Back to what was shared", f"/privacy/cases/{case.pk}/"),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        shared_on = data["shared_on"]
        shared_at = (
            timezone.now()
            if shared_on == timezone.localdate()
            else timezone.make_aware(dt.datetime.combine(shared_on, dt.time(12)))
        )
        try:
            services.disclosure_record(
                actor=request.user,
                case=case,
                sharing=services.Sharing(
                    kind=data["kind"],
                    recipient_agency=data["recipient_agency"],
                    recipient_person=data["recipient_person"],
                    what_shared=data["what_shared"],
                    purpose=data["purpose"],
                    lawful_basis=data["lawful_basis"],
                    shared_at=shared_at,
                ),
                request=request,
            )
        except services.SharingRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(request, "The disclosure is logged.")
        return redirect("privacy:case_sharing", pk=case.pk)
    return _form_page(request, form, **context)


# The scheme's sharing log ------------------------------------------------------------------


@require_GET
@permission_required("sharing_log", "view")
def sharing_log(request):
    page = Paginator(selectors.log_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(
        actor=request.user,
        action="sharing_log.view",
        object_type="privacy.disclosure",
        request=request,
    )
    return render(request, f"{T}/log.html", {"page": page})


# Requests for information -----------------------------------------------------------------


@require_GET
@permission_required("information_request", "view")
def request_list(request):
    return render(
        request,
        f"{T}/requests.html",
        {
            "open_requests": list(selectors.open_requests_for(request.user)[:200]),
            "answered": list(selectors.answered_requests_for(request.user)[:50]),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("case_sharing", "change")
def request_add(request, pk: int):
    case = _case(request, "change", pk)
    form = RequestForm(
        _posted(request), initial={"received_on": timezone.localdate().strftime("%d/%m/%Y")}
    )
    context = {
        "case": case,
        "title": "Log a request for information",
        "intro": "A request from the police, a court order or another agency for "
        "information about this person. The data-protection officer decides it.",
        "button": "Log the request",
        "back": ("Back to what was shared", f"/privacy/cases/{case.pk}/"),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.request_log(
                actor=request.user,
                case=case,
                received=services.Received(
                    kind=data["kind"],
                    requester_agency=data["requester_agency"],
                    requester_person=data["requester_person"],
                    requester_reference=data["requester_reference"],
                    received_on=data["received_on"],
                    respond_by=data["respond_by"],
                    what_requested=data["what_requested"],
                ),
                request=request,
            )
        except services.SharingRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(request, "The request is logged.")
        return redirect("privacy:request_detail", pk=made.pk)
    return _form_page(request, form, **context)


def _request(request, action: str, pk: int) -> InformationRequest:
    return requests.get_object_or_404(
        request.user,
        action,
        queryset=InformationRequest.objects.select_related(
            "case", "lawful_basis", "logged_by", "decided_by", "answered_by"
        ),
        pk=pk,
    )


@require_GET
@permission_required("information_request", "view")
def request_detail(request, pk: int):
    info = _request(request, "view", pk)
    record_view(actor=request.user, obj=info, request=request)
    user = request.user
    return render(
        request,
        f"{T}/request.html",
        {
            "info": info,
            "erased": info.subject_erased,
            "actions": [a.name for a in lifecycle.available_actions(info.status)],
            "can_decide": has_permission(user, "information_request", "decide"),
            "can_answer": has_permission(user, "information_request", "change"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("information_request", "decide")
def request_decide(request, pk: int):
    info = _request(request, "decide", pk)
    back = ("Back to the request", f"/privacy/requests/{info.pk}/")
    if info.status == RequestStatus.ANSWERED:
        messages.info(request, "The request has been answered: its decision cannot change.")
        return redirect("privacy:request_detail", pk=info.pk)
    initial = {"version": info.version}
    if info.decision:
        initial |= {
            "decision": info.decision,
            "lawful_basis": info.lawful_basis_id,
            "exemption": info.exemption,
            "to_release": info.to_release,
            "withheld": info.withheld,
            "reasons": info.decision_reasons,
        }
    if request.method == "GET":
        record_view(actor=request.user, obj=info, request=request, reason="decide")
    form = DecisionForm(_posted(request), initial=initial)
    context = {
        "case": info.case,
        "info": info,
        "title": "Decide the request",
        "intro": "",
        "button": "Save the decision",
        "back": back,
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_decide(
                actor=request.user,
                info_request=info,
                decision=services.Decision(
                    decision=data["decision"],
                    reasons=data["reasons"],
                    exemption=data["exemption"],
                    lawful_basis=data["lawful_basis"],
                    to_release=data["to_release"],
                    withheld=data["withheld"],
                ),
                expected_version=data["version"],
                request=request,
            )
        except services.SharingRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(request, "The decision is saved.")
        return redirect("privacy:request_detail", pk=info.pk)
    return _form_page(request, form, **context)


@require_http_methods(["GET", "POST"])
@permission_required("information_request", "change")
def request_answer(request, pk: int):
    info = _request(request, "change", pk)
    if info.status != RequestStatus.DECIDED:
        messages.info(request, "Only a decided request can be answered.")
        return redirect("privacy:request_detail", pk=info.pk)
    form = AnswerForm(
        _posted(request),
        initial={"version": info.version, "answered_on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    context = {
        "case": info.case,
        "title": "Record the answer",
        "intro": "A release or part-release is logged in the sharing log, authorised by "
        "whoever decided it.",
        "button": "Record the answer",
        "back": ("Back to the request", f"/privacy/requests/{info.pk}/"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            services.request_answer(
                actor=request.user,
                info_request=info,
                answered_on=form.cleaned_data["answered_on"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
        except services.SharingRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(request, "The answer is recorded.")
        return redirect("privacy:request_detail", pk=info.pk)
    return _form_page(request, form, **context)


# Progress reports ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("case_sharing", "report")
def report_compose(request, pk: int):
    case = _case(request, "report", pk)
    today = timezone.localdate()
    form = ReportForm(
        _posted(request),
        initial={
            "audience": "referrer",
            "period_start": (today - dt.timedelta(days=90)).strftime("%d/%m/%Y"),
            "period_end": today.strftime("%d/%m/%Y"),
        },
    )
    context = {
        "case": case,
        "title": "Compose a progress report",
        "intro": "The report is made from attendance, the shareable summaries of held "
        "sessions and the plan's goals with their latest attainment. Private notes are "
        "never included. Nothing is shared until the report is released.",
        "button": "Compose the report",
        "back": ("Back to what was shared", f"/privacy/cases/{case.pk}/"),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_compose(
                actor=request.user,
                case=case,
                audience=data["audience"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                overall=data["overall"],
                request=request,
            )
        except services.SharingRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(request, "The report is composed. Check it, then release it.")
        return redirect("privacy:report_detail", pk=report.pk)
    return _form_page(request, form, **context)


def _report(request, action: str, pk: int) -> ProgressReport:
    return reports.get_object_or_404(
        request.user,
        action,
        queryset=ProgressReport.objects.select_related("case", "composed_by", "released_by"),
        pk=pk,
    )


@require_GET
@permission_required("progress_report", "view")
def report_detail(request, pk: int):
    report = _report(request, "view", pk)
    record_view(actor=request.user, obj=report, request=request)
    user = request.user
    return render(
        request,
        f"{T}/report.html",
        {
            "report": report,
            "erased": report.subject_erased,
            "contents": {} if report.subject_erased else services.report_contents(report),
            "can_release": report.status == ReportStatus.DRAFT
            and has_permission(user, "progress_report", "release"),
            "staff": has_permission(user, "case_sharing", "view"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("progress_report", "release")
def report_release(request, pk: int):
    report = _report(request, "release", pk)
    if report.status != ReportStatus.DRAFT:
        messages.info(request, "The report has already been released.")
        return redirect("privacy:report_detail", pk=report.pk)
    initial = {}
    if report.audience == "referrer":
        initial["recipient_agency"] = report.case.referrer_organisation
    form = ReleaseForm(_posted(request), initial=initial)
    context = {
        "case": report.case,
        "title": "Release the progress report",
        "intro": "You approve the report as it stands. The release is logged in the sharing "
        "log with you as the person who authorised it"
        + (
            ", and the referrer can read it on their referral's page."
            if report.audience == "referrer"
            else "."
        ),
        "button": "Release the report",
        "back": ("Back to the report", f"/privacy/reports/{report.pk}/"),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_release(
                actor=request.user,
                report=report,
                recipient_agency=data["recipient_agency"],
                recipient_person=data["recipient_person"],
                lawful_basis=data["lawful_basis"],
                request=request,
            )
        except services.SharingRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(request, "The report is released and logged in the sharing log.")
        return redirect("privacy:report_detail", pk=report.pk)
    return _form_page(request, form, **context)


@require_GET
@permission_required("progress_report", "view")
def report_download(request, pk: int):
    report = _report(request, "view", pk)
    if report.subject_erased:
        raise Http404
    record_event(actor=request.user, action="progress_report.download", obj=report, request=request)
    response = HttpResponse(
        report_pdf(report, services.report_contents(report)), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="progress-report-{report.case.reference}-{report.pk}.pdf"'
    )
    return response


# Retention -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("retention", "view")
def retention_view(request):
    """What the schedule says is due; posting a mentor's email address finds the mentor
    to place a legal hold on (the address never goes into a URL)."""
    from tandem.mentors.models import Mentor

    error = email = ""
    if request.method == "POST":
        email = (request.POST.get("email") or "").strip()
        mentor = Mentor.objects.filter(email__iexact=email).first() if email else None
        if mentor is None:
            error = "Enter the email address of a mentor on Tandem"
        else:
            return redirect("privacy:mentor_legal_hold", pk=mentor.pk)
    due = retention.due()
    record_event(
        actor=request.user,
        action="retention.review",
        object_type="privacy.retentionrule",
        request=request,
    )
    return render(
        request,
        f"{T}/retention.html",
        {
            "rules": list(RetentionRule.objects.all()),
            "due": due,
            "mentors_due": retention.mentors_due(),
            "claims_due": retention.claims_due(),
            "audit_due": retention.audit_due(),
            "holds": list(
                LegalHold.objects.filter(lifted_at__isnull=True).select_related(
                    "case", "mentor", "placed_by"
                )
            ),
            "can_change": has_permission(request.user, "retention", "change"),
            "can_change_mentors": has_permission(request.user, "mentor_retention", "change"),
            "error": error,
            "email": email,
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("retention", "change")
def legal_hold(request, pk: int):
    case = _case(request, "view", pk, policy=case_retention)
    standing = LegalHold.objects.filter(case=case, lifted_at__isnull=True).first()
    form = HoldForm(_posted(request))
    title = "Lift the legal hold" if standing else "Place a legal hold"
    context = {
        "case": case,
        "title": title,
        "intro": (
            f"Held since {standing.placed_at:%-d %B %Y}: {standing.reason}. Lifting it lets "
            "the retention schedule apply again."
            if standing
            else "While a hold stands, nothing about this person is erased, whatever the "
            "retention schedule says."
        ),
        "button": title,
        "back": ("Back to retention", "/privacy/retention/"),
    }
    if standing:
        form = HoldForm(_posted(request), lifting=True)
    if request.method == "POST" and form.is_valid():
        try:
            if standing:
                retention.hold_lift(actor=request.user, case=case, request=request)
            else:
                retention.hold_place(
                    actor=request.user,
                    case=case,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
        except retention.RetentionRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(request, "The legal hold is lifted." if standing else "The case is held.")
        return redirect("privacy:retention")
    return _form_page(request, form, **context)


@require_http_methods(["GET", "POST"])
@permission_required("retention", "change")
def retention_erase(request, pk: int):
    case = _case(request, "view", pk, policy=case_retention)
    item = next((d for d in retention.due() if d.case.pk == case.pk), None)
    if item is None or item.held:
        messages.info(
            request,
            "That case is not due for erasure" + (": it is under a legal hold." if item else "."),
        )
        return redirect("privacy:retention")
    form = HoldForm(_posted(request), confirming=True)
    context = {
        "case": case,
        "title": f"Erase {case.reference}",
        "intro": f"{item.rule.kind}: {item.rule.period_months} months have passed since "
        f"{item.since:%-d %B %Y}. Erasing destroys the person's key, so every note, name and "
        "summary about them becomes unreadable for good; the case still counts in reports.",
        "button": "Approve and erase",
        "back": ("Back to retention", "/privacy/retention/"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            retention.case_erase(actor=request.user, case=case, rule=item.rule, request=request)
        except retention.RetentionRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(request, f"{case.reference} is erased.")
        return redirect("privacy:retention")
    return _form_page(request, form, **context)


@require_http_methods(["GET", "POST"])
@permission_required("retention", "change")
def retention_claims(request):
    """Approve the anonymisation of every claim past the finance period."""
    due = retention.claims_due()
    count = sum(year.count - year.held for year in due)
    if not count:
        messages.info(request, "No claim is past the finance period.")
        return redirect("privacy:retention")
    form = HoldForm(_posted(request), confirming=True)
    years = ", ".join(year.label for year in due)
    context = {
        "title": "Anonymise claims past the finance period",
        "intro": f"{count} claims from the financial years {years}: the note on expenses, "
        "the reasons for the decision and the receipts go; the amounts, rates, month and "
        "status stay, so the scheme's totals still add up. Claims of mentors under a legal "
        "hold are kept.",
        "button": "Approve and anonymise",
        "back": ("Back to retention", "/privacy/retention/"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            done = retention.claims_anonymise(actor=request.user, request=request)
        except retention.RetentionRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(request, f"Claims anonymised: {done}.")
        return redirect("privacy:retention")
    return _form_page(request, form, **context)


def _mentor(request, pk: int):
    return mentor_retention.get_object_or_404(request.user, "change", pk=pk)


@require_http_methods(["GET", "POST"])
@permission_required("mentor_retention", "change")
def mentor_legal_hold(request, pk: int):
    """Place or lift a legal hold on a mentor's records."""
    mentor = _mentor(request, pk)
    if hasattr(mentor, "erasure"):
        messages.info(request, "That mentor has been erased: there is nothing left to hold.")
        return redirect("privacy:retention")
    standing = retention.standing_hold(mentor=mentor)
    title = "Lift the legal hold" if standing else "Place a legal hold"
    record_view(actor=request.user, obj=mentor, request=request, reason="legal_hold")
    context = {
        "caption": f"Mentor {mentor.pk}: {mentor.full_name}",
        "title": f"{title} on a mentor",
        "intro": (
            f"Held since {standing.placed_at:%-d %B %Y}: {standing.reason}. Lifting it lets "
            "the retention schedule apply again."
            if standing
            else "While a hold stands, nothing about this mentor is erased, whatever the "
            "retention schedule says (their claims are kept too)."
        ),
        "button": title,
        "back": ("Back to retention", "/privacy/retention/"),
    }
    form = HoldForm(_posted(request), lifting=bool(standing))
    if request.method == "POST" and form.is_valid():
        try:
            if standing:
                retention.hold_lift(actor=request.user, mentor=mentor, request=request)
            else:
                retention.hold_place(
                    actor=request.user,
                    mentor=mentor,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
        except retention.RetentionRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(
            request, "The legal hold is lifted." if standing else "The mentor is held."
        )
        return redirect("privacy:retention")
    return _form_page(request, form, **context)


@require_http_methods(["GET", "POST"])
@permission_required("mentor_retention", "change")
def mentor_retention_erase(request, pk: int):
    mentor = _mentor(request, pk)
    item = next((d for d in retention.mentors_due() if d.mentor.pk == mentor.pk), None)
    if item is None or item.held:
        messages.info(
            request,
            "That mentor is not due for erasure"
            + (": they are under a legal hold." if item else "."),
        )
        return redirect("privacy:retention")
    form = HoldForm(_posted(request), confirming=True)
    context = {
        "caption": f"Mentor {mentor.pk}",
        "title": f"Erase mentor {mentor.pk}",
        "intro": f"{item.rule.kind}: {item.rule.period_months} months have passed since "
        f"{item.since:%-d %B %Y}. Erasing destroys the mentor's key, blanks their name, "
        "contact details and what was written about them, deletes their receipts and "
        "closes their sign-in account for good; the pool's counts still add up.",
        "button": "Approve and erase",
        "back": ("Back to retention", "/privacy/retention/"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            retention.mentor_erase(
                actor=request.user, mentor=mentor, rule=item.rule, request=request
            )
        except retention.RetentionRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(request, f"Mentor {mentor.pk} is erased.")
        return redirect("privacy:retention")
    return _form_page(request, form, **context)


# Restriction -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("restriction", "change")
def restriction(request, pk: int):
    case = _case(request, "change", pk, policy=case_restriction)
    current = restrictions.standing(case)
    form = RestrictionForm(_posted(request), lifting=current is not None)
    title = "Lift the restriction" if current else "Restrict processing"
    context = {
        "case": case,
        "title": title,
        "intro": (
            f"Restricted since {current.placed_at:%-d %B %Y}: {current.reason}."
            if current
            else "At the person's request (UK GDPR Article 18), for example while they "
            "contest a record's accuracy. While it stands the case is held out of matching."
        ),
        "button": title,
        "back": ("Back to what was shared", f"/privacy/cases/{case.pk}/"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            if current:
                restrictions.restriction_lift(actor=request.user, case=case, request=request)
            else:
                restrictions.restriction_place(
                    actor=request.user,
                    case=case,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
        except restrictions.RestrictionRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(
            request, "The restriction is lifted." if current else "Processing is restricted."
        )
        return redirect("privacy:case_sharing", pk=case.pk)
    return _form_page(request, form, **context)


# Erasure at the person's request ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("retention", "change")
def erasure_request(request, pk: int):
    case = _case(request, "change", pk, policy=case_retention)
    form = ErasureRequestForm(_posted(request))
    blocked = retention.erasure_blocked(case)
    context = {
        "case": case,
        "title": "Decide a request to be erased",
        "intro": "Erasing destroys the person's key: every note, name and summary about them "
        "becomes unreadable for good, and the case still counts in reports."
        + (f" Erasing is refused now: {blocked}" if blocked else ""),
        "button": "Save the decision",
        "back": ("Back to what was shared", f"/privacy/cases/{case.pk}/"),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            retention.erasure_request_decide(
                actor=request.user,
                case=case,
                received_on=data["received_on"],
                decision=data["decision"],
                reasons=data["reasons"],
                request=request,
            )
        except retention.RetentionRefused as refusal:
            return _refused(request, form, refusal, **context)
        messages.success(request, "The decision is saved.")
        return redirect("privacy:case_sharing", pk=case.pk)
    return _form_page(request, form, **context)


# Subject access ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("subject_access", "view")
def subject_access(request, pk: int):
    case = _case(request, "view", pk, policy=case_subject_access)
    if request.method == "POST":
        return _subject_access_step(request, case)
    wanted = request.GET.get("format", "")
    if wanted in ("zip", "pdf") and not case.subject_erased:
        archive, pdf = subject_access_compile(actor=request.user, case=case, request=request)
        body, kind = (archive, "application/zip") if wanted == "zip" else (pdf, "application/pdf")
        response = HttpResponse(body, content_type=kind)
        response["Content-Disposition"] = (
            f'attachment; filename="subject-access-{case.reference}.{wanted}"'
        )
        return response
    return _subject_access_page(request, case, SubjectAccessForm())


def _subject_access_page(request, case, form):
    return render(
        request,
        f"{T}/subject_access.html",
        {
            "case": case,
            "form": form,
            "open_request": sar.open_request(case),
            "history": list(
                SubjectAccessRequest.objects.filter(case=case, completed_on__isnull=False)
            ),
            "today": timezone.localdate(),
        },
    )


def _subject_access_step(request, case):
    form = SubjectAccessForm(request.POST)
    if not form.is_valid():
        return _subject_access_page(request, case, form)
    data = form.cleaned_data
    try:
        if data["step"] == "log":
            if data["received_on"] is None:
                raise sar.SubjectAccessRefused("Enter the date the request was received.")
            sar.sar_log(
                actor=request.user, case=case, received_on=data["received_on"], request=request
            )
            messages.success(request, "The request is logged.")
        elif data["step"] == "extend":
            sar.sar_extend(
                actor=request.user,
                case=case,
                months=data["months"] or 0,
                reason=data["reason"],
                request=request,
            )
            messages.success(request, "The deadline is extended.")
        else:
            sar.sar_complete(actor=request.user, case=case, request=request)
            messages.success(request, "The request is completed.")
    except sar.SubjectAccessRefused as refusal:
        form.add_error(None, str(refusal))
        return _subject_access_page(request, case, form)
    return redirect("privacy:subject_access", pk=case.pk)


# The redaction step before release -----------------------------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("subject_access", "view")
def subject_access_review(request, pk: int):
    case = _case(request, "view", pk, policy=case_subject_access)
    if case.subject_erased:
        messages.error(request, "The person was erased: nothing about them can be compiled.")
        return redirect("privacy:subject_access", pk=case.pk)
    raw = compile_package(case)
    form = RedactionForm(None, items=redaction.items(raw))
    if request.method == "POST":
        step = request.POST.get("step")
        if step in ("remove", "release"):
            try:
                if step == "remove":
                    redaction.redaction_remove(
                        actor=request.user,
                        case=case,
                        pk=int(request.POST.get("redaction") or 0),
                        request=request,
                    )
                    messages.success(request, "The item is no longer withheld.")
                else:
                    redaction.sar_release(actor=request.user, case=case, request=request)
                    messages.success(request, "The release is approved.")
                    return redirect("privacy:subject_access", pk=case.pk)
            except redaction.RedactionRefused as refusal:
                messages.error(request, str(refusal))
            except ValueError:
                messages.error(request, "The form was incomplete. Reload the page and try again.")
            return redirect("privacy:subject_access_review", pk=case.pk)
        form = RedactionForm(request.POST, items=redaction.items(raw))
        if form.is_valid():
            try:
                redaction.redaction_add(
                    actor=request.user,
                    case=case,
                    sections=raw,
                    item=form.cleaned_data["item"],
                    text=form.cleaned_data["text"],
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except redaction.RedactionRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(request, "It is withheld from the package.")
                return redirect("privacy:subject_access_review", pk=case.pk)
    else:
        record_event(actor=request.user, action="subject_access.review", obj=case, request=request)
    withheld = list(Redaction.objects.filter(case=case).select_related("case"))
    sections = redaction.apply(compile_package(case) if withheld else raw, withheld)
    return render(
        request,
        f"{T}/subject_access_review.html",
        {
            "case": case,
            "form": form,
            "withheld": withheld,
            "sections": {
                name: [
                    {k: v for k, v in row.items() if isinstance(v, str) and len(v) > 2}
                    | {"id": row.get("id")}
                    for row in rows
                ]
                for name, rows in sections.items()
                if name not in redaction.NOT_OFFERED
            },
            "open_request": sar.open_request(case),
        },
    )


# Subject access: the officer's list, mentors' own requests ---------------------------------


@require_http_methods(["GET", "POST"])
@permission_required("subject_access", "view")
def subject_access_list(request):
    """Every open subject access request, the earliest deadline first, overdue marked;
    logging a request by a mentor (found by their email address) on their behalf."""
    from tandem.mentors.models import Mentor

    error = ""
    email = ""
    if request.method == "POST":
        email = (request.POST.get("email") or "").strip()
        mentor = Mentor.objects.filter(email__iexact=email).first() if email else None
        if mentor is None:
            error = "Enter the email address of a mentor on Tandem"
        else:
            return redirect("privacy:mentor_subject_access", pk=mentor.pk)
    return render(
        request,
        f"{T}/subject_access_list.html",
        {
            "open": sar.overdue_and_open(),
            "today": timezone.localdate(),
            "error": error,
            "email": email,
        },
    )


def _mentor_subject_access_page(request, mentor, form):
    return render(
        request,
        f"{T}/mentor_subject_access.html",
        {
            "mentor": mentor,
            "form": form,
            "open_request": sar.open_request(mentor),
            "history": list(
                SubjectAccessRequest.objects.filter(mentor=mentor, completed_on__isnull=False)
            ),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("mentor_subject_access", "view")
def mentor_subject_access(request, pk: int):
    from tandem.mentors.models import Mentor

    try:
        mentor = Mentor.objects.get(pk=pk)
    except Mentor.DoesNotExist:
        raise Http404("No such mentor") from None
    if request.method == "GET":
        wanted = request.GET.get("format", "")
        if wanted in ("zip", "pdf"):
            archive, pdf = mentor_subject_access_compile(
                actor=request.user, mentor=mentor, request=request
            )
            body, kind = (
                (archive, "application/zip")
                if wanted == "zip"
                else (
                    pdf,
                    "application/pdf",
                )
            )
            response = HttpResponse(body, content_type=kind)
            response["Content-Disposition"] = (
                f'attachment; filename="subject-access-mentor-{mentor.pk}.{wanted}"'
            )
            return response
        record_view(actor=request.user, obj=mentor, request=request, reason="subject_access")
        return _mentor_subject_access_page(request, mentor, SubjectAccessForm())
    form = SubjectAccessForm(request.POST)
    if not form.is_valid():
        return _mentor_subject_access_page(request, mentor, form)
    data = form.cleaned_data
    try:
        if data["step"] == "log":
            if data["received_on"] is None:
                raise sar.SubjectAccessRefused("Enter the date the request was received.")
            sar.sar_log(
                actor=request.user, case=mentor, received_on=data["received_on"], request=request
            )
            messages.success(request, "The request is logged.")
        elif data["step"] == "extend":
            sar.sar_extend(
                actor=request.user,
                case=mentor,
                months=data["months"] or 0,
                reason=data["reason"],
                request=request,
            )
            messages.success(request, "The deadline is extended.")
        else:
            sar.sar_complete(actor=request.user, case=mentor, request=request)
            messages.success(request, "The request is completed.")
    except sar.SubjectAccessRefused as refusal:
        form.add_error(None, str(refusal))
        return _mentor_subject_access_page(request, mentor, form)
    return redirect("privacy:mentor_subject_access", pk=mentor.pk)


@require_http_methods(["GET", "POST"])
@permission_required("own_records", "view")
def my_records(request):
    """A mentor asks for a copy of what Tandem holds about them."""
    from tandem.mentors.models import Mentor

    mentor = Mentor.objects.filter(user=request.user).first()
    if mentor is None:
        raise Http404("No mentor record")
    error = ""
    if request.method == "POST":
        try:
            sar.sar_log(
                actor=request.user,
                case=mentor,
                received_on=timezone.localdate(),
                request=request,
            )
        except sar.SubjectAccessRefused:
            error = "You have already asked: your request is open."
        else:
            messages.success(request, "Your request is sent to the data-protection officer.")
            return redirect("privacy:my_records")
    return render(
        request,
        f"{T}/my_records.html",
        {"open_request": sar.open_request(mentor), "error": error},
    )


# Rectification -----------------------------------------------------------------------------


@require_GET
@permission_required("rectification", "view")
def rectifications(request, pk: int):
    case = _case(request, "view", pk, policy=case_rectification)
    record_view(actor=request.user, obj=case, request=request, reason="rectification")
    made = list(Rectification.objects.filter(case=case).select_related("case", "made_by"))
    for item in made:
        item.label = BY_NAME[item.field].label if item.field in BY_NAME else item.field
    return render(
        request,
        f"{T}/rectifications.html",
        {
            "case": case,
            "fields": FIELDS,
            "made": made,
            "erased": case.subject_erased,
            "can_change": case_rectification.has_object_permission(request.user, "change", case),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("rectification", "change")
def rectify(request, pk: int, field: str):
    case = _case(request, "change", pk, policy=case_rectification)
    spec = BY_NAME.get(field)
    if spec is None:
        raise Http404("No such field")
    if case.subject_erased:
        messages.error(request, "The person has been erased: there is nothing to correct.")
        return redirect("privacy:rectifications", pk=case.pk)
    current = getattr(case, field) or ""
    if spec.kind == "date" and current:
        with contextlib.suppress(ValueError):
            current = dt.date.fromisoformat(current).strftime("%-d %B %Y")
    form = rectification_form(spec)(_posted(request), initial={"version": case.version})
    context = {
        "case": case,
        "spec": spec,
        "current": current,
        "back": ("Back to corrections", f"/privacy/cases/{case.pk}/rectification/"),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case_rectify(
                actor=request.user,
                case=case,
                field=field,
                value=data["value"],
                reason=data["reason"],
                keep_old=data.get("keep_old") or False,
                kept_because=data.get("kept_because") or "",
                expected_version=data["version"],
                request=request,
            )
        except (RectificationRefused, CaseConflict) as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"The {spec.label.lower()} is corrected.")
            return redirect("privacy:rectifications", pk=case.pk)
    if request.method == "GET":
        record_view(actor=request.user, obj=case, request=request, reason="rectification")
    return render(request, f"{T}/rectify.html", {"form": form, **context})


urlpatterns = [
    path("find/", find, name="find"),
    path("sharing/", sharing_log, name="sharing_log"),
    path("cases/<int:pk>/", case_view, name="case_sharing"),
    path("cases/<int:pk>/disclosures/add/", disclosure_add, name="disclosure_add"),
    path("cases/<int:pk>/requests/add/", request_add, name="request_add"),
    path("cases/<int:pk>/reports/add/", report_compose, name="report_compose"),
    path("requests/", request_list, name="request_list"),
    path("requests/<int:pk>/", request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", request_decide, name="request_decide"),
    path("requests/<int:pk>/answer/", request_answer, name="request_answer"),
    path("reports/<int:pk>/", report_detail, name="report_detail"),
    path("reports/<int:pk>/release/", report_release, name="report_release"),
    path("reports/<int:pk>/pdf/", report_download, name="report_pdf"),
    path("retention/", retention_view, name="retention"),
    path("cases/<int:pk>/erasure-request/", erasure_request, name="erasure_request"),
    path("cases/<int:pk>/restriction/", restriction, name="restriction"),
    path("cases/<int:pk>/subject-access/", subject_access, name="subject_access"),
    path(
        "cases/<int:pk>/subject-access/review/",
        subject_access_review,
        name="subject_access_review",
    ),
    path("cases/<int:pk>/legal-hold/", legal_hold, name="legal_hold"),
    path("cases/<int:pk>/erase/", retention_erase, name="retention_erase"),
    path("retention/claims/", retention_claims, name="retention_claims"),
    path("mentors/<int:pk>/legal-hold/", mentor_legal_hold, name="mentor_legal_hold"),
    path("mentors/<int:pk>/erase/", mentor_retention_erase, name="mentor_retention_erase"),
    path("subject-access/", subject_access_list, name="subject_access_list"),
    path("mentors/<int:pk>/subject-access/", mentor_subject_access, name="mentor_subject_access"),
    path("my-records/", my_records, name="my_records"),
    path("cases/<int:pk>/rectification/", rectifications, name="rectifications"),
    path("cases/<int:pk>/rectification/<slug:field>/", rectify, name="rectify"),
]
