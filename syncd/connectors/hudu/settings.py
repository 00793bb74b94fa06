"""Hudu (API v1) connection settings."""

from __future__ import annotations

from pydantic import Field, SecretStr

from syncd.connectors.settings import ConnectorSettings, RateLimit


class HuduSettings(ConnectorSettings):
    """`[hudu]`: self-hosted or cloud base URL and an API key."""

    base_url: str = Field(description="your Hudu URL, e.g. https://docs.example.com")
    api_key: SecretStr = Field(description="API key (environment or secrets file only)")
    page_size: int = Field(default=1000, ge=1, le=1000)
    # Hudu documents 300 requests/minute; leave headroom for the MSP's other integrations.
    rate_limit: RateLimit = RateLimit(requests=240)
