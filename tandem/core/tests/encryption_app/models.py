from django.db import models

from tandem.core.encryption import BlindIndexField, EncryptedCharField, EncryptedTextField
from tandem.core.models import EncryptedModel


class Subject(EncryptedModel):
    """A data subject: its own values are encrypted under its own key."""

    label = models.CharField(max_length=100, blank=True)  # deliberately plaintext (controls)
    name = EncryptedCharField(max_length=200)
    date_of_birth = EncryptedCharField(max_length=10, blank=True)
    name_index = BlindIndexField(source="name", purpose="test.subject.name")
    identity_index = BlindIndexField(
        source=("name", "date_of_birth"), purpose="test.subject.name_dob"
    )

    def encryption_subject(self) -> tuple[str, str]:
        return ("subject", str(self.record_uuid))


class Note(EncryptedModel):
    """A record that belongs to a subject and is encrypted under that subject's key."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="notes")
    body = EncryptedTextField()
    summary = EncryptedCharField(max_length=200, blank=True, null=True)
    status = models.CharField(max_length=20, default="open")

    def encryption_subject(self) -> tuple[str, str]:
        return ("subject", str(self.subject.record_uuid))
