"""Refused access: the point where a 403, or a 404 for a record that exists but the user
may not see, is reported, so that a higher layer can record it.

Core names no app, so it only offers the extension point: ``register_refusal_recorder``
takes a function ``recorder(request, *, status, object_type, object_id)`` (accounts fills
it: it writes the audit event, limits how many per user and alerts administrators of a
burst). The error pages call ``report_refusal``; a recorder that fails is logged and never
turns the refusal into a server error.

Only refusals of a record that exists are reported as 404s: ``PermissionPolicy``
marks the ``Http404`` it raises when the record is there but out of the user's scope
(``mark_refused``); a 404 for a record that does not exist is not a refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import Http404

logger = logging.getLogger(__name__)

_recorders: list[Callable] = []


def register_refusal_recorder(recorder: Callable) -> None:
    if recorder not in _recorders:
        _recorders.append(recorder)


def mark_refused(*, object_type: str, object_id: str) -> Http404:
    """An Http404 that says the record exists but is out of the user's reach."""
    exception = Http404()
    exception.refused_object = (object_type, str(object_id))
    return exception


def report_refusal(request, *, status: int, exception=None) -> None:
    if request is None:
        return
    object_type, object_id = getattr(exception, "refused_object", ("", ""))
    if status == 404 and not object_type:
        return  # nothing there to refuse
    for recorder in list(_recorders):
        try:
            recorder(request, status=status, object_type=object_type, object_id=object_id)
        except Exception:
            logger.exception("A refused request could not be recorded")
