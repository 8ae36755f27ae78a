"""Fixtures shared by every test package."""

from __future__ import annotations

import itertools

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tandem.accounts.models import RoleGrant, User
from tandem.accounts.session_keys import REAUTH_SESSION_KEY

# Lets transactional tests (browser tests) flush a database that holds audit events.
pytest_plugins = ["tandem.audit.testing"]

_counter = itertools.count(1)

# Pages the browser tests checked with axe-core, from this process and any xdist workers.
AXE_PAGES_CHECKED: set[str] = set()


def pytest_testnodedown(node, error):
    AXE_PAGES_CHECKED.update(node.workeroutput.get("axe_pages_checked", ()))


def pytest_terminal_summary(terminalreporter):
    from tests.e2e.conftest import PAGES_CHECKED

    pages = AXE_PAGES_CHECKED | PAGES_CHECKED
    if pages:
        terminalreporter.write_line(
            f"axe-core (WCAG 2.2 A/AA) found no violation on {len(pages)} distinct pages: "
            + ", ".join(sorted(pages))
        )


def create_user(
    *roles: str,
    email: str | None = None,
    password: str = "correct horse battery",
    mfa: bool = True,
    **extra,
) -> User:
    n = next(_counter)
    user = User.objects.create_user(
        email=email or f"user{n}@example.org",
        password=password,
        full_name=extra.pop("full_name", f"Test User {n}"),
        **extra,
    )
    RoleGrant.objects.bulk_create(RoleGrant(user=user, role=role) for role in roles)
    if mfa:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def sign_in(client, user: User, *, reauthenticated: bool = False):
    """Sign ``client`` in as ``user`` with a verified second factor, as the real flow does."""
    import time

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    if reauthenticated:
        session[REAUTH_SESSION_KEY] = time.time()
    session.save()
    return client


@pytest.fixture
def make_user(db):
    return create_user


@pytest.fixture
def signed_in(client):
    def _sign_in(user, **kwargs):
        return sign_in(client, user, **kwargs)

    return _sign_in


@pytest.fixture(autouse=True)
def _no_kept_pool():
    """A test's database is rolled back at its end, which no write reports: the mentor
    pool matching keeps between requests must not outlive it."""
    from tandem.matching import poolcache

    poolcache.forget()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: figures kept by one test (the board's
    dashboard, the analytics) must not be read by the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_configuration(request):
    """Transactional tests (browser tests, threaded tests) end by emptying every table,
    the scheme's configuration included; put the defaults back before each such test,
    as the migrations first created them."""
    from tandem.audit.testing import _is_transactional

    if _is_transactional(request):
        request.getfixturevalue("_django_db_helper")
        # The flush that ended the previous such test deleted every data key, but the
        # process-wide cache may still hold some: demo data uses the same subjects in
        # every test, so a cached key would be used with no row behind it.
        from tandem.core.encryption import datakeys

        datakeys.cache.clear()
        from tandem.assessments.defaults import install as install_framework
        from tandem.catalogues.defaults import install as install_catalogues
        from tandem.matching.defaults import install as install_matching_policy
        from tandem.meetings.defaults import install as install_meetings
        from tandem.mentors.defaults import install as install_register
        from tandem.outcomes.defaults import install as install_instruments
        from tandem.privacy.defaults import install as install_privacy
        from tandem.privacy.defaults import install_retention
        from tandem.safeguarding.defaults import install as install_safeguarding
        from tandem.supervision.defaults import install as install_supervision

        install_catalogues()
        install_register()
        install_framework()
        install_matching_policy()
        install_meetings()
        install_safeguarding()
        install_supervision()
        install_instruments()
        install_privacy()
        install_retention()
    yield
