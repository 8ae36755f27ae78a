"""Other apps give people a relationship with a case through registered scopes; the
cases app names none of their models."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from conftest import create_user
from tandem.cases import permissions
from tandem.core.access import Scope

from .factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_relationships(monkeypatch):
    monkeypatch.setattr(permissions, "_relationship_scopes", {})


def test_a_scope_nobody_registered_reaches_no_case(no_relationships):
    make_case()
    mentor = create_user("mentor")
    assert permissions.cases.scope_filter(mentor, Scope.MATCHED) is None
    assert not permissions.cases.queryset(mentor, "view").exists()


def test_a_registered_scope_reaches_the_cases_it_selects(no_relationships):
    reached = make_case()
    make_case()
    permissions.register_relationship_scope(Scope.MATCHED, lambda user: Q(pk=reached.pk))
    assert list(permissions.cases.queryset(create_user("mentor"), "view")) == [reached]


def test_a_scope_is_registered_once(no_relationships):
    permissions.register_relationship_scope(Scope.MATCHED, lambda user: Q())
    with pytest.raises(ImproperlyConfigured):
        permissions.register_relationship_scope(Scope.MATCHED, lambda user: Q())
