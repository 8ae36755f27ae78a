"""Recording several vetting checks or completed modules of one mentor on one page."""

import datetime as dt

import pytest
from django.urls import reverse

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.mentors.models import (
    CheckOutcome,
    MentorStatus,
    TrainingCompletion,
    TrainingModule,
    VettingCheck,
    VettingCheckType,
)

from .factories import coordinator, make_mentor
from .factories_records import complete, days_ago

pytestmark = pytest.mark.django_db


def url(name, mentor):
    return reverse(f"mentors:{name}", kwargs={"pk": mentor.pk})


def uk(date: dt.date) -> str:
    return f"{date.day}/{date.month}/{date.year}"


@pytest.fixture
def as_coordinator(client, signed_in):
    user = coordinator()
    signed_in(user)
    client.user = user
    return client


def check_types():
    return list(VettingCheckType.objects.filter(is_active=True).order_by("position", "name"))


def modules():
    return list(TrainingModule.objects.filter(is_active=True).order_by("name"))


def rows_post(prefix: str, count: int, rows: dict[int, dict]) -> dict:
    """The page's POST: management form, and the given rows' fields (others left empty)."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(count),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, fields in rows.items():
        data.update({f"{prefix}-{index}-{name}": value for name, value in fields.items()})
    return data


def a_check(**overrides):
    fields = {
        "outcome": CheckOutcome.PASSED,
        "checked_on": uk(days_ago(3)),
        "verifier": "Disclosure desk",
        "reference_number": "",
        "failure_reason": "",
        "expires_on": "",
    }
    fields.update(overrides)
    return fields


def test_the_page_lists_a_row_per_check_type_in_use(as_coordinator):
    mentor = make_mentor(status=MentorStatus.VETTING)
    retired = VettingCheckType.objects.create(
        code="old", name="Retired check", validity_days=365, is_active=False
    )
    page = as_coordinator.get(url("check_add_several", mentor)).content.decode()
    for check_type in check_types():
        assert f">{check_type.name}</h2>" in page
    assert retired.name not in page
    vetting = as_coordinator.get(url("vetting", mentor)).content.decode()
    assert f'href="{url("check_add_several", mentor)}"' in vetting


def test_several_checks_are_recorded_at_once_and_empty_rows_skipped(as_coordinator):
    mentor = make_mentor(status=MentorStatus.VETTING)
    types = check_types()
    data = rows_post(
        "checks",
        len(types),
        {0: a_check(reference_number="ABC123"), 2: a_check(outcome=CheckOutcome.PENDING)},
    )
    response = as_coordinator.post(url("check_add_several", mentor), data)
    assert response.status_code == 302
    assert response["Location"] == url("vetting", mentor)
    recorded = {c.check_type_id: c for c in VettingCheck.objects.filter(mentor=mentor)}
    assert set(recorded) == {types[0].pk, types[2].pk}
    assert recorded[types[0].pk].reference_number == "ABC123"
    assert recorded[types[2].pk].outcome == CheckOutcome.PENDING
    assert AuditEvent.objects.filter(action="mentor.check_record").count() == 2
    page = as_coordinator.get(response["Location"]).content.decode()
    assert "2 vetting checks recorded." in page


def test_a_row_with_a_problem_saves_nothing_and_keeps_every_row_typed(as_coordinator):
    mentor = make_mentor(status=MentorStatus.VETTING)
    types = check_types()
    data = rows_post(
        "checks",
        len(types),
        {
            0: a_check(reference_number="KEEP-ME"),
            1: a_check(outcome=CheckOutcome.FAILED, failure_reason=""),
            2: a_check(verifier=""),
        },
    )
    response = as_coordinator.post(url("check_add_several", mentor), data)
    assert response.status_code == 200
    assert not VettingCheck.objects.filter(mentor=mentor).exists()
    page = response.content.decode()
    assert page.count('class="govuk-error-summary"') == 1
    assert f"{types[1].name}: Enter why the check failed" in page
    assert f"{types[2].name}: Enter who carried out or verified the check" in page
    assert 'href="#id_checks-1-failure_reason"' in page
    assert 'value="KEEP-ME"' in page
    assert "Nothing has been recorded yet" in page
    assert response.context["formset"].forms[0].errors == {}
    assert "<title>Error: " in page


def test_an_empty_page_asks_for_at_least_one_row(as_coordinator):
    mentor = make_mentor(status=MentorStatus.VETTING)
    response = as_coordinator.post(
        url("check_add_several", mentor), rows_post("checks", len(check_types()), {})
    )
    assert response.status_code == 200
    assert "Fill in at least one check: leave the others empty" in response.content.decode()


def test_the_rows_come_from_the_page_not_the_posted_count(as_coordinator):
    mentor = make_mentor(status=MentorStatus.VETTING)
    types = check_types()
    data = rows_post("checks", 1000, {len(types): a_check()})
    response = as_coordinator.post(url("check_add_several", mentor), data)
    assert response.status_code == 200
    assert not VettingCheck.objects.filter(mentor=mentor).exists()


def test_several_completions_are_recorded_with_each_modules_hours(as_coordinator):
    mentor = make_mentor(status=MentorStatus.TRAINING)
    mods = modules()
    data = rows_post(
        "modules",
        len(mods),
        {
            0: {"completed_on": uk(days_ago(5)), "cpd_hours": ""},
            1: {"completed_on": uk(days_ago(4)), "cpd_hours": "2.5"},
        },
    )
    response = as_coordinator.post(url("completion_add_several", mentor), data)
    assert response.status_code == 302
    assert response["Location"] == url("training", mentor)
    hours = dict(
        TrainingCompletion.objects.filter(mentor=mentor).values_list("module_id", "cpd_hours")
    )
    assert hours == {mods[0].pk: mods[0].cpd_hours, mods[1].pk: 2.5}
    page = as_coordinator.get(response["Location"]).content.decode()
    assert "2 completed modules recorded." in page


def test_a_duplicate_completion_is_refused_on_its_row_and_nothing_is_recorded(as_coordinator):
    mentor = make_mentor(status=MentorStatus.TRAINING)
    mods = modules()
    complete(mentor, mods[1].code, on=days_ago(4))
    data = rows_post(
        "modules",
        len(mods),
        {
            0: {"completed_on": uk(days_ago(5)), "cpd_hours": ""},
            1: {"completed_on": uk(days_ago(4)), "cpd_hours": ""},
            2: {"completed_on": "", "cpd_hours": "3"},
        },
    )
    response = as_coordinator.post(url("completion_add_several", mentor), data)
    assert response.status_code == 200
    assert TrainingCompletion.objects.filter(mentor=mentor).count() == 1
    page = response.content.decode()
    assert f"{mods[2].name}: Enter the date the module was completed" in page
    # The service's refusal shows only once the form itself is valid.
    data["modules-2-cpd_hours"] = ""
    response = as_coordinator.post(url("completion_add_several", mentor), data)
    page = response.content.decode()
    assert f"{mods[1].name}: A completion of {mods[1].name}" in page
    assert 'href="#modules-1"' in page
    assert not AuditEvent.objects.filter(action="mentor.completion_record").exists()
    assert TrainingCompletion.objects.filter(mentor=mentor).count() == 1


@pytest.mark.parametrize("name", ["check_add_several", "completion_add_several"])
def test_only_coordinators_record_several(client, signed_in, name):
    user = create_user("mentor")
    mentor = make_mentor(user=user, status=MentorStatus.ACTIVE)
    signed_in(user)
    assert client.get(url(name, mentor)).status_code == 403
    assert client.post(url(name, mentor), {}).status_code == 403


def test_the_pages_cost_a_fixed_number_of_queries(as_coordinator, django_assert_max_num_queries):
    mentor = make_mentor(status=MentorStatus.VETTING)
    with django_assert_max_num_queries(15):
        as_coordinator.get(url("check_add_several", mentor))
    with django_assert_max_num_queries(15):
        as_coordinator.get(url("completion_add_several", mentor))
