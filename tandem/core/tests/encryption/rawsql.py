"""Plain-SQL access to stored values, bypassing the fields under test."""

from __future__ import annotations

from django.db import connection


def raw_column(model, field_name: str, pk) -> object:
    """The value as stored in the database, read with plain SQL (no field conversion)."""
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field_name).column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        (value,) = cursor.fetchone()
    return value


def set_raw_column(model, field_name: str, pk, value) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field_name).column)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])
