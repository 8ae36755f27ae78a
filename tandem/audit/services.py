"""Writing the audit log. Every event goes through ``record_event``.

Call it inside the transaction that makes the change it describes, so that the
change and its event commit or roll back together. It takes a row lock on the
chain head until that transaction ends, which serialises audited writes; call it
late in the transaction (after the change itself) to keep that hold short.

Action names are lower-case dotted verbs, ``<noun>.<verb>``: ``user.deactivate``,
``auth.login_failed``, ``audit.search``. Reads of a sensitive record use
``record_view``, whose action is ``<object_type>.view``, e.g. ``accounts.user.view``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from tandem.core.request_context import current_request_id

from .models import GENESIS_HASH, HEAD_ID, AuditChainHead, AuditEvent

ACTION_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
OBJECT_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
# A field name, optionally dotted for a nested part ("plan.goals"). Nothing else gets
# through, which makes it hard to slip a value (an email, a sentence) into the log.
FIELD_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,3}$")
NO_REQUEST_ID = "-"

AUDIT_SEARCH = "audit.search"


def record_event(
    *,
    actor,
    action: str,
    obj: Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    role: str | None = None,
    reason: str = "",
    changed_fields: Iterable[str] = (),
    request=None,
) -> AuditEvent:
    """Append one event to the audit log and return it.

    ``actor`` is the user who acted, or None (or an anonymous user) for the system
    or someone not signed in. ``obj`` names the record acted on; ``object_type`` and
    ``object_id`` override or replace it. ``role`` defaults to all the actor's roles
    joined by "+". ``changed_fields`` takes field names only: a ValueError is raised
    for anything that does not look like a name.
    """
    actor = actor if actor is not None and actor.is_authenticated else None
    if not ACTION_RE.match(action) or len(action) > 100:
        raise ValueError(f"Audit action {action!r} is not a dotted lower-case verb.")
    fields = _field_names(changed_fields)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = str(obj.pk) if object_id is None else object_id
    object_type = object_type or ""
    object_id = "" if object_id is None else str(object_id)
    if (object_type and not OBJECT_TYPE_RE.match(object_type)) or len(object_type) > 100:
        raise ValueError(f"Audit object type {object_type!r} is not an app_label.model name.")
    if len(object_id) > 64:
        raise ValueError("Audit object ids are at most 64 characters.")
    if role is None:
        role = "+".join(sorted(getattr(actor, "roles", ()))) if actor else ""

    with transaction.atomic():
        head = _locked_head()
        event = AuditEvent(
            sequence=head.sequence + 1,
            occurred_at=timezone.now(),
            actor=actor,
            actor_label=actor_label(actor) if actor else "",
            role=role,
            action=action,
            object_type=object_type,
            object_id=object_id,
            reason=(reason or "").strip(),
            request_id=_request_id(request),
            changed_fields=fields,
            prev_hash=head.hash,
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=head.pk).update(sequence=event.sequence, hash=event.hash)
    return event


def actor_label(actor) -> str:
    """The actor as the chain records them: the account's number, never its email or
    name. Events are hashed into the chain and can never be rewritten, so nothing in them
    may be personal data that erasure must remove; the account row (which erasure
    scrubs) says who the number was."""
    return f"user:{actor.pk}"


def record_view(*, actor, obj: Model, request=None, reason: str = "") -> AuditEvent:
    """Record that ``actor`` looked at a sensitive record."""
    return record_event(
        actor=actor,
        action=f"{obj._meta.label_lower}.view",
        obj=obj,
        request=request,
        reason=reason,
    )


def record_audit_search(*, actor, filters: dict, request=None) -> AuditEvent:
    """Record a search of the audit log: which filters were used (names, not the terms),
    and the record searched for when one was named."""
    used = [name for name, value in filters.items() if value not in (None, "")]
    return record_event(
        actor=actor,
        action=AUDIT_SEARCH,
        object_type=filters.get("object_type") or "",
        object_id=filters.get("object_id") or "",
        changed_fields=used,
        request=request,
    )


def _field_names(changed_fields: Iterable[str]) -> list[str]:
    if isinstance(changed_fields, str | bytes):
        raise ValueError("changed_fields takes a list of field names, not a single string.")
    names = list(changed_fields)
    for name in names:
        if not isinstance(name, str) or not FIELD_NAME_RE.match(name):
            # Do not echo the rejected item: it may be exactly the value we keep out.
            raise ValueError("changed_fields may contain field names only, never values.")
    return sorted(set(names))


def _request_id(request) -> str:
    request_id = getattr(request, "request_id", None) or current_request_id()
    return "" if request_id == NO_REQUEST_ID else str(request_id)[:64]


def _locked_head() -> AuditChainHead:
    """The chain head, locked until the surrounding transaction ends.

    Migration 0002 creates the row; should it be missing (a database flushed by the
    test runner), the genesis head is created. If events exist without a head, the
    next insert collides with sequence 1 and fails: the log refuses to fork.
    """
    heads = AuditChainHead.objects.select_for_update()
    try:
        return heads.get(pk=HEAD_ID)
    except AuditChainHead.DoesNotExist:
        AuditChainHead.objects.get_or_create(
            pk=HEAD_ID, defaults={"sequence": 0, "hash": GENESIS_HASH}
        )
        return heads.get(pk=HEAD_ID)
