"""`/v2/queries/*` (cursor-paged reports) and the per-device patch histories (bare arrays).

Rows come in (installedAt, id) order, pushed into SQL on the `installed_at` index. A cursor
freezes its filters and the highest row id when it opens, so rows written mid-scan do not
shift pages. `installedAfter` is inclusive and `installedBefore` exclusive (a half-open
window, so consecutive windows neither overlap nor leave gaps; the real boundary semantics
are undocumented).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from syncd.sandbox.framework import Request, Response, route
from syncd.sandbox.ninjaone import mapping
from syncd.sandbox.ninjaone.cursors import CursorStore
from syncd.sandbox.ninjaone.devicefilter import compile_df
from syncd.sandbox.ninjaone.errors import bad_request
from syncd.sandbox.ninjaone.params import (
    QUERY_DEFAULT_PAGE,
    QUERY_MAX_PAGE,
    choice_arg,
    epoch_arg,
    epoch_to_world_iso,
    now_epoch,
    page_size,
)
from syncd.sandbox.ninjaone.routes_devices import DEVICE_SELECT, path_int

if TYPE_CHECKING:
    from syncd.sandbox.faults import FaultInjector
    from syncd.sandbox.world.store import World

STATUSES = {"INSTALLED", "FAILED"}
SOFTWARE_TYPES = {"PATCH", "INSTALLER"}
SOFTWARE_IMPACTS = {"OPTIONAL", "RECOMMENDED", "CRITICAL"}
_FLOOR = -(2**63)


def patch_filters(request: Request, kind: str) -> dict[str, Any]:
    """Validate and freeze the patch-install filters of a request."""
    after = epoch_arg(request, "installedAfter")
    before = epoch_arg(request, "installedBefore")
    filters: dict[str, Any] = {
        "kind": kind,
        "status": choice_arg(request, "status", STATUSES),
        "after": epoch_to_world_iso(after) if after is not None else None,
        "before": epoch_to_world_iso(before) if before is not None else None,
    }
    if kind == "SOFTWARE":
        filters["type"] = choice_arg(request, "type", SOFTWARE_TYPES)
        filters["impact"] = choice_arg(request, "impact", SOFTWARE_IMPACTS)
        filters["product"] = request.arg("productIdentifier") or None
    return filters


def patch_conditions(filters: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """SQL conditions (alias p) and parameters for frozen patch filters."""
    columns = [("p.kind = ?", "kind"), ("p.status = ?", "status"), ("p.installed_at >= ?", "after"),
               ("p.installed_at < ?", "before"), ("p.patch_type = ?", "type"), ("p.impact = ?", "impact"),
               ("p.product_identifier = ?", "product")]
    sql = [cond for cond, key in columns if filters.get(key) is not None]
    params = [filters[key] for _cond, key in columns if filters.get(key) is not None]
    return sql, params


@dataclass(frozen=True)
class CursorQuery:
    """How one `/v2/queries/*` report opens, fetches a page, keys and shapes its rows."""

    kind: str                                                   # cursor namespace
    table: str                                                  # world table for fault injection
    open: Callable[[], dict[str, Any]]                          # validate + freeze filters
    fetch: Callable[..., list[sqlite3.Row]]                     # (query, position, size) -> rows
    key: Callable[[sqlite3.Row], tuple[Any, ...]]               # keyset position of a row
    shape: Callable[[sqlite3.Row], dict[str, Any]]              # row -> JSON


class QueryRoutes:
    """Routes for the patch-install and computer-system reports."""

    world: World
    faults: FaultInjector
    cursors: CursorStore
    clock: Any
    device_row: Callable[[int], sqlite3.Row]

    @route("GET", "/v2/queries/os-patch-installs")
    def query_os_patch_installs(self, request: Request) -> Response:
        """OS patch install history across devices, cursor-paged."""
        return Response(200, self._patch_query(request, "OS"))

    @route("GET", "/v2/queries/software-patch-installs")
    def query_software_patch_installs(self, request: Request) -> Response:
        """Third-party software patch install history across devices, cursor-paged."""
        return Response(200, self._patch_query(request, "SOFTWARE"))

    @route("GET", "/v2/device/{id}/os-patch-installs")
    def device_os_patch_installs(self, request: Request) -> Response:
        """One device's OS patch installs: a bare array, no paging."""
        return Response(200, self._device_patches(request, "OS"))

    @route("GET", "/v2/device/{id}/software-patch-installs")
    def device_software_patch_installs(self, request: Request) -> Response:
        """One device's software patch installs: a bare array, no paging."""
        return Response(200, self._device_patches(request, "SOFTWARE"))

    @route("GET", "/v2/queries/computer-systems")
    def query_computer_systems(self, request: Request) -> Response:
        """Computer-system (chassis, serials) report across devices, cursor-paged by device id."""

        def open_query() -> dict[str, Any]:
            df = compile_df(request.arg("df"))
            top = self.world.query_one("SELECT MAX(id) AS m FROM ninja_devices")
            return {"df": df, "max_id": top["m"] if top and top["m"] is not None else 0}

        def fetch(query: dict[str, Any], position: tuple[Any, ...] | None, size: int) -> list[sqlite3.Row]:
            df = query["df"]
            last = position[0] if position else _FLOOR
            return self.world.query(
                f"{DEVICE_SELECT} WHERE d.deleted = 0 AND d.id <= ? AND d.id > ? AND {df.sql} "
                "ORDER BY d.id LIMIT ?",
                [query["max_id"], last, *df.params, size],
            )

        spec = CursorQuery("computer-systems", "ninja_devices", open_query, fetch,
                           lambda r: (r["id"],), mapping.computer_system_query_row)
        return Response(200, self._cursor_page(request, spec))

    def _patch_query(self, request: Request, kind: str) -> dict[str, Any]:
        def open_query() -> dict[str, Any]:
            filters = patch_filters(request, kind)
            filters["df"] = compile_df(request.arg("df"))
            top = self.world.query_one("SELECT MAX(id) AS m FROM patch_installs")
            filters["max_id"] = top["m"] if top and top["m"] is not None else 0
            return filters

        def fetch(query: dict[str, Any], position: tuple[Any, ...] | None, size: int) -> list[sqlite3.Row]:
            conds, params = patch_conditions(query)
            conds = [*conds, "p.id <= ?", query["df"].sql]
            params = [*params, query["max_id"], *query["df"].params]
            if position is not None:
                conds.append("(p.installed_at, p.id) > (?, ?)")
                params.extend(position)
            return self.world.query(
                "SELECT p.* FROM patch_installs p JOIN ninja_devices d ON d.id = p.device_id "  # noqa: S608
                f"WHERE d.deleted = 0 AND {' AND '.join(conds)} ORDER BY p.installed_at, p.id LIMIT ?",
                [*params, size],
            )

        shape = mapping.os_patch_install if kind == "OS" else mapping.software_patch_install
        spec = CursorQuery(f"patch-installs:{kind}", "patch_installs", open_query, fetch,
                           lambda r: (r["installed_at"], r["id"]), lambda r: shape(r, True))
        return self._cursor_page(request, spec)

    def _cursor_page(self, request: Request, spec: CursorQuery) -> dict[str, Any]:
        size = page_size(request, QUERY_DEFAULT_PAGE, QUERY_MAX_PAGE)
        now = now_epoch(self.clock)
        name = request.arg("cursor")
        if name:
            # Filters sent alongside a cursor are ignored: the cursor carries its query.
            state = self.cursors.resume(name, spec.kind, now)
            if state is None:
                raise bad_request(f"Cursor {name} is expired or does not exist")
        else:
            state = self.cursors.open(spec.kind, spec.open(), now)
        with state.lock:
            rows = spec.fetch(state.query, state.position, size)
            offset = state.offset
            if rows:
                state.position = spec.key(rows[-1])
                state.offset += len(rows)
        self.faults.on_page_served(spec.table, [r["id"] for r in rows], last_page=len(rows) < size)
        return {
            "cursor": {"name": state.name, "offset": offset, "count": len(rows), "expires": state.expires},
            "results": [spec.shape(r) for r in rows],
        }

    def _device_patches(self, request: Request, kind: str) -> list[dict[str, Any]]:
        device_id = path_int(request)
        self.device_row(device_id)
        conds, params = patch_conditions(patch_filters(request, kind))
        rows = self.world.query(
            f"SELECT * FROM patch_installs p WHERE p.device_id = ? AND {' AND '.join(conds)} "  # noqa: S608
            "ORDER BY p.installed_at, p.id",
            [device_id, *params],
        )
        self.faults.on_page_served("patch_installs", [r["id"] for r in rows], last_page=True)
        shape = mapping.os_patch_install if kind == "OS" else mapping.software_patch_install
        return [shape(r, False) for r in rows]
