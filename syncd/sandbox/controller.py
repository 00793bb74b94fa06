"""`Sandbox`: every simulated vendor of one world, started and stopped together."""

from __future__ import annotations

import math
import os
import re
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from syncd.sandbox.clock import SandboxClock
from syncd.sandbox.counters import RequestCounters
from syncd.sandbox.faults import FaultConfig, FaultInjector
from syncd.sandbox.framework import Simulator
from syncd.sandbox.limits import RateLimiter
from syncd.sandbox.registry import known_vendors, simulator_class
from syncd.sandbox.server import VendorApp, VendorServer
from syncd.sandbox.world.store import World
from syncd.sandbox.world.symptoms import FAMILIES, Family

CONFIG_NAME = "sandbox.toml"
SECRETS_NAME = "sandbox.secrets.env"
# Client requests per minute where the sandbox enforces no limit: effectively none, on loopback.
UNLIMITED_REQUESTS = 1_000_000


class Sandbox:
    """Loopback simulators of the chosen vendors over one world, sharing one clock."""

    def __init__(self, world: World, *, vendors: Sequence[str] | None = None,
                 clock: SandboxClock | None = None,
                 faults: Mapping[str, FaultConfig] | None = None,
                 rate_limits: Mapping[str, tuple[int, float] | None] | None = None,
                 credentials: Mapping[str, Mapping[str, str]] | None = None,
                 host: str = "127.0.0.1", ports: Mapping[str, int] | None = None,
                 simulators: Mapping[str, type[Simulator]] | None = None) -> None:
        # `simulators` maps vendor -> class directly, bypassing the registry (test simulators).
        classes = dict(simulators or {})
        names = list(vendors) if vendors is not None else (list(classes) or known_vendors())
        for name, given in (("faults", faults), ("rate_limits", rate_limits),
                            ("credentials", credentials), ("ports", ports)):
            unknown = set(given or {}) - set(names)
            if unknown:
                raise ValueError(f"{name} given for vendors not in this sandbox: {sorted(unknown)}")
        self.world = world
        self.clock = clock or SandboxClock(_world_now(world))
        self.host = host
        self._counters = RequestCounters()
        self._servers: dict[str, VendorServer] = {}
        for vendor in names:
            cls = classes.get(vendor) or simulator_class(vendor)
            limit = (rate_limits or {}).get(vendor, cls.default_rate_limit)
            app = self._build_app(vendor, cls, (faults or {}).get(vendor), limit,
                                  (credentials or {}).get(vendor, cls.default_credentials))
            self._servers[vendor] = VendorServer(app, host=host, port=(ports or {}).get(vendor, 0))
        self._started = False

    def _build_app(self, vendor: str, cls: type[Simulator], fault_config: FaultConfig | None,
                   limit: tuple[int, float] | None, credentials: Mapping[str, str]) -> VendorApp:
        injector = FaultInjector(self.world, self.clock, fault_config,
                                 record=lambda kind: self._counters.fault(vendor, kind))
        simulator = cls(self.world, self.clock, injector, dict(credentials))
        limiter = RateLimiter(*limit) if limit is not None else None
        return VendorApp(vendor, simulator, injector=injector, counters=self._counters,
                         clock=self.clock, limiter=limiter)

    @property
    def vendors(self) -> list[str]:
        """The simulated vendors, in start order."""
        return list(self._servers)

    def start(self) -> Sandbox:
        """Bind every vendor's port and start serving; all or nothing."""
        if self._started:
            return self
        try:
            for server in self._servers.values():
                server.start()
        except BaseException:
            self.stop()
            raise
        self._started = True
        return self

    def stop(self) -> None:
        """Stop every server (safe to call twice)."""
        for server in self._servers.values():
            server.stop()
        self._started = False

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def server(self, vendor: str) -> VendorServer:
        """The HTTP server of `vendor`."""
        try:
            return self._servers[vendor]
        except KeyError:
            raise KeyError(f"vendor {vendor!r} is not in this sandbox; it has {self.vendors}") from None

    def url(self, vendor: str) -> str:
        """Base URL of a running vendor server, e.g. http://127.0.0.1:54321."""
        return self.server(vendor).url

    def simulator(self, vendor: str) -> Simulator:
        """The simulator instance serving `vendor`."""
        return self.server(vendor).app.simulator

    def injector(self, vendor: str) -> FaultInjector:
        """The fault injector of `vendor` (configure() / script())."""
        return self.server(vendor).app.injector

    def limiter(self, vendor: str) -> RateLimiter | None:
        """The rate limiter of `vendor`, or None when unlimited."""
        return self.server(vendor).app.limiter

    def counters(self, vendor: str | None = None) -> dict[str, Any]:
        """Request counters of one vendor, or {vendor: counters} for all."""
        if vendor is not None:
            self.server(vendor)
        return self._counters.snapshot(vendor)

    def reset_counters(self, vendor: str | None = None) -> None:
        """Zero the counters of one vendor, or of all."""
        self._counters.reset(vendor)

    def write_config(self, directory: Path | str, *, state_path: Path | str | None = None,
                     tuned: bool = False, extra: Mapping[str, Mapping[str, Any]] | None = None,
                     ) -> tuple[Path, Path]:
        """Write sandbox.toml (syncd config) and sandbox.secrets.env (0600); return both paths.

        `tuned` adds what this sandbox MSP needs beyond the connection settings: its device ticket
        categories for identity, and client rate limits lifted where the sandbox enforces none
        (loopback; CW's polite default would make a small world's first sync take twenty minutes).
        `extra` tables are merged in last, key by key.
        """
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        tables: dict[str, Mapping[str, Any]] = {
            "state": {"path": str(Path(state_path or target / "state.db").resolve())}}
        secrets: dict[str, str] = {}
        for vendor, server in self._servers.items():
            section = server.app.simulator.config_section(server.url)
            if tuned and server.app.limiter is None:
                section = {**section, "rate_limit": {"requests": UNLIMITED_REQUESTS}}
            tables[vendor] = section
            secrets.update(server.app.simulator.secret_env())
        if tuned:
            tables["identity"] = {"device_ticket_categories": device_ticket_categories()}
        tables = merge_tables(tables, extra or {})
        config_path = target / CONFIG_NAME
        config_path.write_text(toml_document(tables), encoding="utf-8")
        secrets_path = target / SECRETS_NAME
        write_private(secrets_path, "".join(f"{key}={dotenv_value(value)}\n"
                                            for key, value in secrets.items()))
        return config_path, secrets_path


def device_ticket_categories(families: Sequence[Family] = FAMILIES) -> list[str]:
    """The world's ticket categories about the caller's own machine, each as broad as the taxonomy allows.

    "Incident/Printing" when every Incident/Printing family is about a user's machine; a mixed
    category ("Incident/Network" also holds the site-wide internet outage) is listed item by item.
    """
    def path(f: Family) -> tuple[str, ...]:
        return (f.type_name, f.subtype, f.item)

    found: set[str] = set()
    for family in families:
        if family.target != "user":
            continue
        for depth in (1, 2, 3):
            prefix = path(family)[:depth]
            if all(f.target == "user" for f in families if path(f)[:depth] == prefix):
                found.add("/".join(prefix))
                break
    return sorted(found)


def merge_tables(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """`base` updated by `extra`, recursing into tables both have."""
    merged = dict(base)
    for key, value in extra.items():
        old = merged.get(key)
        merged[key] = merge_tables(old, value) if isinstance(old, Mapping) and isinstance(value, Mapping) else value
    return merged


def _world_now(world: World) -> str:
    value = world.meta("world_now")
    if not value:
        raise ValueError(f"world {world.path} has no meta 'world_now'; pass a clock")
    return value


# ---- tiny TOML writer: stdlib reads TOML (tomllib) but cannot write it ----

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_PLAIN_ENV = re.compile(r"^[A-Za-z0-9_./:@+,=-]*$")


def toml_document(tables: Mapping[str, Mapping[str, Any]]) -> str:
    """Render {table: {key: value}} as TOML; nested mappings become sub-tables, None is omitted."""
    return "\n".join(_toml_table([name], body) for name, body in tables.items())


def _toml_table(path: list[str], body: Mapping[str, Any]) -> str:
    header = "[" + ".".join(_toml_key(part) for part in path) + "]\n"
    scalars = "".join(f"{_toml_key(k)} = {toml_value(v)}\n"
                      for k, v in body.items() if v is not None and not isinstance(v, Mapping))
    nested = "".join("\n" + _toml_table([*path, k], v) for k, v in body.items() if isinstance(v, Mapping))
    return header + scalars + nested


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


def toml_value(value: Any) -> str:
    """Render one TOML value: str, int, float, bool, Path or a list of those."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str | Path):
        return _toml_string(str(value))
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML: {value!r}")


def _toml_string(text: str) -> str:
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    chars: Iterator[str] = (
        escapes.get(ch) or (f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or ord(ch) == 0x7F else ch)
        for ch in text)
    return '"' + "".join(chars) + '"'


def dotenv_value(value: str) -> str:
    """Quote a dotenv value only when it needs it."""
    if _PLAIN_ENV.match(value):
        return value
    if "'" not in value and "\n" not in value:
        return f"'{value}'"     # single quotes: dotenv takes the content literally
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_private(path: Path, text: str) -> None:
    """Write `text` to a file only its owner can read (mode 0600, even when it existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)


# ---- `syncd sandbox` ----

def run_forever(world_path: Path | str, *, seed: int, size: str | int, vendors: Sequence[str] | None,
                out_dir: Path | str, ports: Mapping[str, int] | None,
                stop: threading.Event | None = None) -> int:
    """Serve the sandbox over `world_path` (generated when missing) until SIGINT/SIGTERM or `stop`."""
    path = Path(world_path)
    if not path.exists():
        from syncd.sandbox.world.generate import generate_world

        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating world {path} (seed {seed}, size {size})", flush=True)
        generate_world(path, seed=seed, size=size)
    world = World(path)
    clock = SandboxClock(_world_now(world), running=True)
    sandbox = Sandbox(world, vendors=vendors, clock=clock, ports=ports)
    with sandbox:
        config_path, secrets_path = sandbox.write_config(out_dir, tuned=True)
        for vendor in sandbox.vendors:
            print(f"{vendor:<12} {sandbox.url(vendor)}", flush=True)
        print(f"config       {config_path}\nsecrets      {secrets_path}\n"
              f"world time   {clock.now_iso()} (running)\nCtrl-C stops.", flush=True)
        _wait(stop)
    return 0


def _wait(stop: threading.Event | None) -> None:
    if stop is not None:
        stop.wait()
        return
    done = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: done.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        # A bounded wait keeps the main thread responsive to signals on every platform.
        while not done.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
