"""The key ring, the key system checks and init_local_keys."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import override_settings

from tandem.core.encryption import KeyConfigurationError, UnknownKeyVersion, get_keyring
from tandem.core.encryption.checks import check_encryption_keys
from tandem.core.encryption.keys import build_keyring, generate_key, read_key_file

K1 = base64.b64encode(bytes(range(32))).decode()
K2 = base64.b64encode(bytes(range(32, 64))).decode()
BLIND = base64.b64encode(b"b" * 32).decode()


def ring(keks=None, file=None, current=None, blind=None):
    return build_keyring(keks_text=keks, key_file=file, current=current, blind_index_key_text=blind)


def write_key_file(path: Path, content: dict, mode: int = 0o600) -> Path:
    path.write_text(json.dumps(content))
    path.chmod(mode)
    return path


def test_env_keys_parse():
    keyring = ring(f" 1:{K1} , 2:{K2} ", current="2", blind=BLIND)
    assert set(keyring.keks) == {"1", "2"}
    assert keyring.current_kek == ("2", bytes(range(32, 64)))
    assert keyring.blind_index_key == b"b" * 32


def test_url_safe_base64_is_accepted():
    key = base64.urlsafe_b64encode(b"\xfb" * 32).decode()
    assert "-" in key or "_" in key
    assert ring(f"1:{key}").kek("1") == b"\xfb" * 32


def test_a_single_key_is_current_without_saying_so():
    assert ring(f"7:{K1}").current_version == "7"


def test_repr_shows_versions_not_keys():
    text = repr(ring(f"1:{K1},2:{K2}", current="1", blind=BLIND))
    assert "'1', '2'" in text
    assert K1 not in text and "\\x00" not in text and str(bytes(range(32))) not in text


@pytest.mark.parametrize(
    ("keks", "current", "message"),
    [
        (f"1:{K1[:-4]}", None, "bytes"),  # 30 bytes (base64 of a short key)
        (f"1:{base64.b64encode(b'x' * 33).decode()}", None, "exactly 32 bytes"),
        ("1:not*base64", None, "not valid base64"),
        (K1, None, "has no version"),
        (f"1:{K1},1:{K2}", None, "twice"),
        (f"bad version:{K1}", None, "not valid"),
        (",", None, "holds no keys"),
        (f"1:{K1},2:{K2}", None, "none is marked current"),
        (f"1:{K1}", "2", "not among the configured versions"),
    ],
)
def test_bad_kek_configuration_is_explained(keks, current, message):
    with pytest.raises(KeyConfigurationError, match=message) as excinfo:
        ring(keks, current=current)
    assert K1 not in str(excinfo.value) and K1[:-4] not in str(excinfo.value)


def test_blind_index_key_must_not_reuse_a_kek():
    with pytest.raises(KeyConfigurationError, match="differ"):
        ring(f"1:{K1}", blind=K1)


def test_unknown_version_names_the_fix():
    with pytest.raises(UnknownKeyVersion, match="rotate_keys"):
        ring(f"1:{K1}").kek("0")


def test_no_keks_is_a_clear_error_on_use():
    with pytest.raises(KeyConfigurationError, match="init_local_keys"):
        ring().current_kek  # noqa: B018


def test_key_file(tmp_path):
    path = write_key_file(
        tmp_path / "keys.json",
        {"current": "2", "keys": {"1": K1, "2": K2}, "blind_index_key": BLIND},
    )
    keyring = ring(file=path)
    assert keyring.current_version == "2" and set(keyring.keks) == {"1", "2"}
    assert keyring.blind_index_key == b"b" * 32


def test_environment_takes_precedence_over_the_file(tmp_path):
    path = write_key_file(
        tmp_path / "keys.json",
        {"current": "1", "keys": {"1": K1}, "blind_index_key": BLIND},
    )
    keyring = ring(keks=f"2:{K2}", file=path)  # KEKs from env, blind-index key from the file
    assert set(keyring.keks) == {"2"} and keyring.current_version == "2"
    assert keyring.blind_index_key == b"b" * 32
    assert ring(keks=f"2:{K2}", file=tmp_path / "absent.json").current_version == "2"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("{not json", "cannot be read as JSON"),
        ('["a list"]', "must be a JSON object"),
        ('{"keys": {"1": "short"}}', "not valid base64|bytes"),
        (f'{{"keys": {{"1": "{K1}"}}, "current": "9"}}', "not among"),
    ],
)
def test_bad_key_files_are_explained(tmp_path, content, message):
    path = tmp_path / "keys.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(KeyConfigurationError, match=message):
        ring(file=path)


def test_keyring_follows_settings():
    assert get_keyring().current_version == "1"
    with override_settings(TANDEM_KEK_CURRENT="2"):
        assert get_keyring().current_version == "2"
    assert get_keyring().current_version == "1"


# --- system checks ---------------------------------------------------------------------


NO_KEYS = {
    "TANDEM_KEKS": None,
    "TANDEM_KEK_CURRENT": None,
    "TANDEM_BLIND_INDEX_KEY": None,
    "TANDEM_KEK_FILE": None,
}


def check_ids(**overrides) -> set[str]:
    with override_settings(**overrides):
        return {message.id for message in check_encryption_keys()}


def test_test_settings_pass_the_check():
    assert check_ids() == set()


def test_missing_keys_are_errors_where_required():
    messages = _check(**NO_KEYS, TANDEM_KEYS_REQUIRED=True)
    assert {m.id for m in messages} == {"tandem.keys.E001", "tandem.keys.E003"}
    assert all(m.is_serious() for m in messages)


def test_missing_keys_are_warnings_elsewhere(tmp_path):
    messages = _check(**{**NO_KEYS, "TANDEM_KEK_FILE": str(tmp_path / "missing.json")})
    assert [m.id for m in messages] == ["tandem.keys.W001"]
    assert not messages[0].is_serious()
    assert "init_local_keys" in messages[0].hint
    messages = _check(**NO_KEYS)
    assert {m.id for m in messages} == {"tandem.keys.W001", "tandem.keys.W003"}
    assert not any(m.is_serious() for m in messages)


def test_malformed_keys_are_always_errors():
    messages = _check(TANDEM_KEKS="1:short")
    assert [m.id for m in messages] == ["tandem.keys.E002"]
    assert messages[0].is_serious()


def _check(**overrides):
    with override_settings(**overrides):
        return check_encryption_keys()


def test_a_key_file_readable_by_others_is_flagged(tmp_path):
    path = write_key_file(
        tmp_path / "keys.json",
        {"current": "1", "keys": {"1": K1}, "blind_index_key": BLIND},
        mode=0o644,
    )
    overrides = {**NO_KEYS, "TANDEM_KEK_FILE": str(path)}
    assert check_ids(**overrides) == {"tandem.keys.W010"}
    path.chmod(0o600)
    assert check_ids(**overrides) == set()


def _manage(*args, env_overrides: dict) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TANDEM_", "DJANGO_", "DATABASE_URL"))
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "tandem.example.org",
}


def test_production_refuses_to_run_without_keys():
    result = _manage("check", "--deploy", env_overrides=PRODUCTION)
    assert result.returncode != 0
    assert "tandem.keys.E001" in result.stderr
    assert "tandem.keys.E003" in result.stderr


def test_production_check_deploy_passes_with_keys_from_the_environment():
    result = _manage(
        "check",
        "--deploy",
        env_overrides={
            **PRODUCTION,
            "TANDEM_KEKS": f"1:{generate_key()},2:{generate_key()}",
            "TANDEM_KEK_CURRENT": "2",
            "TANDEM_BLIND_INDEX_KEY": generate_key(),
        },
    )
    assert result.returncode == 0, result.stderr
    assert "tandem.keys" not in result.stdout + result.stderr


# --- init_local_keys -------------------------------------------------------------------


def test_init_local_keys_creates_a_private_valid_file(tmp_path):
    path = tmp_path / "var" / "keys.json"
    out = StringIO()
    with override_settings(TANDEM_KEK_FILE=str(path)):
        call_command("init_local_keys", stdout=out)
    assert "Created key file" in out.getvalue()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    content = read_key_file(path)
    assert content["current"] == "1" and len(content["keys"]["1"]) == 32
    assert len(content["blind_index_key"]) == 32
    assert content["blind_index_key"] != content["keys"]["1"]
    with override_settings(
        TANDEM_KEK_FILE=str(path),
        TANDEM_KEKS=None,
        TANDEM_KEK_CURRENT=None,
        TANDEM_BLIND_INDEX_KEY=None,
    ):
        assert get_keyring().current_version == "1"
        assert check_encryption_keys() == []


def test_init_local_keys_never_overwrites(tmp_path):
    path = tmp_path / "keys.json"
    with override_settings(TANDEM_KEK_FILE=str(path)):
        call_command("init_local_keys", stdout=StringIO())
        before = path.read_bytes()
        out = StringIO()
        call_command("init_local_keys", stdout=out)
    assert "already exists; left unchanged" in out.getvalue()
    assert path.read_bytes() == before


def test_init_local_keys_refuses_a_broken_existing_file(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text("{}")
    with pytest.raises(CommandError, match="must be a JSON object"):
        call_command("init_local_keys", path=str(path), stdout=StringIO())
    assert path.read_text() == "{}"


def test_init_local_keys_needs_a_target():
    with override_settings(TANDEM_KEK_FILE=None), pytest.raises(CommandError):
        call_command("init_local_keys", stdout=StringIO())
