"""Crash test: writes over HTTP while the app server (and PostgreSQL) are killed with
SIGKILL at random moments; afterwards every write the client saw acknowledged must be
present and whole (it decrypts), nothing half-written may be present, and the audit
chain must verify.

    uv run python bench/crash.py --rounds 10                       # SQLite (embedded)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        uv run python bench/crash.py --rounds 10                   # PostgreSQL, app killed
    uv run python bench/crash.py --private-postgres --rounds 5     # PostgreSQL killed too

On SQLite the database lives inside the app server's processes, so killing them is
killing the database mid-write. With DATABASE_URL the test makes its own database
(`tandem_crash_<pid>`, dropped at the end) on that server and kills the app server only:
it never kills a PostgreSQL server that others may share.

With --private-postgres it starts a throwaway PostgreSQL cluster of its own (initdb into
a temporary directory, its own port, run as the ``postgres`` user when started as root,
default durability settings: fsync, synchronous commit, full-page writes) and each round
kills, at random moments, the app server, the cluster (the postmaster and every backend
at once, SIGKILL), or both in a random order. When only the cluster was killed it is
restarted under the running app server, which must reconnect and go on; PostgreSQL
recovers from its write-ahead log at every restart. The cluster and its directory are
removed at the end.

The writes, by two people at once, each carrying a unique marker: a mentor on a phone
logs held sessions (two encrypted notes, a summary and next steps, audit events, in one
transaction) and raises safeguarding concerns about their cases (encrypted details, the
concern's history and the lead's notification); a referrer makes referrals through the
form and "check your answers" (encrypted names, date of birth and reason, blind indexes,
the case's first event). A write is acknowledged when the server answers with its
redirect after saving.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import hmac
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "tandem-demo-password"
KEYS = {
    "TANDEM_KEKS": "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    "TANDEM_KEK_CURRENT": "1",
    "TANDEM_BLIND_INDEX_KEY": "Y3Jhc2gtdGVzdC1ibGluZC1pbmRleC1rZXktMDAwMDA=",
}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def totp(hex_key: str) -> str:
    counter = int(time.time() // 30)
    raw = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = raw[-1] & 0x0F
    code = (struct.unpack(">I", raw[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TANDEM_"))}
    env.update(KEYS, DATABASE_URL=database_url, PYTHONUNBUFFERED="1", **extra)
    return env


def manage(database_url: str, *args: str, settings: str = "config.settings.local") -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment(database_url, DJANGO_SETTINGS_MODULE=settings),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


PREPARE = """
import json
from django_otp.plugins.otp_totp.models import TOTPDevice
from tandem.accounts.models import User
from tandem.catalogues.models import Area, ConcernType, Language, ReferralSource
from tandem.matching.models import Match, MatchStatus
from tandem.meetings.models import PlaceType, Topic
from tandem.safeguarding.models import ConcernCategory

def devices(email):
    user = User.objects.get(email=email)
    return [TOTPDevice.objects.create(user=user, name=f"crash-{i}", confirmed=True).key
            for i in range(100)]

print(json.dumps({
    "mentor_keys": devices("mentor@tandem.example"),
    "referrer_keys": devices("referrer@tandem.example"),
    "place": PlaceType.objects.get(code="community-venue").pk,
    "topic": Topic.objects.order_by("pk").first().pk,
    "cases": list(Match.objects.filter(mentor__user__email="mentor@tandem.example",
        status__in=[MatchStatus.ACTIVE, MatchStatus.ACCEPTED]).values_list("case_id", flat=True)),
    "category": ConcernCategory.objects.filter(is_active=True, about_mentor=False)
        .order_by("position").first().pk,
    "area": Area.objects.order_by("name").first().pk,
    "concern_type": ConcernType.objects.filter(is_active=True).order_by("position").first().pk,
    "english": Language.objects.get(name="English").pk,
    "police": ReferralSource.objects.get(code="police").pk,
}))
"""

# Each write as found in the database: {marker: [kind, whole]}, whole when every encrypted
# value decrypts to what was sent.
CHECK = """
import json
from tandem.cases.models import Case
from tandem.meetings.models import Session
from tandem.safeguarding.models import Concern
found = {}
for session in Session.objects.all().iterator():
    summary = session.summary or ""
    if summary.startswith("crash-marker-"):
        marker = summary.split()[0]
        found[marker] = ["sessions", session.private_notes == f"{marker} private"
                         and session.next_steps == f"{marker} next"]
for concern in Concern.objects.all().iterator():
    if concern.details.startswith("crash-marker-"):
        marker = concern.details.split()[0]
        found[marker] = ["concerns", concern.details == f"{marker} concern"]
for case in Case.objects.all().iterator():
    if case.reason.startswith("crash-marker-"):
        marker = case.reason.split()[0]
        found[marker] = ["referrals", case.reason == f"{marker} referral"
                         and case.first_name == "Crash" and case.last_name == "Crashtest"]
print(json.dumps(found))
"""


class Server:
    def __init__(self, database_url: str, port: int, log: Path):
        self.database_url, self.port, self.process, self.log = database_url, port, None, log

    def environment(self) -> dict:
        return environment(
            self.database_url,
            DJANGO_SETTINGS_MODULE="config.settings.production",
            DJANGO_SECRET_KEY="crash-test-only-" + "x" * 40,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            TANDEM_BIND=f"127.0.0.1:{self.port}",
            TANDEM_WEB_WORKERS="2",
        )

    def collect_static(self) -> None:
        """The production settings serve the collected, hashed static files only."""
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=self.environment(),
            check=True,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=self.environment(),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise SystemExit("The app server did not start.")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)  # the master and every worker, at once
        self.process.wait()


class _Exited(Exception):
    """The postmaster exited while starting."""


class PrivateCluster:
    """A throwaway PostgreSQL cluster in a temporary directory, on a port of its own:
    the only PostgreSQL this test ever kills."""

    def __init__(self, workdir: Path, port: int):
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise SystemExit("No PostgreSQL server binaries (/usr/lib/postgresql/*/bin).")
        self.bin = Path(found[-1]).parent
        self.data, self.port, self.process = workdir / "pgdata", port, None
        self.log = workdir / "postgres.log"
        # initdb refuses to run as root: run the cluster as the postgres user then.
        self.user = "postgres" if os.geteuid() == 0 else None
        self.kills = 0

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run(
            args, check=True, capture_output=True, user=self.user, group=self.user, cwd="/"
        )

    def init(self) -> None:
        self.data.mkdir(mode=0o700)
        if self.user:
            for path in (self.data.parent, self.data):
                shutil.chown(path, self.user, self.user)
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip

    def _options(self) -> list[str]:
        settings = {
            "listen_addresses": "127.0.0.1",
            # PostgreSQL's defaults, stated: a commit is acknowledged once it is on disk.
            "fsync": "on",
            "synchronous_commit": "on",
            "full_page_writes": "on",
        }
        options = ["-D", str(self.data), "-p", str(self.port), "-k", str(self.data)]
        for name, value in settings.items():
            options += ["-c", f"{name}={value}"]
        return options

    def start(self) -> None:
        # The backends of a cluster just killed may take a moment to go (a new postmaster
        # refuses to start while the old shared memory is still attached): try again.
        for attempt in range(10):
            try:
                self._start()
                return
            except _Exited:
                time.sleep(0.5 * (attempt + 1))
        tail = self.log.read_text(errors="replace").splitlines()[-5:]
        raise SystemExit("PostgreSQL did not start:\n" + "\n".join(tail))

    def _start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(self.bin / "postgres"), *self._options()],
                stdout=log,
                stderr=log,
                user=self.user,
                group=self.user,
                cwd="/",
                start_new_session=True,  # its own process group: the backends too
            )
        deadline = time.monotonic() + 120  # recovery from the WAL happens here
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [
                    str(self.bin / "pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                    "-q",
                ],
                check=False,
            )
            if ready.returncode == 0:
                return
            if self.process.poll() is not None:
                self.process = None
                raise _Exited
            time.sleep(0.2)
        raise SystemExit(f"PostgreSQL did not start in time; see {self.log}")

    def kill(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)  # the postmaster and every backend
        self.process.wait()
        self.process = None
        self.kills += 1

    @property
    def running(self) -> bool:
        return self.process is not None


class Person:
    """Signs in (password, then a code: each sign-in with a device of its own, as a code
    is accepted once per device) and posts forms as a browser does."""

    email = ""

    def __init__(self, base: str, keys: list[str], prepared: dict):
        self.base, self.keys, self.prepared = base, keys, prepared
        self.session = requests.Session()
        self.origin = base.replace("http://", "https://")

    def _get(self, path):
        response = self.session.get(
            self.base + path, headers={"X-Forwarded-Proto": "https"}, timeout=10
        )
        for cookie in self.session.cookies:
            cookie.secure = False
        return response

    def _post(self, path, data, page):
        token = CSRF.search(page.text)
        headers = {"X-Forwarded-Proto": "https", "Origin": self.origin}
        headers["Referer"] = self.origin + path
        data = {**data, "csrfmiddlewaretoken": token.group(1) if token else ""}
        response = self.session.post(
            self.base + path, data=data, headers=headers, timeout=10, allow_redirects=False
        )
        for cookie in self.session.cookies:
            cookie.secure = False
        return response

    def sign_in(self) -> None:
        self.session = requests.Session()
        page = self._get("/accounts/login/")
        self._post("/accounts/login/", {"email": self.email, "password": PASSWORD}, page)
        page = self._get("/accounts/mfa/")
        # The server tries the person's devices in the order they were added and counts a
        # failure on each device tried before the one that accepts (django-otp throttles
        # a device after failures): the oldest unused device first, so none is throttled.
        response = self._post("/accounts/mfa/", {"token": totp(self.keys.pop(0))}, page)
        if response.status_code != 302:
            raise RuntimeError(f"sign-in failed: the code answered {response.status_code}")

    def write(self, marker: str) -> bool:
        """True when the server acknowledged the write (a redirect after saving)."""
        raise NotImplementedError


class Mentor(Person):
    """Logs held sessions and, one time in three, raises a concern about a case."""

    email = "mentor@tandem.example"

    def write(self, marker: str) -> bool:
        case = random.choice(self.prepared["cases"])
        if random.random() < 1 / 3:
            path = f"/safeguarding/cases/{case}/raise/"
            data = {
                "category": self.prepared["category"],
                "urgency": "standard",
                "details": f"{marker} concern",
            }
            return self._post(path, data, self._get(path)).status_code == 302
        path = f"/meetings/cases/{case}/log/"
        page = self._get(path)
        day = time.localtime(time.time() - random.randint(1, 30) * 86400)
        data = {
            "date": time.strftime("%d/%m/%Y", day),
            "start_time": f"{random.randint(8, 19):02d}:{random.choice(['00', '30'])}",
            "duration_minutes": "60",
            "travel_minutes": "0",
            "place_type": self.prepared["place"],
            "others": ["family"],
            "approach": "befriending",
            "style": "2",
            "topics": [self.prepared["topic"]],
            "engagement": "4",
            "trust": "3",
            "next_steps": f"{marker} next",
            "private_notes": f"{marker} private",
            "summary": f"{marker} shared",
        }
        return self._post(path, data, page).status_code == 302


class Referrer(Person):
    """Makes referrals: the form, then "check your answers", which saves."""

    email = "referrer@tandem.example"

    def write(self, marker: str) -> bool:
        born = time.localtime(time.time() - random.randint(20, 40) * 365 * 86400)
        data = {
            "first_name": "Crash",
            "last_name": "Crashtest",
            "date_of_birth": time.strftime("%d/%m/%Y", born),
            "gender": "male",
            "area": self.prepared["area"],
            "reason": f"{marker} referral",
            "concern_type": self.prepared["concern_type"],
            "urgency": "routine",
            "languages": [self.prepared["english"]],
            "mentor_gender_preference": "any",
            "preferred_language": "",
            "accepts_online": "yes",
            "referral_source": self.prepared["police"],
            "referrer_organisation": "West Midlands Police",
        }
        answered = self._post("/cases/refer/", data, self._get("/cases/refer/"))
        if answered.status_code != 302:
            return False
        check = self._get("/cases/refer/check/")
        return self._post("/cases/refer/check/", {}, check).status_code == 302


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--private-postgres",
        action="store_true",
        help="start a throwaway PostgreSQL cluster and kill it too (DATABASE_URL is ignored)",
    )
    parser.add_argument(
        "--port", type=int, default=55432, help="the private cluster's port (default 55432)"
    )
    args = parser.parse_args()
    rng_seed = args.seed if args.seed is not None else int(time.time())
    random.seed(rng_seed)

    server_url = os.environ.get("DATABASE_URL", "")
    workdir = Path(tempfile.mkdtemp(prefix="tandem-crash-"))
    if args.private_postgres:
        cluster = PrivateCluster(workdir, args.port)
        try:
            cluster.init()
            cluster.start()
            subprocess.run(
                ["psql", cluster.url, "-qc", 'CREATE DATABASE "tandem_crash"'], check=True
            )
            database_url = urlparse(cluster.url)._replace(path="/tandem_crash").geturl()
            run(database_url, args.rounds, rng_seed, cluster)
        finally:
            if cluster.running:
                cluster.kill()
            shutil.rmtree(workdir, ignore_errors=True)
        return
    if server_url.startswith("postgres"):
        name = f"tandem_crash_{os.getpid()}"
        parsed = urlparse(server_url)
        database_url = parsed._replace(path=f"/{name}").geturl()
        subprocess.run(["psql", server_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    else:
        name = None
        database_url = f"sqlite:///{workdir / 'tandem.sqlite3'}"
    try:
        run(database_url, args.rounds, rng_seed)
    finally:
        if name:
            subprocess.run(
                ["psql", server_url, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                check=False,
            )


def run(database_url: str, rounds: int, seed: int, cluster: PrivateCluster | None = None) -> None:
    where = "a private cluster, killed too" if cluster else "killing the app server only"
    if urlparse(database_url).scheme == "sqlite":
        where = "embedded in the app server"
    print(f"Database: {urlparse(database_url).scheme} ({where}); seed {seed}; rounds {rounds}")
    manage(database_url, "migrate", "--noinput", "-v0")
    manage(database_url, "demo_data")
    prepared = json.loads(manage(database_url, "shell", "-c", PREPARE).strip().splitlines()[-1])
    port = free_port()
    server = Server(
        database_url, port, Path(tempfile.gettempdir()) / f"tandem-crash-app-{port}.log"
    )
    server.collect_static()
    base = f"http://127.0.0.1:{port}"
    people = [
        Mentor(base, prepared["mentor_keys"], prepared),
        Referrer(base, prepared["referrer_keys"], prepared),
    ]
    acknowledged: list[str] = []
    attempted = 0
    killed = {"app server": 0, "postgres": 0}
    for round_ in range(1, rounds + 1):
        if cluster and not cluster.running:
            cluster.start()
        server.start()
        for person in people:
            person.sign_in()
        stop = threading.Event()

        def write(person, who, round_=round_, stop=stop) -> None:
            nonlocal attempted
            n = 0
            while not stop.is_set():
                n += 1
                marker = f"crash-marker-{who}{round_}-{n}"
                attempted += 1
                try:
                    if person.write(marker):
                        acknowledged.append(marker)
                    else:
                        time.sleep(0.05)  # refused (the database is down): try again
                except requests.RequestException:
                    return  # the server died under this write: not acknowledged

        writers = [
            threading.Thread(target=write, args=(person, who))
            for person, who in zip(people, ("m", "r"), strict=True)
        ]
        for writer in writers:
            writer.start()
        time.sleep(random.uniform(1.0, 6.0))
        what = random.choice(["postgres", "postgres then app", "app then postgres"])
        if not cluster:
            what = "app"
        if what == "postgres":
            # Under the running app server, which must reconnect once it is back.
            cluster.kill()
            time.sleep(random.uniform(0.0, 2.0))
            cluster.start()
            time.sleep(random.uniform(1.0, 4.0))
            server.kill()
            killed["postgres"] += 1
        elif what == "postgres then app":
            cluster.kill()
            time.sleep(random.uniform(0.0, 1.0))
            server.kill()
            killed["postgres"] += 1
        elif what == "app then postgres":
            server.kill()
            time.sleep(random.uniform(0.0, 1.0))
            cluster.kill()
            killed["postgres"] += 1
        else:
            server.kill()
        killed["app server"] += 1
        stop.set()
        for writer in writers:
            writer.join()
        done = "killed the app server" if what == "app" else f"killed {what}"
        print(f"round {round_}: {done}; {len(acknowledged)} acknowledged so far")

    if cluster and not cluster.running:
        cluster.start()
    found = json.loads(manage(database_url, "shell", "-c", CHECK).strip().splitlines()[-1])
    kinds = {"sessions": 0, "concerns": 0, "referrals": 0}
    for kind, _whole in found.values():
        kinds[kind] += 1
    lost = [m for m in acknowledged if m not in found]
    half = [m for m, (_kind, whole) in found.items() if not whole]
    unacknowledged_present = [m for m in found if m not in acknowledged]
    audit = manage(database_url, "audit_verify")
    print(f"Rounds: {rounds}")
    print(f"Kills (SIGKILL): app server {killed['app server']}, PostgreSQL {killed['postgres']}")
    print(f"Writes attempted: {attempted}, acknowledged: {len(acknowledged)}")
    print(
        f"Writes present: {kinds['sessions']} sessions, {kinds['concerns']} concerns, "
        f"{kinds['referrals']} referrals"
    )
    print(f"Acknowledged writes lost: {len(lost)} {lost[:5]}")
    print(f"Writes present but not whole: {len(half)} {half[:5]}")
    print(
        f"Whole writes present without an acknowledgement (killed after commit): "
        f"{len(unacknowledged_present)}"
    )
    print(audit.strip().splitlines()[0])
    if lost or half:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
