"""PostgreSQL for the test suite: Django's own backend with a quicker flush.

Transactional tests (the browser journeys, the concurrency tests) end with a flush of
every table. Django flushes PostgreSQL with one ``TRUNCATE`` of all tables, which costs
about as much for an empty table as for a full one (each table's files are replaced):
0.6 to 1 s for Tandem's tables on an idle machine, several seconds on a busy one, after
every such test. The tables hold a few hundred rows at most by then, and ``DELETE`` of
them all, with the foreign-key checks deferred to the end of the flush's transaction,
takes milliseconds. The result is the same empty database; a flush that must also reset
the sequences keeps Django's ``TRUNCATE … RESTART IDENTITY``.

Only ``config.settings.test`` selects this backend, and only when the database is
PostgreSQL.
"""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences:
            return super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # Every foreign key Django makes on PostgreSQL is DEFERRABLE INITIALLY DEFERRED, so
        # the order of the deletes does not matter inside the flush's transaction.
        return [
            "SET CONSTRAINTS ALL DEFERRED",
            *(
                f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))}"
                for table in tables
            ),
        ]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
