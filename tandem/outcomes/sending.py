"""Sending an answer link by email or text message, once the transaction commits.

The message says only that there are a few questions and where to answer: no name, no
reference and no scheme name, so a message seen by someone else gives nothing away.
The address is used for this one message and not kept.

Text messages go through the backend named by ``TANDEM_TEXT_BACKEND`` (a dotted path
to a callable taking the number and the message). The default keeps the messages in
``outbox`` (as Django's test mail backend does) and logs that one was sent, never the
number: a scheme connects its text-message provider there.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox: list[tuple[str, str]] = []

SUBJECT = "A few questions for you"


def message_for(url: str, expires: str) -> str:
    return (
        "You have been asked to answer a few short questions. "
        f"Open this link to answer: {url}\n"
        f"The link works once and until {expires}."
    )


def keep_in_outbox(number: str, message: str) -> None:
    outbox.append((number, message))
    logger.info("answer link sent by text message")


def _send(channel: str, address: str, message: str) -> None:
    try:
        if channel == "email":
            send_mail(SUBJECT, message, None, [address])
        else:
            backend = import_string(
                getattr(settings, "TANDEM_TEXT_BACKEND", "tandem.outcomes.sending.keep_in_outbox")
            )
            backend(address, message)
    except Exception:  # the link still works; the page offers it to pass on another way
        logger.exception("answer link could not be sent", extra={"channel": channel})


def send_link(*, channel: str, address: str, url: str, expires: str) -> None:
    message = message_for(url, expires)
    transaction.on_commit(lambda: _send(channel, address, message))
