"""Secrets never reach messages, reprs, tracebacks or log events."""

from __future__ import annotations

import base64
import traceback

import pytest
from structlog.testing import capture_logs

from syncd.auth import BasicAuth, HeaderAuth
from syncd.errors import ApiError, ApiTimeoutError, AuthError, TransportError
from syncd.http import ApiClient, RetryPolicy
from syncd.redact import REDACTOR, Redactor, redact_url

API_KEY = "hudu-key-AAAA1111"
PASSWORD = "cw-private-BBBB2222"
URL_TOKEN = "SECRET123"
SECRETS = (API_KEY, PASSWORD, URL_TOKEN, base64.b64encode(f"acme+pub:{PASSWORD}".encode()).decode())


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://h/x?access_token=abc&page=2", "https://h/x?access_token=***&page=2"),
        ("https://h/x?API_KEY=abc&Signature=zz&sig=1", "https://h/x?API_KEY=***&Signature=***&sig=***"),
        ("https://h/x?x-api-key=k&sessionToken=t&code=c", "https://h/x?x-api-key=***&sessionToken=***&code=***"),
        ("https://user:pw@h:8443/x?pwd=1&conditions=a%3Db", "https://***@h:8443/x?pwd=***&conditions=a%3Db"),
        ("https://h/x?page=1&pageSize=1000", "https://h/x?page=1&pageSize=1000"),
        ("https://h/x", "https://h/x"),
    ],
)
def test_redact_url(url, expected):
    assert redact_url(url) == expected


def test_redactor_scrubs_registered_values_and_encoded_forms():
    # Arrange
    redactor = Redactor()
    redactor.register("p@ss/word+1")
    redactor.register_basic("user", "hunter22")
    redactor.register("ab")  # too short to scrub safely; ignored
    token = base64.b64encode(b"user:hunter22").decode()
    # Act
    text = redactor.scrub(f"a p@ss/word+1 b p%40ss%2Fword%2B1 c hunter22 d Basic {token} ab")
    # Assert
    assert text == "a *** b *** c *** d Basic *** ab"


def test_empty_redactor_returns_text_unchanged():
    assert Redactor().scrub("nothing to hide") == "nothing to hide"


def _clients(base_url: str) -> list[ApiClient]:
    policy = RetryPolicy(max_attempts=2, sleep=lambda _s: None)
    return [
        ApiClient("hudu", base_url, auth=HeaderAuth("x-api-key", API_KEY), retry=policy, read_timeout=0.2),
        ApiClient("connectwise", base_url, auth=BasicAuth("acme+pub", PASSWORD), retry=policy,
                  read_timeout=0.2),
    ]


def _assert_clean(exc: BaseException, logs: list[dict]) -> None:
    rendered = [str(exc), repr(exc), "".join(traceback.format_exception(exc)), repr(logs)]
    for secret in SECRETS:
        for text in rendered:
            assert secret not in text


def _path() -> str:
    # Built here so the traceback's source lines never show the secret literal either.
    return f"/api/v1/companies?access_token={URL_TOKEN}&page=1"


@pytest.mark.parametrize("scenario", ["401", "refused", "timeout", "500"])
def test_secrets_never_leak_from_failures(scenario, server, closed_port_url):
    # Arrange
    REDACTOR.register(API_KEY)  # also registered by the auth hooks; settings do this for every secret
    base = closed_port_url if scenario == "refused" else server.base_url
    for _ in range(4):
        if scenario == "401":
            server.add(401)
        elif scenario == "timeout":
            server.add(json_body=[], delay_s=0.6)
        elif scenario == "500":
            server.add(500, text=f"upstream said {API_KEY}")
    path = _path()
    expected = {"401": AuthError, "refused": TransportError, "timeout": ApiTimeoutError, "500": ApiError}
    for client in _clients(base):
        # Act
        with capture_logs() as logs, pytest.raises(ApiError) as info:
            client.get_json(path)
        # Assert
        assert isinstance(info.value, expected[scenario])
        assert "access_token=***" in str(info.value)
        assert info.value.__cause__ is None
        if scenario in ("refused", "timeout"):
            # requests' own exception (full URL inside) is dropped from the chain
            assert info.value.__suppress_context__ is True
        _assert_clean(info.value, logs)
