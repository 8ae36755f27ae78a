"""Making an evaluation export in the background."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.core.background import background, run_once

from .export import to_zip
from .models import EvaluationExport, ExportStatus

log = logging.getLogger(__name__)


def queue_evaluation_export(export: EvaluationExport) -> None:
    """Make ``export`` on the task worker once the surrounding transaction commits."""
    run_once(make_evaluation_export, key=f"evaluation-export:{export.pk}", export_id=export.pk)


@background
def make_evaluation_export(export_id: int) -> None:
    """Make export ``export_id`` once: a second run (a duplicate, or work taken over
    from a crashed worker after it finished) finds it no longer waiting and does
    nothing. A failure marks it failed, for the evaluator to ask again."""
    with transaction.atomic():
        claimed = EvaluationExport.objects.filter(pk=export_id, status=ExportStatus.WAITING).update(
            status=ExportStatus.RUNNING
        )
    if not claimed:
        return
    export = EvaluationExport.objects.get(pk=export_id)
    try:
        data, manifest = to_zip(purpose=export.purpose, k=export.k)
    except Exception:
        log.exception("Evaluation export %s failed", export_id)
        EvaluationExport.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED, finished_at=timezone.now()
        )
        record_event(actor=None, action="evaluation_export.fail", obj=export)
        return
    EvaluationExport.objects.filter(pk=export_id).update(
        status=ExportStatus.READY,
        finished_at=timezone.now(),
        manifest=manifest,
        archive=data,
        size=len(data),
    )
    record_event(
        actor=export.requested_by,
        action="evaluation_export.create",
        obj=export,
        reason=export.purpose,
    )
