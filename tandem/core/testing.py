"""Helpers for tests that need real concurrency (PostgreSQL): each attempt in its own
thread and database connection, all released at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def simultaneously(*attempts: Callable) -> list:
    """Run ``attempts`` at once, each in its own thread (so its own connection); return
    what each returned, or the exception it raised, in order."""
    barrier = threading.Barrier(len(attempts))
    values: list = [None] * len(attempts)

    def run(i, attempt):
        try:
            barrier.wait(timeout=10)
            try:
                values[i] = attempt()
            except Exception as error:
                values[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return values
