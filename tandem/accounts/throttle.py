"""Sign-in throttling keyed on the account name and the client address together.

Failures from one address lock that address out of that account only, so
nobody can lock a real user out by failing to sign in as them from elsewhere.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}|{ip}".encode()).hexdigest()
    return f"tandem:login-failures:{digest}"


def client_ip(request) -> str:
    # REMOTE_ADDR is set by the application server; behind a proxy, configure the
    # proxy to overwrite it rather than trusting a client-supplied header.
    return request.META.get("REMOTE_ADDR", "")


def is_locked(username: str, ip: str) -> bool:
    return cache.get(_key(username, ip), 0) >= settings.TANDEM_LOGIN_MAX_FAILURES


def record_failure(username: str, ip: str) -> int:
    key = _key(username, ip)
    cache.add(key, 0, timeout=settings.TANDEM_LOGIN_LOCKOUT)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.TANDEM_LOGIN_LOCKOUT)
        return 1


def reset(username: str, ip: str) -> None:
    cache.delete(_key(username, ip))


def lockout_minutes() -> int:
    return max(1, settings.TANDEM_LOGIN_LOCKOUT // 60)
