"""The criterion registry is the one statement of what matching weighs: the policy's
columns, the scoring weights and the extension points matching fills agree with it."""

import pytest

from tandem.cases import permissions as case_permissions
from tandem.core.access import Scope
from tandem.matching.criteria import CONSTRAINTS, PREFERENCES
from tandem.matching.models import MatchingPolicy
from tandem.matching.permissions import cases_mentored_by, cases_of_supervisees
from tandem.matching.scoring import Weights
from tandem.matching.selectors import live_match_count
from tandem.mentors import matchability


def test_the_policy_keeps_one_weight_per_preference_with_its_default():
    weights = {
        field.name: field.default
        for field in MatchingPolicy._meta.fields
        if field.name.startswith("weight_")
    }
    assert weights == {p.weight_field: p.default_weight for p in PREFERENCES}


def test_codes_are_unique_and_every_criterion_is_worded():
    for criteria in (CONSTRAINTS, PREFERENCES):
        assert len({c.code for c in criteria}) == len(criteria)
    assert all(c.rule and c.excluded for c in CONSTRAINTS)
    assert all(p.label and p.rewards for p in PREFERENCES)


def test_weights_default_to_the_registry_and_refuse_an_unknown_preference():
    assert Weights().vector().tolist() == [p.default_weight for p in PREFERENCES]
    assert Weights(age=4).vector()[[p.code for p in PREFERENCES].index("age")] == 4
    with pytest.raises(TypeError, match="charm"):
        Weights(charm=1)


def test_matching_supplies_the_working_match_scopes_and_the_caseload():
    scopes = case_permissions._relationship_scopes
    assert scopes[Scope.MATCHED] is cases_mentored_by
    assert scopes[Scope.SUPERVISEES] is cases_of_supervisees
    assert matchability._caseload_counters == [live_match_count]
