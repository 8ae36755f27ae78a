"""Changing the scheme's meetings policy."""

from __future__ import annotations

from django.db import transaction

from tandem.audit.services import record_event
from tandem.core.models import assign_changes

from ..models import MeetingsPolicy


@transaction.atomic
def meetings_policy_update(*, actor, data: dict, request=None) -> list[str]:
    """Set the policy's fields in ``data`` (by field name) and return the names that
    changed; nothing is written when none did. The alert commands read the new values
    on their next run."""
    MeetingsPolicy.current()  # the row exists before it is locked
    policy = MeetingsPolicy.objects.select_for_update().get(pk=1)
    changed = assign_changes(policy, data)
    if not changed:
        return []
    policy.save(update_fields=[*changed, "updated_at"])
    record_event(
        actor=actor,
        action="meetings.policy_change",
        obj=policy,
        request=request,
        changed_fields=changed,
    )
    return changed
