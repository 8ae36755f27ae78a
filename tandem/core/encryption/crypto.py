"""AES-256-GCM primitives and the exact byte layouts stored in the database.

Two layouts:

* wrapped data key (``DataKey.wrapped_key``, binary): ``nonce(12) || AES-GCM(KEK, data key)``
  with associated data ``("tandem.datakey.v1", subject_type, subject_id, kek_version)``.
* field value (text column): ``"e1:" + base64(nonce(12) || AES-GCM(data key, utf-8 text))``
  with associated data ``("tandem.field.v1", model label, record uuid, field name,
  subject_type, subject_id)``.

Associated data is length-prefixed so that no two different tuples encode alike.
Nonces are random; with one data key per subject the 2**32 messages-per-key bound of
random GCM nonces is far out of reach.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.views.decorators.debug import sensitive_variables

from .exceptions import DecryptionError

NONCE_BYTES = 12
TAG_BYTES = 16
DATA_KEY_BYTES = 32
WRAPPED_KEY_BYTES = NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES
FIELD_PREFIX = "e1:"
DATA_KEY_AAD_LABEL = "tandem.datakey.v1"
FIELD_AAD_LABEL = "tandem.field.v1"


def encode_aad(*parts: str) -> bytes:
    """Unambiguous encoding of a tuple of strings: 4-byte big-endian length, then UTF-8."""
    out = bytearray()
    for part in parts:
        data = part.encode("utf-8")
        out += len(data).to_bytes(4, "big") + data
    return bytes(out)


def data_key_aad(subject_type: str, subject_id: str, kek_version: str) -> bytes:
    return encode_aad(DATA_KEY_AAD_LABEL, subject_type, subject_id, kek_version)


def field_aad(
    *, model_label: str, record_id: str, field_name: str, subject: tuple[str, str]
) -> bytes:
    return encode_aad(FIELD_AAD_LABEL, model_label, record_id, field_name, *subject)


@sensitive_variables()
def seal(aead: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, plaintext, aad)


@sensitive_variables()
def unseal(aead: AESGCM, blob: bytes, aad: bytes) -> bytes:
    """Decrypt and authenticate; any failure is a DecryptionError without detail."""
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("The ciphertext is truncated.")
    try:
        return aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise DecryptionError("The ciphertext failed authentication.") from None


@sensitive_variables()
def wrap_data_key(kek: bytes, data_key: bytes, aad: bytes) -> bytes:
    return seal(AESGCM(kek), data_key, aad)


@sensitive_variables()
def unwrap_data_key(kek: bytes, wrapped: bytes, aad: bytes) -> bytes:
    data_key = unseal(AESGCM(kek), wrapped, aad)
    if len(data_key) != DATA_KEY_BYTES:
        raise DecryptionError("The unwrapped data key has the wrong length.")
    return data_key


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


@sensitive_variables()
def encrypt_text(aead: AESGCM, plaintext: str, aad: bytes) -> str:
    blob = seal(aead, plaintext.encode("utf-8"), aad)
    return FIELD_PREFIX + base64.b64encode(blob).decode("ascii")


def ciphertext_bytes(stored: str) -> bytes:
    """The binary ciphertext inside a stored field value (checks the format prefix)."""
    if not isinstance(stored, str) or not stored.startswith(FIELD_PREFIX):
        raise DecryptionError("The stored value is not in a known ciphertext format.")
    try:
        return base64.b64decode(stored[len(FIELD_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise DecryptionError("The stored ciphertext is not valid base64.") from None


@sensitive_variables()
def decrypt_text(aead: AESGCM, stored: str, aad: bytes) -> str:
    plaintext = unseal(aead, ciphertext_bytes(stored), aad)
    try:
        return plaintext.decode("utf-8")
    except UnicodeDecodeError:  # authenticated but not text: a bug, never data
        raise DecryptionError("The decrypted value is not UTF-8 text.") from None
