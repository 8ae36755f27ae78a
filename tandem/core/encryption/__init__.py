"""Envelope encryption at rest: per-subject data keys wrapped by key-encryption keys.

See docs/encryption.md for the design, the rotation runbook and what is protected.
"""

from . import checks as _checks  # noqa: F401  (registers the system checks)
from .blind_indexes import BlindIndexField, blind_index, blind_index_parts, normalise
from .datakeys import destroy_subject_key, is_subject_erased, with_data_keys
from .datakeys import preload as preload_data_keys
from .exceptions import (
    DecryptionError,
    EncryptedFieldUsageError,
    EncryptionError,
    KeyConfigurationError,
    MissingDataKey,
    SubjectKeyDestroyed,
    UnknownKeyVersion,
)
from .fields import (
    EncryptedCharField,
    EncryptedTextField,
    Sealed,
    decrypt_value,
    encrypt_value,
)
from .keys import generate_key, get_keyring

__all__ = [
    "BlindIndexField",
    "DecryptionError",
    "EncryptedCharField",
    "EncryptedFieldUsageError",
    "EncryptedTextField",
    "EncryptionError",
    "KeyConfigurationError",
    "MissingDataKey",
    "Sealed",
    "SubjectKeyDestroyed",
    "UnknownKeyVersion",
    "blind_index",
    "blind_index_parts",
    "decrypt_value",
    "destroy_subject_key",
    "encrypt_value",
    "generate_key",
    "get_keyring",
    "is_subject_erased",
    "normalise",
    "preload_data_keys",
    "with_data_keys",
]
