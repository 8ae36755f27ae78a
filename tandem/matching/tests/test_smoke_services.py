import pytest

from conftest import create_user
from tandem.cases.models import CaseStatus
from tandem.matching import services
from tandem.matching.models import MatchStatus

from .factories import matching_mentor, waiting_case

pytestmark = pytest.mark.django_db


def test_propose_accept_start_end_moves_the_case():
    coordinator = create_user("coordinator")
    mentor = matching_mentor(with_account=True, caseload_cap=1)
    case = waiting_case()
    match = services.propose(actor=coordinator, case=case, mentor=mentor)
    assert match.status == MatchStatus.PROPOSED and match.score > 0
    other = waiting_case()
    with pytest.raises(services.MatchRefused, match="at capacity"):
        services.propose(actor=coordinator, case=other, mentor=mentor)
    services.accept(actor=mentor.user, match=match)
    case.refresh_from_db()
    assert case.status == CaseStatus.MATCHED
    import datetime as dt

    from django.utils import timezone

    services.start(
        actor=coordinator, match=match, first_meeting_at=timezone.now() + dt.timedelta(days=2),
        place="in_person",
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE
    services.end(actor=coordinator, match=match, reason="relationship", rematch=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_MATCH
    with pytest.raises(services.MatchRefused, match="declined or ended badly"):
        services.propose(actor=coordinator, case=case, mentor=mentor)


def test_batch_assigns_waiting_cases():
    coordinator = create_user("coordinator")
    matching_mentor(caseload_cap=1)
    matching_mentor(caseload_cap=1, languages=(("English", "first"), ("Urdu", "fluent")))
    waiting_case()
    waiting_case(languages=("Urdu",))
    batch = services.create_batch(actor=coordinator)
    assert batch.pairs.count() == 2
