"""NinjaOne (RMM) connector: organizations, devices, patch installs and active alerts; read-only."""

from __future__ import annotations

from collections.abc import Callable

from syncd.clock import Clock, SystemClock
from syncd.connectors.base import Stream
from syncd.connectors.ninjaone.client import NinjaOneClient
from syncd.connectors.ninjaone.settings import NinjaOneSettings
from syncd.connectors.ninjaone.streams import NinjaOneStreams
from syncd.sections import HttpSettings
from syncd.state import StateStore


class NinjaOneConnector:
    """A configured connection to one NinjaOne instance and API client app."""

    kind = "ninjaone"

    def __init__(self, settings: NinjaOneSettings, http: HttpSettings, state: StateStore, *,
                 clock: Clock | None = None, sleep: Callable[[float], None] | None = None) -> None:
        self.settings = settings
        self.client = NinjaOneClient(settings, http, sleep=sleep)
        self._streams = NinjaOneStreams(self.client, settings, state, clock or SystemClock())

    def streams(self) -> list[Stream]:
        """Organizations, devices, patch events and alerts."""
        return self._streams.all()

    def check(self) -> None:
        """Fetch a token and read one organization; AuthError names ninjaone on bad credentials."""
        self.client.check()

    def writer(self) -> None:
        """NinjaOne is read-only for syncd."""
        return

    def close(self) -> None:
        """Release the HTTP session."""
        self.client.close()


factory = NinjaOneConnector

__all__ = ["NinjaOneConnector", "NinjaOneSettings", "factory"]
