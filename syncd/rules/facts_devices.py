"""Facts about a ticket's machine and its company's incidents: the linked device, its patches, open P1s and alerts.

The device is what identity resolution linked with confidence (never a guess: an ambiguous or
low-confidence ticket has no device here). Patches are the RMM's `patch_events` of every RMM
device of that machine (a re-imaged machine keeps its old device's history), in a window before
the ticket was created: seed 001, "patches applied in the last 14 days ... Most 'sudden' tickets
line up with a Tuesday patch".
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import Field

from syncd.clock import as_datetime, to_iso
from syncd.durations import Duration
from syncd.rules.context import FactContext, Subject
from syncd.rules.facts import FactArgs, NoArgs, compute_fact, fact
from syncd.rules.facts_common import by_id, done_at, psa_company, tokens
from syncd.rules.facts_history import change_kind_of

# --- the linked device -----------------------------------------------------------------------


def device_ids(machine: Any) -> tuple[str, ...]:
    """Every RMM device id of a machine, current first (identity's Machine, or a test stub)."""
    ids = tuple(getattr(machine, "rmm", ()) or ())
    current = getattr(machine, "rmm_id", None)
    return ids or ((current,) if current else ())


@fact("linked_device", result=dict[str, Any] | None)
def linked_device(ticket: Subject, ctx: FactContext, _args: NoArgs) -> dict[str, Any] | None:
    """The ticket's machine as identity resolved it with confidence: ids, name, confidence, evidence; else None."""
    identity = ctx.identity
    found = identity.device_for_ticket(ticket.source, ticket.key) if identity is not None else None
    machine = found.machine if found is not None else None
    if machine is None:
        return None
    ids = device_ids(machine)
    return {
        "configuration_id": machine.psa,
        "device_ids": list(ids),
        "name": _name(ctx, machine, ids),
        "confidence": float(getattr(found, "confidence", 1.0) or 1.0),
        "evidence": sorted(getattr(found, "agreed", {}) or {}),
        "via": getattr(found, "via", "auto"),
    }


@fact("linked_rmm_device", result=str | None)
def linked_rmm_device(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """The RMM device id of the ticket's linked machine (current device); None without one."""
    device = compute_fact(ctx, "linked_device", ticket)
    return device["device_ids"][0] if device and device["device_ids"] else None


@fact("linked_device_name", result=str | None)
def linked_device_name(ticket: Subject, ctx: FactContext, _args: NoArgs) -> str | None:
    """The name (hostname) of the ticket's linked machine, for summaries; None without one."""
    device = compute_fact(ctx, "linked_device", ticket)
    return device["name"] if device else None


def _name(ctx: FactContext, machine: Any, ids: tuple[str, ...]) -> str | None:
    """The RMM hostname, else the PSA configuration's name, else any name identity knows."""
    devices = by_id(ctx, "devices")
    for device_id in ids:
        if device_id in devices:
            return str(devices[device_id].fields.get("hostname") or "") or None
    configs = by_id(ctx, "configurations")
    if machine.psa and machine.psa in configs:
        return str(configs[machine.psa].fields.get("name") or "") or None
    names = tuple(getattr(machine, "names", ()) or ())
    return names[0] if names else None


# --- patches -----------------------------------------------------------------------------------

PatchRows = tuple[list[datetime], list[Subject]]


def _events_by_device(ctx: FactContext) -> Mapping[str, list[Subject]]:
    """Patch events grouped by device id, unparsed: times are read only for the devices a ticket asks about."""

    def build() -> dict[str, list[Subject]]:
        rows: dict[str, list[Subject]] = defaultdict(list)
        events = ctx.view.records("patch_events")
        for event, device in zip(events, ctx.column("patch_events", "device_id"), strict=True):
            if device is not None:
                rows[device if type(device) is str else str(device)].append(event)
        return dict(rows)

    return ctx.cached(("patch-events-by-device",), build)


def device_patches(ctx: FactContext, device_id: str) -> PatchRows:
    """One device's patch events sorted by time (parallel lists for bisect), built once per pass."""

    def build() -> PatchRows:
        rows = [(at, e.key, e) for e in _events_by_device(ctx).get(device_id, ())
                if (at := as_datetime(e.fields.get("at"))) is not None]
        rows.sort(key=lambda row: (row[0], row[1]))
        return [row[0] for row in rows], [row[2] for row in rows]

    return ctx.cached(("device-patches", device_id), build)


def patch_events(ctx: FactContext, ticket: Subject, window: timedelta,
                 statuses: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The linked machine's patch events in `window` before the ticket was created, newest first."""
    device = compute_fact(ctx, "linked_device", ticket)
    created = as_datetime(ticket.fields.get("created"))
    if device is None or created is None:
        return []
    start = created - window
    found: list[tuple[datetime, str, dict[str, Any]]] = []
    for device_id in device["device_ids"]:
        times, events = device_patches(ctx, device_id)
        lo, hi = bisect.bisect_left(times, start), bisect.bisect_right(times, created)
        for at, event in zip(times[lo:hi], events[lo:hi], strict=True):  # times already parsed, once per pass
            status = str(event.fields.get("status") or "").lower()
            if statuses is None or status in statuses:
                found.append((at, event.key, _patch_row(event, device_id, status, at)))
    found.sort(key=lambda row: (row[0], row[1]), reverse=True)
    return [row[2] for row in found]


def _patch_row(event: Subject, device_id: str, status: str, at: datetime) -> dict[str, Any]:
    fields = event.fields
    return {"id": event.key, "device_id": device_id, "at": to_iso(at),
            "title": fields.get("title"), "kb": fields.get("kb"), "status": status,
            "failed": status == "failed", "category": fields.get("category"), "severity": fields.get("severity")}


class PatchWindowArgs(FactArgs):
    """How far before the ticket's creation to look."""

    window: Duration = Field(default=timedelta(hours=72), description="e.g. 72h")


@fact("patches_before", result=list[dict[str, Any]], args=PatchWindowArgs)
def patches_before(ticket: Subject, ctx: FactContext, args: PatchWindowArgs) -> list[dict[str, Any]]:
    """Patches installed or failed on the linked device in `window` before the ticket (failed ones flagged)."""
    return patch_events(ctx, ticket, args.window, ("installed", "failed"))


class DeviceHistoryArgs(FactArgs):
    """How far before the ticket's creation to look."""

    window: Duration = Field(default=timedelta(days=14), description="e.g. 14d")


@fact("patch_events_for_device", result=list[dict[str, Any]], args=DeviceHistoryArgs)
def patch_events_for_device(ticket: Subject, ctx: FactContext, args: DeviceHistoryArgs) -> list[dict[str, Any]]:
    """Every patch event (installed, failed, pending) of the linked device in `window` before the ticket."""
    return patch_events(ctx, ticket, args.window)


@fact("failed_patches_before", result=int, args=PatchWindowArgs)
def failed_patches_before(ticket: Subject, ctx: FactContext, args: PatchWindowArgs) -> int:
    """How many patches failed on the linked device in `window` before the ticket."""
    return len(patch_events(ctx, ticket, args.window, ("failed",)))


# --- incidents and alerts (seed 001: "link the ticket as a child of the parent incident") -----


class IncidentArgs(FactArgs):
    """What counts as an incident."""

    priorities: tuple[str, ...] = Field(default=("P1",), description="priorities of an incident ticket")


def _incidents(ctx: FactContext, priorities: tuple[str, ...]) -> Mapping[tuple[str, str], list[tuple]]:
    """Incident tickets by (kind, company): (created, ended or None, key), oldest first."""

    def build() -> dict[tuple[str, str], list[tuple]]:
        out: dict[tuple[str, str], list[tuple]] = defaultdict(list)
        for t in ctx.view.records("tickets"):
            fields = t.fields
            # A P1 change is urgent work, not an outage other tickets belong under. The cheap
            # tests come first: most tickets are no incident, and need no time parsed.
            if fields.get("priority") not in priorities or fields.get("parent_id"):
                continue
            company, created = fields.get("company_id"), as_datetime(fields.get("created"))
            if company and created and change_kind_of(t) is None:
                out[(t.record.kind, str(company))].append((created, done_at(t), t.key))
        return {k: sorted(v, key=lambda row: (row[0], row[2])) for k, v in out.items()}

    return ctx.cached(("incidents", priorities), build)


@fact("open_incident_for_company", result=str | None, args=IncidentArgs)
def open_incident_for_company(ticket: Subject, ctx: FactContext, args: IncidentArgs) -> str | None:
    """The key of the company's incident (P1) ticket that was open when this ticket was opened; None when none."""
    company, created = ticket.fields.get("company_id"), as_datetime(ticket.fields.get("created"))
    if not company or created is None:
        return None
    for started, ended, key in _incidents(ctx, args.priorities).get((ticket.record.kind, str(company)), ()):
        if started > created:
            break
        if key != ticket.key and (ended is None or ended > created):
            return key
    return None


class AlertArgs(FactArgs):
    """Which RMM alerts count."""

    matching: bool = Field(default=True, description="only alerts sharing a symptom word with the ticket summary")


@fact("open_alerts_for_company", result=list[str], args=AlertArgs)
def open_alerts_for_company(ticket: Subject, ctx: FactContext, args: AlertArgs) -> list[str]:
    """Ids of RMM alerts open on the company's devices when the ticket was opened (matching its symptom)."""
    company, created = ticket.fields.get("company_id"), as_datetime(ticket.fields.get("created"))
    if not company or created is None:
        return []
    words = tokens(ticket.fields.get("summary")) if args.matching else frozenset()
    found = []
    for opened, resolved, key, message in _alerts_by_company(ctx, ticket.record.kind).get(str(company), ()):
        is_open = opened <= created and (resolved is None or resolved > created)
        if is_open and (not args.matching or words & tokens(message)):
            found.append(key)
    return sorted(found)


def _alerts_by_company(ctx: FactContext, psa_kind: str) -> Mapping[str, list[tuple]]:
    """Alerts by PSA company of their device: (opened, resolved, key, message)."""

    def build() -> dict[str, list[tuple]]:
        devices = by_id(ctx, "devices")
        machine_for = getattr(ctx.identity, "machine_for", None)
        out: dict[str, list[tuple]] = defaultdict(list)
        for alert in ctx.view.records("alerts"):
            device = devices.get(str(alert.fields.get("device_id")))
            opened = as_datetime(alert.fields.get("opened"))
            if device is None or opened is None:
                continue
            machine = machine_for(device.source, device.key) if callable(machine_for) else None
            company = getattr(machine, "company", None) or psa_company(
                ctx, device.record.kind, device.fields.get("organization_id"), psa_kind)
            if company:
                out[str(company)].append((opened, as_datetime(alert.fields.get("resolved")), alert.key,
                                          str(alert.fields.get("message") or "")))
        return dict(out)

    return ctx.cached(("alerts-by-company", psa_kind), build)

