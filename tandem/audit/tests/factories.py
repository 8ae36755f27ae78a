"""Users and events for the audit tests."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model
from django.db import connection

from tandem.audit.services import record_event

_numbers = itertools.count(1)


def create_user(*roles: str, email: str | None = None):
    n = next(_numbers)
    user = get_user_model().objects.create_user(
        email or f"audit-user-{n}@example.org", "a long test password", full_name=f"Person {n}"
    )
    for role in roles:
        user.role_grants.create(role=role)
    return user


def record_events(count: int, *, actor=None, action: str = "case.update", **kwargs) -> list:
    return [
        record_event(
            actor=actor, action=action, object_type="cases.case", object_id=str(i), **kwargs
        )
        for i in range(1, count + 1)
    ]


def drop_guards() -> None:
    """What an attacker with database access would do first."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_auditevent_no_update_delete ON audit_auditevent")
            cursor.execute("DROP TRIGGER audit_auditevent_no_truncate ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")


def execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
