"""Settings: file + environment + secrets file, every problem listed with its key path."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from syncd.errors import ConfigError
from syncd.redact import REDACTOR
from syncd.settings import Settings, load_settings
from tests.conftest import REPO

CW = """
[connectwise]
base_url = "https://api-na.myconnectwise.net"
company_id = "acme"
public_key = "pub"
client_id = "11111111-2222-3333-4444-555555555555"
"""


def write(tmp_path: Path, text: str, name: str = "syncd.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_of(exc: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return list(exc.value.problems)


def test_example_config_is_valid() -> None:
    settings = load_settings(REPO / "config.example.toml")
    assert settings.daemon.dry_run is False
    assert settings.http.read_timeout == timedelta(seconds=30)
    assert settings.connectors() == {}


def test_three_mistakes_are_all_reported_with_their_key_paths(tmp_path: Path) -> None:
    # Arrange: an unknown key, a wrong type and a bad duration in three sections
    path = write(tmp_path, '[daemon]\ndryrun = true\n[http]\nmax_attempts = "many"\n[scheduler]\njitter = "soon"\n')
    # Act
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    # Assert
    found = problems_of(exc)
    assert len(found) == 3
    assert any(p.startswith("daemon.dryrun: unknown key") for p in found)
    assert any(p.startswith("http.max_attempts:") for p in found)
    assert any(p.startswith("scheduler.jitter:") and "not a duration" in p for p in found)


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[http]\nmax_attempts = 3\n")
    monkeypatch.setenv("SYNCD_HTTP__MAX_ATTEMPTS", "7")
    monkeypatch.setenv("SYNCD_DAEMON__DRY_RUN", "true")
    settings = load_settings(path)
    assert settings.http.max_attempts == 7
    assert settings.daemon.dry_run is True


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCD_CONFIG", str(write(tmp_path, '[log]\nlevel = "debug"\n')))
    assert load_settings().log.level == "debug"


def test_unknown_environment_key_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCD_HTTP__READ_TIMEOUTT", "5s")
    with pytest.raises(ConfigError) as exc:
        load_settings(write(tmp_path, ""))
    assert problems_of(exc) == ["http.read_timeoutt: unknown key"]


def test_secret_in_config_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNCD_CONNECTWISE__PRIVATE_KEY", "from-env")
    path = write(tmp_path, CW + 'private_key = "in-the-file"\n')
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    [problem] = problems_of(exc)
    assert problem.startswith("connectwise.private_key: secrets are not read from the config file")
    assert "SYNCD_CONNECTWISE__PRIVATE_KEY" in problem
    assert "in-the-file" not in str(exc.value) + problem


def test_secret_from_secrets_file_and_registered_for_redaction(tmp_path: Path) -> None:
    secrets = write(tmp_path, "SYNCD_CONNECTWISE__PRIVATE_KEY=pk-planted-7781\n", "secrets.env")
    settings = load_settings(write(tmp_path, CW), secrets_file=secrets)
    assert settings.connectwise is not None
    assert settings.connectwise.private_key.get_secret_value() == "pk-planted-7781"
    assert "pk-planted-7781" not in repr(settings)
    assert REDACTOR.scrub("key=pk-planted-7781") == "key=***"


def test_environment_beats_secrets_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = write(tmp_path, "SYNCD_CONNECTWISE__PRIVATE_KEY=from-file\n", "secrets.env")
    monkeypatch.setenv("SYNCD_CONNECTWISE__PRIVATE_KEY", "from-env")
    settings = load_settings(write(tmp_path, CW), secrets_file=secrets)
    assert settings.connectwise is not None
    assert settings.connectwise.private_key.get_secret_value() == "from-env"


def test_missing_required_connector_keys_are_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_settings(write(tmp_path, '[hudu]\npage_size = 5000\n'))
    found = problems_of(exc)
    assert "hudu.base_url: required key is missing" in found
    assert "hudu.api_key: required key is missing" in found
    assert any(p.startswith("hudu.page_size:") for p in found)


def test_bad_toml_and_missing_file_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_settings(write(tmp_path, "[daemon\n"))
    assert "not valid TOML" in problems_of(exc)[0]
    with pytest.raises(ConfigError) as exc:
        load_settings(tmp_path / "absent.toml")
    assert "not found" in problems_of(exc)[0]


def test_settings_are_read_only() -> None:
    settings = Settings()
    with pytest.raises(Exception, match="frozen"):
        settings.daemon = None  # type: ignore[assignment]


def test_example_documents_every_key() -> None:
    text = (REPO / "config.example.toml").read_text()
    missing = [path for path in _key_paths(Settings) if not _documented(text, path)]
    assert missing == []


def _key_paths(model: type, prefix: str = "") -> list[str]:
    import types
    from typing import Union, get_args, get_origin

    from pydantic import BaseModel

    paths = []
    for name, field in model.model_fields.items():
        # Sections are models or optional models; lists and dicts of models are leaf keys here.
        optional = get_origin(field.annotation) in (Union, types.UnionType)
        args = get_args(field.annotation) if optional else (field.annotation,)
        nested = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if nested and nested[0].__name__ != "RateLimit":
            paths += _key_paths(nested[0], f"{prefix}{name}.")
        else:
            paths.append(prefix + (field.alias or name))
    return paths


def _documented(text: str, path: str) -> bool:
    section, _, key = path.rpartition(".")
    lines = text.splitlines()
    in_section = False
    for line in lines:
        bare = line.lstrip("# ").strip()
        if bare.startswith("["):
            in_section = bare[1:bare.index("]")] == section
        elif in_section and (bare.startswith(f"{key} ") or bare.startswith(f"{key}:")):
            return True
    return False
