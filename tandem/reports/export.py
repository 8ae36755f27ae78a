"""The pseudonymised export for evaluators: one row per case, per session and per
questionnaire's answers, linked by keyed pseudonyms, k-anonymous over the quasi-identifiers.

What leaves Tandem, and what does not:

- **Pseudonyms** are HMAC-SHA256 of the record's kind and id under a key made for the
  export and then thrown away, so two exports cannot be linked to each other or to
  Tandem's references; a scheme that wants exports linkable over time sets
  ``TANDEM_EVALUATION_PROJECT_KEY`` (a stable project key, kept like the other keys).
- **Dates** are coarsened to the month; ages to a band; durations to whole weeks.
- **No free text, names, references, dates of birth or addresses**: every column is a
  code, a count or a month, listed in the data dictionary written beside the data.
- **Restricted and erased people**: a person whose processing is restricted (UK GDPR
  Article 18) is left out entirely; an erased person's case and sessions still count
  (they hold no personal data), their answers are gone with their key.
- **k-anonymity** of at least ``k`` over age band, gender, area, concern type and
  referral period (``anonymise.anonymise``): the export generalises those columns as
  little as it can and leaves out the records still in groups under ``k``, with their
  sessions and answers; the manifest records the ``k`` achieved, the levels chosen and
  how many cases were left out.

The export reads plain columns for cases and sessions and streams sessions, so its memory
does not grow with their number; questionnaire scores are decrypted a chunk at a time.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import io
import json
import os
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from tandem.cases.models import (
    Approach,
    Case,
    CaseStatus,
    ClientGender,
    ClosureOutcome,
    Pathway,
    Urgency,
)
from tandem.core.encryption import SubjectKeyDestroyed, with_data_keys
from tandem.matching.models import Match
from tandem.meetings.models import Session, SessionStatus
from tandem.outcomes.downloads import safe_cell
from tandem.outcomes.models import AnsweredVia, Occasion, Respondent, Response
from tandem.privacy.restrictions import restricted_cases

from .anonymise import ANY, Hierarchy, anonymise

K_DEFAULT = 5
MAX_SUPPRESSED = 0.05  # at most 5% of cases left out, else generalise further
ANSWER_CHUNK = 2000


# Quasi-identifiers and their hierarchies -------------------------------------------------

AGE_BANDS = (  # (upper age exclusive, band, wider band, adult or not)
    (14, "under 14", "under 16", "under 18"),
    (16, "14 to 15", "under 16", "under 18"),
    (18, "16 to 17", "16 to 17", "under 18"),
    (21, "18 to 20", "18 to 24", "18 and over"),
    (25, "21 to 24", "18 to 24", "18 and over"),
    (30, "25 to 29", "25 to 39", "18 and over"),
    (40, "30 to 39", "25 to 39", "18 and over"),
    (50, "40 to 49", "40 and over", "18 and over"),
    (200, "50 and over", "40 and over", "18 and over"),
)
_WIDER = {band: (wider, widest) for _, band, wider, widest in AGE_BANDS}


def age_band(age: int) -> str:
    return next(band for upper, band, *_ in AGE_BANDS if age < upper)


def month(moment: dt.datetime | dt.date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        moment = timezone.localdate(moment)
    return f"{moment.year}-{moment.month:02d}"


def _quarter(period: str) -> str:
    year, mon = period.split("-")
    return f"{year} Q{(int(mon) - 1) // 3 + 1}"


HIERARCHIES = (
    Hierarchy(
        "age_band",
        (lambda b: _WIDER.get(b, (ANY,))[0], lambda b: _WIDER.get(b, (ANY, ANY))[1], lambda _: ANY),
        ("bands of 2 to 10 years", "wider bands", "under 18 or adult", "not released"),
    ),
    Hierarchy("gender", (lambda _: ANY,), ("as recorded", "not released")),
    Hierarchy("area", (lambda _: ANY,), ("area", "not released")),
    Hierarchy("concern_type", (lambda _: ANY,), ("concern type", "not released")),
    Hierarchy(
        "referral_period",
        (_quarter, lambda m: m.split("-")[0], lambda _: ANY),
        ("month", "quarter", "year", "not released"),
    ),
)
QUASI_IDENTIFIERS = tuple(h.name for h in HIERARCHIES)


# Columns and their meaning ---------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    values: str = ""


def _codes(choices) -> str:
    return "; ".join(f"{value} = {label}" for value, label in choices)


CASE_COLUMNS = (
    Column("case_id", "Pseudonym of the case (keyed hash; links the three files)"),
    Column("referral_period", "When the referral was received", "YYYY-MM, or coarser"),
    Column("age_band", "Age when referred", "a band, or coarser"),
    Column("gender", "Gender as recorded", _codes(ClientGender.choices)),
    Column("area", "The scheme's area for the person", "the area's name, or Any"),
    Column("concern_type", "The type of concern referred", "the concern type, or Any"),
    Column("pathway", "Prevention or rehabilitation", _codes(Pathway.choices)),
    Column("referral_source", "The kind of partner that referred", "the source's name"),
    Column("urgency", "Urgency given at referral", _codes(Urgency.choices)),
    Column("status", "Where the case is now", _codes(CaseStatus.choices)),
    Column("matched", "Whether support with a mentor began", "1 = yes; 0 = no"),
    Column("weeks_to_match", "Whole weeks from referral to the first match starting"),
    Column("approach", "The support plan's approach", _codes(Approach.choices)),
    Column("intended_style", "The plan's intended style, 1 empathetic to 5 confrontational"),
    Column("sessions_held", "Sessions held"),
    Column("sessions_did_not_attend", "Sessions the person did not attend"),
    Column("sessions_cancelled", "Sessions cancelled"),
    Column("closure_outcome", "How support ended", _codes(ClosureOutcome.choices)),
    Column("closed_period", "When the case closed", "YYYY-MM"),
)

SESSION_COLUMNS = (
    Column("session_id", "Pseudonym of the session"),
    Column("case_id", "Pseudonym of the case (as in cases.csv)"),
    Column("mentor_id", "Pseudonym of the mentor (the same mentor throughout this export)"),
    Column("period", "When the session was planned for", "YYYY-MM"),
    Column("status", "What happened", _codes(SessionStatus.choices)),
    Column("first_meeting", "The match's first meeting", "1 = yes; 0 = no"),
    Column("duration_minutes", "Planned length in minutes"),
    Column("approach", "Approach used in the session", _codes(Approach.choices)),
    Column("style", "Style used, 1 empathetic to 5 confrontational"),
    Column("engagement", "The mentor's rating of engagement, 1 to 5"),
    Column("trust", "The mentor's rating of trust, 1 to 5"),
)


ANSWER_COLUMNS = (
    Column("answer_id", "Pseudonym of the set of answers"),
    Column("case_id", "Pseudonym of the case (as in cases.csv)"),
    Column("questionnaire", "The questionnaire's key", "for example ons4, trust"),
    Column("version", "The questionnaire's version the answers were given under"),
    Column("respondent", "Who answered", _codes(Respondent.choices)),
    Column("occasion", "When in support", _codes(Occasion.choices)),
    Column("answered_via", "How", _codes(AnsweredVia.choices)),
    Column("period", "When answered", "YYYY-MM"),
    Column("answered", "How many questions were answered"),
    Column("total", "The total score (blank when too few questions were answered)"),
    Column("subscales", "Each subscale's score", "code=score, separated by semicolons"),
)

TABLES = (
    ("cases.csv", CASE_COLUMNS),
    ("sessions.csv", SESSION_COLUMNS),
    ("answers.csv", ANSWER_COLUMNS),
)


# Building the export ----------------------------------------------------------------------


def pseudonymiser(key: bytes) -> Callable[[str, int], str]:
    def pseudonym(kind: str, pk: int) -> str:
        return hmac.digest(key, f"{kind}:{pk}".encode(), "sha256").hex()[:20]

    return pseudonym


def remembered(pseudonym: Callable[[str, int], str], kind: str) -> Callable[[int], str]:
    """``pseudonym`` for one kind, each id's computed once: a million sessions name a
    few thousand cases and mentors."""
    known: dict[int, str] = {}

    def of(pk: int) -> str:
        name = known.get(pk)
        if name is None:
            name = known[pk] = pseudonym(kind, pk)
        return name

    return of


def month_of_moment() -> Callable[[dt.datetime | None], str]:
    """``month`` for many moments, each quarter-hour's worked out once. Local time differs
    from UTC by a whole number of quarter-hours, and clocks change on a quarter-hour, so
    every moment of a quarter-hour falls in the same local month."""
    known: dict[int, str] = {}

    def of(moment: dt.datetime | None) -> str:
        if moment is None:
            return ""
        quarter = int(moment.timestamp()) // 900
        name = known.get(quarter)
        if name is None:
            name = known[quarter] = month(moment)
        return name

    return of


def export_key() -> tuple[bytes, str]:
    """The key for this export's pseudonyms, and whether it is the project's or its own."""
    project = getattr(settings, "TANDEM_EVALUATION_PROJECT_KEY", "")
    if project:
        return project.encode(), "project"
    return os.urandom(32), "per-export"


def _case_records(pseudonym) -> list[dict]:
    sessions: dict[int, dict] = defaultdict(dict)
    for case_id, status, n in (
        Session.objects.values_list("case_id", "status").annotate(n=Count("pk")).order_by()
    ):
        sessions[case_id][status] = n
    started = dict(
        Match.objects.filter(started_at__isnull=False)
        .values_list("case_id")
        .annotate(first=Min("started_at"))
        .order_by()
    )
    months = month_of_moment()
    records = []
    for row in (
        Case.objects.exclude(restricted_cases())
        .values(
            "pk",
            "received_at",
            "age_at_referral",
            "gender",
            "area__name",
            "concern_type__name",
            "pathway",
            "referral_source__name",
            "urgency",
            "status",
            "plan__approach",
            "plan__intended_style",
            "closure_outcome",
            "closed_at",
        )
        .order_by("pk")
    ):
        counts = sessions.get(row["pk"], {})
        first = started.get(row["pk"])
        records.append(
            {
                "_pk": row["pk"],
                "case_id": pseudonym("case", row["pk"]),
                "referral_period": months(row["received_at"]),
                "age_band": age_band(row["age_at_referral"]),
                "gender": row["gender"],
                "area": row["area__name"] or "Not recorded",
                "concern_type": row["concern_type__name"],
                "pathway": row["pathway"],
                "referral_source": row["referral_source__name"],
                "urgency": row["urgency"],
                "status": row["status"],
                "matched": int(first is not None),
                "weeks_to_match": (first - row["received_at"]).days // 7 if first else "",
                "approach": row["plan__approach"] or "",
                "intended_style": row["plan__intended_style"] or "",
                "sessions_held": counts.get(SessionStatus.HELD, 0),
                "sessions_did_not_attend": counts.get(SessionStatus.DID_NOT_ATTEND, 0),
                "sessions_cancelled": counts.get(SessionStatus.CANCELLED, 0),
                "closure_outcome": row["closure_outcome"],
                "closed_period": months(row["closed_at"]),
            }
        )
    return records


def _session_rows(pseudonym, released: set[int]) -> Iterable[tuple]:
    """Each session as a row of ``SESSION_COLUMNS``, streamed: a million of them at
    national scale, so the per-row work is kept to one keyed hash (the session's own)."""
    rows = (
        Session.objects.values_list(
            "pk",
            "case_id",
            "mentor_id",
            "starts_at",
            "status",
            "is_first",
            "duration_minutes",
            "approach",
            "style",
            "engagement",
            "trust",
        )
        .order_by("pk")
        .iterator(chunk_size=5000)
    )
    case_of, mentor_of, months = (
        remembered(pseudonym, "case"),
        remembered(pseudonym, "mentor"),
        month_of_moment(),
    )
    for pk, case_id, mentor_id, starts, status, first, minutes, approach, style, eng, trust in rows:
        if case_id not in released:
            continue
        yield (
            pseudonym("session", pk),
            case_of(case_id),
            mentor_of(mentor_id),
            months(starts),
            status,
            int(first),
            minutes,
            approach,
            style or "",
            _blank_if_none(eng),
            _blank_if_none(trust),
        )


def _answer_rows(pseudonym, released: set[int]) -> Iterable[dict]:
    """The scores of each set of answers (decrypted a chunk at a time, with the chunk's
    keys read at once); never the answers themselves, which may hold words."""
    responses = (
        Response.objects.filter(case_id__in=released)
        .select_related("version__instrument", "case")  # the case: the key's subject
        .order_by("pk")
    )
    for start in range(0, responses.count(), ANSWER_CHUNK):
        chunk = list(responses[start : start + ANSWER_CHUNK])
        for response in with_data_keys(chunk):
            try:
                scores = json.loads(response.scores)
            except SubjectKeyDestroyed:  # the person was erased: their answers with them
                continue
            yield {
                "answer_id": pseudonym("answer", response.pk),
                "case_id": pseudonym("case", response.case_id),
                "questionnaire": response.version.instrument.key,
                "version": response.version.number,
                "respondent": response.respondent,
                "occasion": response.occasion,
                "answered_via": response.answered_via,
                "period": month(response.answered_at),
                "answered": scores.get("answered", ""),
                "total": _blank_if_none(scores.get("total")),
                "subscales": "; ".join(
                    f"{code}={value}"
                    for code, value in sorted(scores.get("subscales", {}).items())
                    if value is not None
                ),
            }


def _blank_if_none(value) -> str | int:  # a rating not given
    return "" if value is None else value


def _write_csv(handle, columns: tuple[Column, ...], rows: Iterable[Sequence]) -> int:
    """Write ``rows`` (each a sequence in the order of ``columns``) with a header."""
    writer = csv.writer(handle)
    writer.writerow([c.name for c in columns])
    n = 0
    for row in rows:
        writer.writerow(map(safe_cell, row))
        n += 1
    return n


def _in_order(columns: tuple[Column, ...], rows: Iterable[dict]) -> Iterable[tuple]:
    names = [c.name for c in columns]
    for row in rows:
        yield tuple(row[name] for name in names)


def write_export(
    opener, *, purpose: str, k: int = K_DEFAULT, key: bytes | None = None, key_kind: str = ""
) -> dict:
    """Write cases.csv, sessions.csv, each registered table, data_dictionary.csv and
    manifest.json through ``opener(name)`` (a context manager giving a text file), and
    return the manifest."""
    if key is None:
        key, key_kind = export_key()
    pseudonym = pseudonymiser(key)
    records = _case_records(pseudonym)
    result = anonymise(records, HIERARCHIES, k=k, max_suppressed=MAX_SUPPRESSED)
    released = {row["_pk"] for row in result.rows}
    counts = {}
    with opener("cases.csv") as handle:
        counts["cases.csv"] = _write_csv(handle, CASE_COLUMNS, _in_order(CASE_COLUMNS, result.rows))
    with opener("sessions.csv") as handle:
        counts["sessions.csv"] = _write_csv(
            handle, SESSION_COLUMNS, _session_rows(pseudonym, released)
        )
    with opener("answers.csv") as handle:
        counts["answers.csv"] = _write_csv(
            handle, ANSWER_COLUMNS, _in_order(ANSWER_COLUMNS, _answer_rows(pseudonym, released))
        )
    with opener("data_dictionary.csv") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "column", "meaning", "values"])
        for name, columns in TABLES:
            for column in columns:
                writer.writerow([name, column.name, column.meaning, column.values])
    manifest = {
        "made": month(timezone.now()),
        "purpose": purpose,
        "pseudonym_key": key_kind,
        "k_required": k,
        "k_achieved": result.k_achieved,
        "quasi_identifiers": {h.name: h.label(result.node[h.name]) for h in HIERARCHIES},
        "cases_in_tandem": len(records),
        "cases_released": len(result.rows),
        "cases_left_out": result.suppressed,
        "rows": counts,
        "notes": (
            "Dates are months; ages are bands; no names, references or free text. Cases left "
            "out (in groups smaller than k) are left out of every file."
        ),
    }
    with opener("manifest.json") as handle:
        json.dump(manifest, handle, indent=2)
    return manifest


def to_directory(path: Path, **options) -> dict:
    path.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def opener(name):
        with open(path / name, "w", newline="", encoding="utf-8") as handle:
            yield handle

    return write_export(opener, **options)


def to_zip(**options) -> tuple[bytes, dict]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        @contextmanager
        def opener(name):
            with archive.open(name, "w") as raw:
                handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                yield handle
                handle.flush()
                handle.detach()

        manifest = write_export(opener, **options)
    return buffer.getvalue(), manifest
