"""Model fields whose values are encrypted at rest with the data subject's key.

Usage::

    class Note(EncryptedModel):
        client = models.ForeignKey(Client, on_delete=models.PROTECT)
        body = EncryptedTextField()
        title = EncryptedCharField(max_length=200, blank=True)

        def encryption_subject(self) -> tuple[str, str]:
            return ("client", str(self.client.record_uuid))

Reading ``note.body`` decrypts lazily (once per instance) and returns ``str``; assigning a
``str`` marks the value for encryption at the next ``save()``. The column holds
``"e1:" + base64(nonce || AES-256-GCM ciphertext)``, bound by associated data to the model
label, the record's ``record_uuid``, the field name and the subject, so a ciphertext copied
into another row or field fails loudly instead of decrypting.

Not supported, by design: filtering on the value (any lookup but ``isnull``),
``QuerySet.update()``/``bulk_update()`` with plain text, serialisation (dumpdata), unique or
indexed columns. Ordering by the column sorts ciphertext, which is meaningless.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from typing import Any

from django import forms
from django.core import checks, validators
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.views.decorators.debug import sensitive_variables

from . import crypto, datakeys
from .exceptions import DecryptionError, EncryptedFieldUsageError, SubjectKeyDestroyed

_UNREAD = object()

# Set while EncryptedModel.refresh_from_db copies values across, so ciphertext is moved
# rather than decrypted on the throwaway instance (which works for erased subjects too).
_raw_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("raw_reads", default=False)


class Sealed:
    """A stored ciphertext, and its plaintext once decrypted. Never shows either."""

    __slots__ = ("ciphertext", "plaintext")

    def __init__(self, ciphertext: str, plaintext: Any = _UNREAD):
        self.ciphertext = ciphertext
        self.plaintext = plaintext

    def __repr__(self) -> str:
        return "<encrypted>"

    __str__ = __repr__

    def __reduce__(self):  # pickling keeps the ciphertext only
        return (Sealed, (self.ciphertext,))


# --- explicit-context API (data migrations, exports) -----------------------------------


@sensitive_variables()
def encrypt_value(
    plaintext: str, *, model_label: str, record_id: str, field_name: str, subject
) -> str:
    """Encrypt ``plaintext`` exactly as the field would for that model, record and field."""
    subject = datakeys.check_subject(tuple(subject))
    aead = datakeys.key_for_encryption(subject)
    aad = crypto.field_aad(
        model_label=model_label, record_id=record_id, field_name=field_name, subject=subject
    )
    return crypto.encrypt_text(aead, plaintext, aad)


@sensitive_variables()
def decrypt_value(
    stored: str, *, model_label: str, record_id: str, field_name: str, subject
) -> str:
    """Decrypt a stored value given its full context. Raises DecryptionError on mismatch."""
    subject = datakeys.check_subject(tuple(subject))
    aead = datakeys.key_for_decryption(subject)
    aad = crypto.field_aad(
        model_label=model_label, record_id=record_id, field_name=field_name, subject=subject
    )
    try:
        return crypto.decrypt_text(aead, stored, aad)
    except DecryptionError:
        raise DecryptionError(
            f"{model_label}.{field_name} of record {record_id} failed to decrypt: it was "
            "written for another record, field or subject, or it was tampered with."
        ) from None


# --- the base model -------------------------------------------------------------------


class EncryptedModel(models.Model):
    """Base for models with encrypted fields.

    ``record_uuid`` gives every record an identity before it is inserted; encrypted values
    are bound to it. Subclasses implement ``encryption_subject()`` naming the data subject
    whose key encrypts the record, e.g. a note returns ``("client",
    str(self.client.record_uuid))``. The subject of a record must never change: its values
    would no longer decrypt. When listing many records, ``select_related`` whatever
    ``encryption_subject()`` touches.
    """

    record_uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    class Meta:
        abstract = True

    def encryption_subject(self) -> tuple[str, str]:
        raise NotImplementedError(
            f"{type(self).__name__} must implement encryption_subject() -> (type, id)."
        )

    @property
    def subject_erased(self) -> bool:
        """True when this record's subject was erased (templates show "[erased]")."""
        return datakeys.is_subject_erased(tuple(self.encryption_subject()))

    def refresh_from_db(self, *args, **kwargs):
        # Move ciphertext across instead of decrypting it on the throwaway copy.
        token = _raw_reads.set(True)
        try:
            super().refresh_from_db(*args, **kwargs)
        finally:
            _raw_reads.reset(token)

    @classmethod
    def check(cls, **kwargs):
        errors = super().check(**kwargs)
        if not cls._meta.abstract and (cls.encryption_subject is EncryptedModel.encryption_subject):
            errors.append(
                checks.Error(
                    f"{cls._meta.label} subclasses EncryptedModel but does not implement "
                    "encryption_subject().",
                    obj=cls,
                    id="tandem.fields.E003",
                )
            )
        return errors


# --- descriptor and fields -------------------------------------------------------------


class EncryptedAttribute(DeferredAttribute):
    """Decrypts on first read, caches the plaintext on the instance, takes plain text on set."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)  # loads a deferred column if needed
        if not isinstance(value, Sealed) or _raw_reads.get():
            return value
        if value.plaintext is _UNREAD:
            plaintext = self.field.decrypt_for(instance, value.ciphertext)
            value = Sealed(value.ciphertext, plaintext)
            instance.__dict__[self.field.attname] = value
        return value.plaintext

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Free text encrypted with the data subject's key. See the module docstring."""

    description = "Text encrypted at rest with the data subject's key"
    descriptor_class = EncryptedAttribute

    # -- checks

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.unique or self.db_index or self.primary_key:
            errors.append(
                checks.Error(
                    f"{self.__class__.__name__} cannot be unique, indexed or a primary key: "
                    "every save uses a fresh nonce, so equal values never compare equal.",
                    hint="Add a BlindIndexField next to it for exact-match lookups.",
                    obj=self,
                    id="tandem.fields.E001",
                )
            )
        if not issubclass(self.model, EncryptedModel):
            errors.append(
                checks.Error(
                    f"{self.__class__.__name__} needs its model to subclass "
                    "tandem.core.models.EncryptedModel (record_uuid, encryption_subject()).",
                    obj=self,
                    id="tandem.fields.E002",
                )
            )
        return errors

    # -- context

    def _context(self, instance) -> dict:
        model_label = self.model._meta.label_lower
        subject_of = getattr(instance, "encryption_subject", None)
        if subject_of is None:
            raise EncryptedFieldUsageError(
                f"{model_label} has no encryption_subject(). Historical models in data "
                "migrations cannot use encrypted fields; use "
                "tandem.core.encryption.encrypt_value()/decrypt_value() with explicit context."
            )
        record_uuid = getattr(instance, "record_uuid", None)
        if record_uuid is None:
            raise EncryptedFieldUsageError(f"{model_label} has no record_uuid to bind values to.")
        return {
            "model_label": model_label,
            "record_id": str(record_uuid),
            "field_name": self.name,
            "subject": tuple(subject_of()),
        }

    def encrypt_for(self, instance, plaintext: str) -> str:
        return encrypt_value(plaintext, **self._context(instance))

    def decrypt_for(self, instance, stored: str) -> str:
        return decrypt_value(stored, **self._context(instance))

    # -- database conversion

    def from_db_value(self, value, expression, connection):
        return None if value is None else Sealed(value)

    def to_python(self, value):
        if value is None or isinstance(value, (str, Sealed)):
            return value
        return str(value)

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.ciphertext
        raise EncryptedFieldUsageError(
            f"{self.model._meta.label_lower}.{self.name} is encrypted: set it on an instance "
            "and call save(); QuerySet.update(), bulk_update() and raw values cannot encrypt. "
            "Adding an encrypted column to an existing table? Make it null=True and backfill "
            "with encrypt_value() (docs/encryption.md)."
        )

    def pre_save(self, model_instance, add):
        value = model_instance.__dict__.get(self.attname)
        if isinstance(value, Sealed):
            if value.plaintext is _UNREAD:
                # Untouched since loading: prove it still decrypts under the subject's key
                # (so we never write back a value nobody can read), then keep it as is.
                # An erased subject's value stays erased: the ciphertext is written back.
                with contextlib.suppress(SubjectKeyDestroyed):
                    self.decrypt_for(model_instance, value.ciphertext)
                return value
            plaintext = value.plaintext
        else:
            plaintext = self.to_python(value)
        if plaintext is None:
            return None
        sealed = Sealed(self.encrypt_for(model_instance, plaintext), plaintext)
        model_instance.__dict__[self.attname] = sealed
        return sealed

    def value_to_string(self, obj):
        raise EncryptedFieldUsageError(
            f"{self.model._meta.label_lower}.{self.name} is encrypted and is not serialised; "
            "back up the database instead, or export through a dedicated service."
        )

    # -- lookups: only isnull

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model._meta.label_lower}.{self.name} is encrypted and cannot be searched "
            f"with '{lookup_name}'. Use a blind index for exact matches."
        )

    def get_transform(self, lookup_name):
        return None


class EncryptedCharField(EncryptedTextField):
    """A short encrypted value (name, identifier). ``max_length`` limits the plaintext.

    The column is still ``text``: ciphertext is longer than its plaintext.
    """

    def __init__(self, *args, max_length: int | None = None, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        if max_length is not None:
            self.validators.append(validators.MaxLengthValidator(max_length))

    def formfield(self, **kwargs):
        defaults = {"max_length": self.max_length, "form_class": forms.CharField}
        defaults.update(kwargs)
        # Skip TextField.formfield, which would choose a Textarea.
        return models.Field.formfield(self, **defaults)
