"""Channels against real loopback receivers: SMTP (aiosmtpd) and HTTP (ThreadingHTTPServer)."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema

from syncd.digests.channels.base import build_notifiers
from syncd.digests.channels.email import EmailNotifier
from syncd.digests.channels.slack import MAX_BLOCKS, SlackNotifier
from syncd.digests.channels.teams import TeamsNotifier
from syncd.digests.channels.webhook import JsonWebhookNotifier
from syncd.digests.pipeline import DigestPipeline
from syncd.digests.settings import DigestSettings, EmailChannel, SmtpSettings
from syncd.http import RetryPolicy
from tests.digests.conftest import raise_finding
from tests.digests.loopback import http_receiver, smtp_server
from tests.digests.samples import digest_of, finding, hostile_digest

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NO_WAIT = RetryPolicy(max_attempts=3, sleep=lambda _s: None)

TEXT = {"type": "object", "required": ["type", "text"],
        "properties": {"type": {"const": "mrkdwn"}, "text": {"type": "string", "minLength": 1, "maxLength": 3000}}}
SLACK_SCHEMA = {
    "type": "object", "required": ["text", "blocks"],
    "properties": {"text": {"type": "string"}, "blocks": {"type": "array", "maxItems": 50, "items": {"oneOf": [
        {"type": "object", "required": ["type", "text"], "additionalProperties": False, "properties": {
            "type": {"const": "header"}, "text": {"type": "object", "required": ["type", "text"], "properties": {
                "type": {"const": "plain_text"}, "text": {"type": "string", "maxLength": 150},
                "emoji": {"type": "boolean"}}}}},
        {"type": "object", "required": ["type", "text"], "additionalProperties": False,
         "properties": {"type": {"const": "section"}, "text": TEXT}},
        {"type": "object", "required": ["type", "elements"], "additionalProperties": False, "properties": {
            "type": {"const": "context"}, "elements": {"type": "array", "minItems": 1, "maxItems": 10, "items": TEXT}}},
        {"type": "object", "required": ["type"], "additionalProperties": False,
         "properties": {"type": {"const": "divider"}}},
    ]}}},
}
CARD_ELEMENT = {"oneOf": [
    {"type": "object", "required": ["type", "text"], "properties": {
        "type": {"const": "TextBlock"}, "text": {"type": "string"}, "wrap": {"type": "boolean"},
        "size": {"enum": ["Small", "Default", "Medium", "Large", "ExtraLarge"]},
        "weight": {"enum": ["Lighter", "Default", "Bolder"]}, "isSubtle": {"type": "boolean"},
        "spacing": {"enum": ["None", "Small", "Default", "Medium", "Large", "ExtraLarge", "Padding"]},
        "separator": {"type": "boolean"}}, "additionalProperties": False},
    {"type": "object", "required": ["type", "items"], "properties": {
        "type": {"const": "Container"}, "items": {"type": "array", "items": {"$ref": "#/$defs/element"}},
        "style": {"enum": ["default", "emphasis", "good", "attention", "warning", "accent"]},
        "spacing": {"type": "string"}}, "additionalProperties": False},
]}
TEAMS_SCHEMA = {
    "$defs": {"element": CARD_ELEMENT},
    "type": "object", "required": ["type", "attachments"], "properties": {
        "type": {"const": "message"},
        "attachments": {"type": "array", "minItems": 1, "maxItems": 1, "items": {
            "type": "object", "required": ["contentType", "content"], "properties": {
                "contentType": {"const": "application/vnd.microsoft.card.adaptive"},
                "contentUrl": {"type": "null"},
                "content": {"type": "object", "required": ["type", "version", "body"], "properties": {
                    "type": {"const": "AdaptiveCard"}, "version": {"const": "1.5"},
                    "$schema": {"const": "http://adaptivecards.io/schemas/adaptive-card.json"},
                    "body": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/element"}}}}}}}},
}


def smtp(port: int, **extra: Any) -> SmtpSettings:
    base: dict[str, Any] = {"host": "127.0.0.1", "port": port, "security": "none", "sender": "syncd@msp.example",
                            "timeout": timedelta(seconds=5), "backoff": timedelta(seconds=0)}
    return SmtpSettings(**{**base, **extra})


def test_email_has_text_and_html_parts_subject_and_recipients() -> None:
    with smtp_server() as box:
        notifier = EmailNotifier(smtp(box.port), EmailChannel(to=["desk@msp.example", "kim@msp.example"]))
        delivery = notifier.send(hostile_digest(NOW))
    assert delivery.ok
    assert delivery.attempts == 1
    mail_from, rcpts, raw = box.messages[0]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert (mail_from, rcpts) == ("syncd@msp.example", ["desk@msp.example", "kim@msp.example"])
    assert msg["Subject"] == "[syncd] SLA at risk and breached · Acme Dental: 0 breached, 2 at risk"
    assert msg["To"] == "desk@msp.example, kim@msp.example"
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain is not None
    assert html is not None
    assert "#2 Outlook prompts for password again (2)" in plain.get_content()
    assert "<script>" not in html.get_content()
    assert "&lt;script&gt;" in html.get_content()
    assert "https://psa.example/v4_6_release/ticket?id=2" in html.get_content()


def test_email_refused_then_accepted_is_delivered_once() -> None:
    slept: list[float] = []
    with smtp_server(refusals=["451 4.3.0 try again later"]) as box:
        settings = smtp(box.port, backoff=timedelta(seconds=2))
        delivery = EmailNotifier(settings, EmailChannel(to=["desk@msp.example"]), sleep=slept.append).send(
            digest_of([finding(1, NOW)], NOW))
    assert delivery.ok
    assert delivery.attempts == 2
    assert slept == [2.0]
    assert box.attempts == 2
    assert len(box.messages) == 1


def test_email_permanent_refusal_is_not_retried() -> None:
    with smtp_server(refusals=["554 5.7.1 rejected"]) as box:
        delivery = EmailNotifier(smtp(box.port), EmailChannel(to=["desk@msp.example"])).send(
            digest_of([finding(1, NOW)], NOW))
    assert not delivery.ok
    assert not delivery.recoverable
    assert "554" in delivery.error
    assert box.attempts == 1


def test_slack_payload_matches_block_kit_limits_and_truncates() -> None:
    many = [finding(n, NOW) for n in range(1, 80)]
    with http_receiver() as box:
        delivery = SlackNotifier(box.url, retry=NO_WAIT).send(digest_of(many, NOW))
    assert delivery.ok
    payload = box.bodies[0]
    jsonschema.validate(payload, SLACK_SCHEMA)
    blocks = payload["blocks"]
    assert len(blocks) == MAX_BLOCKS
    assert blocks[0]["type"] == "header"
    assert blocks[-1]["type"] == "context"
    shown = sum(1 for b in blocks if b["type"] == "section" and "psa.example" in b["text"]["text"])
    assert blocks[-1]["elements"][0]["text"] == f"… and {79 - shown} more"


def test_teams_card_matches_adaptive_card_structure() -> None:
    with http_receiver() as box:
        delivery = TeamsNotifier(box.url, retry=NO_WAIT).send(hostile_digest(NOW))
    assert delivery.ok
    jsonschema.validate(box.bodies[0], TEAMS_SCHEMA)
    assert box.content_types[0].startswith("application/json")


def test_webhook_500_then_200_is_retried_and_delivered_once_through_the_pipeline(state, silences, clock) -> None:
    # Arrange
    with http_receiver(statuses=[500]) as box:
        settings = DigestSettings.model_validate({
            "receivers": {"desk": {"webhook": {"url": box.url}}},
            "route": {"receiver": "desk", "group_wait": "0s"}})
        notifiers = build_notifiers(settings, retry=NO_WAIT)
        pipe = DigestPipeline(settings, state, silences, clock, notifiers)
        raise_finding(state, clock, "closed-without-time-entry", "100")
        # Act
        first = pipe.run_pass()
        clock.advance(60)
        second = pipe.run_pass()
    # Assert
    assert first.sent == 1
    assert second.quiet == 1
    assert box.hits == 2
    assert len(box.bodies) == 1
    entry = state.last_digest("findings", "desk:webhook", '0:{category="hygiene"}')
    assert entry is not None
    assert entry.attempts == 2


def test_permanently_failing_receiver_leaves_the_digest_pending_and_logged(state, silences, clock) -> None:
    with http_receiver(statuses=[503] * 6) as box:
        settings = DigestSettings.model_validate({
            "receivers": {"desk": {"slack": {"url": box.url}}},
            "route": {"receiver": "desk", "group_wait": "0s"}})
        settings.register_secrets()
        pipe = DigestPipeline(settings, state, silences, clock, build_notifiers(settings, retry=NO_WAIT))
        raise_finding(state, clock, "closed-without-time-entry", "100")
        first = pipe.run_pass()
        clock.advance(60)
        second = pipe.run_pass()
        clock.advance(60)
        third = pipe.run_pass()  # the receiver recovered: the pending digest goes out, once
    group = '0:{category="hygiene"}'
    assert first.failed == 1
    assert second.failed == 1
    assert third.sent == 1
    assert box.hits == 7
    assert len(box.bodies) == 1
    assert state.last_digest("findings", "desk:slack", group).attempts == 1  # type: ignore[union-attr]
    assert "503" in first.errors[0]
    assert "secret-token" not in first.errors[0]


def test_webhook_urls_are_registered_as_secrets() -> None:
    from syncd.redact import REDACTOR

    settings = DigestSettings.model_validate({
        "smtp": {"host": "smtp.example", "sender": "a@b.c", "password": "hunter2-smtp"},
        "receivers": {"desk": {"teams": {"url": "https://x.example/workflows/very-secret-sig"},
                               "email": {"to": ["a@b.c"]}}},
        "route": {"receiver": "desk"}})
    settings.register_secrets()
    assert REDACTOR.scrub("POST https://x.example/workflows/very-secret-sig failed") == "POST *** failed"
    assert REDACTOR.scrub("auth hunter2-smtp") == "auth ***"


def test_generic_webhook_posts_json(state, silences, clock) -> None:
    with http_receiver() as box:
        delivery = JsonWebhookNotifier(box.url, retry=NO_WAIT).send(digest_of([finding(1, NOW)], NOW))
    assert delivery.ok
    assert box.bodies[0]["findings"][0]["rule"] == "sla-resolve-at-risk"
