"""The evaluation export: k recomputed from the files, nothing identifying in them,
pseudonyms that link the files but not two exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from conftest import create_user
from tandem.audit.models import AuditEvent
from tandem.cases.models import Case
from tandem.cases.tests.factories import make_case
from tandem.catalogues.models import Area
from tandem.meetings.models import SessionStatus
from tandem.meetings.tests.factories import active_match, make_session
from tandem.reports.export import QUASI_IDENTIFIERS, to_directory, to_zip

pytestmark = pytest.mark.django_db


def _read(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def scheme():
    """Twelve alike people referred in one month, three odd ones out, and sessions."""
    area = Area.objects.order_by("position").first()
    when = timezone.make_aware(dt.datetime(2026, 3, 10, 10))
    alike = [
        make_case(area=area, age_at_referral=17, gender="male", received_at=when) for _ in range(12)
    ]
    odd = [
        make_case(area=area, age_at_referral=age, gender=gender, received_at=when)
        for age, gender in ((44, "female"), (61, "non_binary"), (29, "female"))
    ]
    match = active_match()
    held = make_session(match, status=SessionStatus.HELD, days_ago=3)
    return {"alike": alike, "odd": odd, "match": match, "session": held}


def test_the_files_are_k_anonymous_and_identify_nobody(scheme, tmp_path):
    manifest = to_directory(tmp_path, purpose="Wellbeing change by approach", k=5)
    cases = _read(tmp_path / "cases.csv")
    groups = Counter(tuple(row[q] for q in QUASI_IDENTIFIERS) for row in cases)
    assert groups and min(groups.values()) >= 5
    assert manifest["k_achieved"] == min(groups.values())
    assert manifest["cases_released"] == len(cases)
    assert manifest["cases_released"] + manifest["cases_left_out"] == manifest["cases_in_tandem"]
    everything = "".join(p.read_text(encoding="utf-8") for p in tmp_path.iterdir())
    people = scheme["alike"] + scheme["odd"] + [scheme["match"].case]
    for case in people:
        for value in (case.first_name, case.reference, case.reason, case.date_of_birth):
            assert value not in everything
    assert str(scheme["session"].pk) not in {
        row["session_id"] for row in _read(tmp_path / "sessions.csv")
    }
    # Months only: no full date appears anywhere.
    assert "2026-03-10" not in everything


def test_sessions_and_cases_link_by_pseudonym_and_left_out_cases_take_their_sessions(
    scheme, tmp_path
):
    to_directory(tmp_path, purpose="Sessions held per case", k=5)
    cases = {row["case_id"]: row for row in _read(tmp_path / "cases.csv")}
    sessions = _read(tmp_path / "sessions.csv")
    assert all(row["case_id"] in cases for row in sessions)
    for row in sessions:
        assert len(row["period"]) == 7  # YYYY-MM


def test_two_exports_cannot_be_linked_unless_the_project_key_is_set(scheme, tmp_path, settings):
    first = {r["case_id"] for r in _read(_export(tmp_path / "a") / "cases.csv")}
    second = {r["case_id"] for r in _read(_export(tmp_path / "b") / "cases.csv")}
    assert first and not first & second
    settings.TANDEM_EVALUATION_PROJECT_KEY = "a stable project key"
    third = {r["case_id"] for r in _read(_export(tmp_path / "c") / "cases.csv")}
    fourth = {r["case_id"] for r in _read(_export(tmp_path / "d") / "cases.csv")}
    assert third == fourth
    assert json.loads((tmp_path / "d" / "manifest.json").read_text())["pseudonym_key"] == "project"


def _export(path):
    to_directory(path, purpose="Linkage check for the evaluation", k=5)
    return path


def test_the_data_dictionary_describes_every_column_of_every_file(scheme, tmp_path):
    to_directory(tmp_path, purpose="Checking the dictionary", k=5)
    described = {(r["file"], r["column"]) for r in _read(tmp_path / "data_dictionary.csv")}
    for name in ("cases.csv", "sessions.csv", "answers.csv"):
        with open(tmp_path / name, encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert {(name, column) for column in header} <= described


def test_answers_carry_scores_and_never_the_words(scheme, tmp_path):
    from tandem.outcomes.tests.factories import answer

    person = scheme["alike"][0]
    answer(person, satisfied=6, worthwhile=7, happy=5, anxious=3)
    answer(scheme["odd"][0], satisfied=2, worthwhile=2, happy=2, anxious=9)
    to_directory(tmp_path, purpose="Wellbeing by approach", k=5)
    cases = {row["case_id"] for row in _read(tmp_path / "cases.csv")}
    rows = _read(tmp_path / "answers.csv")
    assert rows and all(row["case_id"] in cases for row in rows)
    assert all(row["questionnaire"] == "ons4" and len(row["period"]) == 7 for row in rows)
    assert any("life_satisfaction=6" in row["subscales"] for row in rows)
    written = (tmp_path / "answers.csv").read_text(encoding="utf-8")
    assert "satisfied" not in written  # item answers stay in Tandem: scores only


def test_the_zip_holds_the_same_files(scheme):
    data, manifest = to_zip(purpose="A zip for the evaluator", k=5)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        cases = list(csv.DictReader(io.TextIOWrapper(archive.open("cases.csv"), "utf-8")))
    assert {"cases.csv", "sessions.csv", "data_dictionary.csv", "manifest.json"} <= names
    assert len(cases) == manifest["cases_released"]


def test_the_command_writes_the_export_and_audits_its_purpose(scheme, tmp_path):
    out = io.StringIO()
    call_command(
        "export_evaluation", out=str(tmp_path / "x"), purpose="Quarterly evaluation", stdout=out
    )
    assert "cases" in out.getvalue() and (tmp_path / "x" / "cases.csv").exists()
    event = AuditEvent.objects.filter(action="evaluation_export.create").latest("sequence")
    assert event.reason == "Quarterly evaluation"
    with pytest.raises(CommandError, match="at least 10"):
        call_command("export_evaluation", out=str(tmp_path / "y"), purpose="short")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export_evaluation", out=str(tmp_path / "x"), purpose="Quarterly evaluation")


def test_restricted_people_are_left_out_and_erased_answers_skipped(scheme, tmp_path):
    from tandem.outcomes.tests.factories import answer
    from tandem.privacy.restrictions import restriction_place
    from tandem.privacy.retention import case_erase

    officer = create_user("data_protection_officer")
    restricted, erased = scheme["alike"][0], scheme["alike"][1]
    restriction_place(actor=officer, case=restricted, reason="Accuracy contested")
    answer(erased, satisfied=5, worthwhile=5, happy=5, anxious=5)
    Case.objects.filter(pk=erased.pk).update(status="closed", closure_outcome="completed")
    case_erase(actor=officer, case=Case.objects.get(pk=erased.pk), rule=None, why="asked")
    manifest = to_directory(tmp_path, purpose="Restriction and erasure", k=5)
    assert manifest["cases_in_tandem"] == len(scheme["alike"]) + len(scheme["odd"]) + 1 - 1
    assert _read(tmp_path / "answers.csv") == []


@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Kolkata", "Asia/Kathmandu"])
def test_months_worked_out_once_a_quarter_hour_agree_with_each_moment_s_own(zone, settings):
    # Every ten minutes through the nights either side of each month's end and of the
    # clock changes: local midnight, half-hour and 45-minute offsets, summer time.
    from tandem.reports.export import month, month_of_moment

    settings.TIME_ZONE = zone
    months = month_of_moment()
    moments = []
    for year_month in [(2026, m) for m in range(1, 13)] + [(2027, 1)]:
        start = dt.datetime(*year_month, 1, tzinfo=dt.UTC) - dt.timedelta(hours=14)
        moments += [start + dt.timedelta(minutes=10 * i, seconds=i % 60) for i in range(6 * 28)]
    for change in (
        dt.datetime(2026, 3, 29, tzinfo=dt.UTC),
        dt.datetime(2026, 10, 25, tzinfo=dt.UTC),
    ):
        moments += [change + dt.timedelta(minutes=7 * i) for i in range(60)]
    assert [months(m) for m in moments] == [month(m) for m in moments]
    assert months(None) == ""
