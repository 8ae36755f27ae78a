"""Core models: the per-subject data keys and the base for models with encrypted fields."""

from __future__ import annotations

import uuid

from django.core import checks
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone

from .encryption import datakeys
from .encryption.fields import _raw_reads


class DataKey(models.Model):
    """One data subject's data key, stored only wrapped under a key-encryption key.

    ``wrapped_key`` is ``nonce || AES-GCM(KEK[kek_version], data key)`` with associated data
    binding it to the subject and the KEK version. Destroying the key (erasure) empties
    ``wrapped_key`` and ``kek_version`` and sets ``destroyed_at``; the row stays as a
    tombstone so nothing new can be encrypted for that subject. Never edit rows by hand:
    use tandem.core.encryption (destroy_subject_key) and ``manage.py rotate_keys``.
    """

    subject_type = models.CharField(max_length=datakeys.MAX_SUBJECT_TYPE)
    subject_id = models.CharField(max_length=datakeys.MAX_SUBJECT_ID)
    wrapped_key = models.BinaryField(max_length=128, default=b"", blank=True)
    kek_version = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="core_datakey_one_per_subject"
            ),
            # Live: a wrapped key and its KEK version. Destroyed: neither.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        GreaterThan(Length("wrapped_key"), 0),
                        destroyed_at__isnull=True,
                    )
                    & ~models.Q(kek_version="")
                )
                | models.Q(
                    Exact(Length("wrapped_key"), 0),
                    destroyed_at__isnull=False,
                    kek_version="",
                ),
                name="core_datakey_live_or_destroyed",
            ),
        ]

    def __str__(self) -> str:
        state = "destroyed" if self.destroyed_at else f"KEK v{self.kek_version}"
        return f"data key of {self.subject_type} {self.subject_id} ({state})"

    def __repr__(self) -> str:  # never the wrapped bytes
        return f"<DataKey {self.subject_type}:{self.subject_id} {self.kek_version or '-'}>"


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


class Notification(models.Model):
    """An in-app message for one user (reminders, alerts). Never holds case content."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=300)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"Notification for user {self.user_id} at {self.created_at:%Y-%m-%d %H:%M}"


def assign_changes(instance: models.Model, values: dict) -> list[str]:
    """Set ``values`` (by field name; a related object or None for a foreign key) on
    ``instance`` and return the names of those that differ, in the order given. Foreign
    keys are compared by primary key, so nothing is fetched to compare them."""
    changed = []
    for name, value in values.items():
        field = instance._meta.get_field(name)
        wanted = value.pk if field.is_relation and value is not None else value
        if getattr(instance, field.attname) != wanted:
            setattr(instance, name, value)
            changed.append(name)
    return changed
