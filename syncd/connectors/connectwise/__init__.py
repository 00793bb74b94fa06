"""ConnectWise PSA (Manage) connector: tickets, notes, time, configurations, contacts, companies.

Streams: connectwise.boards, .priorities (reference data, full reads), .companies, .contacts,
.configurations, .tickets (with .ticket_events from the audit trail, .notes records and linked
configuration ids for changed tickets) and .time_entries. Writes: internal notes, configuration
links, KB-update tickets.
"""

from __future__ import annotations

from collections.abc import Callable

from syncd.connectors.base import Stream
from syncd.connectors.connectwise.client import ConnectWiseClient
from syncd.connectors.connectwise.models import Normalizer
from syncd.connectors.connectwise.settings import ConnectWiseSettings
from syncd.connectors.connectwise.streams import ConnectWiseStreams
from syncd.connectors.connectwise.writer import ConnectWiseWriter
from syncd.sections import HttpSettings
from syncd.state import StateStore

__all__ = ["ConnectWiseConnector", "ConnectWiseSettings", "factory"]


class ConnectWiseConnector:
    """One ConnectWise tenant: its streams, its health check and its writer."""

    kind = "connectwise"

    def __init__(self, settings: ConnectWiseSettings, http: HttpSettings, state: StateStore, *,
                 sleep: Callable[[float], None] | None = None) -> None:
        self.settings = settings
        self.client = ConnectWiseClient(settings, http, sleep=sleep)
        self.normalizer = Normalizer(settings)
        self._streams = ConnectWiseStreams(self.client, settings, state, self.normalizer)
        self._writer = ConnectWiseWriter(self.client, settings)

    def streams(self) -> list[Stream]:
        """Reference data first, then companies, contacts, configurations, tickets, time entries."""
        return self._streams.all()

    def check(self) -> None:
        """GET /system/info: one cheap authenticated request."""
        self.client.system_info()

    def writer(self) -> ConnectWiseWriter:
        """The ticket writer."""
        return self._writer

    def close(self) -> None:
        """Release the HTTP session."""
        self.client.close()


factory = ConnectWiseConnector
