"""Logging: JSON lines, snake_case events, and no planted secret in any line."""

from __future__ import annotations

import io
import json
import logging

import structlog

from syncd.logging import configure_logging
from syncd.redact import REDACTOR

SECRET = "tok-planted-4242"


def test_secret_never_reaches_a_log_line() -> None:
    # Arrange
    REDACTOR.register(SECRET)
    out = io.StringIO()
    configure_logging("json", "debug", stream=out)
    log = structlog.get_logger("test")
    # Act: the secret as a field, inside a URL query, in a nested dict, and in an exception
    log.info("request_sent", url=f"https://h.example/api?access_token={SECRET}&page=2")
    log.info("auth_configured", headers={"Authorization": f"Bearer {SECRET}"}, note=f"key {SECRET}")
    try:
        raise RuntimeError(f"upstream said: bad key {SECRET}")
    except RuntimeError:
        log.exception("job_crashed")
    logging.getLogger("urllib3.connectionpool").warning("Retrying %s", f"https://h/?api_key={SECRET}")
    # Assert
    text = out.getvalue()
    assert SECRET not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [e["event"] for e in lines[:3]] == ["request_sent", "auth_configured", "job_crashed"]
    assert "page=2" in lines[0]["url"]
    assert "RuntimeError" in lines[2]["exception"]


def test_context_bound_once_appears_on_every_line() -> None:
    out = io.StringIO()
    configure_logging("json", "info", stream=out)
    with structlog.contextvars.bound_contextvars(job="poll:hudu.articles", run_id="r1"):
        structlog.get_logger("t").info("poll_finished", records=3)
    event = json.loads(out.getvalue().splitlines()[-1])
    assert event["job"] == "poll:hudu.articles"
    assert event["run_id"] == "r1"
    assert event["level"] == "info"
    assert event["timestamp"].endswith("Z")
