"""Hudu connector: companies, assets and KB articles in; KB update tasks out.

Auth is the `x-api-key` header; the API lives under `<base_url>/api/v1`. Every client of one
Hudu instance shares a rate-limit bucket keyed by the base URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import structlog

from syncd.auth import HeaderAuth
from syncd.clock import Clock, SystemClock
from syncd.connectors.base import Stream
from syncd.connectors.common import build_client
from syncd.connectors.hudu.client import HuduClient
from syncd.connectors.hudu.settings import HuduSettings
from syncd.connectors.hudu.streams import KIND, HuduStreams
from syncd.connectors.hudu.writer import HuduWriter

if TYPE_CHECKING:
    from syncd.sections import HttpSettings

log = structlog.get_logger(__name__)
API_PATH = "/api/v1"


def instance_url(base_url: str) -> str:
    """The instance URL without a trailing slash or `/api/v1` (users paste either form)."""
    url = base_url.strip().rstrip("/")
    return url[: -len(API_PATH)] if url.endswith(API_PATH) else url


class HuduConnector:
    """A configured connection to one Hudu instance."""

    kind = KIND

    def __init__(self, settings: HuduSettings, http: HttpSettings, state: Any = None, *,
                 clock: Clock | None = None, sleep: Callable[[float], None] | None = None) -> None:
        # `state` is part of the factory signature; Hudu has no per-record sub-resources to skip.
        self.settings = settings
        self.instance_url = instance_url(settings.base_url)
        api = build_client(KIND, settings, http, base_url=self.instance_url + API_PATH,
                           tenant=self.instance_url, auth=HeaderAuth("x-api-key", settings.api_key),
                           sleep=sleep)
        self.client = HuduClient(api, settings.page_size)
        # The clock closes the assets updated_at range; tests pass the sandbox's world clock.
        self._streams = HuduStreams(self.client, settings, clock or SystemClock(), self.instance_url)
        self._writer = HuduWriter(self.client, settings)

    def streams(self) -> list[Stream]:
        """hudu.companies, hudu.assets, hudu.articles."""
        return self._streams.streams()

    def check(self) -> None:
        """`GET /api/v1/api_info`: AuthError when the key is refused."""
        info = self.client.api_info()
        log.info("connector_checked", connector=KIND, version=str(info.get("version")))

    def writer(self) -> HuduWriter:
        """The KB-update writer."""
        return self._writer

    def close(self) -> None:
        """Release the HTTP session."""
        self.client.api.close()


factory = HuduConnector

__all__ = ["HuduConnector", "HuduSettings", "factory"]
