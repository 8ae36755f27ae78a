"""EncryptedTextField / EncryptedCharField: round trip, ciphertext shape, AAD binding, misuse."""

from __future__ import annotations

import pickle

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core import serializers
from django.core.exceptions import FieldError, ValidationError
from django.db import models, transaction
from django.test.utils import isolate_apps
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tandem.core.encryption import (
    DecryptionError,
    EncryptedCharField,
    EncryptedFieldUsageError,
    EncryptedTextField,
    MissingDataKey,
    Sealed,
    crypto,
    decrypt_value,
    encrypt_value,
)
from tandem.core.models import DataKey, EncryptedModel
from tandem.core.tests.encryption_app.models import Note, Subject

from .rawsql import raw_column, set_raw_column

pytestmark = pytest.mark.django_db


def fresh(instance):
    """The same row loaded anew, so nothing decrypted is carried over."""
    return type(instance).objects.get(pk=instance.pk)


def test_values_round_trip_through_the_database(make_subject, make_note):
    subject = make_subject(name="Zoë O\u2019Connor-Ahmed", date_of_birth="2009-04-01")
    note = make_note(subject, body="Talked about school.\nFelt heard. 😊", summary="")

    assert fresh(subject).name == "Zoë O\u2019Connor-Ahmed"
    assert fresh(subject).date_of_birth == "2009-04-01"
    loaded = fresh(note)
    assert loaded.body == "Talked about school.\nFelt heard. 😊"
    assert loaded.summary == ""


def test_null_stays_null_and_is_not_encrypted(make_note):
    note = make_note(summary=None)
    assert raw_column(Note, "summary", note.pk) is None
    assert fresh(note).summary is None
    assert Note.objects.filter(summary__isnull=True).count() == 1


def test_stored_value_is_versioned_ciphertext_not_plaintext(make_note):
    note = make_note(body="the plaintext body")
    stored = raw_column(Note, "body", note.pk)
    assert stored.startswith("e1:")
    assert "plaintext" not in stored
    assert stored != "the plaintext body"


def test_same_text_encrypts_differently_each_time(make_subject, make_note):
    subject = make_subject()
    first = make_note(subject, body="identical text")
    second = make_note(subject, body="identical text")
    assert raw_column(Note, "body", first.pk) != raw_column(Note, "body", second.pk)

    before = raw_column(Note, "body", first.pk)
    loaded = fresh(first)
    loaded.body = "identical text"  # same value, saved again: a fresh nonce
    loaded.save()
    assert raw_column(Note, "body", first.pk) != before
    assert fresh(first).body == "identical text"


def test_one_data_key_per_subject_shared_by_its_records(make_subject, make_note):
    subject = make_subject()
    make_note(subject)
    make_note(subject)
    other = make_subject()
    assert DataKey.objects.count() == 2
    assert DataKey.objects.filter(subject_id=str(subject.record_uuid)).count() == 1
    assert DataKey.objects.filter(subject_id=str(other.record_uuid)).count() == 1


def test_ciphertext_swapped_between_rows_fails_loudly(make_subject, make_note):
    subject = make_subject()
    a = make_note(subject, body="note A")
    b = make_note(subject, body="note B")
    a_cipher, b_cipher = raw_column(Note, "body", a.pk), raw_column(Note, "body", b.pk)
    set_raw_column(Note, "body", a.pk, b_cipher)
    set_raw_column(Note, "body", b.pk, a_cipher)

    for note in (a, b):
        with pytest.raises(DecryptionError, match=r"encryption_app\.note\.body of record"):
            fresh(note).body  # noqa: B018

    set_raw_column(Note, "body", a.pk, a_cipher)  # put back: readable again
    assert fresh(a).body == "note A"


def test_ciphertext_swapped_between_fields_fails_loudly(make_note):
    note = make_note(body="the body", summary="the summary")
    body, summary = raw_column(Note, "body", note.pk), raw_column(Note, "summary", note.pk)
    set_raw_column(Note, "body", note.pk, summary)
    set_raw_column(Note, "summary", note.pk, body)
    loaded = fresh(note)
    with pytest.raises(DecryptionError):
        loaded.body  # noqa: B018
    with pytest.raises(DecryptionError):
        loaded.summary  # noqa: B018


def test_ciphertext_copied_to_another_subjects_record_fails(make_note):
    mine, theirs = make_note(body="mine"), make_note(body="theirs")
    set_raw_column(Note, "body", theirs.pk, raw_column(Note, "body", mine.pk))
    with pytest.raises(DecryptionError):
        fresh(theirs).body  # noqa: B018


def test_tampered_or_malformed_ciphertext_fails(make_note):
    note = make_note(body="original")
    stored = raw_column(Note, "body", note.pk)
    flipped = stored[:10] + ("A" if stored[10] != "A" else "B") + stored[11:]
    for bad in (flipped, stored[:-8], "e1:not base64!", "plaintext someone typed in", "e1:"):
        set_raw_column(Note, "body", note.pk, bad)
        with pytest.raises(DecryptionError):
            fresh(note).body  # noqa: B018


def test_ciphertext_without_a_data_key_fails(make_note):
    note = make_note(body="orphaned")
    DataKey.objects.all().delete()
    with pytest.raises(MissingDataKey):
        fresh(note).body  # noqa: B018


def test_decrypted_once_per_instance_and_cached_on_it(make_note, django_assert_num_queries):
    note = Note.objects.select_related("subject").get(pk=make_note(body="x").pk)
    with django_assert_num_queries(1):  # the data key
        assert note.body == "x"
    with django_assert_num_queries(0):
        assert note.body == "x"


def test_deferred_encrypted_field_loads_and_decrypts(make_note):
    note = make_note(body="deferred body")
    loaded = Note.objects.defer("body").get(pk=note.pk)
    assert "body" in loaded.get_deferred_fields()
    assert loaded.body == "deferred body"


def test_refresh_from_db_moves_ciphertext_without_decrypting(make_note, django_assert_num_queries):
    note = make_note(body="before")
    other = fresh(note)
    other.body = "after"
    other.save()
    with django_assert_num_queries(1):  # the row only: no data key, no subject
        note.refresh_from_db()
    assert isinstance(note.__dict__["body"], Sealed)
    assert note.body == "after"


def test_untouched_values_are_kept_when_other_fields_are_saved(make_note):
    note = make_note(body="keep me")
    before = raw_column(Note, "body", note.pk)
    loaded = fresh(note)
    loaded.status = "closed"
    loaded.save()
    assert raw_column(Note, "body", note.pk) == before
    assert fresh(note).body == "keep me"


def test_saving_refuses_to_write_back_a_value_that_no_longer_decrypts(make_note):
    note = make_note(body="x")
    loaded = fresh(note)
    set_raw_column(Note, "body", note.pk, raw_column(Note, "body", make_note().pk))
    loaded.__dict__["body"] = Sealed(raw_column(Note, "body", note.pk))
    loaded.status = "closed"
    with pytest.raises(DecryptionError):
        loaded.save()


def test_values_are_never_shown_by_repr_values_or_pickle(make_note):
    note = make_note(body="very private words")
    loaded = fresh(note)
    assert loaded.body == "very private words"
    assert "private" not in repr(loaded) and "private" not in str(loaded)
    assert "private" not in repr(loaded.__dict__["body"])

    (stored,) = Note.objects.values_list("body", flat=True)
    assert isinstance(stored, Sealed)
    assert repr(stored) == "<encrypted>" == str(stored)

    pickled = pickle.dumps(loaded)
    assert b"private" not in pickled
    assert pickle.loads(pickled).body == "very private words"


def test_filtering_on_an_encrypted_value_is_refused(make_note):
    make_note(body="x")
    for lookup in ("body", "body__icontains", "body__in", "body__startswith"):
        with pytest.raises(FieldError, match="cannot be searched"):
            Note.objects.filter(**{lookup: "x"}).count()


def test_bulk_writes_of_plaintext_are_refused(make_note):
    note = make_note(body="x")
    with pytest.raises(EncryptedFieldUsageError), transaction.atomic():
        Note.objects.update(body="plaintext")
    note.body = "changed"
    with pytest.raises(EncryptedFieldUsageError), transaction.atomic():
        Note.objects.bulk_update([note], ["body"])
    assert Note.objects.update(summary=None) == 1  # clearing needs no key


def test_bulk_create_encrypts(make_subject):
    subject = make_subject()
    Note.objects.bulk_create([Note(subject=subject, body=f"bulk {i}") for i in range(3)])
    assert sorted(n.body for n in Note.objects.all()) == ["bulk 0", "bulk 1", "bulk 2"]
    assert all(raw_column(Note, "body", n.pk).startswith("e1:") for n in Note.objects.all())


def test_serialisation_is_refused(make_note):
    make_note()
    with pytest.raises(EncryptedFieldUsageError, match="not serialised"):
        serializers.serialize("json", Note.objects.all())


def test_char_field_validates_plaintext_length(make_subject):
    subject = make_subject()
    subject.name = "x" * 201
    with pytest.raises(ValidationError) as excinfo:
        subject.full_clean()
    assert "name" in excinfo.value.message_dict
    subject.name = "x" * 200
    subject.full_clean()


def test_form_fields_fit_the_value(make_subject):
    assert Subject._meta.get_field("name").formfield().max_length == 200
    assert Note._meta.get_field("body").formfield().widget.__class__.__name__ == "Textarea"


def test_explicit_context_api_matches_the_field(make_note):
    """What a data migration (historical models, no encryption_subject) would use."""
    note = make_note(body="from the field")
    context = {
        "model_label": "encryption_app.note",
        "record_id": str(note.record_uuid),
        "field_name": "body",
        "subject": ("subject", str(note.subject.record_uuid)),
    }
    assert decrypt_value(raw_column(Note, "body", note.pk), **context) == "from the field"
    set_raw_column(Note, "body", note.pk, encrypt_value("from a migration", **context))
    assert fresh(note).body == "from a migration"


@isolate_apps("tandem.core.tests.encryption_app")
def test_model_checks_catch_misuse():
    class NotEncryptedModel(models.Model):
        body = EncryptedTextField()

        class Meta:
            app_label = "encryption_app"

    class Indexed(EncryptedModel):
        body = EncryptedCharField(max_length=10, db_index=True)

        class Meta:
            app_label = "encryption_app"

        def encryption_subject(self):
            return ("x", "y")

    class NoSubject(EncryptedModel):
        body = EncryptedTextField()

        class Meta:
            app_label = "encryption_app"

    ids = lambda model: {e.id for e in model.check()}  # noqa: E731
    assert "tandem.fields.E002" in ids(NotEncryptedModel)
    assert "tandem.fields.E001" in ids(Indexed)
    assert "tandem.fields.E003" in ids(NoSubject)
    assert not {i for i in ids(Subject) | ids(Note) if i.startswith("tandem.")}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=300))
@example(text="")
@example(text="\x00 NUL, \u202e bidi, \U0001f9d1\u200d\U0001f91d\u200d\U0001f9d1 ZWJ, e\u0301")
def test_any_text_round_trips(make_subject, text):
    subject = make_subject(name=text[:200])
    note = Note.objects.create(subject=subject, body=text, summary=text[:200])
    loaded = Note.objects.select_related("subject").get(pk=note.pk)
    assert loaded.body == text
    assert loaded.summary == text[:200]
    assert Subject.objects.get(pk=subject.pk).name == text[:200]


@given(text=st.text(), aad=st.binary(max_size=64))
@example(text="", aad=b"")
def test_any_text_round_trips_through_the_cipher(text, aad):
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    stored = crypto.encrypt_text(aead, text, aad)
    assert stored.startswith("e1:")
    assert crypto.decrypt_text(aead, stored, aad) == text
    with pytest.raises(DecryptionError):
        crypto.decrypt_text(aead, stored, aad + b"x")


def test_associated_data_encoding_is_unambiguous():
    assert crypto.encode_aad("ab", "c") != crypto.encode_aad("a", "bc")
    assert crypto.encode_aad("a", "") != crypto.encode_aad("a")
