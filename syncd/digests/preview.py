"""`syncd digest preview`: render a digest from the current findings without sending or marking anything."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from syncd.digests.build import Group, build_digest, collect
from syncd.digests.matchers import finding_labels
from syncd.digests.model import Digest
from syncd.digests.render import render_html, render_text
from syncd.digests.routing import build_route_tree
from syncd.digests.settings import DigestSettings
from syncd.digests.silences import Silencer, SilenceStore
from syncd.state import StateStore

# Without a route for the digest, preview falls back to the findings of the matching category.
KIND_CATEGORY = {"sla": "sla", "hygiene": "hygiene", "kb": "kb", "sync_health": "sync_health"}


def preview_digests(settings: DigestSettings, state: StateStore, silences: SilenceStore, name: str,
                    now: datetime) -> list[Digest]:
    """Build every digest `name` would send now (one per group), or one digest of its category."""
    spec = settings.digest_spec(name)  # KeyError for an unknown name: the CLI reports it
    root = build_route_tree(settings.route)
    silencer = Silencer(silences.silences(active_at=now), now)
    groups = collect(settings, root, state, silencer, now, only_digest=name).groups
    if not groups:
        groups = [_fallback_group(settings, state, silencer, name, now)]
    return [build_digest(g, spec, now) for g in groups]


def _fallback_group(settings: DigestSettings, state: StateStore, silencer: Silencer, name: str,
                    now: datetime) -> Group:
    """All current (unsilenced) findings of the digest's category under one root-like route."""
    spec = settings.digest_spec(name)
    route = replace(build_route_tree(settings.route), digest=name, routes=(), group_by=())
    group = Group(name, route, route.group_key({}), {})
    findings = state.open_findings()
    if spec.kind == "review":
        findings += state.resolved_findings(now - spec.lookback)
    category = KIND_CATEGORY.get(spec.kind)
    for f in findings:
        labels = finding_labels(f)
        if (category is None or labels.get("category") == category) and silencer.silenced_by(labels) is None:
            (group.findings if f.status == "open" else group.resolved).append(f)
    return group


def write_previews(digests: list[Digest], out: Path) -> list[Path]:
    """Write each digest as NAME[-n].html and .txt under `out`; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i, digest in enumerate(digests, start=1):
        stem = digest.name if len(digests) == 1 else f"{digest.name}-{i}-{_slug(digest.group_labels)}"
        for suffix, text in ((".html", render_html(digest)), (".txt", render_text(digest))):
            path = out / f"{stem}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def _slug(labels: dict[str, str] | object) -> str:
    values = "-".join(str(v) for v in getattr(labels, "values", dict)() if v)
    return re.sub(r"[^a-z0-9]+", "-", values.lower()).strip("-")[:40] or "all"
