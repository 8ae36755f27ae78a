"""Benchmark: Tandem at national scale on PostgreSQL.

    uv run python bench/scale.py                  # 50,000 cases, 5,000 mentors, 1,000,000
                                                  # sessions, 10,000,000 audit events
    uv run python bench/scale.py --small          # a hundredth of that: about a minute
    uv run python bench/scale.py --factor 0.2     # a fifth of the national size
    uv run python bench/scale.py --rebuild        # drop and build the databases again
    uv run python bench/scale.py --build-only     # build (or keep) the databases, measure nothing

Builds two databases of its own on the PostgreSQL server named by ``DATABASE_URL``
(default postgres://postgres@127.0.0.1:5432): ``tandem_scale_<cases>`` at the chosen
size and a baseline a hundred times smaller. Each is migrated, given the demo data (an
account for every role, with something in every queue) and then loaded in bulk: mentors
with full profiles, cases at every stage with their matches, sessions (held, missed,
cancelled, planned), claims, and an audit log whose hash chain is valid end to end.
A database that is already built is kept and measured again (``--rebuild`` drops it).

Then every list, workspace, queue and dashboard page a coordinator, mentor, supervisor,
safeguarding lead, referrer, board member, evaluator, data protection officer and
administrator opens daily is requested through Django's test client, signed in with a
second factor as that role: the query count in both databases (they must be equal),
the median and 95th percentile over ``--runs`` requests at the chosen size, and the
ratio to a trivial signed-in page measured in the same run. Last, ``manage.py
audit_verify`` over the whole log and ``manage.py export_evaluation`` over every case,
each in a process of its own, with wall-clock time and peak memory (maximum resident
set size). Not a test: nothing here fails a build. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import hashlib
import json
import logging
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

NATIONAL = {"cases": 50_000, "mentors": 5_000, "sessions": 1_000_000, "audit_events": 10_000_000}
SMALL_FACTOR = 0.01
BASELINE_DIVISOR = 100  # the baseline database is this many times smaller
# Never smaller than this: the demo data alone has 287 cases and about 3,600 sessions
# (its three years of history included).
MINIMUM = {"cases": 400, "mentors": 30, "sessions": 6_000, "audit_events": 30_000}
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
INFO_TABLE = "bench_scale_info"

# Targets (issues 11 and 13).
LIST_P95_MS = 300
SUGGESTIONS_P95_MS = 200
DASHBOARD_MS = 2_000
EXPORT_SECONDS = 60

# Where cases are: shares of every case, by status (closed cases dominate a mature scheme).
CASE_STATUS_SHARE = {
    "referred": 0.02, "screening": 0.02, "assessment": 0.02, "awaiting_match": 0.03,
    "matched": 0.02, "active": 0.22, "closing": 0.02, "closed": 0.55, "not_suitable": 0.05,
    "consent_declined": 0.02, "escalated": 0.02, "on_hold": 0.01,
}  # fmt: skip
LIVE_CASE_STATUSES = ("matched", "active", "closing", "on_hold")
CLOSURE_OUTCOMES = ["completed"] * 5 + ["partial"] * 3 + ["disengaged"] * 2 + ["moved"]
AUDIT_ACTIONS = [  # (action, object type, changed fields): what a scheme's log is made of
    ("cases.case.view", "cases.case", []),
    ("cases.case.view", "cases.case", []),
    ("cases.case.view", "cases.case", []),
    ("meetings.session.view", "meetings.session", []),
    ("meetings.session.create", "meetings.session", ["starts_at", "place_type"]),
    ("meetings.session.record", "meetings.session", ["status", "summary", "private_notes"]),
    ("cases.case.update", "cases.case", ["status"]),
    ("mentors.mentor.view", "mentors.mentor", []),
    ("accounts.user.login", "accounts.user", []),
    ("matching.match.view", "matching.match", []),
]


AUDIT_FIELDS = (
    "sequence", "occurred_at", "actor_id", "actor_label", "role", "action", "object_type",
    "object_id", "request_id", "changed_fields", "prev_hash", "hash",
)  # fmt: skip


def sizes_for(factor: float) -> dict[str, int]:
    return {name: max(MINIMUM[name], round(n * factor)) for name, n in NATIONAL.items()}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--factor", type=float, default=1.0, help="size as a share of the national size"
    )
    parser.add_argument(
        "--small", action="store_true", help=f"the same as --factor {SMALL_FACTOR} (quick)"
    )
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the databases")
    parser.add_argument("--build-only", action="store_true", help="build, do not measure")
    parser.add_argument(
        "--no-commands", action="store_true", help="skip audit_verify and export_evaluation"
    )
    parser.add_argument("--pages", default="", help="measure only pages whose name has this")
    # Internal: the parent process runs each database's work in a child of its own.
    parser.add_argument("--child", choices=["build", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--sizes-json", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.small:
        args.factor = SMALL_FACTOR
    return args


# --- databases -----------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", DEFAULT_SERVER)
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("bench/scale.py needs PostgreSQL: set DATABASE_URL to a postgres:// server.")
    return url


def database_url(name: str) -> str:
    parts = urlsplit(server_url())
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def database_name(sizes: dict[str, int]) -> str:
    return f"tandem_scale_{sizes['cases']}"


def _admin_connection():
    import psycopg

    return psycopg.connect(database_url("postgres"), autocommit=True)


def database_state(name: str) -> dict | None:
    """The build record of database ``name``, or None when it is missing or unfinished."""
    import psycopg

    with _admin_connection() as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return None
    with psycopg.connect(database_url(name)) as conn:
        found = conn.execute("SELECT to_regclass(%s)", [INFO_TABLE]).fetchone()[0]
        if not found:
            return None
        row = conn.execute(f"SELECT value FROM {INFO_TABLE} WHERE key = 'build'").fetchone()
        return json.loads(row[0]) if row else None


def drop_database(name: str) -> None:
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_database(name: str) -> None:
    drop_database(name)
    with _admin_connection() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')


def run_child(kind: str, name: str, sizes: dict, args, out: Path | None = None) -> None:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        kind,
        "--sizes-json",
        json.dumps(sizes),
        "--runs",
        str(args.runs),
        "--pages",
        args.pages,
    ]
    if out is not None:
        command += ["--out", str(out)]
    env = {**os.environ, "DATABASE_URL": database_url(name)}
    subprocess.run(command, env=env, check=True)


def timed_command(name: str, manage_args: list[str]) -> tuple[float, float, int, str]:
    """Run ``manage.py`` in a child process: (seconds, peak resident MB, exit code, output)."""
    env = {**os.environ, "DATABASE_URL": database_url(name)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *manage_args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, process.returncode, output.strip()


# --- the builder ---------------------------------------------------------------------------


class Builder:
    """Loads a migrated database in bulk up to ``sizes``; ``timings`` says how long each
    table took. Works on the default connection (PostgreSQL COPY for the audit log, plain
    bulk_create elsewhere and on SQLite, which the builder's test uses)."""

    def __init__(self, sizes: dict[str, int], *, seed: int = 2026, log=print):
        from django.utils import timezone

        self.sizes = sizes
        self.rng = random.Random(seed)
        self.log = log
        self.now = timezone.now()
        self.timings: dict[str, float] = {}
        self.counts: dict[str, int] = {}

    def step(self, name: str, action) -> None:
        started = time.perf_counter()
        count = action()
        self.timings[name] = time.perf_counter() - started
        self.counts[name] = count
        self.log(f"  {name}: {count:,} rows in {self.timings[name]:.1f} s")

    def build(self) -> None:
        from django.conf import settings

        from tandem.site.demo.accounts import ensure_demo_users

        # Every unwrapped data key stays in this process for the whole build.
        settings.TANDEM_DATA_KEY_CACHE_SIZE = 4 * self.sizes["cases"] + 4 * self.sizes["mentors"]
        settings.TANDEM_DATA_KEY_CACHE_SECONDS = 24 * 3600
        self.step("demo accounts", ensure_demo_users)
        # The bulk of the log comes first, so that its times run before everything the
        # demo data and the measurements record afterwards.
        self.step("audit events", self.audit_events)
        self.step("demo data", self.demo_data)
        self.step("mentors", self.mentors)
        self.step("cases", self.cases)
        self.step("matches", self.matches)
        self.step("sessions", self.sessions)
        self.step("claims", self.claims)

    def demo_data(self) -> int:
        """An account for every role and something in every queue; returns the cases."""
        from django.core.management import call_command

        from tandem.cases.models import Case

        with open(os.devnull, "w") as quiet:
            call_command("demo_data", stdout=quiet)
        return Case.objects.count()

    # -- audit log

    def audit_events(self) -> int:
        from django.db import connection, transaction

        from tandem.accounts.models import User
        from tandem.audit.models import HEAD_ID, AuditChainHead, AuditEvent

        users = list(User.objects.order_by("pk"))
        actors = [(u.pk, u.email, "+".join(sorted(u.roles))) for u in users] + [(None, "", "")]
        head, _ = AuditChainHead.objects.get_or_create(pk=HEAD_ID)
        sequence, prev = head.sequence, head.hash
        total = self.sizes["audit_events"]
        start = self.now - dt.timedelta(days=3 * 365)
        step_us = int((self.now - dt.timedelta(days=1) - start).total_seconds() * 1e6 / total)
        rng = self.rng
        object_ids = max(self.sizes["cases"], 10)
        dumps, sha256 = json.dumps, hashlib.sha256
        pg = connection.vendor == "postgresql"
        table = AuditEvent._meta.db_table
        dropped = self._drop_indexes(table) if pg else []
        chunk = 100_000
        written = 0
        try:
            while written < total:
                rows = []
                for _ in range(min(chunk, total - written)):
                    sequence += 1
                    written += 1
                    actor, label, role = actors[rng.randrange(len(actors))]
                    action, object_type, changed = AUDIT_ACTIONS[rng.randrange(len(AUDIT_ACTIONS))]
                    at = start + dt.timedelta(microseconds=written * step_us)
                    object_id = str(rng.randrange(1, object_ids))
                    request_id = f"{sequence:032x}"
                    payload = {
                        "sequence": sequence,
                        "occurred_at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                        "actor": actor,
                        "actor_label": label,
                        "role": role,
                        "action": action,
                        "object_type": object_type,
                        "object_id": object_id,
                        "reason": "",
                        "request_id": request_id,
                        "changed_fields": changed,
                    }
                    canonical = dumps(payload, sort_keys=True, separators=(",", ":"))
                    digest = sha256(prev.encode() + canonical.encode("ascii")).hexdigest()
                    rows.append(
                        (sequence, at, actor, label, role, action, object_type, object_id,
                         request_id, changed, prev, digest)
                    )  # fmt: skip
                    prev = digest
                with transaction.atomic():
                    if pg:
                        self._copy_audit(table, rows)
                    else:
                        AuditEvent.objects.bulk_create(
                            [
                                AuditEvent(**dict(zip(AUDIT_FIELDS, row, strict=True)))
                                for row in rows
                            ],
                            batch_size=1000,
                        )
                    AuditChainHead.objects.filter(pk=HEAD_ID).update(sequence=sequence, hash=prev)
                if written % 1_000_000 < chunk:
                    self.log(f"    {written:,} audit events")
        finally:
            self._restore_indexes(dropped)
        return written

    @staticmethod
    def _copy_audit(table: str, rows) -> None:
        from django.db import connection

        columns = (
            "sequence, occurred_at, actor_id, actor_label, role, action, object_type, object_id, "
            "reason, request_id, changed_fields, prev_hash, hash"
        )
        lines = []
        for seq, at, actor, label, role, action, otype, oid, rid, changed, prev, digest in rows:
            actor_text = r"\N" if actor is None else str(actor)
            lines.append(
                f"{seq}\t{at.isoformat()}\t{actor_text}\t{label}\t{role}\t{action}\t{otype}\t"
                f"{oid}\t\t{rid}\t{json.dumps(changed)}\t{prev}\t{digest}\n"
            )
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            copy.write("".join(lines))

    @staticmethod
    def _drop_indexes(table: str) -> list[tuple[str, str]]:
        """Drop the table's plain (non-unique) indexes for the load; rebuilt afterwards,
        which is several times faster than keeping them up to date row by row."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
                [table],
            )
            found = cursor.fetchall()
            for name, _ in found:
                cursor.execute(f'DROP INDEX "{name}"')
        return found

    @staticmethod
    def _restore_indexes(dropped) -> None:
        from django.db import connection

        if not dropped:  # nothing was dropped (SQLite)
            return
        with connection.cursor() as cursor:
            # Django's foreign keys are deferred: inside a transaction (the tiny build's
            # test) the rows just loaded leave their checks pending, and PostgreSQL
            # refuses to build an index on a table with pending trigger events.
            if connection.in_atomic_block:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _, definition in dropped:
                cursor.execute(definition)
            if connection.in_atomic_block:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    # -- mentors, cases, matches

    def mentors(self) -> int:
        from matching_pages import Data

        from tandem.mentors.models import Mentor

        self.data = Data()
        self.data.rng = self.rng
        self.data.grow_to(self.sizes["mentors"])
        self.pool = list(Mentor.objects.filter(status="active", user__isnull=True).only("pk"))
        return self.sizes["mentors"]

    def cases(self) -> int:
        from tandem.cases.models import Case

        rng, now = self.rng, self.now
        wanted = self.sizes["cases"] - Case.objects.count()
        statuses = list(CASE_STATUS_SHARE)
        weights = list(CASE_STATUS_SHARE.values())
        created = 0
        self.new_cases = []
        for start in range(0, wanted, 5_000):
            needs = []
            for _ in range(min(5_000, wanted - start)):
                status = rng.choices(statuses, weights)[0]
                received = now - dt.timedelta(days=rng.randint(1, 3 * 365))
                fields = {
                    "status": status,
                    "received_at": received,
                    "urgency": rng.choice(["routine"] * 7 + ["priority"] * 2 + ["urgent"]),
                    "area": rng.choice(self.data.areas) if rng.random() < 0.95 else None,
                }
                if status == "closed":
                    fields["closure_outcome"] = rng.choice(CLOSURE_OUTCOMES)
                    fields["closed_at"] = received + dt.timedelta(days=rng.randint(60, 400))
                if status == "on_hold":
                    fields["status_before_hold"] = "active"
                if status in ("active", "matched", "closing", "on_hold"):
                    due = now + dt.timedelta(days=rng.randint(-20, 90))
                    fields["next_review_due"] = due.date()
                needs.append(fields)
            batch = self.data._cases(needs, "referred")
            self.new_cases += [(case.pk, case.status, case.received_at) for case in batch]
            created += len(batch)
        return created

    def matches(self) -> int:
        from tandem.cases.models import Case
        from tandem.matching.models import Match

        rng, by = self.rng, self.data.coordinator
        pool = self.pool
        rows = []
        for pk, status, received in self.new_cases:
            if status not in (*LIVE_CASE_STATUSES, "closed"):
                continue
            proposed = received + dt.timedelta(days=rng.randint(10, 40))
            live = status != "closed"
            rows.append(
                Match(
                    case_id=pk,
                    mentor_id=pool[rng.randrange(len(pool))].pk,
                    status="active" if live else "ended",
                    score=rng.randint(300, 950),
                    proposed_by=by,
                    proposed_at=proposed,
                    responded_at=proposed + dt.timedelta(days=2),
                    started_at=proposed + dt.timedelta(days=7),
                    first_meeting_at=proposed + dt.timedelta(days=7),
                    ended_at=None if live else proposed + dt.timedelta(days=rng.randint(60, 300)),
                    end_reason="" if live else "completed",
                    ended_by=None if live else by,
                )
            )
        cases = Case.objects.in_bulk([m.case_id for m in rows])
        for match in rows:  # the encrypted fields' key comes from the case
            match.case = cases[match.case_id]
        for start in range(0, len(rows), 5_000):
            Match.objects.bulk_create(rows[start : start + 5_000], batch_size=1_000)
        return len(rows)

    def sessions(self) -> int:
        from django.db import transaction

        from tandem.matching.models import Match
        from tandem.meetings.models import PlaceType, Session
        from tandem.meetings.services.contact import contact_summary_refresh

        rng, now, by = self.rng, self.now, self.data.coordinator
        places = list(PlaceType.objects.filter(is_active=True))
        matches = list(
            Match.objects.filter(status__in=["active", "ended"], sessions__isnull=True)
            .select_related("case")
            .only("pk", "case__record_uuid", "case_id", "mentor_id", "status")
            .order_by("pk")
        )
        wanted = self.sizes["sessions"] - Session.objects.count()
        per_match = wanted / max(len(matches), 1)
        created, batch, owed = 0, [], 0.0
        for index, match in enumerate(matches):
            owed += per_match
            n = int(owed) if index < len(matches) - 1 else wanted - created
            owed -= n
            if n <= 0:
                continue
            live = match.status == "active"
            # An ended match's sessions lie in the past; a live one's run up to next week.
            back = 7 * n + rng.randint(0, 300) if not live else 7 * (n - 1) - rng.randint(1, 6)
            first = now - dt.timedelta(days=back)
            for k in range(n):
                starts = first + dt.timedelta(days=7 * k, hours=rng.randint(0, 8))
                planned = starts > now
                roll = rng.random()
                status = (
                    "planned" if planned
                    else "held" if roll < 0.8
                    else "did_not_attend" if roll < 0.9
                    else "cancelled"
                )  # fmt: skip
                held = status == "held"
                batch.append(
                    Session(
                        match_id=match.pk,
                        case=match.case,
                        mentor_id=match.mentor_id,
                        status=status,
                        is_first=k == 0,
                        starts_at=starts,
                        duration_minutes=rng.choice([45, 60, 60, 90]),
                        travel_minutes=rng.choice([0, 15, 30]),
                        place_type=places[rng.randrange(len(places))],
                        approach=rng.choice(["befriending", "interventionist", "mixed"])
                        if held
                        else "",
                        style=rng.randint(1, 5) if held else None,
                        engagement=rng.randint(1, 5) if held else None,
                        trust=rng.randint(1, 5) if held else None,
                        cancelled_by=rng.choice(["person", "mentor"])
                        if status == "cancelled"
                        else "",
                        created_by=by,
                        created_at=starts - dt.timedelta(days=7),
                        recorded_by=by if not planned else None,
                        recorded_at=starts + dt.timedelta(hours=3) if not planned else None,
                    )
                )
            created += n
            if len(batch) >= 20_000:
                with transaction.atomic():
                    Session.objects.bulk_create(batch, batch_size=2_000)
                batch = []
                if created % 200_000 < n + 20_000:
                    self.log(f"    {created:,} sessions")
        if batch:
            with transaction.atomic():
                Session.objects.bulk_create(batch, batch_size=2_000)
        # Bulk inserts send no signals: the contact summaries are derived once at the end.
        contact_summary_refresh(match.pk for match in matches)
        return created

    def claims(self) -> int:
        """A claim for one held session in twenty of the last two years: most approved,
        the last month's waiting in the queue."""
        from tandem.meetings.models import Claim, Session
        from tandem.mentors.models import Mentor

        rng, now, by = self.rng, self.now, self.data.coordinator
        held = list(
            Session.objects.filter(
                status="held",
                starts_at__gte=now - dt.timedelta(days=730),
                claim__isnull=True,
                mentor__user__isnull=True,
            )
            .values_list("pk", "mentor_id", "starts_at", "duration_minutes")
            .order_by("pk")
        )
        chosen = [row for row in held if rng.random() < 0.05]
        mentors = Mentor.objects.in_bulk({row[1] for row in chosen})
        rows = []
        for pk, mentor_id, starts, minutes in chosen:
            recent = starts > now - dt.timedelta(days=30)
            rows.append(
                Claim(
                    session_id=pk,
                    mentor=mentors[mentor_id],
                    month=starts.date().replace(day=1),
                    status="submitted" if recent else "approved",
                    session_hours=round(minutes / 60, 2),
                    miles=rng.randint(0, 30),
                    hourly_rate=15,
                    mileage_rate=0.45,
                    submitted_at=starts + dt.timedelta(days=2),
                    decided_by=None if recent else by,
                    decided_at=None if recent else starts + dt.timedelta(days=9),
                )
            )
        Claim.objects.bulk_create(rows, batch_size=2_000)
        return len(rows)


def child_build(sizes: dict[str, int]) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    name = connection.settings_dict["NAME"]
    print(f"Building {name}: {describe(sizes)}", flush=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    builder = Builder(sizes, log=lambda line: print(line, flush=True))
    builder.build()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(f"CREATE TABLE {INFO_TABLE} (key text PRIMARY KEY, value text)")
        record = {
            "sizes": sizes,
            "migrate": migrated,
            "timings": builder.timings,
            "counts": builder.counts,
            "total": time.perf_counter() - started,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        cursor.execute(f"INSERT INTO {INFO_TABLE} VALUES ('build', %s)", [json.dumps(record)])
    print(f"Built {name} in {record['total']:.0f} s", flush=True)


def describe(sizes: dict[str, int]) -> str:
    return (
        f"{sizes['cases']:,} cases, {sizes['mentors']:,} mentors, {sizes['sessions']:,} "
        f"sessions, {sizes['audit_events']:,} audit events"
    )


# --- measuring pages -----------------------------------------------------------------------


def signed_in(user):
    """A test client signed in as ``user`` with a verified second factor (as tests do)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def pages() -> list[tuple[str, str, str, str]]:
    """(kind, name, role, url) for every page measured; the first is the trivial baseline.
    Records are chosen the same way in every database (the first by reference or pk)."""
    from django.urls import NoReverseMatch, reverse

    from tandem.cases.models import Case
    from tandem.mentors.models import Mentor

    live = (
        Case.objects.filter(status="active", matches__status="active", sessions__isnull=False)
        .filter(referred_by__email__startswith="bench.")
        .order_by("pk")
        .first()
    )
    waiting = Case.objects.filter(status="awaiting_match").order_by("pk").first()
    mentor = Mentor.objects.filter(status="active", user__isnull=True).order_by("pk").first()
    assert live and waiting and mentor, "the database has no active case, waiting case or mentor"

    def url(name, *args, query=""):
        return reverse(name, args=args) + (f"?{query}" if query else "")

    listed = [
        ("trivial", "account page (trivial baseline)", "coordinator", url("accounts:account")),
        ("workspace", "coordinator home", "coordinator", url("site:home")),
        ("list", "case list", "coordinator", url("cases:list")),
        ("list", "case list, in support", "coordinator", url("cases:list", query="status=active")),
        ("list", "case list, sorted by reference", "coordinator",
         url("cases:list", query="sort=reference")),
        ("list", "case list, page 40", "coordinator", url("cases:list", query="page=40")),
        ("queue", "cases awaiting a match", "coordinator", url("cases:awaiting_match")),
        ("queue", "reviews due", "coordinator", url("cases:reviews_due")),
        ("queue", "follow-ups due", "coordinator", url("cases:follow_ups_due")),
        ("workspace", "case page", "coordinator", url("cases:detail", live.pk)),
        ("workspace", "case timeline", "coordinator", url("cases:timeline", live.pk)),
        ("list", "case's sessions", "coordinator", url("meetings:case_sessions", live.pk)),
        ("list", "mentor pool", "coordinator", url("mentors:pool")),
        ("list", "mentor pool, can take a case", "coordinator",
         url("mentors:pool", query="matchable=yes")),
        ("workspace", "mentor page", "coordinator", url("mentors:detail", mentor.pk)),
        ("queue", "mentor expiries", "coordinator", url("mentors:expiries")),
        ("queue", "mentor pipeline", "coordinator", url("mentors:pipeline")),
        ("list", "matches", "coordinator", url("matching:match_list")),
        ("suggestions", "suggestions page", "coordinator",
         url("matching:suggestions", waiting.pk)),
        ("queue", "contact overdue", "coordinator", url("meetings:contact_overdue")),
        ("queue", "supervision due", "coordinator", url("supervision:due")),
        ("queue", "claims queue", "coordinator", url("meetings:claim_queue")),
        ("queue", "advice queue", "coordinator", url("meetings:advice_queue")),
        ("workspace", "rehabilitation overview", "coordinator", url("rehabilitation:overview")),
        ("workspace", "mentor home", "mentor", url("site:home")),
        ("list", "my sessions", "mentor", url("meetings:my_sessions")),
        ("list", "my matches", "mentor", url("matching:my_matches")),
        ("list", "my claims", "mentor", url("meetings:my_claims")),
        ("workspace", "lone working today", "mentor", url("meetings:lone_working_today")),
        ("workspace", "my supervision", "mentor", url("supervision:mine")),
        ("workspace", "supervisor home", "supervisor", url("site:home")),
        ("queue", "supervision oversight", "supervisor", url("supervision:oversight")),
        ("workspace", "safeguarding home", "safeguarding_lead", url("site:home")),
        ("queue", "safeguarding queue", "safeguarding_lead", url("safeguarding:queue")),
        ("workspace", "referrer home", "referrer", url("site:home")),
        ("list", "my referrals", "referrer", url("cases:my_referrals")),
        ("workspace", "board home", "board_member", url("site:home")),
        ("dashboard", "analytics (board)", "board_member", url("reports:analytics")),
        ("dashboard", "analytics (board), afresh", "board_member", url("reports:analytics")),
        ("workspace", "evaluator home", "evaluator", url("site:home")),
        ("dashboard", "analytics (evaluator)", "evaluator", url("reports:analytics")),
        ("queue", "privacy requests", "data_protection_officer", url("privacy:request_list")),
        ("list", "sharing log", "data_protection_officer", url("privacy:sharing_log")),
        ("queue", "retention review", "data_protection_officer", url("privacy:retention")),
        ("list", "audit log", "administrator", url("audit:event_list")),
        ("list", "users", "administrator", url("accounts:user_list")),
    ]  # fmt: skip
    try:
        listed.append(("dashboard", "dashboard", "board_member", url("reports:dashboard")))
        listed.append(("dashboard", "dashboard, afresh", "board_member", url("reports:dashboard")))
    except NoReverseMatch:
        print("Note: reports:dashboard does not resolve in this version; not measured.")
    return listed


def _forget_kept() -> None:
    """Everything the board's pages keep is forgotten: their figures, and the mentor pool
    this process keeps (otherwise whether a request reads the pool depends on how long
    the pages before it took, not on the data, and the query counts at the two sizes
    differ by that read)."""
    from tandem.matching.poolcache import forget as forget_pool
    from tandem.reports.kept import forget

    forget()
    forget_pool()


def child_measure(runs: int, only: str, out: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from tandem.accounts.models import User

    # A database built by an older checkout is brought up to date (and its derived
    # data filled in) before it is measured.
    call_command("migrate", verbosity=0)
    setup_test_environment()
    settings.TANDEM_DATA_KEY_CACHE_SIZE = 1024
    settings.ALLOWED_HOSTS = ["*"]
    clients = {}
    results = {}
    for kind, name, role, url in pages():
        if only and only not in name and kind != "trivial":
            continue
        if role not in clients:
            user = (
                User.objects.filter(role_grants__role=role, email__endswith="@tandem.example")
                .order_by("pk")
                .first()
            )
            clients[role] = signed_in(user)
        client = clients[role]
        # "afresh": the figures the board's pages keep for 15 minutes are computed again
        # for every request, as for the first reader after they expire.
        before = _forget_kept if name.endswith(", afresh") else (lambda: None)
        before()
        response = client.get(url)  # warm-up: caches, compiled templates
        if response.status_code != 200:
            results[name] = {"kind": kind, "url": url, "status": response.status_code}
            print(f"  {name}: answered {response.status_code}, not measured", flush=True)
            continue
        gc.collect()
        counted = []

        def count(execute, *args, counted=counted):
            counted.append(1)
            return execute(*args)

        before()
        with connection.execute_wrapper(count):
            client.get(url)
        samples = []
        for _ in range(runs):
            before()
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        samples.sort()
        results[name] = {
            "kind": kind,
            "url": url,
            "status": 200,
            "queries": len(counted),
            "median": statistics.median(samples),
            "p95": samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))],
        }
        print(
            f"  {name}: {results[name]['median']:.0f} ms median, "
            f"{results[name]['p95']:.0f} ms p95, {len(counted)} queries",
            flush=True,
        )
    out.write_text(json.dumps(results))


# --- the parent: build, measure, report ----------------------------------------------------


def main() -> None:
    args = parse_args()
    if args.child:
        sizes = json.loads(args.sizes_json)
        if args.child == "build":
            child_build(sizes)
        else:
            child_measure(args.runs, args.pages, Path(args.out))
        return

    server_url()
    started = time.perf_counter()
    main_sizes = sizes_for(args.factor)
    base_sizes = sizes_for(args.factor / BASELINE_DIVISOR)
    print(f"National-scale benchmark on PostgreSQL, {os.cpu_count()} CPUs")
    print("Load average at the start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"Measured size: {describe(main_sizes)}")
    print(f"Baseline size: {describe(base_sizes)}\n")

    builds = {}
    for sizes in (base_sizes, main_sizes):
        name = database_name(sizes)
        state = None if args.rebuild else database_state(name)
        if state is None:
            create_database(name)
            run_child("build", name, sizes, args)
            state = database_state(name)
        else:
            print(f"Reusing {name}, built {state['built_at']} in {state['total']:.0f} s")
        builds[name] = state
    print()
    report_builds(builds)
    if args.build_only:
        return

    measured = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, sizes in (("baseline", base_sizes), ("measured", main_sizes)):
            name = database_name(sizes)
            print(f"\nMeasuring pages in {name} ({args.runs} timed requests each):", flush=True)
            out = Path(tmp) / f"{label}.json"
            run_child("measure", name, sizes, args, out)
            measured[label] = json.loads(out.read_text())
    print()
    report_pages(measured, main_sizes)

    if not args.no_commands:
        print()
        run_commands(database_name(base_sizes), database_name(main_sizes), main_sizes)
    print(
        f"\nWhole run: {time.perf_counter() - started:.0f} s; load average at the end: "
        "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    )


def report_builds(builds: dict[str, dict]) -> None:
    print("Build times (seconds; rows):")
    for name, state in builds.items():
        parts = [f"migrate {state['migrate']:.0f}"]
        for step, seconds in state["timings"].items():
            parts.append(f"{step} {seconds:.1f} ({state['counts'][step]:,})")
        print(f"  {name}: " + "; ".join(parts) + f"; total {state['total']:.0f}")


def report_pages(measured: dict[str, dict], sizes: dict[str, int]) -> None:
    base, main = measured["baseline"], measured["measured"]
    trivial = next(r for r in main.values() if r["kind"] == "trivial")
    width = max(len(name) for name in main) + 2
    print(
        f"{'page':{width}} {'queries':>9} {'(baseline)':>11} {'median':>9} "
        f"{'p95':>9} {'x trivial':>10}  target"
    )
    failures = []
    for name, result in main.items():
        if result["status"] != 200:
            print(f"{name:{width}} answered {result['status']}: not measured")
            continue
        baseline_queries = base.get(name, {}).get("queries")
        target = {
            "list": LIST_P95_MS, "queue": LIST_P95_MS, "workspace": LIST_P95_MS,
            "suggestions": SUGGESTIONS_P95_MS, "dashboard": DASHBOARD_MS,
        }.get(result["kind"])  # fmt: skip
        verdict = ""
        if target:
            verdict = f"p95 < {target} ms " + ("ok" if result["p95"] < target else "MISSED")
            if result["p95"] >= target:
                failures.append(f"{name}: p95 {result['p95']:.0f} ms (target {target} ms)")
        print(
            f"{name:{width}} {result['queries']:>9} {baseline_queries!s:>11} "
            f"{result['median']:>7.0f}ms {result['p95']:>7.0f}ms "
            f"{result['median'] / trivial['median']:>9.1f}x  {verdict}"
        )
        if baseline_queries != result["queries"]:
            line = f"query count {baseline_queries} at the baseline, {result['queries']} here"
            print(f"FAIL {name}: {line}")
            failures.append(f"{name}: {line}")
    print(
        f"\nTrivial page: {trivial['median']:.1f} ms median. At {sizes['cases']:,} cases: "
        + ("every page met its target and kept its query count." if not failures else "")
    )
    for failure in failures:
        print(f"FAIL {failure}")


def run_commands(base_name: str, main_name: str, sizes: dict[str, int]) -> None:
    for name in (base_name, main_name):
        seconds, peak, code, output = timed_command(name, ["audit_verify"])
        first = output.splitlines()[0] if output else ""
        print(
            f"audit_verify in {name}: {seconds:.1f} s, peak memory {peak:.0f} MB, "
            f"exit {code}: {first}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "export")
        seconds, peak, code, output = timed_command(
            main_name, ["export_evaluation", "--out", out, "--purpose", "National-scale benchmark"]
        )
    verdict = "ok" if seconds < EXPORT_SECONDS and code == 0 else "MISSED"
    last = output.splitlines()[-1] if output else ""
    print(
        f"export_evaluation in {main_name}: {seconds:.1f} s, peak memory {peak:.0f} MB, "
        f"exit {code} (target {EXPORT_SECONDS} s: {verdict}): {last}"
    )


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
