"""The plain sections of the settings file ([daemon], [state], [log], [http], ...).

They live apart from `syncd.settings` so connector modules can import them without importing
the root Settings, which itself imports every connector's settings.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from syncd.durations import Duration


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DaemonSettings(_Section):
    """`[daemon]`: how the daemon behaves as a whole."""

    dry_run: bool = Field(default=False, description="shadow mode: poll, resolve, plan and report; write nothing")
    instance: str = Field(default="syncd", description="name of this installation in logs and digests")


class StateSettings(_Section):
    """`[state]`: where the embedded SQLite state store lives."""

    path: Path = Field(default=Path(".syncd/state.db"), description="SQLite file (WAL); back it up")


class LogSettings(_Section):
    """`[log]`: log format and level."""

    format: Literal["auto", "json", "console"] = Field(
        default="auto", description="auto = console on a terminal, JSON lines otherwise"
    )
    level: Literal["debug", "info", "warning", "error"] = "info"


class HttpSettings(_Section):
    """`[http]`: timeouts and retry policy shared by every connector."""

    connect_timeout: Duration = timedelta(seconds=5)
    read_timeout: Duration = timedelta(seconds=30)
    max_attempts: PositiveInt = Field(default=5, description="tries per request, the first included")
    max_retry_after: Duration = Field(
        default=timedelta(minutes=10), description="longest Retry-After honoured; longer gives up"
    )
    backoff_max: Duration = Field(default=timedelta(seconds=60), description="cap of exponential backoff")
    ca_bundle: Path | None = Field(default=None, description="extra CA bundle; TLS verification is always on")


class SchedulerSettings(_Section):
    """`[scheduler]`: APScheduler job defaults."""

    jitter: Duration = Field(default=timedelta(seconds=30), description="random delay added to each run")
    misfire_grace: Duration = Field(default=timedelta(minutes=5), description="late runs within this still run")
    shutdown_grace: Duration = Field(
        default=timedelta(seconds=60), description="how long SIGTERM waits for the write in progress"
    )


class RulesSettings(_Section):
    """`[rules]`: where rule files come from."""

    builtin: bool = Field(default=True, description="load the built-in rule pack")
    dirs: list[Path] = Field(default_factory=list, description="extra directories of *.yaml rule files")
    overrides: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="rule params to change without editing rule files: {rule_id: {param: value}}"
    )
    tasks_in: Literal["auto", "docs", "psa"] = Field(
        default="auto", description="where open_task goes: the docs tool, a PSA ticket, or docs when one is configured"
    )
    every: Duration = Field(default=timedelta(minutes=5), description="how often the rule pass (evaluate) runs")


class HealthSettings(_Section):
    """`[health]`: what `syncd health` accepts as healthy."""

    max_silence: Duration = Field(
        default=timedelta(minutes=30), description="unhealthy when no job finished for this long"
    )
