"""Writing and changing the support plan and its goals through the services: the
timeline, the audit log, the first review's due date, validation, stale forms and
encryption at rest."""

import datetime as dt

import pytest
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.cases.models import CaseEvent, CaseStatus, Goal, SupportPlan
from tandem.cases.services import plans as services
from tandem.cases.services.lifecycle import CaseConflict
from tandem.core.tests.encryption.rawsql import raw_column

from .factories_plans import (
    PLAN_DATA,
    add_goal,
    coordinator,
    fresh,
    goal_data,
    open_case,
    planned_case,
    write_plan,
)

pytestmark = pytest.mark.django_db


def events(case, kind=None):
    rows = CaseEvent.objects.filter(case=case)
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("occurred_at", "pk"))


# The plan --------------------------------------------------------------------------------


def test_writing_the_plan_stores_it_and_says_so_on_the_timeline():
    case = open_case(status=CaseStatus.ASSESSMENT)
    actor = coordinator()
    plan = services.plan_save(actor=actor, case=case, data=PLAN_DATA, expected_version=case.version)
    plan = SupportPlan.objects.get(pk=plan.pk)
    assert (plan.approach, plan.intended_style, plan.frequency) == ("befriending", 2, "weekly")
    assert plan.summary == PLAN_DATA["summary"]
    assert plan.updated_by == actor
    [event] = events(case, "plan.written")
    assert event.summary == "Support plan written"
    assert event.actor == actor
    audit = AuditEvent.objects.get(action="case.plan_write")
    assert audit.object_id == str(plan.pk)
    assert "approach" in audit.changed_fields
    assert "Saturdays" not in str(audit.changed_fields)


def test_writing_the_plan_sets_the_first_review_one_interval_from_today():
    case = open_case()
    write_plan(case)
    assert fresh(case).next_review_due == timezone.localdate() + dt.timedelta(weeks=6)


def test_the_review_interval_follows_the_schemes_setting(monkeypatch):
    monkeypatch.setattr("tandem.cases.defaults.REVIEW_INTERVAL_WEEKS", 4)
    case = open_case()
    write_plan(case)
    assert fresh(case).next_review_due == timezone.localdate() + dt.timedelta(weeks=4)


def test_changing_the_plan_names_the_changed_fields_on_the_timeline_and_in_the_audit():
    case = open_case()
    write_plan(case)
    case = fresh(case)
    services.plan_save(
        actor=coordinator(),
        case=case,
        data={**PLAN_DATA, "approach": "mixed", "frequency": "monthly"},
        expected_version=case.version,
    )
    [event] = events(case, "plan.changed")
    assert event.summary == "Support plan changed (approach, meeting frequency)"
    audit = AuditEvent.objects.get(action="case.plan_change")
    assert audit.changed_fields == ["approach", "frequency"]


def test_changing_the_plan_does_not_move_the_review_date():
    case = open_case()
    write_plan(case)
    # A later change leaves the due date where the first write put it.
    case = fresh(case)
    case.next_review_due = timezone.localdate() + dt.timedelta(days=3)
    case.save(update_fields=["next_review_due"])
    write_plan(case, approach="interventionist")
    assert fresh(case).next_review_due == timezone.localdate() + dt.timedelta(days=3)


def test_saving_the_plan_unchanged_adds_nothing_to_the_timeline():
    case = open_case()
    write_plan(case)
    write_plan(case)
    assert not events(case, "plan.changed")


def test_the_plan_bumps_the_cases_version():
    case = open_case()
    before = case.version
    write_plan(case)
    assert fresh(case).version == before + 1


def test_a_stale_plan_form_is_refused_and_nothing_changes():
    case = open_case()
    write_plan(case)
    seen = fresh(case).version
    write_plan(case, approach="mixed")  # someone else, meanwhile
    with pytest.raises(CaseConflict):
        services.plan_save(
            actor=coordinator(),
            case=fresh(case),
            data={**PLAN_DATA, "approach": "interventionist"},
            expected_version=seen,
        )
    assert SupportPlan.objects.get(case=case).approach == "mixed"


@pytest.mark.parametrize(
    "status", [CaseStatus.REFERRED, CaseStatus.SCREENING, CaseStatus.CLOSED, CaseStatus.ESCALATED]
)
def test_a_plan_is_refused_before_assessment_and_after_the_case_ends(status):
    case = open_case(status=status)
    with pytest.raises(services.PlanRefused, match="from assessment until the case ends"):
        write_plan(case)
    assert not SupportPlan.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    "status",
    [
        CaseStatus.ASSESSMENT,
        CaseStatus.AWAITING_MATCH,
        CaseStatus.MATCHED,
        CaseStatus.ACTIVE,
        CaseStatus.CLOSING,
        CaseStatus.ON_HOLD,
    ],
)
def test_a_plan_can_be_written_from_assessment_until_the_case_ends(status):
    case = open_case(status=status)
    assert write_plan(case).pk


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"approach": "shouting"}, "Select the approach"),
        ({"intended_style": 6}, "intended style"),
        ({"intended_style": 0}, "intended style"),
        ({"intended_style": True}, "intended style"),
        ({"frequency": "daily"}, "how often"),
        ({"summary": "x" * 5001}, "5000 characters"),
    ],
)
def test_plan_values_outside_the_choices_are_refused(data, message):
    case = open_case()
    with pytest.raises(services.PlanRefused, match=message):
        write_plan(case, **data)


def test_the_plan_summary_is_encrypted_in_the_database():
    case = open_case()
    plan = write_plan(case)
    stored = raw_column(SupportPlan, "summary", plan.pk)
    assert "Saturdays" not in str(stored)


# Goals -----------------------------------------------------------------------------------


def test_adding_a_goal_stores_all_five_levels_and_numbers_it():
    case, [first] = planned_case(goals=1)
    goal = add_goal(case, title="Fewer arguments at home", owner="family", weight=4)
    goal = Goal.objects.get(pk=goal.pk)
    assert goal.position == first.position + 1 == 2
    assert goal.level_plus_2 == "Attends every day and has joined a club."
    assert (goal.owner, goal.weight, goal.is_active) == ("family", 4, True)
    event = events(case, "plan.goal_added")[-1]
    assert event.summary == "Goal 2 added (owned by the family, weight 4)"
    assert "arguments" not in event.summary
    audit = AuditEvent.objects.filter(action="case.goal_add").order_by("sequence").last()
    assert audit.object_id == str(goal.pk)
    assert set(audit.changed_fields) >= {"title", "level_minus_2", "level_plus_2"}


@pytest.mark.parametrize(
    "level", ["level_minus_2", "level_minus_1", "level_0", "level_plus_1", "level_plus_2"]
)
def test_a_goal_needs_a_description_of_every_level(level):
    case, _ = planned_case(goals=0)
    with pytest.raises(services.PlanRefused, match="Enter what level"):
        add_goal(case, **{level: "   "})
    assert not Goal.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Enter the goal"),
        ({"title": "x" * 201}, "200 characters"),
        ({"owner": "police"}, "who owns"),
        ({"weight": 0}, "from 1 to 10"),
        ({"weight": 11}, "from 1 to 10"),
        ({"weight": "3"}, "whole number"),
        ({"weight": True}, "whole number"),
    ],
)
def test_goal_values_outside_the_rules_are_refused(data, message):
    case, _ = planned_case(goals=0)
    with pytest.raises(services.PlanRefused, match=message):
        add_goal(case, **data)


def test_goals_need_a_plan_first():
    case = open_case()
    with pytest.raises(services.PlanRefused, match="Write the support plan"):
        add_goal(case)


def test_changing_a_goal_names_the_changed_fields_not_their_values():
    case, [goal] = planned_case(goals=1)
    case = fresh(case)
    services.goal_change(
        actor=coordinator(),
        case=case,
        goal=goal,
        data=goal_data(title="Back to college full time", weight=1, level_0="Three days."),
        expected_version=case.version,
    )
    goal.refresh_from_db()
    assert goal.title == "Back to college full time"
    event = events(case, "plan.goal_changed")[-1]
    assert event.summary == "Goal 1 changed (title, level 0)"
    assert AuditEvent.objects.get(action="case.goal_change").changed_fields == [
        "level_0",
        "title",
    ]


def test_a_goal_of_another_case_cannot_be_changed_through_this_one():
    case, _ = planned_case(goals=1)
    _, [other_goal] = planned_case(goals=1)
    with pytest.raises(services.PlanRefused, match="not part of this case"):
        services.goal_change(
            actor=coordinator(),
            case=fresh(case),
            goal=other_goal,
            data=goal_data(title="Hijacked"),
            expected_version=None,
        )
    other_goal.refresh_from_db()
    assert other_goal.title != "Hijacked"


def test_deactivating_a_goal_keeps_it_for_history():
    case, [goal] = planned_case(goals=1)
    case = fresh(case)
    services.goal_deactivate(
        actor=coordinator(), case=case, goal=goal, expected_version=case.version
    )
    goal.refresh_from_db()
    assert goal.is_active is False
    assert events(case, "plan.goal_deactivated")[-1].summary == "Goal 1 no longer in use"
    with pytest.raises(services.PlanRefused, match="already"):
        services.goal_deactivate(
            actor=coordinator(), case=fresh(case), goal=goal, expected_version=None
        )
    with pytest.raises(services.PlanRefused, match="no longer in use"):
        services.goal_change(
            actor=coordinator(),
            case=fresh(case),
            goal=goal,
            data=goal_data(),
            expected_version=None,
        )


def test_a_stale_goal_form_is_refused():
    case, [goal] = planned_case(goals=1)
    seen = fresh(case).version
    add_goal(case)  # someone else adds a goal meanwhile
    with pytest.raises(CaseConflict):
        services.goal_change(
            actor=coordinator(),
            case=fresh(case),
            goal=goal,
            data=goal_data(title="Mine"),
            expected_version=seen,
        )


def test_goal_texts_are_encrypted_in_the_database():
    case, _ = planned_case(goals=0)
    goal = add_goal(case, title="Reconnect with his brother")
    for field in ["title", "level_minus_2", "level_0", "level_plus_2"]:
        stored = str(raw_column(Goal, field, goal.pk))
        assert "brother" not in stored
        assert "college" not in stored
