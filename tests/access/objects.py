"""For each resource with object URLs: how to make an object linked to the user and one
that is not, and which scopes the linked object satisfies; and what each role's user
needs to exist for its own pages. Later capabilities add their resources here."""

from __future__ import annotations

from dataclasses import dataclass

from conftest import create_user
from tandem.core.access import Scope


@dataclass(frozen=True)
class Objects:
    own: dict
    other: dict
    # The scopes through which the user reaches ``own`` (ALL reaches both).
    own_via: frozenset[Scope]


def _user_accounts(user):
    other = create_user("mentor")
    return Objects({"pk": user.pk}, {"pk": other.pk}, frozenset({Scope.OWN}))


def _own_mentor(user):
    """The mentor record linked to ``user``: their own if they are a mentor, their
    supervisee if they are a supervisor."""
    from tandem.mentors.models import Mentor
    from tandem.mentors.tests.factories import make_mentor

    mentor = Mentor.objects.filter(user=user).first()
    if mentor is None:
        mentor = make_mentor(user=user, supervisor=user)
    elif mentor.supervisor_id is None:
        Mentor.objects.filter(pk=mentor.pk).update(supervisor=user)
    return mentor


def _mentors(user):
    from tandem.mentors.tests.factories import make_mentor

    return Objects(
        {"pk": _own_mentor(user).pk},
        {"pk": make_mentor().pk},
        frozenset({Scope.OWN, Scope.SUPERVISEES}),
    )


def _cases(user):
    """A case the user referred, and someone else's. No case can be linked to a mentor
    or supervisor until matches exist, so ``own`` reaches them through no scope."""
    from tandem.cases.tests.factories import make_case

    return Objects(
        {"pk": make_case(referred_by=user).pk},
        {"pk": make_case().pk},
        frozenset({Scope.REFERRED}),
    )


def _matches(user):
    """A match of the user's own mentor record (their supervisee's, for a supervisor),
    and a match of another mentor."""
    from tandem.cases.tests.factories import make_case
    from tandem.matching.tests.factories import live_match
    from tandem.mentors.tests.factories import make_mentor

    own = live_match(make_case(), _own_mentor(user))
    other = live_match(make_case(), make_mentor())
    return Objects({"pk": own.pk}, {"pk": other.pk}, frozenset({Scope.OWN, Scope.SUPERVISEES}))


def _batches(user):
    """A draft batch with one pair (its case is the ``case_pk`` of the per-case pages)."""
    from tandem.cases.models import CaseStatus
    from tandem.cases.tests.factories import make_case
    from tandem.matching.models import BatchPair, BatchProposal
    from tandem.mentors.tests.factories import make_mentor

    def batch():
        made = BatchProposal.objects.create(created_by=create_user("coordinator"))
        case = make_case(status=CaseStatus.AWAITING_MATCH)
        BatchPair.objects.create(batch=made, case=case, mentor=make_mentor(), score=500)
        return {"pk": made.pk, "case_pk": case.pk}

    return Objects(batch(), batch(), frozenset())


def _catalogue_entries(user):
    """Two languages; every role that reaches the catalogues reaches all of them."""
    from tandem.catalogues.models import Language

    own, other = (Language.objects.create(name=f"Language {user.pk} {n}") for n in (1, 2))
    return Objects(
        {"kind": "languages", "pk": own.pk}, {"kind": "languages", "pk": other.pk}, frozenset()
    )


def _working_case(mentor):
    from tandem.cases.models import CaseStatus
    from tandem.cases.tests.factories import make_case
    from tandem.matching.models import MatchStatus
    from tandem.matching.tests.factories import live_match

    return live_match(make_case(status=CaseStatus.ACTIVE), mentor, status=MatchStatus.ACTIVE)


def _case_sessions(user):
    """A case the user's own mentor record (their supervisee's, for a supervisor) works
    with through an active match, and a case of another mentor."""
    from tandem.mentors.tests.factories import make_mentor

    own = _working_case(_own_mentor(user))
    other = _working_case(make_mentor())
    return Objects(
        {"pk": own.case_id},
        {"pk": other.case_id},
        frozenset({Scope.MATCHED, Scope.SUPERVISEES}),
    )


def _sessions(user):
    """A planned session (its time passed) of the user's own active match (their
    supervisee's, for a supervisor), and one of another mentor."""
    import datetime as dt

    from django.utils import timezone

    from tandem.meetings.tests.factories import make_session
    from tandem.mentors.tests.factories import make_mentor

    when = timezone.now() - dt.timedelta(hours=1)
    own = make_session(_working_case(_own_mentor(user)), starts_at=when, created_by=user)
    other = make_session(_working_case(make_mentor()), starts_at=when, created_by=user)
    if "safeguarding_lead" in user.roles:
        # The lead reaches a session's private notes through a concern that refers to it.
        _concern_about(own.case, raised_by=create_user("mentor"), session=own)
    return Objects(
        {"pk": own.pk},
        {"pk": other.pk},
        frozenset({Scope.OWN, Scope.SUPERVISEES, Scope.MATCHED}),
    )


def _concern_about(case, *, raised_by, session=None):
    from tandem.safeguarding.models import ConcernCategory, Urgency
    from tandem.safeguarding.services import concern_raise

    return concern_raise(
        actor=raised_by,
        category=ConcernCategory.objects.get(code="harm-to-others"),
        urgency=Urgency.URGENT,
        details="What was seen.",
        case=case,
        session=session,
    )


def _concerns(user):
    """A concern the user raised, and one someone else raised (``action`` for the
    lead's move pages)."""
    from tandem.cases.tests.factories import make_case

    own = _concern_about(make_case(), raised_by=user)
    other = _concern_about(make_case(), raised_by=create_user("mentor"))
    return Objects(
        {"pk": own.pk, "action": "acknowledge"},
        {"pk": other.pk, "action": "acknowledge"},
        frozenset({Scope.OWN}),
    )


def _lone_working_sessions(user):
    """A lone-working session of the user's own mentor record, and another mentor's."""
    from tandem.cases.models import CaseStatus
    from tandem.cases.tests.factories import make_case
    from tandem.matching.models import MatchStatus
    from tandem.matching.tests.factories import live_match
    from tandem.meetings.tests.factories import make_session
    from tandem.mentors.tests.factories import make_mentor

    def session(mentor):
        match = live_match(make_case(status=CaseStatus.ACTIVE), mentor, status=MatchStatus.ACTIVE)
        return make_session(match, place_code="home", days_ago=0).pk

    return Objects(
        {"pk": session(_own_mentor(user))}, {"pk": session(make_mentor())}, frozenset({Scope.OWN})
    )


def _calendar_feed(user):
    """A live feed of a mentor (made here: the feed URL answers only for a live secret)."""
    from tandem.meetings.services.calendar import calendar_feed_create

    _, token = calendar_feed_create(actor=create_user("mentor"))
    return {"token": token}


def _claims(user):
    """A draft claim with a receipt on a held session of the user's own mentor record,
    and another mentor's."""
    from tandem.meetings.tests.factories import add_receipt, held_session, make_claim

    def claim(mentor):
        made = make_claim(held_session(mentor))
        return {"pk": made.pk, "receipt_pk": add_receipt(made).pk}

    return Objects(claim(_own_mentor(user)), claim(None), frozenset({Scope.OWN}))


def _session_claims(user):
    """A held session of the user's own mentor record with no claim yet, and another's."""
    from tandem.meetings.tests.factories import held_session

    return Objects(
        {"session_pk": held_session(_own_mentor(user)).pk},
        {"session_pk": held_session().pk},
        frozenset({Scope.OWN}),
    )


def _advice(user):
    """A case the user works with as a mentor (their supervisee does, for a
    supervisor) with a question in a specialism the user holds, asked by someone else;
    and another mentor's case with a question in a specialism the user does not hold."""
    from tandem.cases.tests.factories import make_case
    from tandem.catalogues.models import Specialism
    from tandem.matching.models import MatchStatus
    from tandem.matching.tests.factories import live_match
    from tandem.meetings.models import AdviceQuestion
    from tandem.mentors.models import MentorSpecialism, MentorStatus
    from tandem.mentors.tests.factories import make_mentor

    mine, theirs = Specialism.objects.order_by("pk")[:2]
    mentor = _own_mentor(user)
    type(mentor).objects.filter(pk=mentor.pk).update(status=MentorStatus.ACTIVE)
    MentorSpecialism.objects.get_or_create(mentor=mentor, specialism=mine)

    def question(case_mentor, specialism):
        case = make_case()
        live_match(case, case_mentor, status=MatchStatus.ACTIVE)
        asked = AdviceQuestion.objects.create(
            case=case, specialism=specialism, asked_by=create_user("mentor"), question="How?"
        )
        return {"case_pk": case.pk, "pk": asked.pk}

    return Objects(
        question(mentor, mine),
        question(make_mentor(), theirs),
        frozenset({Scope.MATCHED, Scope.SUPERVISEES, Scope.OWN}),
    )


def _supervision_records(user):
    """A supervision record of the user's own mentor record (their supervisee's, for a
    supervisor), and one of another mentor."""
    from tandem.mentors.tests.factories import make_mentor
    from tandem.supervision.tests.factories import make_record

    own = make_record(_own_mentor(user), supervisor=user)
    other = make_record(make_mentor(), supervisor=create_user("supervisor"))
    return Objects({"pk": own.pk}, {"pk": other.pk}, frozenset({Scope.OWN, Scope.SUPERVISEES}))


def _supervision_actions(user):
    records = _supervision_records(user)
    from tandem.supervision.models import SupervisionAction

    def action(pk):
        return SupervisionAction.objects.filter(record_id=pk).values_list("pk", flat=True)[0]

    return Objects(
        {"pk": action(records.own["pk"])}, {"pk": action(records.other["pk"])}, records.own_via
    )


def _rehabilitation(user):
    """A rehabilitation case the user's own mentor record (their supervisee's, for a
    supervisor) works with, and another mentor's; each with a licence condition and a
    panel meeting awaiting its decision."""
    import datetime as dt

    from tandem.cases.models import Case, Pathway
    from tandem.mentors.tests.factories import make_mentor
    from tandem.rehabilitation.models import ConditionKind, LicenceCondition, PanelMeeting

    def case(mentor):
        match = _working_case(mentor)
        Case.objects.filter(pk=match.case_id).update(pathway=Pathway.REHABILITATION)
        condition = LicenceCondition.objects.create(
            case=match.case, kind=ConditionKind.INTERNET, details="No social media.", added_by=user
        )
        meeting = PanelMeeting.objects.create(
            case=match.case, kind="presentation", met_on=dt.date(2026, 1, 5), recorded_by=user
        )
        return {"pk": match.case_id, "condition_pk": condition.pk, "meeting_pk": meeting.pk}

    return Objects(
        case(_own_mentor(user)),
        case(make_mentor()),
        frozenset({Scope.MATCHED, Scope.SUPERVISEES}),
    )


def _custody_sessions(user):
    """A session in custody of the user's own working match, and another mentor's."""
    from tandem.meetings.tests.factories import make_session
    from tandem.mentors.tests.factories import make_mentor

    def session(mentor):
        return make_session(_working_case(mentor), place_code="prison").pk

    return Objects(
        {"pk": session(_own_mentor(user))}, {"pk": session(make_mentor())}, frozenset({Scope.OWN})
    )


def _evaluation_exports(user):
    """A finished export the user asked for, and someone else's."""
    from tandem.reports.models import EvaluationExport, ExportStatus

    def export(by):
        return EvaluationExport.objects.create(
            requested_by=by, purpose="Access test", status=ExportStatus.READY, archive=b"PK"
        ).pk

    return Objects(
        {"pk": export(user)}, {"pk": export(create_user("evaluator"))}, frozenset({Scope.OWN})
    )


def _instruments(user):
    """Two of the questionnaires installed by migration (coordinators reach every one)."""
    from tandem.outcomes.models import Instrument

    return Objects(
        {"pk": Instrument.objects.get(key="ons4").pk},
        {"pk": Instrument.objects.get(key="trust").pk},
        frozenset(),
    )


def _case_outcomes(user):
    """A case the user's own mentor record works with and another mentor's, each with a
    waiting answer link; the wellbeing questionnaire to answer."""
    from tandem.mentors.tests.factories import make_mentor
    from tandem.outcomes.tests.factories import make_link

    def kwargs(mentor):
        case_id = _working_case(mentor).case_id
        link, _ = make_link(case_id=case_id)
        return {"pk": case_id, "link": link.pk, "key": "ons4"}

    return Objects(
        kwargs(_own_mentor(user)),
        kwargs(make_mentor()),
        frozenset({Scope.MATCHED}),
    )


def _answer_link(user):
    """A live answer link (the page answers only for a live secret)."""
    from tandem.outcomes.tests.factories import make_link

    _, token = make_link()
    return {"token": token}


def _case_fields(user):
    """A case and one of its fields that can be corrected (every role that corrects a
    record corrects every case's)."""
    cases = _cases(user)
    return Objects(
        {**cases.own, "field": "last_name"}, {**cases.other, "field": "last_name"}, frozenset()
    )


def _information_requests(user):
    """Two logged requests for information; every role that reaches them reaches all."""
    from tandem.privacy.tests.factories import police_request

    return Objects({"pk": police_request().pk}, {"pk": police_request().pk}, frozenset())


def _progress_reports(user):
    """A draft report about a person the user referred, already released to the
    referrer (the release page answers by sending back to the report), and another
    referrer's."""
    from tandem.cases.tests.factories import make_case
    from tandem.privacy.tests.factories import draft_report, released_report

    own = released_report(make_case(referred_by=user))
    draft_report(own.case)
    other = released_report(make_case())
    return Objects({"pk": own.pk}, {"pk": other.pk}, frozenset({Scope.REFERRED}))


OBJECT_BUILDERS = {
    "user_account": _user_accounts,
    "catalogue": _catalogue_entries,
    "mentor": _mentors,
    "mentor_vetting": _mentors,
    "mentor_training": _mentors,
    "referral": _cases,
    "case": _cases,
    "case_assessment": _cases,
    "case_plan": _cases,
    "case_matching": _cases,
    "match": _matches,
    "matching_batch": _batches,
    "case_sessions": _case_sessions,
    "meeting_brief": _case_sessions,
    "session": _sessions,
    "session_private_notes": _sessions,
    "contact_monitoring": _cases,
    "lone_working": _lone_working_sessions,
    "lone_working_alert": _lone_working_sessions,
    "claim": _claims,
    "session_claim": _session_claims,
    "advice_question": _advice,
    "concern": _concerns,
    "concern_raise": _case_sessions,
    "session_concern": _sessions,
    "case_concerns": _case_sessions,
    "supervision": _mentors,
    "supervisor_assignment": _mentors,
    "supervision_record": _mentors,
    "supervision_notes": _supervision_records,
    "supervision_action": _supervision_actions,
    "case_rehabilitation": _rehabilitation,
    "custody_visit": _custody_sessions,
    "evaluation_export": _evaluation_exports,
    "questionnaire_instrument": _instruments,
    "case_outcomes": _case_outcomes,
    "case_questionnaire": _case_outcomes,
    "case_sharing": _cases,
    "retention": _cases,
    "subject_access": _cases,
    "restriction": _cases,
    "rectification": _case_fields,
    "mentor_subject_access": _mentors,
    "mentor_retention": _mentors,
    "information_request": _information_requests,
    "progress_report": _progress_reports,
}

# What a role's user needs to exist so that its own pages have something to show.
ROLE_CONTEXT = {
    "mentor": _own_mentor,
}

# URLs whose parameters are not objects of a resource (for example tokens): the kwargs,
# or a function of the requesting user (None when anonymous) that makes them.
STATIC_KWARGS = {
    "accounts:password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
    "meetings:calendar_feed": _calendar_feed,
    "outcomes:answer": _answer_link,
}
