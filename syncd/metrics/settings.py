"""`[metrics]`: the Prometheus endpoint with /healthz and /readyz, and when a source counts as late."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, PositiveInt


class MetricsSettings(BaseModel):
    """`[metrics]`: where /metrics, /healthz and /readyz are served, and the lag a source may have."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=False, description="serve /metrics, /healthz and /readyz (daemon only)")
    host: str = Field(default="127.0.0.1", description="address to bind; 0.0.0.0 inside a container")
    port: int = Field(default=9464, ge=0, le=65535, description="TCP port; 0 picks a free one (tests)")
    late_after_intervals: PositiveInt = Field(
        default=3, description="a source is late (not ready, sync-health finding) after this many poll intervals"
    )
