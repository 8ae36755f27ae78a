"""The database settings built from DATABASE_URL."""

from config.settings.base import _database


def test_postgresql_connections_turn_jit_off():
    # At national scale the pages' many-subquery queries crossed PostgreSQL's JIT cost
    # threshold and spent 20 s compiling what runs in 0.2 s (bench/scale.py).
    config = _database("postgres://tandem@db.example:5432/tandem")
    assert "-c jit=off" in config["OPTIONS"]["options"]


def test_sqlite_is_left_without_postgresql_options():
    config = _database("sqlite:///var/tandem.sqlite3")
    assert "options" not in config["OPTIONS"]
