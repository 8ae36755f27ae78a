"""Every write of supervision: assignments, the policy, records and their actions,
wellbeing check-ins, debriefs and reminders. Each service audits in its own
transaction; notifications and emails go out when it commits and never hold what was
said in supervision or answered in a check-in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.audit.services import record_event
from tandem.core.dates import long_date
from tandem.core.links import url_if_installed
from tandem.core.models import assign_changes
from tandem.core.notifications import email_users, notify
from tandem.mentors.models import Mentor

from .models import (
    DebriefRequirement,
    LevelRule,
    ReminderKind,
    SupervisionAction,
    SupervisionKind,
    SupervisionPolicy,
    SupervisionRecord,
    SupervisionReminder,
    SupervisorAssignment,
    WellbeingCheckIn,
)
from .rules import annotate_schedule, mentor_due_on
from .wellbeing import ITEMS, is_low_score


class SupervisionRefused(Exception):
    """A write that the rules do not allow, with the reason in words."""


# Assignment ----------------------------------------------------------------------------


def eligible_supervisors():
    return User.objects.filter(is_active=True, role_grants__role=Role.SUPERVISOR).distinct()


@transaction.atomic
def supervisor_assign(
    *, actor, mentor: Mentor, supervisor: User | None, request=None
) -> SupervisorAssignment | None:
    """Make ``supervisor`` (None: nobody) the mentor's supervisor from today, ending the
    current assignment. Returns the new assignment, or None when nothing changed."""
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    if supervisor is not None and not eligible_supervisors().filter(pk=supervisor.pk).exists():
        raise SupervisionRefused("Choose someone who holds the supervisor role.")
    if supervisor is not None and mentor.user_id == supervisor.pk:
        raise SupervisionRefused("A mentor cannot supervise themselves.")
    if mentor.supervisor_id == (supervisor.pk if supervisor else None):
        return None
    now = timezone.now()
    SupervisorAssignment.objects.filter(mentor=mentor, ended_at__isnull=True).update(ended_at=now)
    assignment = SupervisorAssignment.objects.create(
        mentor=mentor, supervisor=supervisor, assigned_by=actor, assigned_at=now
    )
    Mentor.objects.filter(pk=mentor.pk).update(supervisor=supervisor, updated_at=now)
    record_event(
        actor=actor,
        action="supervision.supervisor_assign",
        obj=mentor,
        request=request,
        changed_fields=["supervisor"],
    )
    if supervisor is not None:
        link = url_if_installed("supervision:oversight")
        notify(
            users=[supervisor],
            message=f"You now supervise {mentor.full_name}.",
            link=link,
        )
    return assignment


# Policy --------------------------------------------------------------------------------


@transaction.atomic
def supervision_policy_update(
    *, actor, data: dict, levels: dict[int, dict], request=None
) -> list[str]:
    """Set the policy's fields (``data``) and each level's rule (``levels``: level pk ->
    fields). Returns the names of what changed (``level.<code>.<field>``)."""
    SupervisionPolicy.current()
    policy = SupervisionPolicy.objects.select_for_update().get(pk=1)
    changed = assign_changes(policy, data)
    if changed:
        policy.save(update_fields=[*changed, "updated_at"])
    rules = {r.level_id: r for r in LevelRule.objects.select_for_update().select_related("level")}
    for level_id, values in levels.items():
        rule = rules.get(level_id)
        if rule is None:
            rule = LevelRule(level_id=level_id, **values)
            rule.save()
            rule = LevelRule.objects.select_related("level").get(pk=rule.pk)
            changed += [f"level.{rule.level.code.replace('-', '_')}.{name}" for name in values]
            continue
        fields = assign_changes(rule, values)
        if fields:
            rule.save(update_fields=fields)
            changed += [f"level.{rule.level.code.replace('-', '_')}.{name}" for name in fields]
    if changed:
        record_event(
            actor=actor,
            action="supervision.policy_change",
            obj=policy,
            request=request,
            changed_fields=changed,
        )
    return changed


# Records -------------------------------------------------------------------------------

NOTE_FIELDS = ("approach", "boundaries", "theology", "wellbeing")


@transaction.atomic
def supervision_record(
    *,
    actor,
    mentor: Mentor,
    held_on: dt.date,
    kind: str,
    cases: Iterable = (),
    notes: dict[str, str],
    actions: Iterable[dict] = (),
    request=None,
) -> SupervisionRecord:
    """Record a supervision the actor held with the mentor, with its notes and the
    actions agreed (each {"text", "owner", "due_on"}). A debrief meets the mentor's
    open debrief requirements."""
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    if mentor.supervisor_id != actor.pk:
        raise SupervisionRefused("Only the mentor's supervisor can record their supervision.")
    today = timezone.localdate()
    if held_on > today:
        raise SupervisionRefused("A supervision can only be recorded once it has been held.")
    if kind not in SupervisionKind.values:
        raise SupervisionRefused("Choose what kind of supervision it was.")
    record = SupervisionRecord(
        mentor=mentor,
        supervisor=actor,
        held_on=held_on,
        kind=kind,
        recorded_by=actor,
        **{name: (notes.get(name) or "").strip() for name in NOTE_FIELDS},
    )
    record.save()
    record.cases.set(list(cases))
    SupervisionAction.objects.bulk_create(
        SupervisionAction(
            record=record,
            mentor=mentor,
            text=a["text"].strip(),
            owner=a["owner"],
            due_on=a["due_on"],
        )
        for a in actions
    )
    fields = ["held_on", "kind", "cases"] + [n for n in NOTE_FIELDS if getattr(record, n)]
    record_event(
        actor=actor,
        action="supervision.record",
        obj=record,
        request=request,
        changed_fields=fields + (["actions"] if actions else []),
    )
    if kind == SupervisionKind.DEBRIEF:
        met = DebriefRequirement.objects.filter(
            mentor=mentor, met_by__isnull=True, required_on__lte=held_on
        )
        for requirement in met:
            requirement.met_by = record
            requirement.save(update_fields=["met_by"])
            record_event(
                actor=actor,
                action="supervision.debrief_meet",
                obj=requirement,
                request=request,
                changed_fields=["met_by"],
            )
    if mentor.user_id:
        notify(
            users=[mentor.user_id],
            message=f"Your supervision on {long_date(held_on)} has been recorded.",
            link=url_if_installed("supervision:record", pk=record.pk),
        )
    return record


@transaction.atomic
def supervision_action_complete(*, actor, action: SupervisionAction, request=None) -> bool:
    """Mark an agreed action done today; False when it was done already."""
    action = SupervisionAction.objects.select_for_update().get(pk=action.pk)
    if action.done_on is not None:
        return False
    action.done_on = timezone.localdate()
    action.save(update_fields=["done_on"])
    record_event(
        actor=actor,
        action="supervision.action_complete",
        obj=action,
        request=request,
        changed_fields=["done_on"],
    )
    return True


# Wellbeing -----------------------------------------------------------------------------


@transaction.atomic
def wellbeing_check_in(
    *, actor, mentor: Mentor, answers: dict[str, int], wants_to_talk: bool = False, request=None
) -> WellbeingCheckIn:
    """The mentor's own check-in. A low score, or asking to talk, tells their supervisor
    (in Tandem and by email, with no answers in either)."""
    if mentor.user_id != actor.pk:
        raise SupervisionRefused("Only the mentor can check in on their own wellbeing.")
    values = {}
    for item in ITEMS:
        value = answers.get(item.name)
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise ValidationError(f"Answer: {item.question}")
        values[item.name] = value
    total = sum(values.values())
    low = is_low_score(values, SupervisionPolicy.current().low_wellbeing_total)
    checkin = WellbeingCheckIn.objects.create(
        mentor=mentor, total=total, is_low=low, wants_to_talk=wants_to_talk, **values
    )
    record_event(
        actor=actor,
        action="supervision.wellbeing_check_in",
        obj=checkin,
        request=request,
        changed_fields=[*values, "wants_to_talk"],
    )
    supervisor = User.objects.filter(pk=mentor.supervisor_id, is_active=True).first()
    if (low or wants_to_talk) and supervisor is not None:
        why = "asked to talk" if wants_to_talk and not low else "had a low wellbeing check-in"
        link = url_if_installed("supervision:mentor", pk=mentor.pk)
        notify(
            users=[supervisor], message=f"{mentor.full_name} {why}. Please get in touch.", link=link
        )
        email_users(
            users=[supervisor],
            subject="Tandem: a mentor you supervise may need support",
            body=f"{mentor.full_name} {why} in Tandem. Please get in touch with them soon.\n\n"
            "Sign in to Tandem and open Supervision to see their check-ins.",
        )
    return checkin


# Debriefs ------------------------------------------------------------------------------


@transaction.atomic
def debrief_require(
    *,
    mentor: Mentor,
    reason_code: str,
    due_by: dt.date | None = None,
    source: str = "",
    actor=None,
    request=None,
) -> DebriefRequirement:
    """Require a debrief of the mentor by ``due_by`` (default: the policy's number of
    days from today). The extension point for safeguarding: call it when a concern of a
    serious category is raised on one of the mentor's cases, with ``source`` naming the
    concern ("safeguarding.concern:42"); the same source requires one debrief only.
    ``reason_code`` is a code, never the concern's content."""
    if source:
        existing = DebriefRequirement.objects.filter(mentor=mentor, source=source).first()
        if existing is not None:
            return existing
    today = timezone.localdate()
    due_by = due_by or today + dt.timedelta(days=SupervisionPolicy.current().debrief_days)
    try:
        with transaction.atomic():
            requirement = DebriefRequirement.objects.create(
                mentor=mentor,
                reason_code=reason_code[:60],
                source=source[:120],
                required_on=today,
                due_by=due_by,
                required_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except IntegrityError:  # a concurrent call required it first
        return DebriefRequirement.objects.get(mentor=mentor, source=source)
    record_event(
        actor=actor,
        action="supervision.debrief_require",
        obj=requirement,
        request=request,
        reason=reason_code[:60],
        changed_fields=["due_by"],
    )
    supervisor = User.objects.filter(pk=mentor.supervisor_id, is_active=True).first()
    if supervisor is not None:
        notify(
            users=[supervisor],
            message=f"{mentor.full_name} needs a debrief by {long_date(due_by)}.",
            link=url_if_installed("supervision:mentor", pk=mentor.pk),
        )
    return requirement


# Reminders -----------------------------------------------------------------------------


def supervision_reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Remind each mentor with a supervisor, and the supervisor, once when supervision
    falls due within the policy's reminder days, and once when it is overdue. Safe to
    run again or twice at once: each (mentor, due date, kind) is sent once."""
    today = today or timezone.localdate()
    policy = SupervisionPolicy.current()
    horizon = today + dt.timedelta(days=policy.reminder_days)
    mentors = annotate_schedule(
        Mentor.objects.filter(supervisor__isnull=False, status="active").select_related(
            "user", "supervisor"
        ),
        today,
    )
    sent = {ReminderKind.DUE_SOON: 0, ReminderKind.OVERDUE: 0}
    for mentor in mentors:
        due = mentor_due_on(mentor)
        if due is None or due > horizon:
            continue
        kind = ReminderKind.OVERDUE if due < today else ReminderKind.DUE_SOON
        if _send_reminder(mentor, due, kind):
            sent[kind] += 1
    return {"due_soon": sent[ReminderKind.DUE_SOON], "overdue": sent[ReminderKind.OVERDUE]}


@transaction.atomic
def _send_reminder(mentor: Mentor, due: dt.date, kind: str) -> bool:
    try:
        with transaction.atomic():
            reminder = SupervisionReminder.objects.create(mentor=mentor, due_on=due, kind=kind)
    except IntegrityError:
        return False  # sent already, by an earlier or a concurrent run
    record_event(
        actor=None, action="supervision.reminder_send", obj=reminder, changed_fields=["kind"]
    )
    if kind == ReminderKind.OVERDUE:
        text = (
            f"Supervision of {mentor.full_name} is overdue since {long_date(due)}: "
            "they cannot be matched with anyone new until it is held."
        )
    else:
        text = f"Supervision of {mentor.full_name} is due by {long_date(due)}."
    users = [u for u in (mentor.user, mentor.supervisor) if u is not None and u.is_active]
    notify(users=users, message=text, link=url_if_installed("supervision:mentor", pk=mentor.pk))
    email_users(
        users=users,
        subject="Tandem: supervision due"
        if kind == ReminderKind.DUE_SOON
        else "Tandem: supervision overdue",
        body=text + "\n\nSign in to Tandem to see when it was last held.",
    )
    return True
