"""NinjaOne (Public API v2) connection settings."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, SecretStr

from syncd.connectors.settings import ConnectorSettings, RateLimit
from syncd.durations import Duration


class NinjaOneSettings(ConnectorSettings):
    """`[ninjaone]`: regional host and OAuth2 client-credentials app."""

    base_url: str = Field(
        default="https://app.ninjarmm.com",
        description="regional instance: app, eu, oc, ca or us2 .ninjarmm.com",
    )
    client_id: str = Field(description="API client app id (machine-to-machine)")
    client_secret: SecretStr = Field(description="API client app secret (environment or secrets file only)")
    scope: str = Field(default="monitoring", description="OAuth2 scopes; reads need only 'monitoring'")
    page_size: int = Field(default=1000, ge=1, le=1000)
    query_page_size: int = Field(
        default=1000, ge=1, le=10000,
        description="rows per page of the /v2/queries/* patch reports (up to 10000)",
    )
    # NinjaOne publishes no v2 limit; a conservative budget keeps bulk queries polite.
    rate_limit: RateLimit = RateLimit(requests=200)
    device_sweep_interval: Duration = Field(
        default=timedelta(minutes=15),
        description="how often devices and organizations are re-read in full (the API has no "
                    "changed-since filter for them); one request per page_size devices",
    )
    patch_report_lag: Duration = Field(
        default=timedelta(hours=1),
        description="patch installs can reach the API this long after installedAt; each poll "
                    "re-reads this much (plus overlap) before the bookmark",
    )
    patch_initial_lookback: Duration | None = Field(
        default=None,
        description="first sync reads patch history this far back; unset = all the API keeps",
    )
    org_psa_id_path: str | None = Field(
        default=None,
        description="dotted path in the organization JSON holding its PSA company id, e.g. "
                    "'settings.psa.options.companyId'; unset = no PSA linkage read",
    )
    org_psa_kind: str = Field(
        default="connectwise", description="connector kind the PSA id of org_psa_id_path belongs to"
    )
