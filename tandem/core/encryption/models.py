"""The table of per-subject data keys. It sits below the rest of the package (it imports
none of it), so the key store in datakeys.py reads it with an ordinary import.

Registered as ``core.DataKey``: the core app's models module imports it."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone

MAX_SUBJECT_TYPE = 64
MAX_SUBJECT_ID = 64


class DataKey(models.Model):
    """One data subject's data key, stored only wrapped under a key-encryption key.

    ``wrapped_key`` is ``nonce || AES-GCM(KEK[kek_version], data key)`` with associated data
    binding it to the subject and the KEK version. Destroying the key (erasure) empties
    ``wrapped_key`` and ``kek_version`` and sets ``destroyed_at``; the row stays as a
    tombstone so nothing new can be encrypted for that subject. Never edit rows by hand:
    use tandem.core.encryption (destroy_subject_key) and ``manage.py rotate_keys``.
    """

    subject_type = models.CharField(max_length=MAX_SUBJECT_TYPE)
    subject_id = models.CharField(max_length=MAX_SUBJECT_ID)
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
