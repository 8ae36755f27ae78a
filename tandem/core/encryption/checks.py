"""System checks: refuse to run with missing or malformed keys where keys are required.

``TANDEM_KEYS_REQUIRED = True`` (production settings) turns missing keys into errors, so
``manage.py check``, ``migrate`` and ``runserver`` stop. Elsewhere missing keys are a
warning that points at ``manage.py init_local_keys``. Malformed keys are always an error.

tandem.keys.E001 / W001  no KEK (or the key file is missing)
tandem.keys.E002         the key configuration is malformed
tandem.keys.E003 / W003  no blind-index key
tandem.keys.W010         the key file is readable by group or others
"""

from __future__ import annotations

import stat
from pathlib import Path

from django.conf import settings
from django.core import checks

from .exceptions import KeyConfigurationError
from .keys import build_keyring


@checks.register(checks.Tags.security)
def check_encryption_keys(app_configs=None, **kwargs):
    required = bool(getattr(settings, "TANDEM_KEYS_REQUIRED", False))
    keks_text = getattr(settings, "TANDEM_KEKS", None)
    key_file = getattr(settings, "TANDEM_KEK_FILE", None)
    messages: list[checks.CheckMessage] = []

    def missing(message: str, *, code: int) -> checks.CheckMessage:
        if required:
            return checks.Error(message, hint=hint, id=f"tandem.keys.E{code:03d}")
        return checks.Warning(message, hint=hint, id=f"tandem.keys.W{code:03d}")

    hint = (
        "Provide TANDEM_KEKS, TANDEM_KEK_CURRENT and TANDEM_BLIND_INDEX_KEY in the "
        "environment, or mount a key file and point TANDEM_KEK_FILE at it."
        if required
        else "Run `python manage.py init_local_keys` to create a local key file."
    )

    file_missing = bool(key_file) and not Path(key_file).exists()
    if file_missing and not keks_text:
        messages.append(missing(f"The key file {key_file} does not exist.", code=1))
        key_file = None
    try:
        ring = build_keyring(
            keks_text=keks_text,
            key_file=key_file,
            current=getattr(settings, "TANDEM_KEK_CURRENT", None),
            blind_index_key_text=getattr(settings, "TANDEM_BLIND_INDEX_KEY", None),
        )
    except KeyConfigurationError as exc:
        return [*messages, checks.Error(str(exc), id="tandem.keys.E002")]

    if ring.current_version is None and not messages:
        messages.append(
            missing(
                "No key-encryption key (KEK) is configured; encrypted fields cannot be used.",
                code=1,
            )
        )
    if ring.blind_index_key is None and not file_missing:
        messages.append(
            missing("No blind-index key is configured; blind indexes cannot be computed.", code=3)
        )
    if key_file and Path(key_file).exists():
        mode = Path(key_file).stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            messages.append(
                checks.Warning(
                    f"The key file {key_file} is readable by other users "
                    f"(mode {stat.S_IMODE(mode):04o}).",
                    hint=f"chmod 600 {key_file}",
                    id="tandem.keys.W010",
                )
            )
    return messages
