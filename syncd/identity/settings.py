"""`[identity]` settings: which tools play which role, match keys, weights and thresholds."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PositiveInt


class MachineKey(StrEnum):
    """A key that may link the records of one machine across tools."""

    EXPLICIT_ID = "explicit_id"
    SERIAL = "serial"
    MAC = "mac"
    HOSTNAME = "hostname"
    NAME_SIMILARITY = "name_similarity"


# How much one agreeing key is worth on its own; agreeing keys combine as 1 - prod(1 - w).
DEFAULT_WEIGHTS = {
    "explicit_id": 0.95, "serial": 0.9, "mac": 0.8, "hostname": 0.75, "name_similarity": 0.3,
    "identifier": 0.9, "name": 0.85,
    # A ticket's leads: a technician's link and a named host speak about the ticket itself,
    # the caller's only machine and the RMM's last user only about the person.
    "config_link": 0.97, "hostname_in_text": 0.9, "contact_device": 0.85, "last_user": 0.8,
}
# What one disagreeing key costs. Hostnames and MACs change legitimately (renames, new NICs),
# serials and explicit ids almost never, and two different companies rule a link out.
DEFAULT_PENALTIES = {"explicit_id": 0.5, "serial": 0.5, "mac": 0.1, "hostname": 0.1, "company": 0.6,
                     "contact_device": 0.05, "last_user": 0.05}
DEFAULT_ID_KEYS = {
    "connectwise": ["connectwise", "psa", "cw_manage"],
    "ninjaone": ["ninjaone", "ninja", "rmm"],
    "hudu": ["hudu", "docs"],
}


class IdentitySettings(BaseModel):
    """`[identity]`: how companies, machines and tickets' devices are linked across tools."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    psa: str = Field(default="connectwise", description="connector kind of the PSA (companies, configs, tickets)")
    rmm: str = Field(default="ninjaone", description="connector kind of the RMM (companies = organizations, devices)")
    docs: str = Field(default="hudu", description="connector kind of the documentation tool (companies, assets)")
    machine_keys: list[MachineKey] = Field(
        default_factory=lambda: list(MachineKey),
        description="machine match keys in order of evaluation; leave one out to disable it",
    )
    weights: dict[str, float] = Field(
        default_factory=dict, description="override the weight of a key (0..1), e.g. {hostname = 0.6}"
    )
    penalties: dict[str, float] = Field(
        default_factory=dict, description="override what a disagreeing key costs, e.g. {mac = 0.2}"
    )
    threshold: float = Field(default=0.8, ge=0, le=1, description="confidence at or above which a link is acted on")
    ambiguity_floor: float = Field(
        default=0.5, ge=0, le=1, description="a rival candidate this confident makes the match ambiguous (review)"
    )
    review_floor: float = Field(default=0.25, ge=0, le=1, description="candidates below this are not listed for review")
    name_similarity_min: float = Field(
        default=0.85, ge=0, le=1, description="difflib ratio from which two names count as similar"
    )
    junk_serials: list[str] = Field(
        default_factory=list, description="serial placeholders to ignore, on top of the built-in list"
    )
    ignore_mac_prefixes: list[str] = Field(
        default_factory=lambda: ["02:00:4C", "00:05:9A", "0A:00:27", "00:FF:", "02:50:41"],
        description="MAC prefixes of virtual adapters (VPN, loopback, host-only) never used as evidence",
    )
    mac_share_limit: PositiveInt = Field(
        default=1, description="a MAC seen on more machines than this on one side is ignored"
    )
    id_keys: dict[str, list[str]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_ID_KEYS.items()},
        description="tool kind -> the external_ids keys other tools use for its ids",
    )
    device_ticket_categories: list[str] = Field(
        default_factory=list,
        description="ticket type, type/subtype or type/subtype/item names that are about the caller's own machine "
                    "(e.g. 'Incident/Hardware'); only these let the caller's only machine or the RMM's last user "
                    "link a device without a linked configuration or a hostname in the text",
    )
    contact_logon_patterns: list[str] = Field(
        default_factory=lambda: ["{f}{last}", "{first}.{last}", "{email}"],
        description="how contacts' Windows logons are named, to match the RMM's last logged-on user: "
                    "{first} {last} {f} {l} (initials) {email} (e-mail local part); a stored username wins",
    )
    company_overrides: dict[str, str] = Field(
        default_factory=dict,
        description='pin a company link: {"hudu.companies:17" = "connectwise.companies:250"}; "" keeps it unlinked',
    )

    def weight(self, key: str) -> float:
        """The weight of an agreeing key."""
        return self.weights.get(key, DEFAULT_WEIGHTS.get(key, 0.0))

    def penalty(self, key: str) -> float:
        """The cost of a disagreeing key."""
        return self.penalties.get(key, DEFAULT_PENALTIES.get(key, 0.0))

    def keys_for(self, kind: str) -> list[str]:
        """The external_ids keys under which other tools store `kind`'s ids."""
        return self.id_keys.get(kind, [kind])

    def is_device_category(self, type_: str | None, subtype: str | None, item: str | None) -> bool:
        """True when a ticket of this type/subtype/item is configured as being about the caller's machine."""
        wanted = {c.strip().lower() for c in self.device_ticket_categories}
        parts = [p or "" for p in (type_, subtype, item)]
        return any("/".join(parts[:n]).lower() in wanted for n in (1, 2, 3))

    def uses(self, key: MachineKey) -> bool:
        """True when the machine key is enabled."""
        return key in self.machine_keys
