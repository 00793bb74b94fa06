"""The NinjaOne streams: organizations, devices, patch events, alerts.

Request cost per poll (page_size P, fleet of D devices and O organizations):
- `ninjaone.organizations`: full read, ceil((O+1)/P) requests (one for any real MSP).
- `ninjaone.devices`: NinjaOne has no changed-since filter for devices, and its activity log
  records admin actions, not the agent-reported fields syncd mirrors (hostname, last user,
  serial), so the honest change detection is a full keyset sweep of /v2/devices-detailed every
  `device_sweep_interval`: ceil((D+1)/P) requests, changed or not.
- `ninjaone.patch_events`: `installedAfter=<bookmark - overlap - patch_report_lag>` on the OS
  and on the software report: 2 requests when idle, as the two reports have no common endpoint.
- `ninjaone.alerts`: /v2/alerts serves active alerts only, one request. An alert that is gone
  was resolved: the poll re-emits it from the mirror with `resolved` set, and the id
  reconciliation later marks it deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

import structlog
from pydantic import ValidationError

from syncd.clock import Clock, to_iso
from syncd.connectors.base import Stream
from syncd.connectors.ninjaone.client import NinjaOneClient
from syncd.connectors.ninjaone.models import (
    NinjaAlert,
    NinjaDevice,
    OsPatchInstall,
    SoftwarePatchInstall,
    organization_to_company,
)
from syncd.connectors.ninjaone.settings import NinjaOneSettings
from syncd.records import Record
from syncd.state import StateStore
from syncd.vocabulary import Normalized

log = structlog.get_logger(__name__)

KIND = "ninjaone"
ORGANIZATIONS = f"{KIND}.companies"
DEVICES = f"{KIND}.devices"
PATCH_EVENTS = f"{KIND}.patch_events"
ALERTS = f"{KIND}.alerts"


def _mapped(rows: Iterable[Any], convert: Callable[[Any], Normalized], source: str) -> Iterator[Record]:
    """Records of `rows`; a row that does not fit its model is logged and skipped, never fatal."""
    for row in rows:
        try:
            yield convert(row).to_record(KIND)
        except (ValidationError, ValueError, TypeError) as exc:
            ident = row.get("id", row.get("uid")) if isinstance(row, dict) else None
            log.warning("record_skipped", source=source, id=ident, reason=str(exc).splitlines()[0])


class NinjaOneStreams:
    """Builds the four streams over one client."""

    def __init__(self, client: NinjaOneClient, settings: NinjaOneSettings, state: StateStore,
                 clock: Clock) -> None:
        self.client, self.settings, self.state, self.clock = client, settings, state, clock

    def all(self) -> list[Stream]:
        """Every stream, with its cadence and reconciliation."""
        s = self.settings
        return [
            Stream(ORGANIZATIONS, self.fetch_organizations, s.device_sweep_interval, s.overlap,
                   incremental=False, list_keys=self.organization_keys, reconcile_interval=s.reconcile_interval),
            Stream(DEVICES, self.fetch_devices, s.device_sweep_interval, s.overlap, incremental=False,
                   list_keys=self.device_keys, reconcile_interval=s.reconcile_interval),
            Stream(PATCH_EVENTS, self.fetch_patch_events, s.poll_interval, s.overlap + s.patch_report_lag),
            Stream(ALERTS, self.fetch_alerts, s.poll_interval, s.overlap, incremental=False,
                   list_keys=self.alert_keys, reconcile_interval=s.reconcile_interval),
        ]

    # --- organizations and devices: full reads ----------------------------------------------

    def fetch_organizations(self, since: datetime | None) -> Iterator[Record]:
        """Every organization (few: one request)."""
        s = self.settings

        def convert(row: Any) -> Normalized:
            return organization_to_company(row, s.org_psa_id_path, s.org_psa_kind)

        return _mapped(self.client.organizations(), convert, ORGANIZATIONS)

    def organization_keys(self) -> Iterator[str]:
        """Every live organization id."""
        return (str(i) for i in self.client.organization_ids())

    def fetch_devices(self, since: datetime | None) -> Iterator[Record]:
        """Every device (a keyset sweep; `since` cannot be sent, see the module docstring)."""
        return _mapped(self.client.devices(), lambda row: NinjaDevice.model_validate(row).to_device(), DEVICES)

    def device_keys(self) -> Iterator[str]:
        """Every live device id."""
        return (str(i) for i in self.client.device_ids())

    # --- patch events: incremental ------------------------------------------------------------

    def fetch_patch_events(self, since: datetime | None) -> Iterator[Record]:
        """OS and software installs at or after `since` (the bookmark minus the stream's overlap)."""
        after = since
        if after is None and self.settings.patch_initial_lookback is not None:
            after = self.clock.now() - self.settings.patch_initial_lookback
        yield from _mapped(self.client.os_patch_installs(after),
                           lambda row: OsPatchInstall.model_validate(row).to_event(), PATCH_EVENTS)
        yield from _mapped(self.client.software_patch_installs(after),
                           lambda row: SoftwarePatchInstall.model_validate(row).to_event(), PATCH_EVENTS)

    # --- alerts: active list, disappearance = resolution ------------------------------------

    def fetch_alerts(self, since: datetime | None) -> Iterator[Record]:
        """Every active alert, then the mirror's open alerts that are gone, as resolved now."""
        active: set[str] = set()
        for record in _mapped(self.client.alerts(), lambda row: NinjaAlert.model_validate(row).to_alert(), ALERTS):
            active.add(record.key)
            yield record
        yield from self._resolved(active)

    def _resolved(self, active: set[str]) -> Iterator[Record]:
        now = self.clock.now()
        for key in sorted(self.state.live_keys(ALERTS) - active):
            stored = self.state.get_record(ALERTS, key)
            if stored is None or stored.fields.get("resolved") is not None:
                continue
            fields = {**stored.fields, "resolved": to_iso(now), "updated": to_iso(now)}
            yield Record(ALERTS, key, now, fields)

    def alert_keys(self) -> Iterator[str]:
        """Every active alert uid (resolved ones are then marked deleted)."""
        return (str(row.get("uid")) for row in self.client.alerts() if isinstance(row, dict))
