"""Make the audit table append-only in the database itself, and create the chain head.

SQLite and PostgreSQL get triggers that refuse UPDATE and DELETE (and, on
PostgreSQL, TRUNCATE of a non-empty table). Other databases get no trigger: the
hash chain and ``audit_verify`` still detect tampering there.

The SQL is frozen here on purpose rather than imported, so that this migration
keeps meaning the same thing whatever the code becomes.

Note for later migrations: on SQLite, Django alters a table by rebuilding it,
which drops its triggers. A migration that alters ``audit_auditevent`` must
install these triggers again (tests that expect UPDATE/DELETE to fail catch it).
"""

from django.db import migrations

TABLE = "audit_auditevent"

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update
    BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete
    BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete;",
]

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$;
    """,
    # Refusing TRUNCATE only while rows exist keeps every event safe and still lets
    # the test runner flush an empty table between transactional tests.
    f"""
    CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM {TABLE}) THEN
            RAISE EXCEPTION 'audit events are append-only: TRUNCATE refused on %', TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END;
    $$;
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
    """,
    f"""
    CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
    """,
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON {TABLE};",
    f"DROP TRIGGER IF EXISTS audit_auditevent_no_update_delete ON {TABLE};",
    "DROP FUNCTION IF EXISTS audit_refuse_truncate();",
    "DROP FUNCTION IF EXISTS audit_refuse_change();",
]

INSTALL = {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRESQL_INSTALL}
REMOVE = {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRESQL_REMOVE}


def install_guards(apps, schema_editor):
    for statement in INSTALL.get(schema_editor.connection.vendor, []):
        # params=None: the SQL contains literal % signs that are not placeholders.
        schema_editor.execute(statement, params=None)


def remove_guards(apps, schema_editor):
    for statement in REMOVE.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def create_head(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditChainHead.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"sequence": 0, "hash": "0" * 64}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(install_guards, remove_guards),
    ]
