"""Rendering: HTML and text layout, and ticket text escaped in every format."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from syncd.digests.channels import slack, teams, webhook
from syncd.digests.render import render_html, render_text
from tests.digests.samples import HOSTILE, digest_of, finding, hostile_digest

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_html_escapes_ticket_text_and_drops_unsafe_links() -> None:
    page = render_html(hostile_digest(NOW))
    assert "<script>" not in page
    assert "<b>VPN</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;VPN&lt;/b&gt; &amp;" in page
    assert "javascript:" not in page
    assert '<a href="https://psa.example/v4_6_release/ticket?id=2">#2 Outlook prompts' in page


def test_text_part_keeps_text_on_one_line() -> None:
    digest = digest_of([finding(1, NOW, annotations={"summary": "line one\r\nSubject: injected"})], NOW)
    text = render_text(digest)
    assert "#1 line one Subject: injected" in text
    assert "\nSubject:" not in text


def test_slack_escapes_control_characters_and_formatting() -> None:
    payload = json.dumps(slack.build_payload(hostile_digest(NOW)))
    texts = [b["text"]["text"] for b in slack.build_payload(hostile_digest(NOW))["blocks"] if b["type"] == "section"]
    row = next(t for t in texts if "alert" in t)
    assert "<!channel>" not in payload
    assert "<https://evil.example|click>" not in payload
    assert "&lt;script&gt;" in row
    assert "&amp;" in row
    assert "&lt;!channel&gt;" in row
    assert "*bold*" not in row
    assert "_it_" not in row
    assert "`code`" not in row
    assert "javascript" not in row  # unsafe ticket URL: title shown without a link


def test_teams_neutralises_markdown_links_and_html() -> None:
    card = teams.build_payload(hostile_digest(NOW))["attachments"][0]["content"]
    texts = [t["text"] for c in card["body"] if c["type"] == "Container" for t in c["items"]]
    row = next(t for t in texts if "alert" in t)
    assert "[phish](" not in row
    assert "\\[phish\\]\\(" in row
    assert "<script>" not in row
    assert "\\*bold\\*" in row
    assert "\\_it\\_" in row
    assert "https://evil.example" not in json.dumps(card)  # no auto-linkable URL survives
    assert any(t.startswith("[#2 Outlook prompts") for t in texts)


def test_webhook_json_is_data_with_html_characters_escaped() -> None:
    body = webhook.encode(webhook.build_payload(hostile_digest(NOW))).decode()
    assert "<" not in body
    assert ">" not in body
    assert "&" not in body.replace("\\u0026", "")
    decoded = json.loads(body)
    assert decoded["findings"][0]["annotations"]["summary"] == HOSTILE
    assert decoded["version"] == "1"
    assert decoded["kind"] == "sla"


def test_hygiene_digest_lists_fixes_per_technician_with_ticket_links() -> None:
    items = [
        finding(10, NOW, rule="closed-without-time-entry", summary="Closed without a time entry",
                labels={"category": "hygiene", "owner": "Dana Reyes"}),
        finding(10, NOW, rule="closed-without-resolution-code", summary="Closed without a resolution code",
                labels={"category": "hygiene", "owner": "Dana Reyes"}),
        finding(11, NOW, rule="closed-without-time-entry", summary="Closed without a time entry",
                labels={"category": "hygiene", "owner": "Sam Lee"}),
    ]
    digest = digest_of(items, NOW, kind="hygiene")
    assert digest.headline == "2 tickets to fix"
    assert [s.title for s in digest.sections] == ["Dana Reyes (coordinator: Kim Ortiz)",
                                                  "Sam Lee (coordinator: Kim Ortiz)"]
    dana = digest.sections[0].rows[0]
    assert dana.url.endswith("id=10")
    assert set(dana.bullets) == {"Closed without a time entry", "Closed without a resolution code"}


def test_missing_labels_and_annotations_are_tolerated() -> None:
    bare = finding(5, NOW, rule="source-not-polled", summary="ninjaone not polled for 3 intervals")
    bare = type(bare)(**{**{k: getattr(bare, k) for k in bare.__slots__}, "labels": {}, "annotations": {}})
    for kind in ("sla", "hygiene", "kb", "sync_health", "review", "findings"):
        digest = digest_of([bare], NOW, kind=kind)
        assert "ninjaone not polled" in render_text(digest) or kind == "review"
        render_html(digest)
        slack.build_payload(digest)
        teams.build_payload(digest)


def test_sla_time_left_falls_back_to_remaining_minutes() -> None:
    f = finding(3, NOW, annotations={"due": "", "remaining_minutes": "45"})
    f = type(f)(**{**{k: getattr(f, k) for k in f.__slots__}, "last_seen": NOW - timedelta(minutes=15)})
    assert digest_of([f], NOW).sections[0].rows[0].badge == "30 min left"


def test_a_hygiene_row_lists_each_findings_detail_under_the_ticket() -> None:
    items = [finding(12, NOW, rule="closed-without-time-entry", summary="Ticket #12 (Printer) has no time entry",
                     labels={"category": "hygiene"}, annotations={"detail": "no time entry: log the time worked"}),
             finding(12, NOW, rule="closed-without-resolution-code", summary="Ticket #12 (Printer) has no code",
                     labels={"category": "hygiene"})]
    row = digest_of(items, NOW, kind="hygiene").sections[0].rows[0]
    assert row.bullets == ("no time entry: log the time worked", "Ticket #12 (Printer) has no code")
