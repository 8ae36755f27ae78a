"""``/healthz``: may a load balancer send this process requests?

Three things must hold: the database answers, the encryption keys are loaded, and no
migration is waiting to be applied. The answer is a small JSON body that names which of
those failed and nothing else; the reason itself goes to the log.
"""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from .decorators import mfa_not_required
from .encryption.exceptions import KeyConfigurationError
from .encryption.keys import get_keyring

logger = logging.getLogger(__name__)

# Once every migration is applied it stays so until new code (and so a restart) arrives;
# remembering it spares each probe from loading the migration graph.
_migrations_seen_applied = False


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health: the database did not answer", exc_info=True)
        return False
    return True


def keys_loaded() -> bool:
    try:
        ring = get_keyring()
        ring.current_kek  # noqa: B018 - raises when no current key is configured
        ring.require_blind_index_key()
    except KeyConfigurationError as exc:
        logger.warning("health: encryption keys are not loaded: %s", exc)
        return False
    return True


def migrations_applied() -> bool:
    global _migrations_seen_applied
    if _migrations_seen_applied:
        return True
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        logger.warning("health: the migration state could not be read", exc_info=True)
        return False
    if plan:
        logger.warning("health: %d migration(s) not applied", len(plan))
        return False
    _migrations_seen_applied = True
    return True


def forget_migration_state() -> None:
    """For tests: look at the migrations again on the next probe."""
    global _migrations_seen_applied
    _migrations_seen_applied = False


CHECKS = (
    ("database", database_reachable),
    ("keys", keys_loaded),
    ("migrations", migrations_applied),
)


def failing_checks() -> list[str]:
    failed: list[str] = []
    for name, check in CHECKS:
        if name == "migrations" and "database" in failed:
            failed.append(name)  # cannot be known without the database
            continue
        if not check():
            failed.append(name)
    return failed


@login_not_required
@mfa_not_required
@require_GET
def healthz(request):
    failed = failing_checks()
    if failed:
        response = JsonResponse({"status": "unavailable", "failed": failed}, status=503)
    else:
        response = JsonResponse({"status": "ok"})
    add_never_cache_headers(response)
    return response
