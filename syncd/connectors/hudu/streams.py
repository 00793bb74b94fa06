"""Hudu streams: hudu.companies, hudu.assets, hudu.articles.

Each stream reads `updated_at`-filtered pages since the bookmark (one request when nothing
changed) and lists every live id for the deletion reconciliation. Archived assets and articles
are not listed by Hudu's default query, so archiving counts as deletion unless
`include_archived_assets` asks for archived assets too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, TypeVar

import structlog
from pydantic import BaseModel, ValidationError

from syncd.clock import Clock
from syncd.connectors.base import Stream
from syncd.connectors.common import as_utc
from syncd.connectors.hudu.client import HuduClient
from syncd.connectors.hudu.models import HuduArticle, HuduAsset, HuduCompany
from syncd.connectors.hudu.settings import HuduSettings
from syncd.errors import MalformedResponseError
from syncd.records import Record

KIND = "hudu"
log = structlog.get_logger(__name__)
M = TypeVar("M", bound=BaseModel)


def hudu_time(value: datetime, *, round_up: bool = False) -> str:
    """A bound for Hudu's `updated_at` filter: UTC, whole seconds, floored (or ceiled for an end)."""
    utc = as_utc(value)
    whole = utc.replace(microsecond=0)
    if round_up and whole != utc:
        whole += timedelta(seconds=1)
    return whole.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rows(model: type[M], rows: Iterable[Any], source: str) -> Iterator[M]:
    """Validate rows; a malformed row is logged (id only, never content) and skipped."""
    for row in rows:
        try:
            yield model.model_validate(row)
        except ValidationError as exc:
            # One broken record must not block its stream forever; it is reported, not hidden.
            row_id = row.get("id") if isinstance(row, dict) else None
            log.error("record_malformed", source=source, id=row_id, errors=exc.error_count())


def ids_of(rows: Iterable[Any], source: str) -> Iterator[str]:
    """Row ids for reconciliation; a row without one stops it (a gap would read as a deletion)."""
    for row in rows:
        row_id = row.get("id") if isinstance(row, dict) else None
        if row_id is None or isinstance(row_id, bool):
            raise MalformedResponseError(f"hudu: {source}: a listed row has no id", connector=KIND)
        yield str(row_id)


class HuduStreams:
    """Builds the Stream definitions over one HuduClient."""

    def __init__(self, client: HuduClient, settings: HuduSettings, clock: Clock, instance_url: str) -> None:
        self.client, self.settings, self.clock = client, settings, clock
        self.instance_url = instance_url
        self.kinds = dict(settings.integration_kinds)

    def streams(self) -> list[Stream]:
        """The three streams with the section's cadence and overlap."""
        return [self._stream("companies", self.companies, self.company_keys),
                self._stream("assets", self.assets, self.asset_keys),
                self._stream("articles", self.articles, self.article_keys)]

    def _stream(self, entity: str, fetch: Callable[[datetime | None], Iterable[Record]],
                keys: Callable[[], Iterable[str]]) -> Stream:
        s = self.settings
        return Stream(f"{KIND}.{entity}", fetch, s.poll_interval, overlap=s.overlap, list_keys=keys,
                      reconcile_interval=s.reconcile_interval)

    # --- companies ------------------------------------------------------------------------

    def companies(self, since: datetime | None) -> Iterator[Record]:
        """Companies changed since `since` (`updated_at=<since>,`: a blank end means until now)."""
        params = {"updated_at": f"{hudu_time(since)},"} if since else {}
        rows = self.client.list("companies", params)
        for company in parse_rows(HuduCompany, rows, "hudu.companies"):
            yield company.normalize(self.kinds).to_record(KIND)

    def company_keys(self) -> Iterator[str]:
        """Every company id."""
        return ids_of(self.client.list("companies"), "hudu.companies")

    # --- assets -----------------------------------------------------------------------------

    def _asset_params(self, since: datetime | None) -> list[dict[str, Any]]:
        base: dict[str, Any] = {}
        if since is not None:
            # The assets endpoint ignores a half-open range (HuduAPI PR #86), which would turn
            # every idle poll into a full read: send a closed one ending a margin after now.
            until = self.clock.now() + self.settings.assets_until_margin
            base["updated_at"] = f"{hudu_time(since)},{hudu_time(until, round_up=True)}"
        variants = [base]
        if self.settings.include_archived_assets:
            # Hudu lists archived assets only when asked, and then only them.
            variants.append({**base, "archived": "true"})
        return variants

    def assets(self, since: datetime | None) -> Iterator[Record]:
        """Assets changed since `since` (closed `updated_at` range)."""
        for params in self._asset_params(since):
            for asset in parse_rows(HuduAsset, self.client.list("assets", params), "hudu.assets"):
                yield asset.normalize(self.kinds).to_record(KIND)

    def asset_keys(self) -> Iterator[str]:
        """Every listed asset id (archived ones only with include_archived_assets)."""
        for params in self._asset_params(None):
            yield from ids_of(self.client.list("assets", params), "hudu.assets")

    # --- articles ---------------------------------------------------------------------------

    def articles(self, since: datetime | None) -> Iterator[Record]:
        """KB articles (global and per company, drafts included) changed since `since`."""
        params = {"updated_at": f"{hudu_time(since)},"} if since else {}
        for article in parse_rows(HuduArticle, self.client.list("articles", params), "hudu.articles"):
            yield article.normalize(self.instance_url).to_record(KIND)

    def article_keys(self) -> Iterator[str]:
        """Every listed (not archived) article id."""
        return ids_of(self.client.list("articles"), "hudu.articles")
