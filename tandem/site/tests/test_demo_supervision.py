import pytest

from tandem.accounts.models import User
from tandem.mentors.matchability import Rules, mentor_matchability, prefetch_for_matchability
from tandem.mentors.models import Mentor
from tandem.site.demo.accounts import ensure_demo_users
from tandem.site.demo.mentors import MENTOR_USER_EMAIL, ensure_demo_mentors
from tandem.site.demo.supervision import ensure_demo_supervision
from tandem.supervision.models import SupervisionRecord, WellbeingCheckIn

pytestmark = pytest.mark.django_db


def test_demo_supervision_has_one_overdue_mentor_a_low_check_in_and_runs_once():
    ensure_demo_users()
    ensure_demo_mentors()
    created = ensure_demo_supervision()
    assert created.records >= 10 and created.overdue
    overdue = prefetch_for_matchability(Mentor.objects.filter(full_name=created.overdue)).get()
    reasons = mentor_matchability(overdue, Rules.load()).reasons
    assert any(r.startswith("Supervision overdue since") for r in reasons)
    demo = prefetch_for_matchability(
        Mentor.objects.filter(user=User.objects.get(email=MENTOR_USER_EMAIL))
    ).get()
    assert mentor_matchability(demo, Rules.load()).reasons == ()
    assert WellbeingCheckIn.objects.filter(is_low=True).count() == 1
    count = SupervisionRecord.objects.count()
    assert ensure_demo_supervision().records == 0
    assert SupervisionRecord.objects.count() == count
