"""ConnectWise PSA (Manage) connection settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, SecretStr

from syncd.connectors.settings import ConnectorSettings, RateLimit
from syncd.durations import Duration
from syncd.vocabulary import StatusClass

PriorityLevel = Literal["P1", "P2", "P3", "P4"]


class ConnectWiseSettings(ConnectorSettings):
    """`[connectwise]`: API member keys, company id, codebase and the integration's clientId."""

    base_url: str = Field(description="API host, e.g. https://api-na.myconnectwise.net")
    codebase: str = Field(default="v4_6_release/", description="site codebase; see /login/companyinfo/{company}")
    company_id: str = Field(description="the company id you log in with")
    public_key: str = Field(description="API member public key")
    private_key: SecretStr = Field(description="API member private key (environment or secrets file only)")
    client_id: str = Field(description="clientId GUID issued to the integration by ConnectWise")
    page_size: int = Field(default=1000, ge=1, le=1000, description="ConnectWise caps pageSize at 1000")
    # ConnectWise publishes no limit; stay well under the ~1000/min that clients report.
    rate_limit: RateLimit = RateLimit(requests=300)

    # --- normalization: where this tenant keeps what the vocabulary needs ---------------------
    resolution_code_field: str = Field(
        default="Resolution Code",
        description="caption of the ticket custom field holding the resolution code (CW has no such field)",
    )
    status_classes: dict[str, StatusClass] = Field(
        default_factory=dict,
        description="status name -> class (new, in_progress, waiting_customer, waiting_vendor, escalated, "
                    "resolved, closed); unlisted names are derived from the board status and its name",
    )
    priority_levels: dict[str, PriorityLevel] = Field(
        default_factory=dict,
        description="priority name -> P1..P4; unlisted names use the priority's level or 'Priority N' name",
    )
    kb_board: str = Field(default="KB Updates", description="board of the tickets syncd opens (KB update tasks)")
    # Only internal notes: a marker footer must never reach a customer (DESIGN.md, safety of writes).
    note_as: Literal["internal"] = Field(default="internal", description="note type of syncd's notes")
    reference_poll_interval: Duration = Field(
        default=timedelta(hours=1),
        description="how often boards (with their statuses) and priorities are re-read in full",
    )
