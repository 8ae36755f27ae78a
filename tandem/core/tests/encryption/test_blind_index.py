"""Keyed blind indexes and BlindIndexField."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from tandem.core.encryption import (
    BlindIndexField,
    KeyConfigurationError,
    blind_index,
    blind_index_parts,
    normalise,
)
from tandem.core.tests.encryption_app.models import Subject

from .rawsql import raw_column

OTHER_KEY = "b3RoZXItYmxpbmQtaW5kZXgta2V5LTMyLWJ5dGVzISE="  # 32 bytes


def test_index_is_deterministic_hex():
    first = blind_index("Alice Example", purpose="client.name")
    assert first == blind_index("Alice Example", purpose="client.name")
    assert re.fullmatch(r"[0-9a-f]{64}", first)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("  Alice \t\n EXAMPLE  ", "alice example"),
        ("\uff21\uff2c\uff29\uff23\uff25", "alice"),  # full-width ALICE (NFKC)
        ("ﬁona", "fiona"),  # ligature (NFKC)
        ("STRASSE", "straße"),  # case folding, not just lower()
        ("Zoe\u0308", "Zoë"),  # combining diaeresis composes
        ("a\u00a0b", "a b"),  # no-break space is whitespace
    ],
)
def test_index_normalises_before_hashing(variant, canonical):
    assert blind_index(variant, purpose="p") == blind_index(canonical, purpose="p")


def test_different_values_differ():
    assert blind_index("Alice", purpose="p") != blind_index("Alicia", purpose="p")
    assert blind_index("Zoë", purpose="p") != blind_index("Zoe", purpose="p")  # accents kept


def test_purposes_are_separated():
    assert blind_index("Alice", purpose="client.name") != blind_index(
        "Alice", purpose="mentor.name"
    )


def test_index_depends_on_the_key():
    before = blind_index("Alice", purpose="p")
    with override_settings(TANDEM_BLIND_INDEX_KEY=OTHER_KEY):
        assert blind_index("Alice", purpose="p") != before
    assert blind_index("Alice", purpose="p") == before


def test_index_reveals_no_plaintext():
    index = blind_index("Alice Example", purpose="p")
    assert "alice" not in index.lower() and "616c696365" not in index


def test_parts_are_unambiguous():
    assert blind_index_parts("ab", "c", purpose="p") != blind_index_parts("a", "bc", purpose="p")
    assert blind_index_parts(" Alice ", "2009-04-01", purpose="p") == blind_index_parts(
        "alice", "2009-04-01", purpose="p"
    )
    assert blind_index_parts("alice", purpose="p") != blind_index("alice", purpose="p")


def test_bad_input_is_refused():
    for purpose in ("", "Has Spaces", "UPPER", "x" * 101, None):
        with pytest.raises(ValueError):
            blind_index("x", purpose=purpose)
    with pytest.raises(TypeError):
        blind_index(42, purpose="p")
    with pytest.raises(TypeError):
        blind_index_parts(purpose="p")


def test_missing_key_is_a_clear_error():
    with (
        override_settings(TANDEM_BLIND_INDEX_KEY=None),
        pytest.raises(KeyConfigurationError, match="blind-index key"),
    ):
        blind_index("x", purpose="p")


@given(st.text())
def test_normalising_first_changes_nothing(value):
    assert normalise(normalise(value)) == normalise(value)
    assert blind_index(normalise(value), purpose="p") == blind_index(value, purpose="p")


@pytest.mark.django_db
def test_field_keeps_the_index_in_step_with_the_encrypted_value(make_subject):
    subject = make_subject(name="Alice Example", date_of_birth="2009-04-01")
    assert subject.name_index == blind_index("alice example", purpose="test.subject.name")
    assert subject.identity_index == blind_index_parts(
        "Alice Example", "2009-04-01", purpose="test.subject.name_dob"
    )
    assert raw_column(Subject, "name_index", subject.pk) == subject.name_index

    found = Subject.objects.filter(
        name_index=blind_index("  ALICE   example", purpose="test.subject.name")
    )
    assert list(found) == [subject]

    loaded = Subject.objects.get(pk=subject.pk)
    loaded.name = "Alice Renamed"
    loaded.save()
    assert raw_column(Subject, "name_index", subject.pk) == blind_index(
        "alice renamed", purpose="test.subject.name"
    )
    assert not Subject.objects.filter(
        name_index=blind_index("Alice Example", purpose="test.subject.name")
    ).exists()


@pytest.mark.django_db
def test_blank_values_are_not_indexed(make_subject):
    subject = make_subject(name="   ", date_of_birth="")
    assert subject.name_index == "" and subject.identity_index == ""


@pytest.mark.django_db
def test_index_is_kept_as_is_on_an_untouched_save(
    make_subject, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subject = make_subject(name="Alice", date_of_birth="2009-04-01")
    loaded = Subject.objects.get(pk=subject.pk)
    loaded.label = "relabelled"
    with django_assert_num_queries(1 + 1):  # the data key (to validate both values), UPDATE
        loaded.save()
    assert raw_column(Subject, "name_index", subject.pk) == subject.name_index


def test_field_deconstructs_for_migrations():
    field = BlindIndexField(source=("name", "dob"), purpose="client.name_dob")
    _, path, args, kwargs = field.deconstruct()
    assert path == "tandem.core.encryption.blind_indexes.BlindIndexField"
    assert kwargs == {"source": ["name", "dob"], "purpose": "client.name_dob"}
    rebuilt = BlindIndexField(*args, **kwargs)
    assert (rebuilt.source, rebuilt.db_index, rebuilt.max_length, rebuilt.editable) == (
        ("name", "dob"),
        True,
        64,
        False,
    )
    custom = BlindIndexField(source="name", purpose="p", db_index=False, null=True)
    kwargs = custom.deconstruct()[3]
    assert kwargs["db_index"] is False and kwargs["null"] is True
    assert BlindIndexField(**kwargs).db_index is False
