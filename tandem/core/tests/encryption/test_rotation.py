"""manage.py rotate_keys: re-wrap data keys under a new KEK; data ciphertext untouched."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from tandem.core.encryption import DecryptionError, UnknownKeyVersion, destroy_subject_key
from tandem.core.models import DataKey
from tandem.core.tests.encryption_app.models import Note, Subject

from .rawsql import raw_column, set_raw_column

pytestmark = pytest.mark.django_db

KEK_1 = "1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
KEK_2 = "2:HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4="
KEK_3 = "3:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="


def run(*args) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def population(make_subject, make_note):
    subjects = [make_subject(name=f"Person {n}") for n in range(5)]
    notes = [make_note(s, body=f"note of {s.name}") for s in subjects]
    return subjects, notes


def assert_all_readable(subjects, notes):
    for subject in subjects:
        assert Subject.objects.get(pk=subject.pk).name == subject.name
    for note in notes:
        loaded = Note.objects.select_related("subject").get(pk=note.pk)
        assert loaded.body == f"note of {note.subject.name}"


def test_rotation_rewraps_every_key_and_leaves_data_alone(population):
    subjects, notes = population
    wrapped_before = {k.pk: bytes(k.wrapped_key) for k in DataKey.objects.all()}
    data_before = {n.pk: raw_column(Note, "body", n.pk) for n in notes}

    with override_settings(TANDEM_KEK_CURRENT="2"):
        output = run("--batch-size", "2")
        assert "Re-wrapped 5 data key(s) under version 2 in 3 batch(es)." in output
        assert "batch 1: re-wrapped 2" in output
        assert set(DataKey.objects.values_list("kek_version", flat=True)) == {"2"}
        for key in DataKey.objects.all():
            assert bytes(key.wrapped_key) != wrapped_before[key.pk]
        assert {n.pk: raw_column(Note, "body", n.pk) for n in notes} == data_before
        assert_all_readable(subjects, notes)

        assert "Nothing to re-wrap." in run()  # idempotent

    # The old KEK can now be retired: only version 2 configured.
    with override_settings(TANDEM_KEKS=KEK_2, TANDEM_KEK_CURRENT="2"):
        assert_all_readable(subjects, notes)
        assert "All live data keys are on version 2." in run("--check")

    # And without version 2 nothing unwraps any more (the keys really moved).
    with (
        override_settings(TANDEM_KEKS=KEK_1, TANDEM_KEK_CURRENT="1"),
        pytest.raises(UnknownKeyVersion),
    ):
        Subject.objects.get(pk=subjects[0].pk).name  # noqa: B018


def test_check_reports_old_keys_and_fails(population):
    with override_settings(TANDEM_KEK_CURRENT="2"):
        out = StringIO()
        with pytest.raises(SystemExit) as excinfo:
            call_command("rotate_keys", "--check", stdout=out)
        assert excinfo.value.code == 1
        assert "version 1: 5 live data key(s)" in out.getvalue()
        assert "5 data key(s) not on version 2." in out.getvalue()
        assert set(DataKey.objects.values_list("kek_version", flat=True)) == {"1"}


def test_without_old_keks_rotation_stops_and_names_the_version(population):
    subjects, _ = population
    with (
        override_settings(TANDEM_KEKS=f"{KEK_2},{KEK_3}", TANDEM_KEK_CURRENT="3"),
        pytest.raises(CommandError, match=r"versions that are not configured: 1 \(5\)"),
    ):
        run()
    assert set(DataKey.objects.values_list("kek_version", flat=True)) == {"1"}
    assert Subject.objects.get(pk=subjects[0].pk).name == subjects[0].name


def test_destroyed_keys_are_left_destroyed(population):
    subjects, notes = population
    destroy_subject_key(subject_type="subject", subject_id=str(subjects[0].record_uuid))
    with override_settings(TANDEM_KEK_CURRENT="2"):
        assert "Re-wrapped 4 data key(s)" in run()
        erased = DataKey.objects.get(subject_id=str(subjects[0].record_uuid))
        assert erased.destroyed_at is not None and bytes(erased.wrapped_key) == b""
        assert_all_readable(subjects[1:], notes[1:])


def test_rewrapped_key_is_bound_to_its_new_version(population):
    subjects, _ = population
    with override_settings(TANDEM_KEK_CURRENT="2"):
        run()
        key = DataKey.objects.get(subject_id=str(subjects[0].record_uuid))
        set_raw_column(DataKey, "kek_version", key.pk, "1")  # lie about the version
    with pytest.raises(DecryptionError, match="does not unwrap"):
        Subject.objects.get(pk=subjects[0].pk).name  # noqa: B018


def test_new_keys_are_wrapped_under_the_current_version(make_subject):
    with override_settings(TANDEM_KEK_CURRENT="2"):
        subject = make_subject(name="Newcomer")
        assert DataKey.objects.get().kek_version == "2"
        assert Subject.objects.get(pk=subject.pk).name == "Newcomer"


def test_bad_batch_size_is_refused(db):
    with pytest.raises(CommandError):
        run("--batch-size", "0")
