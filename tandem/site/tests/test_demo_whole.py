"""The whole demo, as `demo_data` makes it: what the command reports, the history of closed
cases (enough, with everything the analytics read, that every group shows and every
adjusted comparison can be estimated), safeguarding, privacy, outcomes and the
rehabilitation pathway, and that running it again creates nothing. The demo is built
once for the module (about a minute) inside a transaction rolled back at the end; each
test runs in a savepoint of its own."""

import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.assessments.models import AssessmentKind
from tandem.cases.models import Case, CaseStatus, FollowUp, Pathway
from tandem.catalogues.models import ConcernType
from tandem.core.disclosure import THRESHOLD
from tandem.matching.models import Match, MatchStatus
from tandem.meetings.contact_summary import FIELDS, derived
from tandem.meetings.models import MatchContact, Session, SessionStatus
from tandem.mentors.models import Mentor
from tandem.outcomes.models import AnswerLink, Occasion, Respondent, Response
from tandem.privacy.models import Disclosure, InformationRequest, ProgressReport
from tandem.rehabilitation.models import (
    IN_CUSTODY,
    CustodyStatus,
    CustodyVisit,
    LicenceCondition,
    PanelDecision,
    PanelMeeting,
    RehabilitationRecord,
)
from tandem.reports import analytics
from tandem.safeguarding.models import Concern, ConcernStatus, SafeguardingPolicy
from tandem.site.demo.accounts import DEMO_USERS
from tandem.site.demo.cases import DEMO_CASES
from tandem.site.demo.history import HISTORY_CASES, ensure_demo_history
from tandem.site.demo.mentors import DEMO_MENTORS


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo_data", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def whole(demo, db):
    return demo


@pytest.fixture
def history(demo, db):
    return Case.objects.filter(record_uuid__in=[c.record_uuid for c in HISTORY_CASES])


def test_the_command_reports_what_it_created(whole):
    assert f"Demo cases created: {len(DEMO_CASES)} (of {len(DEMO_CASES)})." in whole
    assert f"Demo mentors created: {len(DEMO_MENTORS)} (of {len(DEMO_MENTORS)})." in whole
    assert f"Demo users created: {len(DEMO_USERS)} (of {len(DEMO_USERS)})." in whole


def test_running_it_again_creates_nothing(whole):
    models = (
        User, Mentor, Case, Match, Session, Response, Concern, Disclosure, InformationRequest,
        RehabilitationRecord, PanelMeeting, FollowUp,
    )  # fmt: skip
    counts = [model.objects.count() for model in models]
    out = StringIO()
    call_command("demo_data", stdout=out)
    assert f"Demo cases created: 0 (of {len(DEMO_CASES)})." in out.getvalue()
    assert f"Demo mentors created: 0 (of {len(DEMO_MENTORS)})." in out.getvalue()
    assert "Password for every demo account" in out.getvalue()
    assert [model.objects.count() for model in models] == counts


def test_demo_concerns_cover_every_state_one_overdue_and_one_escalated_with_a_reference(whole):
    concerns = list(Concern.objects.all())
    assert {c.status for c in concerns} == set(ConcernStatus.values)
    assert sum(c.is_overdue() for c in concerns) == 1
    escalated = Concern.objects.get(status=ConcernStatus.ESCALATED)
    assert escalated.escalations.get().agency_reference == "CSC/2026/0418"
    assert Concern.objects.filter(case__isnull=True).count() == 1
    closed = Concern.objects.get(status=ConcernStatus.CLOSED)
    assert closed.signed_off_by is not None and closed.outcome


def test_the_demo_deputy_lead_is_named_in_the_policy_and_listed_with_its_secret(whole):
    deputy = SafeguardingPolicy.current().deputy
    assert deputy.email == "deputy-safeguarding@tandem.example"
    spec = next(s for s in DEMO_USERS if s.email == deputy.email)
    assert f"{spec.email}  {spec.totp_secret}  Safeguarding lead" in whole
    # A deputy the scheme has chosen since is kept.
    other = next(s for s in DEMO_USERS if s.email == "safeguarding@tandem.example")
    policy = SafeguardingPolicy.current()
    policy.deputy = User.objects.get(email=other.email)
    policy.save()
    call_command("demo_data", stdout=StringIO())
    assert SafeguardingPolicy.current().deputy.email == other.email


def test_the_demo_shares_a_released_report_with_the_referrer_and_answers_a_police_request(whole):
    report = ProgressReport.objects.get()
    assert report.status == "released"
    assert report.case.referred_by.email == "referrer@tandem.example"
    assert Disclosure.objects.filter(report=report).exists()
    answered = InformationRequest.objects.get(status="answered")
    assert answered.decision == "part_release"
    assert Disclosure.objects.filter(request=answered).exists()
    assert InformationRequest.objects.filter(status="logged").exists()
    assert Disclosure.objects.filter(kind="court_order").exists()


def test_demo_cases_have_questionnaires_answered_over_time_once(whole):
    responses = Response.objects.select_related("case", "version__instrument")
    respondents = set(responses.values_list("respondent", flat=True))
    assert respondents == {Respondent.PERSON, Respondent.REFERRER, Respondent.MENTOR}
    case = responses.filter(occasion="closure").first().case
    assert case.status == CaseStatus.CLOSED
    ons = [r for r in responses.filter(case=case) if r.version.instrument.key == "ons4"]
    assert len(ons) >= 2
    assert all(json.loads(r.scores)["answered"] == 4 for r in ons)
    assert (
        AnswerLink.objects.filter(used_at__isnull=False).count()
        == responses.filter(link__isnull=False).count()
    )


def test_about_one_case_in_six_is_on_the_rehabilitation_pathway_with_custody_licence_and_panel(
    whole,
):
    total = Case.objects.count()
    rehab = Case.objects.filter(pathway=Pathway.REHABILITATION).count()
    assert total // 7 <= rehab <= total // 5
    assert RehabilitationRecord.objects.count() == rehab
    today = timezone.localdate()
    coming = RehabilitationRecord.objects.filter(
        custody_status__in=IN_CUSTODY, expected_release_date__gt=today
    )
    assert coming.exists()
    assert all((r.expected_release_date - today).days <= 42 for r in coming)
    on_licence = RehabilitationRecord.objects.filter(custody_status=CustodyStatus.ON_LICENCE)
    assert on_licence.exists()
    assert LicenceCondition.objects.filter(case__rehabilitation__in=on_licence).exists()
    assert CustodyVisit.objects.exists()
    decisions = set(PanelMeeting.objects.values_list("decision", flat=True))
    assert {PanelDecision.ADOPT, PanelDecision.SIGNPOST, ""} <= decisions


def test_the_history_is_created_once_alongside_the_demo_cases(demo, history):
    assert f"Demo history of closed cases created: {len(HISTORY_CASES)} " in demo
    assert 120 <= history.count() == len(HISTORY_CASES) <= 200
    assert not {c.record_uuid for c in DEMO_CASES} & {c.record_uuid for c in HISTORY_CASES}
    counts = [model.objects.count() for model in (Case, Match, Session, Response, FollowUp)]
    assert ensure_demo_history().cases == 0
    assert counts == [model.objects.count() for model in (Case, Match, Session, Response, FollowUp)]


def test_history_cases_are_closed_over_about_three_years_in_every_concern_type(history):
    assert set(history.values_list("status", flat=True)) == {CaseStatus.CLOSED}
    closed = list(history.values_list("closed_at", flat=True))
    quarters = Counter((d.year, (d.month - 1) // 3) for d in closed)
    assert len(quarters) >= 8
    by_concern = Counter(
        Case.objects.filter(status=CaseStatus.CLOSED).values_list("concern_type__code", flat=True)
    )
    assert set(by_concern) == set(ConcernType.objects.values_list("code", flat=True))
    assert min(by_concern.values()) >= THRESHOLD
    assert history.filter(pathway=Pathway.REHABILITATION).count() >= THRESHOLD
    assert len(set(history.values_list("referral_source__code", flat=True))) >= 6
    assert len(set(history.values_list("area__name", flat=True))) == 7


def test_each_history_case_has_its_match_sessions_answers_reassessments_and_follow_ups(
    history,
):
    assert Match.objects.filter(case__in=history, status=MatchStatus.ENDED).count() == (
        history.count()
    )
    held = Session.objects.filter(case__in=history, status=SessionStatus.HELD)
    assert set(held.values_list("case_id", flat=True)) == set(history.values_list("pk", flat=True))
    assert not held.filter(approach="").exists()
    assert not held.filter(style__isnull=True).exists()
    for case in history.order_by("pk")[:: len(HISTORY_CASES) // 8]:
        match = case.matches.get()
        sessions = case.sessions.all()
        assert all(match.started_at <= s.starts_at <= match.ended_at for s in sessions)
        occasions = [
            r.occasion
            for r in Response.objects.filter(case=case, version__instrument__key="ons4")
            .order_by("answered_at", "pk")
            .only("occasion", "answered_at")
        ]
        assert occasions[0] == Occasion.START
        assert occasions[-1] == Occasion.CLOSURE
        assert Occasion.REVIEW in occasions
        kinds = list(case.assessments.values_list("kind", flat=True))
        assert kinds.count(AssessmentKind.INTAKE) == 1
        assert kinds.count(AssessmentKind.REASSESSMENT) >= 2
        assert case.follow_ups.count() == 2
    done = FollowUp.objects.filter(case__in=history, completed_on__isnull=False)
    assert done.count() > len(HISTORY_CASES) // 2


def test_the_analytics_show_every_outcome_by_approach_and_an_adjusted_comparison(history):
    rows = analytics.case_rows()
    assert len(rows) >= 150
    for table in analytics.tables(rows):
        if table.factor.key == "approach_used":
            shown = [g for g in table.groups if g.estimate is not None]
            assert len(shown) >= 3, table.outcome.key
    results = dict(analytics.adjusted(rows))
    assert all(result is not None for result in results.values()), results
    ons = Response.objects.filter(case__in=history, version__instrument__key="ons4").first()
    assert json.loads(ons.scores)["answered"] == 4


def test_every_match_with_sessions_has_the_contact_summary_its_sessions_give(whole):
    # The demo loads sessions in bulk (no signals), then derives the summaries itself.
    stored = {row[0]: row[1:] for row in MatchContact.objects.values_list("pk", *FIELDS)}
    expected = {
        pk: tuple(values)
        for pk, *values in derived(Match.objects.filter(sessions__isnull=False).distinct(), Session)
    }
    assert len(expected) > 100
    assert {pk: stored.get(pk) for pk in expected} == expected
