"""Data keys: one per subject, erasure by destruction, the unwrapped-key cache."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tandem.core.encryption import (
    DecryptionError,
    SubjectKeyDestroyed,
    datakeys,
    destroy_subject_key,
    is_subject_erased,
    preload_data_keys,
    with_data_keys,
)
from tandem.core.models import DataKey
from tandem.core.tests.encryption_app.models import Note, Subject

from .rawsql import raw_column, set_raw_column

pytestmark = pytest.mark.django_db


def subject_of(subject: Subject) -> tuple[str, str]:
    return ("subject", str(subject.record_uuid))


def destroy(subject: Subject) -> DataKey:
    return destroy_subject_key(subject_type="subject", subject_id=str(subject.record_uuid))


def test_wrapped_key_is_bound_to_subject_and_version(make_subject):
    subject = make_subject()
    row = DataKey.objects.get()
    assert (row.subject_type, row.subject_id) == subject_of(subject)
    assert row.kek_version == "1"
    assert len(bytes(row.wrapped_key)) == 60  # nonce + 32-byte key + tag
    assert "wrapped" not in repr(row) and bytes(row.wrapped_key).hex() not in repr(row)


def test_destroying_a_key_erases_exactly_that_subject(make_subject, make_note):
    erased, kept = make_subject(name="Erased Person"), make_subject(name="Kept Person")
    erased_note, kept_note = make_note(erased, body="gone"), make_note(kept, body="still here")

    row = destroy(erased)

    assert row.destroyed_at is not None
    assert bytes(DataKey.objects.get(pk=row.pk).wrapped_key) == b""
    for instance, field in ((erased, "name"), (erased_note, "body")):
        loaded = type(instance).objects.get(pk=instance.pk)
        with pytest.raises(SubjectKeyDestroyed) as excinfo:
            getattr(loaded, field)
        assert excinfo.value.subject_id == str(erased.record_uuid)
        assert loaded.subject_erased
    assert Subject.objects.get(pk=kept.pk).name == "Kept Person"
    loaded_kept = Note.objects.get(pk=kept_note.pk)
    assert loaded_kept.body == "still here"
    assert not loaded_kept.subject_erased
    assert raw_column(Note, "body", erased_note.pk).startswith("e1:")  # ciphertext remains


def test_destroy_evicts_a_warm_cache_at_once(make_subject, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        subject = make_subject(name="Cached Person")
    assert Subject.objects.get(pk=subject.pk).name == "Cached Person"
    assert datakeys.cache.get(subject_of(subject)) is not None  # warm

    with django_capture_on_commit_callbacks(execute=True):
        destroy(subject)

    with pytest.raises(SubjectKeyDestroyed):
        Subject.objects.get(pk=subject.pk).name  # noqa: B018


def test_nothing_new_can_be_encrypted_for_an_erased_subject(make_subject, make_note):
    subject = make_subject()
    destroy(subject)
    with pytest.raises(SubjectKeyDestroyed), transaction.atomic():
        make_note(subject, body="after erasure")


def test_destroy_is_idempotent_and_tombstones_unknown_subjects(db):
    first = destroy_subject_key(subject_type="client", subject_id="never-seen")
    again = destroy_subject_key(subject_type="client", subject_id="never-seen")
    assert first.pk == again.pk and again.destroyed_at == first.destroyed_at
    assert is_subject_erased(("client", "never-seen"))
    with pytest.raises(SubjectKeyDestroyed):
        datakeys.key_for_encryption(("client", "never-seen"))


def test_erased_records_can_still_be_saved_and_refreshed(make_subject, make_note):
    subject = make_subject(name="To Be Erased")
    note = make_note(subject, body="secret")
    destroy(subject)
    before = raw_column(Note, "body", note.pk)
    index_before = raw_column(Subject, "name_index", subject.pk)

    loaded = Note.objects.get(pk=note.pk)
    loaded.status = "closed"
    loaded.save()  # untouched ciphertext written back as is
    loaded.refresh_from_db()
    assert loaded.status == "closed"
    assert raw_column(Note, "body", note.pk) == before

    loaded_subject = Subject.objects.get(pk=subject.pk)
    loaded_subject.label = "erased"
    loaded_subject.save()
    assert raw_column(Subject, "name_index", subject.pk) == index_before


def test_swapped_wrapped_keys_do_not_unwrap(make_subject):
    a, b = make_subject(name="A"), make_subject(name="B")
    row_a, row_b = (DataKey.objects.get(subject_id=str(s.record_uuid)) for s in (a, b))
    set_raw_column(DataKey, "wrapped_key", row_a.pk, bytes(row_b.wrapped_key))
    with pytest.raises(DecryptionError, match="does not unwrap"):
        Subject.objects.get(pk=a.pk).name  # noqa: B018


def test_database_refuses_half_destroyed_rows(make_subject):
    make_subject()
    row = DataKey.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        DataKey.objects.filter(pk=row.pk).update(destroyed_at=row.created_at)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataKey.objects.filter(pk=row.pk).update(wrapped_key=b"")
    with pytest.raises(IntegrityError), transaction.atomic():
        DataKey.objects.create(
            subject_type="subject", subject_id=row.subject_id, wrapped_key=b"x", kek_version="1"
        )


def test_a_list_page_unwraps_each_subjects_key_once(
    make_subject, make_note, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        subjects = [make_subject() for _ in range(3)]
        for subject in subjects:
            for _ in range(4):
                make_note(subject, body="listed")
    datakeys.cache.clear()

    with django_assert_num_queries(1 + 3):  # the notes, then one key per subject
        notes = list(Note.objects.select_related("subject"))
        assert [n.body for n in notes] == ["listed"] * 12
    with django_assert_num_queries(1):  # a second page view: keys come from the cache
        assert {n.body for n in Note.objects.select_related("subject")} == {"listed"}

    datakeys.cache.clear()
    with django_assert_num_queries(2):  # the notes, then every key in one query
        notes = list(Note.objects.select_related("subject"))
        preload_data_keys(n.encryption_subject() for n in notes)
        assert {n.body for n in notes} == {"listed"}


def test_a_list_longer_than_the_cache_reads_its_keys_in_one_query_and_keeps_them(
    make_subject, make_note, django_capture_on_commit_callbacks, django_assert_num_queries, settings
):
    # Preloading every key of a list longer than the cache would evict the first keys
    # before they are used, and each record would read its key again: the cache holds room
    # for the list while it is decrypted, then shrinks back to its size.
    settings.TANDEM_DATA_KEY_CACHE_SIZE = 4
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            make_note(make_subject(), body="listed")
    datakeys.cache.clear()
    with django_assert_num_queries(2):  # the notes, then every key
        notes = list(Note.objects.select_related("subject").order_by("pk"))
        assert [n.body for n in with_data_keys(notes)] == ["listed"] * 10
    assert len(datakeys.cache) == 4
    datakeys.cache.clear()
    with CaptureQueriesContext(connection) as without:  # the evicted keys read one by one
        notes = list(Note.objects.select_related("subject").order_by("pk"))
        preload_data_keys(n.encryption_subject() for n in notes)
        assert [n.body for n in notes] == ["listed"] * 10
    assert len(without) >= 2 + (10 - 4)


def test_a_key_created_in_a_rolled_back_transaction_is_never_cached(make_subject):
    subject = Subject(name="Rolled Back")
    with pytest.raises(RuntimeError), transaction.atomic():
        subject.save()  # creates the data key, then the savepoint rolls back
        raise RuntimeError
    assert not DataKey.objects.exists()
    assert datakeys.cache.get(subject_of(subject)) is None

    subject.pk = None
    subject._state.adding = True
    subject.save()  # a new data key; the value is re-encrypted under it
    assert Subject.objects.get(pk=subject.pk).name == "Rolled Back"


def test_cache_can_be_turned_off(
    make_subject, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        subject = make_subject(name="Uncached")
    with override_settings(TANDEM_DATA_KEY_CACHE_SECONDS=0):
        for _ in range(2):
            loaded = Subject.objects.get(pk=subject.pk)
            with django_assert_num_queries(1):
                assert loaded.name == "Uncached"


def test_cache_discards_a_fill_that_raced_with_an_eviction():
    cache = datakeys.DataKeyCache()
    subject = ("subject", "raced")
    generation = cache.generation
    cache.invalidate(subject)  # e.g. a destroy committed while the row was being read
    cache.put(subject, object(), generation=generation, using="default")
    assert cache.get(subject) is None
    cache.put(subject, object(), generation=cache.generation, using="default")
    assert cache.get(subject) is not None


def test_cache_is_bounded(settings):
    settings.TANDEM_DATA_KEY_CACHE_SIZE = 2
    cache = datakeys.DataKeyCache()
    for n in range(5):
        cache.put(("subject", str(n)), object(), generation=cache.generation, using="default")
    assert len(cache) == 2
    assert cache.get(("subject", "4")) is not None and cache.get(("subject", "0")) is None


def test_subjects_are_validated(db):
    for bad in [("", "x"), ("x", ""), ("x" * 65, "y"), ("x", 1), "x:y", ("a", "b", "c")]:
        with pytest.raises(ValueError):
            datakeys.key_for_encryption(bad)
