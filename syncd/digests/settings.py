"""`[digests]`: receivers, SMTP, the route tree, inhibit rules, delivery windows and digest schedules.

Webhook URLs and the SMTP password are `SecretStr`: set them in the environment or the
secrets file, e.g. `SYNCD_DIGESTS__RECEIVERS__COORDINATORS__TEAMS__URL`, never in the TOML file.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, SecretStr, field_validator, model_validator

from syncd.digests.matchers import parse_matchers
from syncd.durations import Duration
from syncd.redact import REDACTOR

DigestKind = Literal["sla", "hygiene", "kb", "sync_health", "review", "findings"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _weekdays(values: list[str]) -> list[str]:
    """Expand ["mon-fri", "sun"] to day names; raise ValueError on an unknown day."""
    days: list[str] = []
    for value in values:
        first, _, last = value.strip().lower().partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"{value!r}: days are mon..sun or a range like mon-fri")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days += [WEEKDAYS[i % 7] for i in range(start, end + 1 if end >= start else end + 8)]
    return sorted(set(days), key=WEEKDAYS.index)


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {value!r}; use an IANA name like Europe/London") from None
    return value


def _matchers(values: list[str]) -> list[str]:
    parse_matchers(values)  # raises ValueError with the bad matcher in the message
    return values


class TimeWindow(_Section):
    """A weekly window such as business hours: these days, from `start` to `end`, in `timezone`."""

    days: list[str] = Field(default_factory=lambda: ["mon-fri"], validate_default=True,
                            description="mon..sun or ranges like mon-fri")
    start: time = Field(default=time(8, 0), description="local time the window opens")
    end: time = Field(default=time(18, 0), description="local time it closes; before start = overnight")
    timezone: str = "UTC"

    _days = field_validator("days")(_weekdays)
    _tz = field_validator("timezone")(_zone)


class Schedule(_Section):
    """When a scheduled digest goes out: at these local times on these days (or day of month)."""

    at: list[time] = Field(default_factory=lambda: [time(7, 30)], min_length=1)
    days: list[str] = Field(default_factory=lambda: ["mon-sun"], validate_default=True)
    day_of_month: int | None = Field(default=None, ge=1, le=28, description="monthly: only on this day")
    timezone: str = "UTC"

    _days = field_validator("days")(_weekdays)
    _tz = field_validator("timezone")(_zone)


class DigestSpec(_Section):
    """One digest: how its findings are laid out (`kind`), its title, and optionally a schedule."""

    kind: DigestKind = "findings"
    title: str = ""
    schedule: Schedule | None = Field(default=None, description="none = send as findings change")
    lookback: Duration = Field(default=timedelta(days=30), description="review: history it looks back over")
    max_items: PositiveInt = Field(default=200, description="rows per digest; the rest are counted")


DEFAULT_DIGESTS: dict[str, DigestSpec] = {
    "sla": DigestSpec(kind="sla", title="SLA at risk and breached"),
    "hygiene": DigestSpec(kind="hygiene", title="Ticket hygiene: what to fix"),
    "kb": DigestSpec(kind="kb", title="Knowledge base: recurring symptoms"),
    "sync_health": DigestSpec(kind="sync_health", title="Sync health"),
    "review": DigestSpec(kind="review", title="Monthly review: recurring issues per client",
                         schedule=Schedule(day_of_month=1, at=[time(8, 0)])),
    "findings": DigestSpec(kind="findings", title="syncd findings"),
}


class EmailChannel(_Section):
    """Email recipients of a receiver (sent through `[digests.smtp]`)."""

    to: list[str] = Field(min_length=1)
    subject_prefix: str = "[syncd]"


class WebhookChannel(_Section):
    """A webhook URL (Teams workflow, Slack incoming webhook or generic JSON); the URL is a secret."""

    url: SecretStr = Field(description="environment or secrets file only")


class Receiver(_Section):
    """Where a digest goes: any of email, Teams, Slack and a generic webhook, optionally only in windows."""

    email: EmailChannel | None = None
    teams: WebhookChannel | None = None
    slack: WebhookChannel | None = None
    webhook: WebhookChannel | None = None
    active_windows: list[str] = Field(default_factory=list, description="deliver only inside these windows")

    def channels(self) -> dict[str, BaseModel]:
        """The configured channels by name."""
        found = {"email": self.email, "teams": self.teams, "slack": self.slack, "webhook": self.webhook}
        return {k: v for k, v in found.items() if v is not None}


class SmtpSettings(_Section):
    """`[digests.smtp]`: the mail relay; TLS certificates are always verified."""

    host: str
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = Field(
        default="starttls", description="starttls (587), tls = implicit TLS (465), none (loopback relays only)"
    )
    username: str = ""
    password: SecretStr | None = Field(default=None, description="environment or secrets file only")
    sender: str = Field(description="From address")
    timeout: Duration = timedelta(seconds=30)
    max_attempts: PositiveInt = Field(default=3, description="tries per message on temporary (4xx) failures")
    backoff: Duration = Field(default=timedelta(seconds=5), description="first wait between tries; doubles")


class RouteSettings(_Section):
    """A node of the route tree; unset options are inherited from the parent (as in Alertmanager)."""

    receiver: str | None = None
    digest: str | None = Field(default=None, description="digest (layout) for findings routed here")
    matchers: list[str] = Field(default_factory=list, description='e.g. ["category=sla", "priority=~P[12]"]')
    continue_: bool = Field(default=False, alias="continue", description="keep matching siblings after a match")
    group_by: list[str] | None = None
    group_wait: Duration | None = None
    group_interval: Duration | None = None
    repeat_interval: Duration | None = None
    active_windows: list[str] | None = None
    routes: list[RouteSettings] = Field(default_factory=list)

    _matchers = field_validator("matchers")(_matchers)


class InhibitRule(_Section):
    """Mute targets while a source finding is open and the `equal` labels agree (e.g. company)."""

    source_matchers: list[str] = Field(min_length=1)
    target_matchers: list[str] = Field(min_length=1)
    equal: list[str] = Field(default_factory=lambda: ["company"])

    _src = field_validator("source_matchers")(_matchers)
    _dst = field_validator("target_matchers")(_matchers)


class DigestSettings(_Section):
    """`[digests]`: everything about routing findings to people and delivering digests."""

    enabled: bool = True
    every: Duration = Field(default=timedelta(minutes=1), description="how often the digest pass runs")
    resolved_lookback: Duration = Field(
        default=timedelta(days=7), description="resolved findings older than this are never reported"
    )
    smtp: SmtpSettings | None = None
    receivers: dict[str, Receiver] = Field(default_factory=dict)
    route: RouteSettings = Field(
        default_factory=RouteSettings,
        description="root route; unset options default to digest=findings, group_by=[category], 30s/5m/4h",
    )
    inhibit_rules: list[InhibitRule] = Field(default_factory=list)
    windows: dict[str, TimeWindow] = Field(default_factory=dict)
    digests: dict[str, DigestSpec] = Field(default_factory=dict, description="overrides and additions")

    @model_validator(mode="after")
    def _check_references(self) -> DigestSettings:
        problems = _reference_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def digest_spec(self, name: str) -> DigestSpec:
        """Return the configured or built-in digest named `name`; KeyError if neither."""
        return self.digests.get(name) or DEFAULT_DIGESTS[name]

    def digest_names(self) -> list[str]:
        """Every digest name: built-ins and configured ones."""
        return sorted({*DEFAULT_DIGESTS, *self.digests})

    def register_secrets(self) -> None:
        """Tell the redactor every webhook URL and the SMTP password."""
        for receiver in self.receivers.values():
            for channel in (receiver.teams, receiver.slack, receiver.webhook):
                if channel is not None:
                    REDACTOR.register(channel.url.get_secret_value())
        if self.smtp is not None and self.smtp.password is not None:
            REDACTOR.register(self.smtp.password.get_secret_value())


def _reference_problems(settings: DigestSettings) -> list[str]:
    """Every dangling name: unknown receivers, digests and windows, email without SMTP."""
    problems: list[str] = []
    names = set(settings.digest_names())
    if settings.route.receiver is None and settings.receivers:
        problems.append("route.receiver: the root route needs a receiver")
    if settings.route.matchers:
        problems.append("route.matchers: the root route matches everything; put matchers on child routes")
    stack = [("route", settings.route)]
    while stack:
        where, node = stack.pop()
        if node.receiver is not None and node.receiver not in settings.receivers:
            problems.append(f"{where}.receiver: unknown receiver {node.receiver!r}")
        if node.digest is not None and node.digest not in names:
            problems.append(f"{where}.digest: unknown digest {node.digest!r}")
        problems += [f"{where}.active_windows: unknown window {w!r}"
                     for w in node.active_windows or () if w not in settings.windows]
        stack += [(f"{where}.routes.{i}", child) for i, child in enumerate(node.routes)]
    for name, receiver in settings.receivers.items():
        problems += [f"receivers.{name}.active_windows: unknown window {w!r}"
                     for w in receiver.active_windows if w not in settings.windows]
        if receiver.email is not None and settings.smtp is None:
            problems.append(f"receivers.{name}.email: needs a [digests.smtp] section")
        if not receiver.channels():
            problems.append(f"receivers.{name}: no channel (email, teams, slack or webhook)")
    return problems
