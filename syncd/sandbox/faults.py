"""Fault injection: the misbehaviour of real vendor APIs, on demand and reproducibly.

Transport faults (latency, reset, timeout, 5xx, 429 bursts, malformed bodies) are decided here
and carried out by the server. Data faults (a record changing between two pages, a record
deleted between two polls) are applied to the world when a list handler reports the page it
served, and each is written to the world's `truth` table so a test can score syncd against it.
"""

# SQL here is built from table and column names, which only ever come from sqlite_master and
# PRAGMA table_info (checked in WorldMutator._inspect); every value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import json
import random
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from syncd.sandbox.clock import SandboxClock
    from syncd.sandbox.world.store import World

SCRIPT_KINDS = ("ok", "429", "reset", "timeout", "malformed")
_STATUS_5XX = re.compile(r"^5\d\d$")
_RANDOM_5XX = (500, 502, 503, 504)
_EDIT_SUFFIX = " (edited)"
_MAX_LEN = {"summary": 100}         # ConnectWise rejects longer summaries; never serve one


class FaultConfig(BaseModel):
    """What goes wrong for one vendor; everything is off by default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    latency_s: float = Field(default=0.0, ge=0)
    error_5xx_rate: float = Field(default=0.0, ge=0, le=1)
    reset_rate: float = Field(default=0.0, ge=0, le=1)
    timeout_rate: float = Field(default=0.0, ge=0, le=1)
    timeout_hang_s: float = Field(default=5.0, gt=0)
    malformed_rate: float = Field(default=0.0, ge=0, le=1)
    burst_429_every: int = Field(default=0, ge=0)
    burst_429_length: int = Field(default=0, ge=0)
    mutate_between_pages: bool = False
    delete_between_polls: bool = False
    seed: int = 0

    @model_validator(mode="after")
    def _rates_fit(self) -> FaultConfig:
        total = self.error_5xx_rate + self.reset_rate + self.timeout_rate + self.malformed_rate
        if total > 1:
            raise ValueError(f"fault rates add up to {total:.3f}, more than 1")
        return self


def check_script_kind(kind: str) -> str:
    """Return `kind` when it is a valid script entry, else raise ValueError."""
    if kind in SCRIPT_KINDS or _STATUS_5XX.match(kind):
        return kind
    raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(SCRIPT_KINDS)} or a 5xx status")


def garble(body: bytes) -> bytes:
    """Return a truncated body that is never valid JSON."""
    # Any JSON prefix followed by '<' outside a string is invalid, and inside a string the
    # string stays unterminated: either way a client's JSON decoder must fail.
    return body[: len(body) // 2] + b"<!-- truncated"


class FaultInjector:
    """Decides the faults of one vendor's requests and applies its data faults to the world."""

    def __init__(self, world: World, clock: SandboxClock, config: FaultConfig | None = None, *,
                 record: Callable[[str], None] | None = None) -> None:
        self._record = record or (lambda kind: None)
        self._lock = threading.Lock()
        self._data_lock = threading.Lock()
        self._script: deque[str] = deque()
        self._script_prefix: str | None = None
        self._pages = _PageTracker()
        self._mutator = WorldMutator(world, clock)
        self.configure(config or FaultConfig())

    @property
    def config(self) -> FaultConfig:
        """The current configuration."""
        return self._config

    def configure(self, config: FaultConfig) -> None:
        """Replace the configuration; reseeds the random source so runs are reproducible."""
        with self._lock:
            self._config = config
            self._requests = 0
            self._rng = random.Random(config.seed)
            # A separate stream for data faults, so which row changes does not depend on how
            # many transport-fault rolls other threads happened to make first.
            self._data_rng = random.Random(f"{config.seed}:data")

    def script(self, kinds: Iterable[str], *, path_prefix: str | None = None) -> None:
        """Answer the next matching requests with these faults, one each ('ok' = no fault)."""
        checked = [check_script_kind(str(kind)) for kind in kinds]
        with self._lock:
            self._script = deque(checked)
            self._script_prefix = path_prefix

    def script_remaining(self) -> list[str]:
        """Return the script entries not consumed yet."""
        with self._lock:
            return list(self._script)

    def decide(self, path: str) -> str | None:
        """Return the fault for the next request to `path` (a kind or a 5xx status), or None."""
        with self._lock:
            self._requests += 1
            if self._script and (self._script_prefix is None or path.startswith(self._script_prefix)):
                kind = self._script.popleft()
                return None if kind == "ok" else kind
            return self._random_fault()

    def _random_fault(self) -> str | None:
        cfg = self._config
        cycle = cfg.burst_429_every + cfg.burst_429_length
        # N answered requests, then M throttled ones, and again.
        if cfg.burst_429_every and cfg.burst_429_length and \
                (self._requests - 1) % cycle >= cfg.burst_429_every:
            return "429"
        roll = self._rng.random()
        for kind, rate in (("reset", cfg.reset_rate), ("timeout", cfg.timeout_rate),
                           ("5xx", cfg.error_5xx_rate), ("malformed", cfg.malformed_rate)):
            if roll < rate:
                return str(self._rng.choice(_RANDOM_5XX)) if kind == "5xx" else kind
            roll -= rate
        return None

    def on_page_served(self, table: str, served_ids: Sequence[Any], *, last_page: bool,
                       first_page: bool | None = None, id_column: str | None = None) -> None:
        """Tell fault injection a list handler served `served_ids` of `table` as one page.

        `first_page` says whether this page starts a poll; when omitted, a page is taken as
        first when the previous page of `table` was a last page. `id_column` names the column
        the ids come from when it is not `id` (or the table's primary key).
        """
        with self._lock:
            cfg = self._config
            first, served_before = self._pages.record(table, served_ids, last_page, first_page)
            rng = self._data_rng
        # Serialised so concurrent list handlers cannot pick the same row or share the rng.
        with self._data_lock:
            if cfg.delete_between_polls and first and \
                    self._mutator.delete_one(table, served_ids, rng, id_column) is not None:
                self._record("deleted_between_polls")
            if cfg.mutate_between_pages and not last_page:
                changed = self._mutator.change_two(table, served_ids, served_before, rng, id_column)
                for _ in changed:
                    self._record("changed_between_pages")


class _PageTracker:
    """Remembers, per table, whether a poll is under way and which ids it has served."""

    def __init__(self) -> None:
        self._open: dict[str, set[Any]] = {}

    def record(self, table: str, served_ids: Sequence[Any], last_page: bool,
               first_page: bool | None) -> tuple[bool, set[Any]]:
        first = table not in self._open if first_page is None else first_page
        served = set() if first else self._open.get(table, set())
        served.update(served_ids)
        if last_page:
            self._open.pop(table, None)
        else:
            self._open[table] = served
        return first, set(served)


@dataclass(frozen=True)
class TableInfo:
    """What data faults need to know about one world table."""

    name: str
    key: str                        # column the served ids come from
    columns: frozenset[str]
    soft_delete: str | None         # 'deleted' or 'archived'; None = rows are really deleted
    referenced: bool                # other tables point at it (never hard-delete: no orphans)
    edit_column: str | None         # 'summary' or 'name', edited visibly by a change

    def alive(self) -> str:
        """Return a SQL condition selecting rows that are not deleted."""
        return f'"{self.soft_delete}" = 0' if self.soft_delete else "1"


class WorldMutator:
    """Changes and deletes world rows on behalf of data faults, recording each in `truth`."""

    def __init__(self, world: World, clock: SandboxClock) -> None:
        self._world = world
        self._clock = clock
        self._lock = threading.Lock()
        self._tables: dict[tuple[str, str | None], TableInfo] = {}

    def table(self, name: str, id_column: str | None = None) -> TableInfo:
        """Return (and cache: PRAGMA once per table) what a table looks like."""
        with self._lock:
            cached = self._tables.get((name, id_column))
            if cached is None:
                cached = self._tables[(name, id_column)] = self._inspect(name, id_column)
            return cached

    def _inspect(self, name: str, id_column: str | None) -> TableInfo:
        if self._world.query_one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                 (name,)) is None:
            raise ValueError(f"no world table {name!r}")
        rows = self._world.query(f'PRAGMA table_info("{name}")')
        columns = frozenset(row["name"] for row in rows)
        pk = next((row["name"] for row in rows if row["pk"] == 1), None)
        key = id_column or ("id" if "id" in columns else pk)
        if key is None or key not in columns:
            raise ValueError(f"world table {name!r} has no id column {key!r}")
        referenced = any(
            fk["table"] == name
            for other in self._world.query("SELECT name FROM sqlite_master WHERE type = 'table'")
            for fk in self._world.query(f'PRAGMA foreign_key_list("{other["name"]}")'))
        return TableInfo(
            name=name, key=key, columns=columns, referenced=referenced,
            soft_delete=next((c for c in ("deleted", "archived") if c in columns), None),
            edit_column=next((c for c in ("summary", "name") if c in columns), None),
        )

    def delete_one(self, table: str, served_ids: Sequence[Any], rng: random.Random,
                   id_column: str | None = None) -> Any | None:
        """Delete one live row, preferably one just served; return its id (None if none/unsafe)."""
        info = self.table(table, id_column)
        if info.soft_delete is None and info.referenced:
            # Hard-deleting e.g. a company would orphan its tickets and devices in every vendor.
            return None
        victim = self._pick(info, served_ids, rng)
        if victim is None:
            victim = self._first_alive(info, "1", ())
        if victim is None:
            return None
        with self._world.transaction() as conn:
            if info.soft_delete:
                conn.execute(f'UPDATE "{table}" SET "{info.soft_delete}" = 1 WHERE "{info.key}" = ?',
                             (victim,))
            else:
                conn.execute(f'DELETE FROM "{table}" WHERE "{info.key}" = ?', (victim,))
            how = info.soft_delete or "removed"
            self._truth(conn, "deleted_by_fault", info, victim, {"how": how})
        return victim

    def change_two(self, table: str, served_ids: Sequence[Any], served_before: set[Any],
                   rng: random.Random, id_column: str | None = None) -> list[Any]:
        """Change one row not served yet in this poll and one already served; return their ids."""
        info = self.table(table, id_column)
        if "updated_at" not in info.columns and info.edit_column is None:
            return []
        targets = [(self._next_unserved(info, served_before), "unserved"),
                   (self._pick(info, served_ids, rng), "served")]
        changed = []
        with self._world.transaction() as conn:
            for key, which in targets:
                if key is not None and key not in changed:
                    self._change(conn, info, key, which)
                    changed.append(key)
        return changed

    def _change(self, conn: Any, info: TableInfo, key: Any, which: str) -> None:
        sets, params = [], []
        if "updated_at" in info.columns:
            sets.append('"updated_at" = ?')
            params.append(self._clock.now_iso())
        if col := info.edit_column:
            keep = _MAX_LEN.get(col, 1_000_000) - len(_EDIT_SUFFIX)
            sets.append(f'"{col}" = substr("{col}", 1, ?) || ?')
            params += [keep, _EDIT_SUFFIX]
        conn.execute(f'UPDATE "{info.name}" SET {", ".join(sets)} WHERE "{info.key}" = ?',
                     (*params, key))
        self._truth(conn, "changed_by_fault", info, key, {"page": which})

    def _pick(self, info: TableInfo, served_ids: Sequence[Any], rng: random.Random) -> Any | None:
        """Choose one live row among `served_ids`."""
        candidates = sorted(set(served_ids))
        if not candidates:
            return None
        marks = ", ".join("?" * len(candidates))
        rows = self._world.query(
            f'SELECT "{info.key}" AS k FROM "{info.name}" WHERE "{info.key}" IN ({marks}) '
            f'AND {info.alive()} ORDER BY "{info.key}"', candidates)
        return rng.choice([row["k"] for row in rows]) if rows else None

    def _next_unserved(self, info: TableInfo, served: set[Any]) -> Any | None:
        # Lists are mostly ordered by id, so the first live id after the highest served one is
        # the row most likely to sit on the very next page.
        if not served:
            return None
        above = self._first_alive(info, f'"{info.key}" > ?', (max(served),))
        if above is not None:
            return above
        for row in self._world.iterate(
                f'SELECT "{info.key}" AS k FROM "{info.name}" WHERE {info.alive()} ORDER BY "{info.key}"'):
            if row["k"] not in served:
                return row["k"]
        return None

    def _first_alive(self, info: TableInfo, condition: str, params: Sequence[Any]) -> Any | None:
        row = self._world.query_one(
            f'SELECT "{info.key}" AS k FROM "{info.name}" WHERE {condition} AND {info.alive()} '
            f'ORDER BY "{info.key}" LIMIT 1', params)
        return row["k"] if row else None

    def _truth(self, conn: Any, kind: str, info: TableInfo, key: Any, value: dict[str, Any]) -> None:
        conn.execute("INSERT INTO truth (kind, subject, value) VALUES (?, ?, ?)",
                     (kind, f"{info.name}:{key}", json.dumps({**value, "at": self._clock.now_iso()})))
