"""The database and cache settings built from the environment."""

from config.settings.base import _database


def test_postgresql_connections_turn_jit_off():
    # At national scale the pages' many-subquery queries crossed PostgreSQL's JIT cost
    # threshold and spent 20 s compiling what runs in 0.2 s (bench/scale.py).
    config = _database("postgres://tandem@db.example:5432/tandem")
    assert "-c jit=off" in config["OPTIONS"]["options"]


def test_sqlite_is_left_without_postgresql_options():
    config = _database("sqlite:///var/tandem.sqlite3")
    assert "options" not in config["OPTIONS"]


def test_the_redis_cache_that_production_can_name_has_its_client():
    # TANDEM_REDIS_URL selects Django's Redis cache, whose client needs the redis package:
    # without it every cache read (the shared pool version, sign-in throttling) fails.
    from django.core.cache.backends.redis import RedisCache

    cache = RedisCache("redis://127.0.0.1:6379/0", {})
    assert cache._cache._pool_class.__module__.startswith("redis")
