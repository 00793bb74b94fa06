"""Slack incoming webhook with Block Kit: header, section (mrkdwn), context and divider blocks.

Slack caps a message at 50 blocks, section text at 3000 characters and header text at 150;
overflow is dropped with a closing "and N more" context block instead of a rejected message.
"""

from __future__ import annotations

import json
from typing import Any

from syncd.digests.channels.base import WebhookNotifier
from syncd.digests.escape import one_line, safe_url, slack_text
from syncd.digests.model import Digest, Row

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _esc(text: str) -> str:
    return slack_text(one_line(text))


def _row_text(row: Row) -> str:
    title = _esc(row.title)
    url = safe_url(row.url)
    head = f"<{url}|{title}>" if url else f"*{title}*"
    if row.badge:
        head += f"  ·  *{_esc(row.badge)}*"
    lines = [head]
    if row.text:
        lines.append(_esc(row.text))
    lines += [f"•  {_esc(b)}" for b in row.bullets]
    if row.meta:
        lines.append(" · ".join(_esc(m) for m in row.meta))
    return _clip("\n".join(lines), MAX_SECTION_TEXT)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, MAX_SECTION_TEXT)}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(text, MAX_SECTION_TEXT)}]}


def build_blocks(digest: Digest) -> list[dict[str, Any]]:
    """The blocks for a digest, never more than MAX_BLOCKS."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _clip(one_line(digest.title), MAX_HEADER_TEXT),
                                    "emoji": True}},
        _context(_esc(digest.headline)),
    ]
    pending: list[list[dict[str, Any]]] = []  # one list per section: divider, title, rows
    counts: list[int] = []
    for section in digest.sections:
        if section.rows:
            pending.append([{"type": "divider"}, _section(f"*{_esc(section.title)}*"),
                            *(_section(_row_text(r)) for r in section.rows)])
            counts.append(section.more)
    budget = MAX_BLOCKS - len(blocks) - 1  # keep one block for "and N more"
    left_out = sum(counts)
    for group in pending:
        take = group[:budget] if len(group[:budget]) > 2 else []  # never a title without rows
        left_out += len(group) - 2 - max(len(take) - 2, 0)
        blocks += take
        budget -= len(take)
    if left_out:
        blocks.append(_context(f"… and {left_out} more"))
    if digest.is_empty:
        blocks.append(_section("Nothing to report."))
    return blocks


def build_payload(digest: Digest) -> dict[str, Any]:
    """The incoming-webhook body: fallback text for notifications plus blocks."""
    return {"text": _clip(_esc(digest.subject), MAX_SECTION_TEXT), "blocks": build_blocks(digest)}


class SlackNotifier(WebhookNotifier):
    """Posts digests to one Slack incoming webhook."""

    channel = "slack"

    def encode(self, digest: Digest) -> bytes:
        """The blocks as JSON."""
        return json.dumps(build_payload(digest)).encode("utf-8")
