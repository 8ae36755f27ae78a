"""Test support: let the test runner flush a database that holds audit events.

Transactional tests (``transactional_db``, ``live_server``,
``django_db(transaction=True)``) end with a flush of every table. The audit
table refuses to lose rows, so the flush fails once a test has recorded an event.
The ``empty_audit_log_before_flush`` fixture empties the table first, lifting the
guards for that one statement only. Register it for the whole suite with
``from tandem.audit.testing import empty_audit_log_before_flush`` in a conftest
(pytest fixtures are picked up by name, autouse included), or load this module as
a plugin (``pytest_plugins`` in the root conftest, or ``-p tandem.audit.testing``).
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import DEFAULT_DB_ALIAS, connections, transaction

TRANSACTIONAL_FIXTURES = ("transactional_db", "live_server", "django_db_reset_sequences")


def empty_audit_log(using: str = DEFAULT_DB_ALIAS) -> None:
    """Delete every audit event and reset the chain head. For test databases only."""
    from .models import GENESIS_HASH, AuditChainHead, AuditEvent  # Django may not be set up yet

    if not hasattr(mail, "outbox"):
        # Django's test environment sets mail.outbox; outside tests this must never run.
        raise RuntimeError("The audit log can only be emptied in a test run.")
    connection = connections[using]
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's own table
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [AuditEvent._meta.db_table],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's own table
            for _name, sql in triggers:
                cursor.execute(sql)
        else:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's own table
        AuditChainHead.objects.using(using).update(sequence=0, hash=GENESIS_HASH)


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return any(name in request.fixturenames for name in TRANSACTIONAL_FIXTURES)


@pytest.fixture(autouse=True)
def empty_audit_log_before_flush(request):
    if not _is_transactional(request):
        yield
        return
    # Set the database up first, so that this teardown runs before its flush.
    request.getfixturevalue("_django_db_helper")
    yield
    marker = request.node.get_closest_marker("django_db")
    databases = (marker.kwargs.get("databases") if marker else None) or [DEFAULT_DB_ALIAS]
    aliases = connections if databases == "__all__" else databases
    for alias in aliases:
        empty_audit_log(using=alias)
