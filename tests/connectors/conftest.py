"""Fixtures every connector's tests share."""

from __future__ import annotations

from typing import Any

import pytest
import requests


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> list[requests.PreparedRequest]:
    """Record every request any Session sends during the test (for the request-side contract checks)."""
    sent: list[requests.PreparedRequest] = []
    original = requests.Session.send

    def send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        sent.append(request)
        return original(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "send", send)
    return sent
