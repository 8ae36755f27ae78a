"""Fixtures for the encryption tests (models from the test-only encryption_app)."""

from __future__ import annotations

import itertools

import pytest

from tandem.core.encryption import datakeys
from tandem.core.encryption.keys import reset_keyring
from tandem.core.tests.encryption_app.models import Note, Subject

_names = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_key_state():
    """Every test starts and ends with an empty data-key cache and a freshly parsed ring."""
    datakeys.cache.clear()
    reset_keyring()
    yield
    datakeys.cache.clear()
    reset_keyring()


@pytest.fixture
def make_subject(db):
    def make(**fields) -> Subject:
        fields.setdefault("name", f"Person {next(_names)}")
        return Subject.objects.create(**fields)

    return make


@pytest.fixture
def make_note(db, make_subject):
    def make(subject: Subject | None = None, **fields) -> Note:
        fields.setdefault("body", "A note about the session.")
        return Note.objects.create(subject=subject or make_subject(), **fields)

    return make
