"""Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"): an Adaptive Card.

The envelope is the documented message-with-attachment shape:
`{"type": "message", "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
"contentUrl": null, "content": {"type": "AdaptiveCard", "version": "1.5", "body": [...]}}]}`.
TextBlock text is markdown, so ticket text goes through `escape.markdown_text`.
"""

from __future__ import annotations

import json
from typing import Any

from syncd.digests.channels.base import WebhookNotifier
from syncd.digests.escape import markdown_text, one_line, safe_url
from syncd.digests.model import Digest, Row

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_ROWS = 40  # Teams rejects cards over about 28 KB; 40 rows stay well below it
STYLES = {"critical": "attention", "warning": "warning", "ok": "good", "info": "emphasis"}


def _md(text: str) -> str:
    return markdown_text(one_line(text))


def _text(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def _link(row: Row) -> str:
    title = _md(row.title)
    url = safe_url(row.url)
    if not url:
        return f"**{title}**"
    # Parentheses would end the markdown link target early.
    return f"[{title}]({url.replace('(', '%28').replace(')', '%29')})"


def _row(row: Row) -> dict[str, Any]:
    head = _link(row) + (f" — **{_md(row.badge)}**" if row.badge else "")
    items = [_text(head)]
    if row.text:
        items.append(_text(_md(row.text), spacing="Small"))
    items += [_text(f"• {_md(b)}", spacing="None") for b in row.bullets]
    if row.meta:
        items.append(_text(" · ".join(_md(m) for m in row.meta), isSubtle=True, size="Small", spacing="Small"))
    return {"type": "Container", "style": STYLES.get(row.tone, "default"), "items": items, "spacing": "Small"}


def build_card(digest: Digest) -> dict[str, Any]:
    """The Adaptive Card (version 1.5) for a digest, capped at MAX_ROWS rows."""
    body: list[dict[str, Any]] = [
        _text(_md(digest.title), size="Large", weight="Bolder"),
        _text(_md(digest.headline), isSubtle=True, spacing="None"),
    ]
    budget, left_out = MAX_ROWS, 0
    for section in digest.sections:
        shown = list(section.rows[:budget])
        left_out += len(section.rows) - len(shown) + section.more
        budget -= len(shown)
        if shown:
            body.append(_text(_md(section.title), weight="Bolder", separator=True, spacing="Medium"))
            body += [_row(r) for r in shown]
    if left_out:
        body.append(_text(f"… and {left_out} more", isSubtle=True))
    if digest.is_empty:
        body.append(_text("Nothing to report."))
    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.5",
        "msteams": {"width": "Full"},
        "body": body,
    }


def build_payload(digest: Digest) -> dict[str, Any]:
    """The workflow webhook message carrying the card."""
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "contentUrl": None, "content": build_card(digest)}],
    }


class TeamsNotifier(WebhookNotifier):
    """Posts digests to one Teams Workflows webhook."""

    channel = "teams"

    def encode(self, digest: Digest) -> bytes:
        """The Adaptive Card message as JSON."""
        return json.dumps(build_payload(digest)).encode("utf-8")
