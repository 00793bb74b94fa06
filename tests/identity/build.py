"""Record builders for identity tests: normalized models -> Records, as the connectors produce them."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from syncd.records import Record
from syncd.vocabulary import Asset, Company, Configuration, Contact, Device, Note, StatusClass, Ticket

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


class World:
    """A tiny mirror: add records, then `.records` is what `resolve` takes."""

    def __init__(self) -> None:
        self.records: dict[str, list[Record]] = defaultdict(list)

    def add(self, kind: str, model: Any) -> None:
        """Add one normalized entity of connector `kind`."""
        self.records[f"{kind}.{model.entity}"].append(model.to_record(kind))

    def company(self, cw: str, name: str, *, ninja: str | None = None, hudu: str | None = None,
                ninja_name: str | None = None, hudu_name: str | None = None, hudu_link: bool = True) -> None:
        """One company in CW, and optionally in NinjaOne and Hudu (linked to CW by default)."""
        self.add("connectwise", Company(id=cw, name=name, identifier=name.replace(" ", "")[:20]))
        if ninja:
            self.add("ninjaone", Company(id=ninja, name=ninja_name or name))
        if hudu:
            ext = {"connectwise": cw} if hudu_link else {}
            self.add("hudu", Company(id=hudu, name=hudu_name or name, external_ids=ext))

    def config(self, cid: str, company: str, name: str, *, serial: str | None = None, macs: tuple[str, ...] = (),
               rmm: str | None = None, contact: str | None = None) -> None:
        """A CW configuration."""
        self.add("connectwise", Configuration(
            id=cid, company_id=company, name=name, serial=serial, mac_addresses=list(macs), contact_id=contact,
            external_ids={"rmm": rmm} if rmm else {}))

    def device(self, did: str, org: str, hostname: str, *, serial: str | None = None, macs: tuple[str, ...] = (),
               user: str | None = None, seen_days_ago: int = 1) -> None:
        """A NinjaOne device."""
        self.add("ninjaone", Device(
            id=did, organization_id=org, hostname=hostname, serial=serial, mac_addresses=list(macs),
            last_user=user, last_seen=T0.replace(day=max(1, 28 - seen_days_ago))))

    def asset(self, aid: str, company: str, name: str, *, serial: str | None = None, **ext: str) -> None:
        """A Hudu asset; keyword ids become external_ids (connectwise=..., ninjaone=...)."""
        self.add("hudu", Asset(id=aid, company_id=company, name=name, serial=serial, external_ids=ext))

    def contact(self, cid: str, company: str, username: str, *, active: bool = True) -> None:
        """A CW contact."""
        self.add("connectwise", Contact(id=cid, company_id=company, name=username, username=username, active=active))

    def ticket(self, tid: str, company: str, summary: str, *, contact: str | None = None,
               configs: tuple[str, ...] = (), description: str | None = None, type_: str = "Incident") -> None:
        """A CW ticket; `description` arrives as its first note, as ConnectWise serves it."""
        self.add("connectwise", Ticket(
            id=tid, number=tid, company_id=company, contact_id=contact, summary=summary, status="New",
            status_class=StatusClass.NEW, type=type_, created=T0, updated=T0,
            custom={"configuration_ids": list(configs)} if configs else {}))
        if description:
            self.add("connectwise", Note(id=f"n{tid}", ticket_id=tid, text=description, internal=False, created=T0))
