"""ConnectWise PSA (Manage) connection settings."""

from __future__ import annotations

from pydantic import Field, SecretStr

from syncd.connectors.settings import ConnectorSettings, RateLimit


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
