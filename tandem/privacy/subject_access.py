"""Everything Tandem holds about one person, as a package for a subject access request:
a machine-readable ZIP (one JSON file with every section, and a CSV per section) and a
readable PDF.

The records are found through the models themselves: every model with a foreign key
``case`` to the person's case is a section (consent, assessments, plan, goals, reviews,
follow-ups, timeline, sessions with summaries and notes, concerns, rehabilitation,
disclosures, requests, reports...), and records that hang off one of those by their own
key (a concern's escalations, a review's goal scores) come with it. Who accessed the
record comes from the audit log. Staff who appear are named by role only: their names
are third parties' data, left out before release. Nothing about any other person is
read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

from django.apps import apps
from django.db import models, transaction
from fpdf import FPDF

from tandem.audit.models import AuditEvent
from tandem.audit.services import record_event
from tandem.cases.models import Case
from tandem.core.encryption import EncryptedTextField
from tandem.core.text import latin1

from .models import Redaction, SubjectAccessRequest

SKIP = {"record_uuid", "identity_index", "name_index", "version"}


def _value(obj, field: models.Field):
    if isinstance(field, models.ForeignKey):
        related = getattr(obj, field.attname)
        if field.related_model._meta.label == "accounts.User":
            return "a member of staff" if related is not None else None
        return related
    value = getattr(obj, field.attname if not isinstance(field, EncryptedTextField) else field.name)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(obj, f"get_{field.name}_display") and value not in (None, ""):
        return str(getattr(obj, f"get_{field.name}_display")())
    return value


def _row(obj) -> dict:
    return {
        field.name: _value(obj, field)
        for field in obj._meta.concrete_fields
        if field.name not in SKIP
    }


def _case_models() -> list[tuple[type[models.Model], str]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.ForeignKey)
                and field.related_model is Case
                and field.name == "case"
                and model._meta.app_label != "audit"
                # What is withheld from the package is not released with it.
                and model._meta.label != "privacy.Redaction"
            ):
                found.append((model, field.name))
    return sorted(found, key=lambda pair: pair[0]._meta.label)


def _children(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """Models that hang off ``model`` by a key of their own and have no ``case``."""
    out = []
    for related in model._meta.related_objects:
        child = related.related_model
        if any(f.name == "case" for f in child._meta.concrete_fields):
            continue
        if child._meta.app_label in ("audit", "accounts", "core"):
            continue
        out.append((child, related.field.name))
    return out


def compile_package(case: Case) -> dict[str, list[dict]]:
    sections: dict[str, list[dict]] = {"case": [_row(case)]}
    for model, key in _case_models():
        rows = list(model._default_manager.filter(**{key: case}))
        if not rows:
            continue
        sections[model._meta.label_lower] = [_row(r) for r in rows]
        for child, child_key in _children(model):
            if child is Case:
                continue
            child_rows = list(child._default_manager.filter(**{f"{child_key}__in": rows}))
            if child_rows:
                sections.setdefault(child._meta.label_lower, []).extend(_row(r) for r in child_rows)
    sections["access"] = [
        {
            "when": event.occurred_at.isoformat(),
            "role": event.role,
            "action": event.action,
            "reason": event.reason,
        }
        for event in AuditEvent.objects.filter(
            object_type="cases.case", object_id=str(case.pk)
        ).order_by("sequence")
    ]
    return sections


def _json_default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def package_zip(case: Case, sections: dict[str, list[dict]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            f"{case.reference}/everything.json",
            json.dumps(sections, indent=2, default=_json_default, ensure_ascii=False),
        )
        for name, rows in sections.items():
            if not rows:
                continue
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(rows[0]), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr(f"{case.reference}/{name}.csv", text.getvalue())
    return buffer.getvalue()


def package_pdf(case: Case, sections: dict[str, list[dict]], *, approval: str = "") -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(
        width, 9, latin1(f"What Tandem holds: {case.reference}"), new_x="LMARGIN", new_y="NEXT"
    )
    if approval:
        pdf.set_font("helvetica", "", 10)
        pdf.multi_cell(width, 6, latin1(approval), new_x="LMARGIN", new_y="NEXT")
    for name, rows in sections.items():
        pdf.set_font("helvetica", "B", 13)
        pdf.multi_cell(width, 8, latin1(f"{name} ({len(rows)})"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("helvetica", "", 9)
        for row in rows:
            for key, value in row.items():
                if value in (None, ""):
                    continue
                pdf.multi_cell(width, 5, latin1(f"{key}: {value}"), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())


@transaction.atomic
def subject_access_compile(*, actor, case: Case, request=None) -> tuple[bytes, bytes]:
    """The ZIP and the PDF for ``case``'s person, with what the officer withheld shown
    as "[withheld: reason]"; the compilation is audited."""
    from . import redaction

    sections = redaction.apply(compile_package(case), Redaction.objects.filter(case=case))
    approval = ""
    released = (
        SubjectAccessRequest.objects.filter(case=case, released_at__isnull=False)
        .order_by("-released_at")
        .first()
    )
    if released is not None:
        # Staff are named by role only in the package; the request records who.
        approval = (
            "Checked and approved for release by the data-protection officer on "
            f"{released.released_at:%-d %B %Y}."
        )
        sections["release"] = [
            {"approved_by": "the data-protection officer", "approved_at": released.released_at}
        ]
    record_event(actor=actor, action="subject_access.compile", obj=case, request=request)
    return package_zip(case, sections), package_pdf(case, sections, approval=approval)


# A mentor's own records ---------------------------------------------------------------------
#
# What Tandem holds about a mentor: their record (profile, status), and every record with
# a ``mentor`` key to it: vetting, training, accreditation, conflicts declared,
# supervision records about them, matches, sessions they recorded, claims. The rule for
# what is the mentor's own data: a value encrypted under a mentee's key (a session's
# notes and summary, a match's reasons) is the mentee's, and is left out; plain facts of
# the mentor's work (when a session was, where, its status, a claim's amounts and
# decision) and everything encrypted under the mentor's own key are in. Mentees appear
# by their case's pseudonymous reference only.


def _mentor_row(obj, references: dict[int, str]) -> dict:
    theirs = not hasattr(obj, "encryption_subject") or obj.encryption_subject()[0] == "mentor"
    row = {}
    for field in obj._meta.concrete_fields:
        if field.name in SKIP:
            continue
        if isinstance(field, EncryptedTextField) and not theirs:
            continue  # a mentee's information
        if isinstance(field, models.ForeignKey) and field.related_model is Case:
            case_id = getattr(obj, field.attname)
            row[field.name] = references.get(case_id) if case_id else None
            continue
        row[field.name] = _value(obj, field)
    return row


def _mentor_models() -> list[type[models.Model]]:
    from tandem.mentors.models import Mentor

    found = []
    for model in apps.get_models():
        if model._meta.app_label in ("audit", "privacy"):
            continue
        for field in model._meta.concrete_fields:
            if (
                isinstance(field, models.ForeignKey)
                and field.related_model is Mentor
                and field.name == "mentor"
            ):
                found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def compile_mentor_package(mentor) -> dict[str, list[dict]]:
    """Everything held about ``mentor`` that is their own data (see above)."""
    collected: dict[str, list] = {}
    for model in _mentor_models():
        rows = list(model._default_manager.filter(mentor=mentor))
        if rows:
            collected[model._meta.label_lower] = rows
    case_ids = {
        getattr(r, f.attname)
        for rows in collected.values()
        for r in rows
        for f in r._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is Case
    } - {None}
    refs = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "reference"))
    sections = {"mentor": [_mentor_row(mentor, refs)]}
    sections |= {name: [_mentor_row(r, refs) for r in rows] for name, rows in collected.items()}
    sections["access"] = [
        {"when": e.occurred_at.isoformat(), "role": e.role, "action": e.action}
        for e in AuditEvent.objects.filter(
            object_type="mentors.mentor", object_id=str(mentor.pk)
        ).order_by("sequence")
    ]
    return sections


@transaction.atomic
def mentor_subject_access_compile(*, actor, mentor, request=None) -> tuple[bytes, bytes]:
    sections = compile_mentor_package(mentor)
    record_event(actor=actor, action="subject_access.compile", obj=mentor, request=request)
    label = type("Label", (), {"reference": f"mentor-{mentor.pk}"})()
    return package_zip(label, sections), package_pdf(label, sections)
