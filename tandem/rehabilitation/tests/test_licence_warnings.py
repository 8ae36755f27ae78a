"""Licence-condition warnings: a session planned in an exclusion zone, or with someone
the licence says the person must not meet, warns the mentor before it is saved; the
mentor may confirm and plan it anyway, which goes on the timeline and the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent
from tandem.catalogues.models import Area
from tandem.meetings.extensions import PlannedSession, planning_warnings
from tandem.meetings.models import Session
from tandem.meetings.services.sessions import Arrangements, PlanningWarnings, session_schedule
from tandem.meetings.tests.factories import make_session, place

from ..rules import names_in
from .factories import exclusion, non_association, rehab_match

pytestmark = pytest.mark.django_db


def planned(case, *, area=None, others=""):
    return PlannedSession(
        case=case,
        starts_at=timezone.now() + dt.timedelta(days=2),
        place_type=place(),
        area=Area.objects.get(name=area) if area else None,
        others_expected=others,
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Daniel Whitfield", ["Daniel Whitfield"]),
        ("his friend daniel  WHITFIELD and a cousin", ["Daniel Whitfield"]),
        ("Whitfield", []),
        ("Daniel", []),
        ("Marcus Tolland, Daniel Whitfield", ["Daniel Whitfield", "Marcus Tolland"]),
        ("", []),
    ],
)
def test_names_are_found_only_when_every_word_of_the_name_is_there(text, found):
    assert names_in(["Daniel Whitfield", "Marcus Tolland"], text) == found


def test_a_session_in_an_exclusion_zone_warns_and_one_elsewhere_does_not():
    case = rehab_match().case
    exclusion(case, "Coventry")
    assert planning_warnings(planned(case, area="Coventry")) == [
        "Coventry is an exclusion zone in the person's licence conditions: they must not go there."
    ]
    assert planning_warnings(planned(case, area="Birmingham")) == []
    assert planning_warnings(planned(case)) == []


def test_a_session_with_a_person_on_the_non_association_list_warns():
    case = rehab_match().case
    non_association(case)
    warnings = planning_warnings(planned(case, others="Marcus Tolland"))
    assert warnings == [
        "The person's licence conditions say they must not associate with Marcus Tolland."
    ]
    assert planning_warnings(planned(case, others="Marcus Smith")) == []


def test_ended_conditions_and_other_peoples_conditions_do_not_warn():
    case = rehab_match().case
    other = rehab_match().case
    exclusion(other, "Coventry")
    non_association(case, ended_on=timezone.localdate())
    assert planning_warnings(planned(case, area="Coventry", others="Daniel Whitfield")) == []


def test_the_service_refuses_until_the_warnings_are_acknowledged_then_records_it():
    match = rehab_match()
    exclusion(match.case, "Coventry")
    arrangements = Arrangements(
        starts_at=timezone.now() + dt.timedelta(days=2),
        place_type=place(),
        area=Area.objects.get(name="Coventry"),
        others_expected="",
    )
    with pytest.raises(PlanningWarnings) as warned:
        session_schedule(actor=match.mentor.user, match=match, arrangements=arrangements)
    assert not Session.objects.filter(match=match).exists()
    made = session_schedule(
        actor=match.mentor.user,
        match=match,
        arrangements=arrangements,
        acknowledged_warnings=warned.value.warnings,
    )
    assert made[0].area.name == "Coventry"
    assert CaseEvent.objects.filter(
        case=match.case, kind="session.planned_despite_warning"
    ).exists()
    assert AuditEvent.objects.filter(
        action="session.plan_warning_confirm", object_id=str(made[0].pk)
    ).exists()


def schedule_post(**fields):
    day = timezone.localdate() + dt.timedelta(days=3)
    data = {
        "date": day.strftime("%d/%m/%Y"),
        "start_time": "14:00",
        "duration_minutes": "60",
        "place_type": str(place().pk),
        "area": str(Area.objects.get(name="Coventry").pk),
        "others_expected": "",
        "repeat": "once",
        "count": "1",
    }
    data.update(fields)
    return data


def test_the_mentor_is_warned_before_saving_and_saves_by_confirming(client, signed_in):
    match = rehab_match()
    exclusion(match.case, "Coventry")
    signed_in(match.mentor.user)
    url = f"/meetings/cases/{match.case_id}/schedule/"
    first = client.post(url, schedule_post())
    assert first.status_code == 200
    page = first.content.decode()
    assert "Coventry is an exclusion zone" in page
    assert not Session.objects.filter(match=match).exists()
    digest = first.context["form"].data["warnings_seen"]
    confirmed = client.post(url, schedule_post(warnings_seen=digest))
    assert confirmed.status_code == 302
    assert Session.objects.filter(match=match, area__name="Coventry").count() == 1


def test_a_confirmation_of_other_warnings_does_not_save(client, signed_in):
    match = rehab_match()
    exclusion(match.case, "Coventry")
    non_association(match.case)
    signed_in(match.mentor.user)
    url = f"/meetings/cases/{match.case_id}/schedule/"
    digest = client.post(url, schedule_post()).context["form"].data["warnings_seen"]
    # The plan changed after the warning: a new name must be confirmed again.
    again = client.post(url, schedule_post(warnings_seen=digest, others_expected="Marcus Tolland"))
    assert again.status_code == 200
    assert "must not associate with Marcus Tolland" in again.content.decode()
    assert not Session.objects.filter(match=match).exists()


def test_changing_a_planned_session_into_an_exclusion_zone_warns(client, signed_in):
    match = rehab_match()
    exclusion(match.case, "Coventry")
    session = make_session(match)
    signed_in(match.mentor.user)
    day = timezone.localdate() + dt.timedelta(days=4)
    response = client.post(
        f"/meetings/sessions/{session.pk}/change/",
        {
            "date": day.strftime("%d/%m/%Y"),
            "start_time": "10:00",
            "duration_minutes": "60",
            "place_type": str(place().pk),
            "area": str(Area.objects.get(name="Coventry").pk),
            "version": str(session.version),
        },
    )
    assert response.status_code == 200
    assert "Coventry is an exclusion zone" in response.content.decode()
    session.refresh_from_db()
    assert session.area_id is None


def test_a_prevention_case_without_conditions_plans_without_warnings(client, signed_in):
    from tandem.meetings.tests.factories import working_match

    match = working_match()
    signed_in(match.mentor.user)
    response = client.post(f"/meetings/cases/{match.case_id}/schedule/", schedule_post())
    assert response.status_code == 302
