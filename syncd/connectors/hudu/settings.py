"""Hudu (API v1) connection settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, SecretStr

from syncd.connectors.settings import ConnectorSettings, RateLimit
from syncd.durations import Duration

# Hudu integration slugs (integrations[].integrator_name, cards[].integrator_name) -> syncd kind.
# Only cw_manage and halo appear in the spec's examples; the NinjaOne slug is unconfirmed, so
# both spellings are mapped. Slugs not listed are kept under their own name.
DEFAULT_INTEGRATION_KINDS = {
    "cw_manage": "connectwise",
    "halo": "halopsa",
    "ninja": "ninjaone",
    "ninjaone": "ninjaone",
}


class HuduSettings(ConnectorSettings):
    """`[hudu]`: self-hosted or cloud base URL and an API key."""

    base_url: str = Field(description="your Hudu URL, e.g. https://docs.example.com")
    api_key: SecretStr = Field(description="API key (environment or secrets file only)")
    page_size: int = Field(default=1000, ge=1, le=1000)
    # Hudu documents 300 requests/minute; leave headroom for the MSP's other integrations.
    rate_limit: RateLimit = RateLimit(requests=240)
    integration_kinds: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_INTEGRATION_KINDS),
        description="Hudu integrator_name -> syncd kind for external_ids; unlisted names are kept as-is",
    )
    include_archived_assets: bool = Field(
        default=False,
        description="mirror archived assets too (one more request per poll); off = archiving counts as deletion",
    )
    assets_until_margin: Duration = Field(
        default=timedelta(minutes=10),
        description="the assets updated_at range ends this far after our clock's now (clock-skew cushion)",
    )
    kb_task_mode: Literal["process_task", "article"] = Field(
        default="process_task",
        description="KB update tasks as a task on the company's process, or as a new KB article",
    )
    kb_process_name: str = Field(
        default="KB updates", min_length=1, description="process (template) that collects KB update tasks"
    )
    kb_article_prefix: str = Field(
        default="KB update: ", description="name prefix of KB update articles (kb_task_mode = article)"
    )
    kb_article_folder_id: int | None = Field(
        default=None, description="KB folder for articles syncd creates; none = the KB's top level"
    )
