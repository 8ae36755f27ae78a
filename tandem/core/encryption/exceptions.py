"""Errors raised by the encryption layer.

None of them ever carries key material, plaintext or ciphertext in its message:
only labels, record identities and versions, which are safe in logs.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured


class EncryptionError(Exception):
    """Base class for every error raised by tandem.core.encryption."""


class KeyConfigurationError(EncryptionError, ImproperlyConfigured):
    """The key-encryption keys or the blind-index key are missing or malformed."""


class UnknownKeyVersion(KeyConfigurationError):
    """A data key is wrapped under a KEK version that the key ring does not hold."""

    def __init__(self, version: str):
        self.version = version
        super().__init__(
            f"No key-encryption key with version {version!r} is configured. Add it back to "
            "TANDEM_KEKS or the key file, or run `manage.py rotate_keys` while it is present."
        )


class SubjectKeyDestroyed(EncryptionError):
    """The data subject's key was destroyed (erasure): their encrypted values are gone for good.

    Raised on reading an encrypted value of an erased subject and on trying to encrypt
    anything new for them. Templates should check ``instance.subject_erased`` first and
    show "[erased]".
    """

    def __init__(self, subject_type: str, subject_id: str):
        self.subject_type = subject_type
        self.subject_id = subject_id
        super().__init__(f"The data key of {subject_type} {subject_id} has been destroyed.")


class DecryptionError(EncryptionError):
    """A ciphertext failed authentication: wrong record, wrong field, wrong key or tampered."""


class MissingDataKey(DecryptionError):
    """A ciphertext exists but its data subject has no data key at all."""

    def __init__(self, subject_type: str, subject_id: str):
        self.subject_type = subject_type
        self.subject_id = subject_id
        super().__init__(f"There is no data key for {subject_type} {subject_id}.")


class EncryptedFieldUsageError(EncryptionError, TypeError):
    """An encrypted field was used in a way that cannot work (e.g. QuerySet.update with text)."""
