"""The key ring: key-encryption keys (KEKs) and the blind-index key, read from settings.

Keys come from the environment (``TANDEM_KEKS``, ``TANDEM_BLIND_INDEX_KEY``) or from a
JSON key file (``TANDEM_KEK_FILE``), never from the database. The file looks like::

    {
      "current": "2",
      "keys": {"1": "<base64 32 bytes>", "2": "<base64 32 bytes>"},
      "blind_index_key": "<base64 32 bytes>"
    }

Precedence, one source per item, no merging:

* KEKs: ``TANDEM_KEKS`` if set, otherwise the file's ``keys``.
* current version: ``TANDEM_KEK_CURRENT`` if set, otherwise the file's ``current`` when
  the KEKs come from the file, otherwise the only version when exactly one is configured.
* blind-index key: ``TANDEM_BLIND_INDEX_KEY`` if set, otherwise the file's
  ``blind_index_key``.

The ring is parsed once per process and cached; a key change needs a restart (tests use
``override_settings``, which resets the cache through ``setting_changed``).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from .exceptions import KeyConfigurationError, UnknownKeyVersion

KEY_BYTES = 32
KEY_SETTINGS = frozenset(
    {"TANDEM_KEKS", "TANDEM_KEK_FILE", "TANDEM_KEK_CURRENT", "TANDEM_BLIND_INDEX_KEY"}
)
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")


@dataclass(frozen=True, repr=False)
class KeyRing:
    """Every KEK version the process can unwrap with, the current one, and the index key."""

    keks: Mapping[str, bytes] = field(default_factory=dict)
    current_version: str | None = None
    blind_index_key: bytes | None = None

    def __repr__(self) -> str:  # never the keys themselves
        return (
            f"KeyRing(versions={sorted(self.keks)!r}, current={self.current_version!r}, "
            f"blind_index_key={'set' if self.blind_index_key else 'unset'})"
        )

    def kek(self, version: str) -> bytes:
        try:
            return self.keks[version]
        except KeyError:
            raise UnknownKeyVersion(version) from None

    @property
    def current_kek(self) -> tuple[str, bytes]:
        if self.current_version is None:
            raise KeyConfigurationError(
                "No key-encryption key is configured. Set TANDEM_KEKS (and "
                "TANDEM_KEK_CURRENT) or TANDEM_KEK_FILE; on a developer machine run "
                "`manage.py init_local_keys`."
            )
        return self.current_version, self.keks[self.current_version]

    def require_blind_index_key(self) -> bytes:
        if self.blind_index_key is None:
            raise KeyConfigurationError(
                "No blind-index key is configured. Set TANDEM_BLIND_INDEX_KEY or add "
                "blind_index_key to the key file."
            )
        return self.blind_index_key


def generate_key() -> str:
    """A fresh random 256-bit key, base64-encoded, for a key file or an environment value."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def decode_key(text: object, *, what: str) -> bytes:
    """Decode one base64 key (standard or URL-safe alphabet) and insist on 32 bytes."""
    if not isinstance(text, str) or not text.strip():
        raise KeyConfigurationError(f"{what} is empty or not a string.")
    text = text.strip()
    altchars = b"-_" if ("-" in text or "_" in text) else None
    try:
        raw = base64.b64decode(text, altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        raise KeyConfigurationError(f"{what} is not valid base64.") from None
    if len(raw) != KEY_BYTES:
        raise KeyConfigurationError(
            f"{what} decodes to {len(raw)} bytes; it must be exactly {KEY_BYTES} bytes "
            "(generate one with `python -c 'import base64,os; "
            "print(base64.b64encode(os.urandom(32)).decode())'`)."
        )
    return raw


def _check_version(version: object, *, where: str) -> str:
    if not isinstance(version, str) or not _VERSION.match(version):
        raise KeyConfigurationError(
            f"{where}: key version {version!r} is not valid; use 1-32 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit."
        )
    return version


def parse_kek_list(text: str) -> dict[str, bytes]:
    """Parse ``"1:base64,2:base64"`` into ``{"1": key, "2": key}``."""
    keks: dict[str, bytes] = {}
    for position, item in enumerate(text.split(","), start=1):
        item = item.strip()
        if not item:
            continue
        version, sep, encoded = item.partition(":")
        if not sep:
            raise KeyConfigurationError(
                f"TANDEM_KEKS entry {position} has no version; write entries as "
                "'version:base64key' separated by commas."
            )
        version = _check_version(version.strip(), where="TANDEM_KEKS")
        if version in keks:
            raise KeyConfigurationError(f"TANDEM_KEKS names version {version!r} twice.")
        keks[version] = decode_key(encoded, what=f"TANDEM_KEKS version {version!r}")
    if not keks:
        raise KeyConfigurationError("TANDEM_KEKS is set but holds no keys.")
    return keks


def read_key_file(path: str | os.PathLike) -> dict:
    """Read and validate the JSON key file. Returns ``{"keys", "current", "blind_index_key"}``."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KeyConfigurationError(
            f"The key file {path} does not exist. On a developer machine run "
            "`manage.py init_local_keys`; in production mount the secrets file there."
        ) from None
    except (OSError, ValueError) as exc:
        raise KeyConfigurationError(
            f"The key file {path} cannot be read as JSON ({type(exc).__name__})."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise KeyConfigurationError(
            f"The key file {path} must be a JSON object with a 'keys' object of "
            '{"version": "base64key"}, a "current" version and a "blind_index_key".'
        )
    keks = {
        _check_version(version, where=str(path)): decode_key(
            encoded, what=f"key file {path} version {version!r}"
        )
        for version, encoded in data["keys"].items()
    }
    current = data.get("current")
    if current is not None:
        current = _check_version(current, where=f"{path} 'current'")
    blind = data.get("blind_index_key")
    return {
        "keys": keks,
        "current": current,
        "blind_index_key": None
        if blind is None
        else decode_key(blind, what=f"key file {path} blind_index_key"),
    }


def build_keyring(
    *,
    keks_text: str | None,
    key_file: str | os.PathLike | None,
    current: str | None,
    blind_index_key_text: str | None,
) -> KeyRing:
    """Assemble a key ring from the raw setting values, raising KeyConfigurationError."""
    file_data: dict | None = None
    needs_file = not keks_text or not blind_index_key_text or not current
    if key_file and needs_file and (not keks_text or Path(key_file).exists()):
        # With KEKs in the environment a missing file is tolerated; anything still
        # unresolved below then fails with its own message.
        file_data = read_key_file(key_file)

    if keks_text:
        keks = parse_kek_list(keks_text)
    elif file_data is not None:
        keks = file_data["keys"]
    else:
        keks = {}

    if current:
        current = _check_version(current.strip(), where="TANDEM_KEK_CURRENT")
    elif not keks_text and file_data is not None and file_data["current"]:
        current = file_data["current"]
    elif len(keks) == 1:
        current = next(iter(keks))
    elif keks:
        raise KeyConfigurationError(
            "Several key-encryption keys are configured but none is marked current; "
            "set TANDEM_KEK_CURRENT (or 'current' in the key file)."
        )
    else:
        current = None
    if current is not None and current not in keks:
        raise KeyConfigurationError(
            f"The current key version {current!r} is not among the configured versions "
            f"{sorted(keks)!r}."
        )

    if blind_index_key_text:
        blind = decode_key(blind_index_key_text, what="TANDEM_BLIND_INDEX_KEY")
    elif file_data is not None:
        blind = file_data["blind_index_key"]
    else:
        blind = None
    if blind is not None and blind in keks.values():
        raise KeyConfigurationError(
            "The blind-index key must differ from every key-encryption key."
        )

    return KeyRing(
        keks=MappingProxyType(dict(keks)), current_version=current, blind_index_key=blind
    )


def keyring_from_settings() -> KeyRing:
    return build_keyring(
        keks_text=getattr(settings, "TANDEM_KEKS", None),
        key_file=getattr(settings, "TANDEM_KEK_FILE", None),
        current=getattr(settings, "TANDEM_KEK_CURRENT", None),
        blind_index_key_text=getattr(settings, "TANDEM_BLIND_INDEX_KEY", None),
    )


@functools.cache
def get_keyring() -> KeyRing:
    """The process's key ring, parsed on first use."""
    return keyring_from_settings()


def reset_keyring() -> None:
    get_keyring.cache_clear()


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **kwargs) -> None:
    if setting in KEY_SETTINGS:
        reset_keyring()
