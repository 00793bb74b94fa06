"""Settings every connector shares: polling cadence, page size, rate limit, overlap."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from syncd.durations import Duration


class RateLimit(BaseModel):
    """A budget of `requests` per `per`, shared by every job using the same vendor tenant."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    requests: PositiveInt
    per: Duration = timedelta(minutes=1)


class ConnectorSettings(BaseModel):
    """Keys every connector section has; vendors add their own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    poll_interval: Duration = Field(default=timedelta(minutes=5), description="how often each stream polls")
    overlap: Duration = Field(
        default=timedelta(minutes=2),
        description="re-read this much before the bookmark to catch late or clock-skewed changes",
    )
    reconcile_interval: Duration = Field(
        default=timedelta(hours=6), description="how often ids are compared in full to catch deletions"
    )
    page_size: PositiveInt = 100
