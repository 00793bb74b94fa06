"""Active alerts: `GET /v2/alerts` (account-wide) and `GET /v2/device/{id}/alerts`.

Only active (unresolved) alerts are served, unpaged, as bare arrays; `lang` and `tz` only
change wording in the real API and are accepted and ignored here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from syncd.sandbox.framework import Request, Response, route
from syncd.sandbox.ninjaone import mapping
from syncd.sandbox.ninjaone.devicefilter import compile_df
from syncd.sandbox.ninjaone.routes_devices import path_int

if TYPE_CHECKING:
    from syncd.sandbox.faults import FaultInjector
    from syncd.sandbox.world.store import World

ALERT_SELECT = (
    "SELECT a.* FROM alerts a JOIN ninja_devices d ON d.id = a.device_id "
    "WHERE a.resolved = 0 AND d.deleted = 0"
)


class AlertRoutes:
    """Routes for active alerts."""

    world: World
    faults: FaultInjector
    device_row: Callable[[int], sqlite3.Row]

    @route("GET", "/v2/alerts")
    def list_alerts(self, request: Request) -> Response:
        """Active alerts across devices, filtered by `sourceType` and `df`."""
        df = compile_df(request.arg("df"))
        sql = f"{ALERT_SELECT} AND {df.sql}"
        params: list[Any] = list(df.params)
        source_type = request.arg("sourceType")
        if source_type:
            sql += " AND a.source_type = ?"
            params.append(source_type)
        return Response(200, self._serve(f"{sql} ORDER BY a.created_at, a.uid", params))

    @route("GET", "/v2/device/{id}/alerts")
    def list_device_alerts(self, request: Request) -> Response:
        """One device's active alerts."""
        device_id = path_int(request)
        self.device_row(device_id)
        return Response(200, self._serve(f"{ALERT_SELECT} AND a.device_id = ? ORDER BY a.created_at, a.uid",
                                         [device_id]))

    def _serve(self, sql: str, params: list[Any]) -> list[dict[str, Any]]:
        rows = self.world.query(sql, params)
        self.faults.on_page_served("alerts", [r["uid"] for r in rows], last_page=True)
        return [mapping.alert(r) for r in rows]
