"""Collect findings, drop silenced and inhibited ones, route them, group them, and build digests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from syncd.digests.inhibit import Inhibitor
from syncd.digests.layouts import LAYOUTS, ann, ticket_title
from syncd.digests.matchers import finding_labels
from syncd.digests.model import Digest, Row, Section
from syncd.digests.routing import Route, match_routes
from syncd.digests.settings import DigestSettings, DigestSpec
from syncd.digests.silences import Silencer
from syncd.state import Finding, StateStore


@dataclass
class Group:
    """Findings that one route sends to one receiver under one group key."""

    digest: str
    route: Route
    key: str
    labels: dict[str, str]
    findings: list[Finding] = field(default_factory=list)
    resolved: list[Finding] = field(default_factory=list)

    @property
    def identity(self) -> tuple[str, str, str]:
        """(digest, receiver, group key): how the digest log knows this group."""
        return self.digest, self.route.receiver, self.key

    def tokens(self) -> list[str]:
        """What the group contains, for the 'nothing changed' hash: state changes count as changes."""
        return [token(f) for f in (*self.findings, *self.resolved)]


@dataclass
class Collected:
    """The groups of one pass, and what was muted on the way."""

    groups: list[Group]
    silenced: int = 0
    inhibited: int = 0


def token(finding: Finding) -> str:
    """Fingerprint plus what may change about it (status, severity, SLA state)."""
    return f"{finding.fingerprint}:{finding.status}:{finding.severity}:{finding.annotations.get('state', '')}"


def is_unreported_resolution(finding: Finding) -> bool:
    """A resolved finding that was notified while open and whose resolution was not yet sent."""
    return (finding.resolved_at is not None and finding.last_notified_at is not None
            and finding.last_notified_at < finding.resolved_at)


def collect(
    settings: DigestSettings, root: Route, state: StateStore, silencer: Silencer, now: datetime,
    *, only_digest: str | None = None,
) -> Collected:
    """Route every open finding and every unreported resolution into groups."""
    open_findings = state.open_findings()
    labels = {f.fingerprint: finding_labels(f) for f in open_findings}
    inhibitor = Inhibitor(settings.inhibit_rules, labels)
    out = Collected([])
    groups: dict[tuple[str, str, str], Group] = {}
    lookback = max([settings.resolved_lookback, *(settings.digest_spec(n).lookback for n in settings.digest_names())])
    history = state.resolved_findings(now - lookback)
    for finding in [*open_findings, *history]:
        view = labels.get(finding.fingerprint) or finding_labels(finding)
        muted = _muted(finding, view, silencer, inhibitor)
        for route in match_routes(root, view):
            spec = settings.digest_spec(route.digest)
            if only_digest is not None and route.digest != only_digest:
                continue
            if not _belongs(finding, spec, muted, now, settings):
                continue
            key = route.group_key(view)
            group = groups.setdefault((route.digest, route.receiver, key),
                                      Group(route.digest, route, key, route.group_labels(view)))
            (group.findings if finding.status == "open" else group.resolved).append(finding)
        out.silenced += muted == "silenced"
        out.inhibited += muted == "inhibited"
    out.groups = list(groups.values())
    return out


def _muted(finding: Finding, view: dict[str, str], silencer: Silencer, inhibitor: Inhibitor) -> str:
    """'silenced', 'inhibited' or '' (inhibition needs an open target)."""
    if silencer.silenced_by(view) is not None:
        return "silenced"
    if finding.status == "open" and inhibitor.is_inhibited(finding.fingerprint, view):
        return "inhibited"
    return ""


def _belongs(finding: Finding, spec: DigestSpec, muted: str, now: datetime, settings: DigestSettings) -> bool:
    """Whether a finding goes into a digest of this spec."""
    if spec.kind == "review":
        # The monthly review is history: silences and outages do not hide what happened.
        seen = finding.resolved_at or finding.last_seen
        return seen >= now - spec.lookback
    if muted:
        return False
    if finding.status == "open":
        return True
    assert finding.resolved_at is not None  # resolved findings always carry it
    return finding.resolved_at >= now - settings.resolved_lookback and is_unreported_resolution(finding)


def build_digest(group: Group, spec: DigestSpec, now: datetime) -> Digest:
    """Lay a group's findings out as the digest its spec describes."""
    if spec.kind == "review":
        headline, sections = LAYOUTS["review"]([*group.findings, *group.resolved], now, spec.max_items)
    else:
        headline, sections = LAYOUTS[spec.kind](group.findings, now, spec.max_items)
        if group.resolved:
            sections.append(_resolved_section(group.resolved, spec.max_items))
            headline = f"{headline}, {len(group.resolved)} resolved" if group.findings else (
                f"{len(group.resolved)} resolved")
    return Digest(
        name=group.digest, kind=spec.kind, title=_title(spec, group), receiver=group.route.receiver,
        group_key=group.key, group_labels=dict(group.labels), generated_at=now, headline=headline,
        sections=tuple(sections), findings=tuple(group.findings), resolved=tuple(group.resolved),
        tokens=tuple(group.tokens()),
    )


def _resolved_section(resolved: Sequence[Finding], limit: int) -> Section:
    rows = [Row(ticket_title(f) if ann(f, "ticket_number") else f.summary, ann(f, "ticket_url"),
                f.summary if ann(f, "ticket_number") else "", tone="ok", badge="resolved")
            for f in resolved]
    return Section("Resolved since the last digest", tuple(rows[:limit]), max(0, len(rows) - limit))


def _title(spec: DigestSpec, group: Group) -> str:
    """The spec's title, followed by the non-empty group label values (e.g. the company)."""
    base = spec.title or group.digest.replace("_", " ").capitalize()
    scope = " · ".join(v for k, v in group.labels.items() if v and k != "category")
    return f"{base} · {scope}" if scope else base
