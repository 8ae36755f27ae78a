"""The matching policy pages: the weights and rules in words, and changing them."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.matching.criteria import CONSTRAINTS
from tandem.matching.forms.policy import WEIGHT_FIELDS
from tandem.matching.models import MatchingPolicy
from tandem.matching.scoring import EXCLUSIONS
from tandem.mentors.models import AccreditationLevel

pytestmark = pytest.mark.django_db

VIEW = reverse("matching:policy")
EDIT = reverse("matching:policy_edit")


@pytest.fixture
def coordinator(make_user, signed_in):
    user = make_user("coordinator")
    signed_in(user)
    return user


def posted(policy: MatchingPolicy, **changes) -> dict:
    """The edit form as it would be sent unchanged, with ``changes``."""
    data = {name: getattr(policy, name) for name in WEIGHT_FIELDS}
    for name in ("priority_min_level", "urgent_min_level", "high_risk_min_level"):
        data[name] = getattr(policy, f"{name}_id") or ""
    data["few_feasible"] = policy.few_feasible
    data.update(changes)
    return data


def test_every_hard_constraint_has_words():
    assert tuple(c.code for c in CONSTRAINTS if c.rule) == EXCLUSIONS


def test_policy_page_shows_weights_rules_and_constraints(client, coordinator):
    policy = MatchingPolicy.load()
    response = client.get(VIEW)
    assert response.status_code == 200
    html = response.content.decode()
    rows = {row["criterion"]: row for row in response.context["weights"]}
    assert rows["specialism"]["weight"] == policy.weight_specialism
    assert sum(row["points"] for row in rows.values()) == pytest.approx(1000, abs=5)
    assert "Specialism fit" in html and "Weight 5" in html
    assert "Shared language" in html and "Workload" in html
    assert policy.urgent_min_level.name in html
    assert "No minimum" in html  # no level for priority cases by default
    assert "2 or fewer" in html
    for constraint in CONSTRAINTS:
        assert escape(constraint.rule) in html
    assert "Not changed since the scheme started" in html
    assert EDIT in html


def test_administrators_may_view_and_change(client, signed_in):
    signed_in(create_user("administrator"))
    assert client.get(VIEW).status_code == 200
    assert client.get(EDIT).status_code == 200


@pytest.mark.parametrize("role", ["mentor", "referrer", "supervisor"])
def test_others_are_refused(client, signed_in, role):
    signed_in(create_user(role))
    policy = MatchingPolicy.load()
    assert client.get(VIEW).status_code == 403
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT, posted(policy, weight_age=9)).status_code == 403
    policy.refresh_from_db()
    assert policy.weight_age == 1


def test_a_weight_above_ten_is_refused_keeping_the_input(client, coordinator):
    policy = MatchingPolicy.load()
    response = client.post(EDIT, posted(policy, weight_language=11, weight_faith=7))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The shared language weight must be 10 or less" in html
    assert 'href="#id_weight_language"' in html  # the error summary links to the field
    assert 'value="7"' in html  # nothing typed is lost
    policy.refresh_from_db()
    assert (policy.weight_language, policy.weight_faith) == (3, 2)


def test_a_weight_that_is_not_a_number_or_missing_is_refused(client, coordinator):
    policy = MatchingPolicy.load()
    html = client.post(EDIT, posted(policy, weight_age="lots", weight_workload="")).content
    assert "The age weight must be a whole number" in html.decode()
    assert "Enter the workload weight" in html.decode()


def test_all_weights_at_zero_is_refused(client, coordinator):
    policy = MatchingPolicy.load()
    response = client.post(EDIT, posted(policy, **dict.fromkeys(WEIGHT_FIELDS, 0)))
    assert response.status_code == 200
    assert "Give at least one criterion a weight above 0" in response.content.decode()
    policy.refresh_from_db()
    assert policy.weight_specialism == 5


def test_saving_changes_records_who_and_what(client, coordinator):
    policy = MatchingPolicy.load()
    senior = AccreditationLevel.objects.order_by("-rank").first()
    response = client.post(
        EDIT,
        posted(policy, weight_age=0, weight_continuity=9, priority_min_level=senior.pk),
    )
    assert response.status_code == 302 and response["Location"] == VIEW
    policy.refresh_from_db()
    assert (policy.weight_age, policy.weight_continuity) == (0, 9)
    assert policy.priority_min_level == senior
    assert policy.updated_by == coordinator
    event = AuditEvent.objects.get(action="matching.policy_change")
    assert event.actor == coordinator
    assert sorted(event.changed_fields) == [
        "priority_min_level",
        "weight_age",
        "weight_continuity",
    ]
    html = client.get(VIEW).content.decode()
    assert f"by {coordinator.full_name}" in html
    assert "Weight 0: not counted" in html


def test_removing_a_level_and_changing_the_gap_threshold(client, coordinator):
    policy = MatchingPolicy.load()
    assert policy.urgent_min_level is not None
    client.post(EDIT, posted(policy, urgent_min_level="", few_feasible=5))
    policy.refresh_from_db()
    assert policy.urgent_min_level is None and policy.few_feasible == 5
    response = client.post(EDIT, posted(policy, few_feasible=51))
    assert "must be 50 or less" in response.content.decode()


def test_saving_nothing_changed_records_nothing(client, coordinator):
    policy = MatchingPolicy.load()
    response = client.post(EDIT, posted(policy))
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="matching.policy_change").exists()
    policy.refresh_from_db()
    assert policy.updated_by is None
