"""The Notifier protocol (`send(digest) -> Delivery`) and the shared webhook POST.

As in Alertmanager's `Notify(...) (recoverable bool, err error)`, a failed delivery says
whether trying again could help; the pipeline keeps the digest pending either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from syncd.digests.model import Digest
from syncd.digests.settings import DigestSettings
from syncd.errors import ApiError, ApiTimeoutError, RetryableApiError, TransportError
from syncd.http import ApiClient, RetryPolicy


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of one send: ok, or an error and whether a retry could succeed."""

    ok: bool
    recoverable: bool = False
    error: str = ""
    attempts: int = 1


class Notifier(Protocol):
    """Delivers a digest through one channel of one receiver."""

    channel: str

    def send(self, digest: Digest) -> Delivery:
        """Deliver the digest (retrying transient failures) and report the outcome."""
        ...


class WebhookPoster:
    """POSTs JSON to one webhook URL through ApiClient (timeouts, retries, redaction)."""

    def __init__(self, connector: str, url: str, *, retry: RetryPolicy | None = None,
                 connect_timeout: float = 5.0, read_timeout: float = 30.0) -> None:
        self._url = url
        self._calls = 0
        self._client = ApiClient(connector, url, retry=retry, connect_timeout=connect_timeout,
                                 read_timeout=read_timeout, observer=self._count)

    def _count(self, *_args: Any) -> None:
        self._calls += 1

    def post(self, body: bytes) -> Delivery:
        """Send one JSON body; a 5xx, 429 or timeout is retried by the HTTP layer, then reported."""
        self._calls = 0
        try:
            # idempotent=True: a chat receiver answering 5xx did not post the message, and a
            # rare duplicate is better than a lost SLA warning. 4xx is never retried.
            self._client.request("POST", self._url, data=body, idempotent=True,
                                 headers={"Content-Type": "application/json; charset=utf-8"})
        except (RetryableApiError, TransportError, ApiTimeoutError) as exc:
            return Delivery(False, True, str(exc), max(self._calls, 1))
        except ApiError as exc:
            return Delivery(False, False, str(exc), max(self._calls, 1))
        return Delivery(True, attempts=max(self._calls, 1))

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


class WebhookNotifier:
    """A notifier that POSTs one encoded document per digest to a webhook; channels say how to encode."""

    channel = "webhook"

    def __init__(self, url: str, **http: Any) -> None:
        self._poster = WebhookPoster(self.channel, url, **http)

    def encode(self, digest: Digest) -> bytes:
        """The request body for a digest."""
        raise NotImplementedError

    def send(self, digest: Digest) -> Delivery:
        """Post the digest; the Delivery says whether a failure may be retried."""
        return self._poster.post(self.encode(digest))


def build_notifiers(
    settings: DigestSettings, *, retry: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep,
    connect_timeout: float = 5.0, read_timeout: float = 30.0,
) -> dict[tuple[str, str], Notifier]:
    """One notifier per (receiver, channel) configured in `[digests.receivers]`."""
    from syncd.digests.channels.email import EmailNotifier
    from syncd.digests.channels.slack import SlackNotifier
    from syncd.digests.channels.teams import TeamsNotifier
    from syncd.digests.channels.webhook import JsonWebhookNotifier

    http: Mapping[str, Any] = {"retry": retry, "connect_timeout": connect_timeout, "read_timeout": read_timeout}
    out: dict[tuple[str, str], Notifier] = {}
    for name, receiver in settings.receivers.items():
        if receiver.email is not None and settings.smtp is not None:
            out[(name, "email")] = EmailNotifier(settings.smtp, receiver.email, sleep=sleep)
        if receiver.teams is not None:
            out[(name, "teams")] = TeamsNotifier(receiver.teams.url.get_secret_value(), **http)
        if receiver.slack is not None:
            out[(name, "slack")] = SlackNotifier(receiver.slack.url.get_secret_value(), **http)
        if receiver.webhook is not None:
            out[(name, "webhook")] = JsonWebhookNotifier(receiver.webhook.url.get_secret_value(), **http)
    return out
