"""Escaping untrusted text (ticket summaries, names) for every output format.

Ticket text comes from end users through the PSA, so it may carry HTML, Slack control
sequences (`<!channel>`, `<https://evil|click>`) or markdown links; none of it may turn into
markup, mentions or links in a digest.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

_MD_SPECIAL = re.compile(r"([\\`*_\[\]()|~])")
_MD_LINE_START = re.compile(r"^(\s*)(#+|[-+])(?=\s|$)")
_MD_ORDERED = re.compile(r"^(\s*\d+)\.(?=\s|$)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def one_line(text: str) -> str:
    """Collapse whitespace and drop control characters (no line-start markup, no header injection)."""
    return " ".join(_CONTROL.sub(" ", text).split())


def html_text(text: str) -> str:
    """Escape text for HTML element content and attribute values."""
    return html.escape(text, quote=True)


def slack_text(text: str) -> str:
    """Escape text for Slack mrkdwn: &, <, > (Slack's documented set) and neutralise formatting."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # A zero-width space after the marker stops *bold*, _italic_, ~strike~ and `code` pairing,
    # and one inside "://" stops Slack from auto-linking a URL planted in a ticket summary.
    return re.sub(r"([*_~`])", "\\1\u200b", escaped).replace("://", ":\u200b//")


def markdown_text(text: str) -> str:
    """Escape text for Adaptive Card TextBlock markdown: links, emphasis, code, lists, headings."""
    # Angle brackets become look-alikes (cards render no HTML, but `>` starts a quote), and
    # "://" is broken so Teams does not auto-link a URL planted in a ticket summary.
    text = text.replace("<", "\u2039").replace(">", "\u203a").replace("://", ":\u200b//")
    text = _MD_LINE_START.sub(r"\1\\\2", _MD_SPECIAL.sub(r"\\\1", text))
    return _MD_ORDERED.sub(r"\1\\.", text)


def safe_url(url: str) -> str:
    """Return the URL if it is http(s) without spaces or quotes, else ''."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"[\s\"'<>|]", url.strip()):
        return ""
    return url.strip()
