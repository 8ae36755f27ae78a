"""Keyed blind indexes: exact-match lookups on encrypted values without storing plaintext.

``blind_index(value, purpose=...)`` is HMAC-SHA256 under a per-purpose key derived from
``TANDEM_BLIND_INDEX_KEY``, over a normalised form of the value (NFKC, case-folded,
whitespace collapsed, stripped). Equal-after-normalisation values give equal indexes within
one purpose; indexes of different purposes never match; without the key nobody can compute
an index to test a guess. An index still reveals which rows share a value, so index only
what you need to match on, and prefer combined values (name + date of birth) over single
low-entropy ones.

The pattern on a model::

    class Client(EncryptedModel):
        name = EncryptedCharField(max_length=200)
        date_of_birth = EncryptedCharField(max_length=10)
        name_index = BlindIndexField(source="name", purpose="client.name")
        identity_index = BlindIndexField(
            source=("name", "date_of_birth"), purpose="client.name_dob"
        )

    Client.objects.filter(name_index=blind_index(typed_name, purpose="client.name"))
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.db import models
from django.views.decorators.debug import sensitive_variables

from .fields import _UNREAD, Sealed
from .keys import get_keyring

INDEX_LENGTH = 64  # hex characters of SHA-256
_PURPOSE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,99}$")
_DERIVE_LABEL = b"tandem.blind-index.v1\x00"


def normalise(value: str) -> str:
    """NFKC, case-fold, collapse runs of whitespace to one space, strip."""
    value = unicodedata.normalize("NFKC", value)
    value = unicodedata.normalize("NFKC", value.casefold())
    return " ".join(value.split())


def _check_purpose(purpose: str) -> bytes:
    if not isinstance(purpose, str) or not _PURPOSE.match(purpose):
        raise ValueError(
            "A blind-index purpose is 1-100 lower-case letters, digits, '_', '.', ':' or '-', "
            "such as 'client.name_dob'."
        )
    return purpose.encode("ascii")


@sensitive_variables()
def _purpose_key(purpose: str) -> bytes:
    root = get_keyring().require_blind_index_key()
    return hmac.new(root, _DERIVE_LABEL + _check_purpose(purpose), hashlib.sha256).digest()


@sensitive_variables()
def blind_index(value: str, *, purpose: str) -> str:
    """The keyed, normalised, purpose-separated index of ``value`` as 64 hex characters."""
    if not isinstance(value, str):
        raise TypeError("blind_index() takes a str.")
    return hmac.new(
        _purpose_key(purpose), normalise(value).encode("utf-8"), hashlib.sha256
    ).hexdigest()


@sensitive_variables()
def blind_index_parts(*parts: str, purpose: str) -> str:
    """One index over several values (e.g. name and date of birth), each normalised.

    Parts are length-prefixed after normalisation, so ("ab", "c") and ("a", "bc") differ.
    """
    if not parts or not all(isinstance(part, str) for part in parts):
        raise TypeError("blind_index_parts() takes one or more str.")
    message = b"".join(
        len(data).to_bytes(4, "big") + data
        for data in (normalise(part).encode("utf-8") for part in parts)
    )
    return hmac.new(_purpose_key(purpose), message, hashlib.sha256).hexdigest()


class BlindIndexField(models.CharField):
    """Keeps a blind index of one or more (encrypted) fields of the same model up to date.

    Recomputed from the source plaintext on every save that writes it. Empty when any
    source is empty or None, so blank values never match one another. When the source
    values are untouched since loading, the stored index is kept without decrypting (so saving
    an erased subject's record works); erasure services blank indexes explicitly (see
    docs/encryption.md).
    """

    description = "Keyed blind index (HMAC-SHA256) of other fields"

    def __init__(self, *args, source: str | tuple[str, ...] = (), purpose: str = "", **kwargs):
        self.source = (source,) if isinstance(source, str) else tuple(source)
        self.purpose = purpose
        kwargs.setdefault("max_length", INDEX_LENGTH)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source[0] if len(self.source) == 1 else list(self.source)
        kwargs["purpose"] = self.purpose
        for key, value in (
            ("max_length", INDEX_LENGTH),
            ("db_index", True),
            ("editable", False),
            ("blank", True),
            ("default", ""),
        ):
            if kwargs.get(key, object()) == value:
                del kwargs[key]
        # Defaults Django leaves out when they equal Field's own defaults must be restated.
        if not self.db_index:
            kwargs["db_index"] = False
        if self.editable:
            kwargs["editable"] = True
        if not self.blank:
            kwargs["blank"] = False
        return name, path, args, kwargs

    def check(self, **kwargs):
        from django.core import checks

        errors = super().check(**kwargs)
        try:
            _check_purpose(self.purpose)
        except ValueError as exc:
            errors.append(checks.Error(str(exc), obj=self, id="tandem.fields.E010"))
        if not self.source:
            errors.append(
                checks.Error("BlindIndexField needs source=.", obj=self, id="tandem.fields.E011")
            )
        names = {f.name for f in self.model._meta.get_fields()}
        for source in self.source:
            if source not in names:
                errors.append(
                    checks.Error(
                        f"BlindIndexField source {source!r} is not a field of this model.",
                        obj=self,
                        id="tandem.fields.E012",
                    )
                )
        return errors

    def _sources_untouched(self, instance) -> bool:
        return all(
            isinstance(value := instance.__dict__.get(name), Sealed) and value.plaintext is _UNREAD
            for name in self.source
        )

    @sensitive_variables()
    def pre_save(self, model_instance, add):
        if not add and self._sources_untouched(model_instance):
            # Nothing was read or assigned since loading: the stored index still holds,
            # and keeping it needs no decryption (which an erased subject could not do).
            return getattr(model_instance, self.attname)
        values = [getattr(model_instance, name) for name in self.source]
        if any(value is None or not normalise(str(value)) for value in values):
            index = ""
        elif len(values) == 1:
            index = blind_index(str(values[0]), purpose=self.purpose)
        else:
            index = blind_index_parts(*(str(v) for v in values), purpose=self.purpose)
        setattr(model_instance, self.attname, index)
        return index
