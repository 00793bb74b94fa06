"""Settings: one TOML file, every key overridable as SYNCD_<SECTION>__<KEY>, secrets only from env.

Precedence, highest first: environment variables, the secrets file (dotenv lines
`SYNCD_HUDU__API_KEY=...`, named by `--secrets` or `SYNCD_SECRETS_FILE`), the TOML file,
defaults. Secret keys (`SecretStr` fields) are refused in the TOML file so they never end up
in git. Every problem is collected and reported at once with its key path.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from syncd.connectors.connectwise.settings import ConnectWiseSettings
from syncd.connectors.hudu.settings import HuduSettings
from syncd.connectors.ninjaone.settings import NinjaOneSettings
from syncd.digests.settings import DigestSettings
from syncd.errors import ConfigError
from syncd.identity.settings import IdentitySettings
from syncd.metrics.settings import MetricsSettings
from syncd.redact import REDACTOR
from syncd.sections import (
    DaemonSettings,
    HealthSettings,
    HttpSettings,
    LogSettings,
    RulesSettings,
    SchedulerSettings,
    StateSettings,
)
from syncd.sla import SlaSettings

ENV_PREFIX = "SYNCD_"
CONFIG_ENV = "SYNCD_CONFIG"
SECRETS_ENV = "SYNCD_SECRETS_FILE"


class Settings(BaseSettings):
    """The whole configuration, validated once at startup and read-only after."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", frozen=True,
        case_sensitive=False,
    )

    daemon: DaemonSettings = DaemonSettings()
    state: StateSettings = StateSettings()
    log: LogSettings = LogSettings()
    http: HttpSettings = HttpSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    rules: RulesSettings = RulesSettings()
    health: HealthSettings = HealthSettings()
    identity: IdentitySettings = IdentitySettings()
    sla: SlaSettings = SlaSettings()
    digests: DigestSettings = DigestSettings()
    metrics: MetricsSettings = MetricsSettings()
    connectwise: ConnectWiseSettings | None = None
    ninjaone: NinjaOneSettings | None = None
    hudu: HuduSettings | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Environment beats the secrets file, which beats the TOML file (passed as init kwargs)."""
        return env_settings, dotenv_settings, init_settings

    def connectors(self) -> dict[str, BaseModel]:
        """The configured and enabled connector sections by kind."""
        sections = {"connectwise": self.connectwise, "ninjaone": self.ninjaone, "hudu": self.hudu}
        return {k: v for k, v in sections.items() if v is not None and getattr(v, "enabled", True)}


__all__ = [
    "DaemonSettings", "HealthSettings", "HttpSettings", "LogSettings", "RulesSettings", "SchedulerSettings",
    "Settings", "StateSettings", "load_settings",
]


def load_settings(path: Path | str | None = None, *, secrets_file: Path | str | None = None) -> Settings:
    """Read, merge and validate settings; raise ConfigError listing every problem."""
    config_path = _resolve(path, CONFIG_ENV)
    secrets_path = _resolve(secrets_file, SECRETS_ENV)
    data: dict[str, Any] = {}
    problems: list[str] = []
    if config_path is not None:
        data = _read_toml(config_path, problems)
        problems += _secrets_in_file(data, Settings, ())
    if secrets_path is not None and not secrets_path.is_file():
        problems.append(f"secrets file {secrets_path}: not found")
        secrets_path = None
    settings = None
    try:
        settings = Settings(_env_file=secrets_path, **data)  # type: ignore[call-arg]
    except ValidationError as exc:
        problems += [_describe(err) for err in exc.errors()]
    if problems:
        where = f" in {config_path}" if config_path else ""
        raise ConfigError(f"{len(problems)} problem(s){where}", problems=problems)
    assert settings is not None
    _register_secrets(settings)
    return settings


def _resolve(value: Path | str | None, env: str) -> Path | None:
    if value is None:
        value = os.environ.get(env) or None
    return Path(value) if value else None


def _read_toml(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.append(f"config file {path}: not found")
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"config file {path}: not valid TOML: {exc}")
    except OSError as exc:
        problems.append(f"config file {path}: cannot be read: {exc.strerror}")
    return {}


def _secrets_in_file(data: dict[str, Any], model: type[BaseModel], prefix: tuple[str, ...]) -> list[str]:
    """List secret keys written in the TOML file; those belong in the environment or secrets file."""
    found = []
    for name, field in model.model_fields.items():
        if name not in data:
            continue
        key = (*prefix, name)
        for kind in _model_types(field.annotation):
            found += _secrets_in_value(data[name], kind, key)
    return found


def _secrets_in_value(value: Any, kind: Any, key: tuple[str, ...]) -> list[str]:
    if kind is SecretStr:
        env = ENV_PREFIX + "__".join(key).upper()
        return [f"{'.'.join(key)}: secrets are not read from the config file; set {env} "
                "in the environment or the secrets file"]
    if not isinstance(value, dict):
        return []
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        return _secrets_in_file(value, kind, key)
    args = getattr(kind, "__args__", None)
    if getattr(kind, "__origin__", None) is dict and args:  # dict[str, Model]: receivers by name
        return [p for item, sub in value.items() for t in _model_types(args[1])
                for p in _secrets_in_value(sub, t, (*key, str(item)))]
    return []


def _model_types(annotation: Any) -> list[Any]:
    args = getattr(annotation, "__args__", None)
    return [a for a in args if a is not type(None)] if args else [annotation]


def _describe(err: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in err.get("loc", ())) or "(top level)"
    msg = err.get("msg", "invalid")
    if err.get("type") == "extra_forbidden":
        msg = "unknown key"
    elif err.get("type") == "missing":
        msg = "required key is missing"
    value = err.get("input")
    shown = "" if err.get("type") in ("missing", "extra_forbidden") or isinstance(value, dict) else f" (got {value!r})"
    if "private_key" in loc or "secret" in loc or "api_key" in loc:
        shown = ""  # never echo what might be a secret
    return f"{loc}: {msg}{shown}"


def _register_secrets(settings: Settings) -> None:
    """Tell the redactor every secret value so no log line or error can carry it."""
    settings.digests.register_secrets()
    for section in settings.connectors().values():
        for name in type(section).model_fields:
            value = getattr(section, name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                REDACTOR.register(value.get_secret_value())

