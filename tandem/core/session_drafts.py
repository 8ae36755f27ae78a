"""Form answers held in the session between two steps of one form (a "check your
answers" page), sealed: the session table stores them encrypted with a key derived
from the current key-encryption key (HKDF, its own purpose), bound to the purpose and
the signed-in user, so the answers are never at rest in plain text and one user's
draft cannot be read back as another's. Nothing here is a record: a draft that cannot
be opened (a rotated key, another user, a tampered session) is simply gone."""

from __future__ import annotations

import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.views.decorators.debug import sensitive_variables

from .encryption import crypto
from .encryption.exceptions import DecryptionError, UnknownKeyVersion
from .encryption.keys import get_keyring

LABEL = "tandem.session-draft.v1"
PREFIX = "sealed-draft:"


@sensitive_variables()
def _aead(kek: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=LABEL.encode()).derive(kek)
    return AESGCM(key)


def _aad(request, purpose: str, version: str) -> bytes:
    return crypto.encode_aad(LABEL, purpose, str(request.user.pk), version)


def seal_draft(request, purpose: str, answers: dict) -> None:
    """Keep ``answers`` (JSON-able) in the session under ``purpose``, encrypted."""
    version, kek = get_keyring().current_kek
    sealed = crypto.encrypt_text(
        _aead(kek), json.dumps(answers, sort_keys=True), _aad(request, purpose, version)
    )
    request.session[PREFIX + purpose] = {"key": version, "answers": sealed}


def open_draft(request, purpose: str) -> dict | None:
    """The answers kept under ``purpose``, or None when there are none to open."""
    held = request.session.get(PREFIX + purpose)
    if not isinstance(held, dict):
        return None
    version, sealed = held.get("key"), held.get("answers")
    if not isinstance(version, str) or not isinstance(sealed, str):
        return None
    try:
        kek = get_keyring().kek(version)
        plain = crypto.decrypt_text(_aead(kek), sealed, _aad(request, purpose, version))
        answers = json.loads(plain)
    except (UnknownKeyVersion, DecryptionError, ValueError):
        return None
    return answers if isinstance(answers, dict) else None


def discard_draft(request, purpose: str) -> None:
    request.session.pop(PREFIX + purpose, None)
