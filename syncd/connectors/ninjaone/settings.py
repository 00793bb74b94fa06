"""NinjaOne (Public API v2) connection settings."""

from __future__ import annotations

from pydantic import Field, SecretStr

from syncd.connectors.settings import ConnectorSettings, RateLimit


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
    # NinjaOne publishes no v2 limit; a conservative budget keeps bulk queries polite.
    rate_limit: RateLimit = RateLimit(requests=200)
