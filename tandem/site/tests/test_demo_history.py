"""The demo history: enough closed cases, with everything the analytics read, that every
group shows and every adjusted comparison can be estimated. The whole demo is built
once for the module inside a transaction that is rolled back at the end."""

import json
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from tandem.assessments.models import AssessmentKind
from tandem.cases.models import Case, CaseStatus, FollowUp, Pathway
from tandem.catalogues.models import ConcernType
from tandem.core.disclosure import THRESHOLD
from tandem.matching.models import Match, MatchStatus
from tandem.meetings.models import Session, SessionStatus
from tandem.outcomes.models import Occasion, Response
from tandem.reports import analytics
from tandem.site.demo.cases import DEMO_CASES
from tandem.site.demo.history import HISTORY_CASES, ensure_demo_history


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo_data", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def history(demo, db):
    return Case.objects.filter(record_uuid__in=[c.record_uuid for c in HISTORY_CASES])


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
