"""bench/scale.py's builder at a tiny size: the counts it promises, an audit chain that
verifies, and every page it measures answering its role. Keeps the benchmark from rotting
when models or URLs change."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import sign_in

SCALE = Path(__file__).resolve().parent.parent / "bench" / "scale.py"
TINY = {"cases": 320, "mentors": 10, "sessions": 5_000, "audit_events": 1_000}


def load_scale():
    spec = importlib.util.spec_from_file_location("bench_scale", SCALE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scale():
    return load_scale()


@pytest.fixture
def built(db, scale, settings):
    settings.TANDEM_DATA_KEY_CACHE_SIZE = 4096
    builder = scale.Builder(TINY, log=lambda line: None)
    builder.build()
    return builder


def test_the_builder_makes_what_it_says_and_every_measured_page_answers(built, scale, client):
    from tandem.accounts.models import User
    from tandem.audit.models import AuditEvent
    from tandem.audit.selectors import verify_chain
    from tandem.cases.models import Case
    from tandem.matching.models import Match
    from tandem.meetings.models import Claim, Session
    from tandem.mentors.models import Mentor

    assert Case.objects.count() == TINY["cases"]
    assert Session.objects.count() == TINY["sessions"]
    assert Mentor.objects.filter(user__isnull=True).count() >= TINY["mentors"]
    assert built.counts["audit events"] == TINY["audit_events"]
    assert AuditEvent.objects.count() >= TINY["audit_events"]
    # Every case in support has its live match; closed ones an ended match.
    assert not Case.objects.filter(status="active").exclude(matches__status="active").exists()
    assert Match.objects.filter(status="ended").exists()
    assert Session.objects.filter(status="held").exists()
    assert Claim.objects.filter(status="submitted").exists() or built.counts["claims"] == 0
    # The bulk-loaded chain links to what was recorded afterwards, end to end.
    result = verify_chain()
    assert result.intact, str(result)
    assert result.events == AuditEvent.objects.count()

    # Every page the benchmark measures answers its role.
    failed = []
    for _kind, name, role, url in scale.pages():
        user = (
            User.objects.filter(role_grants__role=role, email__endswith="@tandem.example")
            .order_by("pk")
            .first()
        )
        client.logout()
        sign_in(client, user)
        status = client.get(url).status_code
        if status != 200:
            failed.append(f"{name} ({role}): {status}")
    assert not failed, failed


def test_sizes_scale_down_but_not_below_the_demo_data(scale):
    assert scale.sizes_for(1.0) == scale.NATIONAL
    small = scale.sizes_for(scale.SMALL_FACTOR)
    assert small == {"cases": 500, "mentors": 50, "sessions": 10_000, "audit_events": 100_000}
    assert scale.sizes_for(0.0001)["cases"] == scale.MINIMUM["cases"]
