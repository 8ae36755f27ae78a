"""The database itself refuses to change or remove audit events, whatever the caller."""

import pytest
from django.db import DatabaseError, connection, transaction

from tandem.audit.models import AuditEvent

from .factories import execute, record_events

pytestmark = pytest.mark.django_db


def refused(sql: str) -> bool:
    try:
        with transaction.atomic():  # a savepoint, so PostgreSQL can carry on afterwards
            execute(sql)
    except DatabaseError as error:
        assert "append-only" in str(error)
        return True
    return False


def test_update_is_refused():
    record_events(2)
    assert refused("UPDATE audit_auditevent SET reason = 'rewritten' WHERE sequence = 1")
    assert refused("UPDATE audit_auditevent SET sequence = sequence + 10")
    assert not AuditEvent.objects.filter(reason="rewritten").exists()


def test_delete_is_refused():
    record_events(2)
    assert refused("DELETE FROM audit_auditevent WHERE sequence = 2")
    assert refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 2


def test_insert_is_allowed():
    # Appending is what the log is for; forged inserts are the chain's job to expose.
    assert record_events(1)[0].pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused_while_events_exist():
    record_events(1)
    # Django's foreign keys are deferred; PostgreSQL will not truncate with checks pending.
    execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert refused("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_of_an_empty_table_is_allowed_so_test_flushes_work():
    assert not refused("TRUNCATE audit_auditevent")
