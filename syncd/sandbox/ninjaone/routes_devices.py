"""Organizations and devices: keyset paging with `after` (last id) + `pageSize`.

A page shorter than pageSize (or empty) is the last one; there is no cursor or total, so a
client that ignores paging silently keeps only the first page (default 100 rows).
Deleted devices are never served.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from syncd.sandbox.framework import Request, Response, route
from syncd.sandbox.ninjaone import mapping
from syncd.sandbox.ninjaone.devicefilter import compile_df
from syncd.sandbox.ninjaone.errors import bad_request, not_found
from syncd.sandbox.ninjaone.params import KEYSET_DEFAULT_PAGE, KEYSET_MAX_PAGE, int_arg, page_size

if TYPE_CHECKING:
    from syncd.sandbox.faults import FaultInjector
    from syncd.sandbox.world.store import World

DEVICE_SELECT = (
    "SELECT d.*, c.ninja_name AS org_name FROM ninja_devices d "
    "LEFT JOIN companies c ON c.ninja_id = d.organization_id"
)


def path_int(request: Request, name: str = "id") -> int:
    """Return an integer path parameter; 400 when it is not an integer (a typed path variable)."""
    raw = request.path_params.get(name, "")
    try:
        return int(raw)
    except ValueError:
        raise bad_request(f"Invalid value for path variable '{name}': {raw}") from None


class DeviceRoutes:
    """Routes for /v2/organization(s)* and /v2/device(s)*."""

    world: World
    faults: FaultInjector

    @route("GET", "/v2/organizations")
    def list_organizations(self, request: Request) -> Response:
        """Organizations, keyset-paged by id."""
        return Response(200, self._organization_page(request, detailed=False))

    @route("GET", "/v2/organizations-detailed")
    def list_organizations_detailed(self, request: Request) -> Response:
        """Organizations with locations, policies and settings, keyset-paged by id."""
        return Response(200, self._organization_page(request, detailed=True))

    @route("GET", "/v2/organization/{id}")
    def get_organization(self, request: Request) -> Response:
        """One organization (detailed shape)."""
        org_id = path_int(request)
        row = self.world.query_one("SELECT * FROM companies WHERE ninja_id = ?", (org_id,))
        if row is None:
            raise not_found(f"Organization {org_id} not found")
        return Response(200, mapping.organization_detailed(row, self._locations([org_id])[org_id]))

    @route("GET", "/v2/devices")
    def list_devices(self, request: Request) -> Response:
        """Devices (basic shape), filtered by `df`, keyset-paged by id."""
        return Response(200, self._device_page(request, mapping.device, compile_df(request.arg("df"))))

    @route("GET", "/v2/devices-detailed")
    def list_devices_detailed(self, request: Request) -> Response:
        """Devices with system/os/network/references, filtered by `df`, keyset-paged by id."""
        df = compile_df(request.arg("df"))
        return Response(200, self._device_page(request, mapping.device_detailed, df))

    @route("GET", "/v2/organization/{id}/devices")
    def list_organization_devices(self, request: Request) -> Response:
        """One organization's devices (basic shape), keyset-paged by id."""
        org_id = path_int(request)
        df = compile_df(f"org = {org_id}")
        return Response(200, self._device_page(request, mapping.device, df))

    @route("GET", "/v2/device/{id}")
    def get_device(self, request: Request) -> Response:
        """One device (AgentDevice shape)."""
        row = self.device_row(path_int(request))
        return Response(200, mapping.device_detailed(row))

    def device_row(self, device_id: int) -> sqlite3.Row:
        """Return a live device row or raise the vendor's 404."""
        row = self.world.query_one(f"{DEVICE_SELECT} WHERE d.id = ? AND d.deleted = 0", (device_id,))
        if row is None:
            raise not_found(f"Device {device_id} not found")
        return row

    def _organization_page(self, request: Request, detailed: bool) -> list[dict[str, Any]]:
        after = int_arg(request, "after")
        size = page_size(request, KEYSET_DEFAULT_PAGE, KEYSET_MAX_PAGE)
        rows = self.world.query(
            "SELECT * FROM companies WHERE ninja_id IS NOT NULL AND ninja_id > ? ORDER BY ninja_id LIMIT ?",
            (after if after is not None else -(2**63), size),
        )
        if detailed:
            locations = self._locations([r["ninja_id"] for r in rows])
            body = [mapping.organization_detailed(r, locations[r["ninja_id"]]) for r in rows]
        else:
            body = [mapping.organization(r) for r in rows]
        self.faults.on_page_served("companies", [r["world_id"] for r in rows], last_page=len(rows) < size)
        return body

    def _locations(self, org_ids: list[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {org_id: [] for org_id in org_ids}
        if not org_ids:
            return found
        marks = ", ".join("?" * len(org_ids))
        rows = self.world.query(
            f"SELECT DISTINCT organization_id, location_id FROM ninja_devices "  # noqa: S608 - placeholders only
            f"WHERE organization_id IN ({marks}) ORDER BY organization_id, location_id",
            org_ids,
        )
        for row in rows:
            found[row["organization_id"]].append(row["location_id"])
        return found

    def _device_page(self, request: Request, shape: Any, df: Any) -> list[dict[str, Any]]:
        after = int_arg(request, "after")
        size = page_size(request, KEYSET_DEFAULT_PAGE, KEYSET_MAX_PAGE)
        rows = self.world.query(
            f"{DEVICE_SELECT} WHERE d.deleted = 0 AND d.id > ? AND {df.sql} ORDER BY d.id LIMIT ?",
            [after if after is not None else -(2**63), *df.params, size],
        )
        self.faults.on_page_served("ninja_devices", [r["id"] for r in rows], last_page=len(rows) < size)
        return [shape(r) for r in rows]
