"""A generic JSON webhook: the digest's findings as data, plus the rendered sections and text.

Values are raw (receivers escape for their own output), but `<`, `>` and `&` are written as
\\u003c, \\u003e and \\u0026, as Go's encoder (and so Alertmanager's webhook) does, so a body
pasted into an HTML page or a script tag cannot break out of it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from syncd.clock import to_iso
from syncd.digests.channels.base import WebhookNotifier
from syncd.digests.model import Digest
from syncd.digests.render import render_text
from syncd.state import Finding

SCHEMA_VERSION = "1"


def _time(value: datetime | None) -> str | None:
    return None if value is None else to_iso(value)


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "fingerprint": f.fingerprint, "rule": f.rule_id, "subject": f.subject, "status": f.status,
        "severity": f.severity, "summary": f.summary, "labels": dict(f.labels),
        "annotations": dict(f.annotations), "first_seen": _time(f.first_seen), "last_seen": _time(f.last_seen),
        "resolved_at": _time(f.resolved_at),
    }


def build_payload(digest: Digest) -> dict[str, Any]:
    """The JSON document for a digest (schema version 1)."""
    return {
        "version": SCHEMA_VERSION,
        "source": "syncd",
        "digest": digest.name,
        "kind": digest.kind,
        "receiver": digest.receiver,
        "group_key": digest.group_key,
        "group_labels": dict(digest.group_labels),
        "title": digest.title,
        "headline": digest.headline,
        "generated_at": _time(digest.generated_at),
        "findings": [_finding(f) for f in digest.findings],
        "resolved": [_finding(f) for f in digest.resolved],
        "sections": [asdict(s) for s in digest.sections],
        "text": render_text(digest),
    }


def encode(payload: dict[str, Any]) -> bytes:
    """JSON with HTML-significant characters escaped."""
    text = json.dumps(payload, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").encode("utf-8")


class JsonWebhookNotifier(WebhookNotifier):
    """Posts digests as JSON to one URL."""

    channel = "webhook"

    def encode(self, digest: Digest) -> bytes:
        """The JSON document, HTML-significant characters escaped."""
        return encode(build_payload(digest))
