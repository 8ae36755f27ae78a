"""Every write of the outcomes app: instruments and their versions, answer links and
answers. Keyword-only, transactional, each audited in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.audit.services import record_event
from tandem.cases.models import Case

from . import sending
from .models import (
    AnsweredVia,
    AnswerLink,
    Channel,
    Instrument,
    InstrumentVersion,
    Occasion,
    Respondent,
    Response,
)
from .scoring import AnswerError, Definition, score, to_document

TOKEN_BYTES = 32


class OutcomesRefused(Exception):
    """A change that cannot be made; the message is safe to show."""


def link_lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "TANDEM_ANSWER_LINK_DAYS", 14)))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# Instruments -----------------------------------------------------------------------------


def _schedule(instrument: Instrument, schedule: dict) -> list[str]:
    changed = []
    for name in ("at_start", "at_review", "at_closure", "at_follow_up"):
        value = bool(schedule.get(name))
        if getattr(instrument, name) != value:
            setattr(instrument, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def instrument_create(
    *,
    actor,
    key: str,
    name: str,
    description: str,
    respondent: str,
    schedule: dict,
    definition: Definition,
    change_note: str = "",
    is_active: bool = True,
    request=None,
) -> Instrument:
    if Instrument.objects.filter(key=key).exists():
        raise OutcomesRefused("An instrument with this short name already exists. Choose another.")
    instrument = Instrument(
        key=key,
        name=name,
        description=description,
        respondent=respondent,
        current_version=1,
        is_active=is_active,
    )
    _schedule(instrument, schedule)
    try:
        with transaction.atomic():
            instrument.save()
    except IntegrityError as error:
        raise OutcomesRefused(
            "An instrument with this short name already exists. Choose another."
        ) from error
    InstrumentVersion.objects.create(
        instrument=instrument,
        number=1,
        definition=to_document(definition),
        change_note=change_note,
        created_by=actor,
    )
    record_event(actor=actor, action="outcomes.instrument_create", obj=instrument, request=request)
    return instrument


@transaction.atomic
def instrument_revise(
    *,
    actor,
    instrument: Instrument,
    seen_version: int,
    name: str,
    description: str,
    schedule: dict,
    definition: Definition,
    change_note: str = "",
    is_active: bool = True,
    request=None,
) -> InstrumentVersion | None:
    """Save the instrument's details and, when its definition changed, a new version
    (answers already given keep theirs). Refused when someone else revised it since
    ``seen_version`` was shown. Returns the new version, or None when only the name,
    description or schedule changed."""
    locked = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if locked.current_version != seen_version:
        raise OutcomesRefused(
            "Someone else revised this instrument while you were editing. "
            "Check the current version, then make your change again."
        )
    current = locked.versions.get(number=locked.current_version)
    changed = _schedule(locked, schedule)
    for field, value in (("name", name), ("description", description), ("is_active", is_active)):
        if getattr(locked, field) != value:
            setattr(locked, field, value)
            changed.append(field)
    document = to_document(definition)
    version = None
    if document != current.definition:
        locked.current_version += 1
        changed.append("definition")
        version = InstrumentVersion.objects.create(
            instrument=locked,
            number=locked.current_version,
            definition=document,
            change_note=change_note,
            created_by=actor,
        )
    if not changed:
        return None
    locked.save()
    record_event(
        actor=actor,
        action="outcomes.instrument_revise",
        obj=locked,
        changed_fields=changed,
        request=request,
    )
    instrument.refresh_from_db()
    return version


def current_version(instrument: Instrument) -> InstrumentVersion:
    return instrument.versions.get(number=instrument.current_version)


# Answer links ----------------------------------------------------------------------------


@transaction.atomic
def link_create(
    *,
    actor,
    case: Case,
    instrument: Instrument,
    occasion: str,
    channel: str,
    address: str = "",
    answer_url,
    request=None,
) -> tuple[AnswerLink, str]:
    """Make a single-use link for ``instrument``'s respondent (the person or the
    referrer) and send it by ``channel``. Returns the link and its token, which is
    kept nowhere: the caller shows it once. ``answer_url(token)`` gives the address."""
    if not instrument.is_active:
        raise OutcomesRefused("This questionnaire is no longer in use.")
    if instrument.respondent not in (Respondent.PERSON, Respondent.REFERRER):
        raise OutcomesRefused("The mentor answers this questionnaire signed in, not by a link.")
    if occasion not in Occasion.values or channel not in Channel.values:
        raise OutcomesRefused("Choose when it is asked and how the link reaches them.")
    if instrument.respondent == Respondent.REFERRER and channel == Channel.TEXT:
        raise OutcomesRefused("Referrers are sent their link by email.")
    if channel != Channel.QR and not address and instrument.respondent == Respondent.PERSON:
        raise OutcomesRefused("Give the email address or mobile number to send the link to.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    link = AnswerLink.objects.create(
        case=case,
        version=current_version(instrument),
        respondent=instrument.respondent,
        occasion=occasion,
        channel=channel,
        token_hash=token_hash(token),
        expires_at=now + link_lifetime(),
        created_by=actor,
        created_at=now,
    )
    url = answer_url(token)
    expires = timezone.localtime(link.expires_at).strftime("%-d %B %Y")
    if instrument.respondent == Respondent.REFERRER and channel == Channel.EMAIL and not address:
        address = case.referred_by.email
    if channel != Channel.QR:
        sending.send_link(channel=channel, address=address, url=url, expires=expires)
    record_event(
        actor=actor,
        action="outcomes.link_create",
        obj=link,
        reason=f"{instrument.key}: {channel}",
        request=request,
    )
    return link, token


@transaction.atomic
def link_withdraw(*, actor, link: AnswerLink, request=None) -> bool:
    done = AnswerLink.objects.filter(
        pk=link.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if done:
        record_event(actor=actor, action="outcomes.link_withdraw", obj=link, request=request)
    return bool(done)


def link_for_token(token: str) -> AnswerLink | None:
    """The link ``token`` opens while it can still be answered; None otherwise (unknown,
    used, withdrawn or expired alike: the page says the same for each)."""
    if not token or len(token) > 100:
        return None
    return (
        AnswerLink.objects.select_related("version", "version__instrument")
        .filter(
            token_hash=token_hash(token),
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


# Answers ---------------------------------------------------------------------------------


def _response(
    *, case, version, respondent, occasion, via, answers, language, link=None, recorded_by=None
) -> Response:
    try:
        scores = score(version.parsed, answers)
    except AnswerError as error:
        raise OutcomesRefused(str(error)) from error
    response = Response(
        case=case,
        version=version,
        respondent=respondent,
        occasion=occasion,
        answered_via=via,
        link=link,
        language=language,
        recorded_by=recorded_by,
        answers=json.dumps(answers, sort_keys=True),
        scores=json.dumps(scores.as_dict(), sort_keys=True),
    )
    response.save()
    return response


@transaction.atomic
def answer_by_link(*, token: str, answers: dict, language: str, request=None) -> Response:
    """Save the answers given through a link and use the link up, once: a second
    submission (another tab, a retry, a leaked copy) is refused, also under concurrency
    (the conditional update claims the link before anything is saved)."""
    link = link_for_token(token)
    if link is None:
        raise OutcomesRefused("This link no longer works.")
    claimed = AnswerLink.objects.filter(
        pk=link.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).update(used_at=timezone.now())
    if not claimed:
        raise OutcomesRefused("This link no longer works.")
    case = Case.objects.get(pk=link.case_id)
    response = _response(
        case=case,
        version=link.version,
        respondent=link.respondent,
        occasion=link.occasion,
        via=AnsweredVia.LINK,
        answers=answers,
        language=language,
        link=link,
    )
    record_event(
        actor=None,
        action="outcomes.answer_by_link",
        obj=response,
        reason=link.version.instrument.key,
        request=request,
    )
    return response


@transaction.atomic
def answer_signed_in(
    *,
    actor,
    case: Case,
    instrument: Instrument,
    occasion: str,
    answers: dict,
    language: str = "en",
    request=None,
) -> Response:
    """Answers given signed in: the person's with their mentor, on the mentor's phone,
    or the mentor's own reflection."""
    if not instrument.is_active:
        raise OutcomesRefused("This questionnaire is no longer in use.")
    if instrument.respondent == Respondent.REFERRER:
        raise OutcomesRefused("The referrer answers this questionnaire through their own link.")
    if occasion not in Occasion.values:
        raise OutcomesRefused("Choose when it is asked.")
    via = (
        AnsweredVia.WITH_MENTOR
        if instrument.respondent == Respondent.PERSON
        else AnsweredVia.SIGNED_IN
    )
    response = _response(
        case=case,
        version=current_version(instrument),
        respondent=instrument.respondent,
        occasion=occasion,
        via=via,
        answers=answers,
        language=language,
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action="outcomes.answer_signed_in",
        obj=response,
        reason=instrument.key,
        request=request,
    )
    return response
