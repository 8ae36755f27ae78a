"""Making an evaluation export in the background."""

from __future__ import annotations

import logging

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from tandem.audit.services import record_event

from .export import to_zip
from .models import EvaluationExport, ExportStatus

log = logging.getLogger(__name__)


@task()
def make_evaluation_export(export_id: int) -> None:
    """Make export ``export_id`` once: a second run of the same task (a retry after the
    first finished, or a duplicate) finds it no longer waiting and does nothing."""
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
