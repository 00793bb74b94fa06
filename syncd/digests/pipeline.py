"""The notify pipeline, per group and channel: inhibit → silence (in `build.collect`) → windows →
wait → dedup against the digest log → send with retry → record in the digest log.

Nothing is lost and nothing is sent twice: a group is only marked delivered by a `sent` row in
the digest log, written right after the send; a failure writes a `failed` row and leaves the
group pending, so the next pass tries again; the dedup stage reads the log before every send.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import structlog

from syncd.clock import Clock
from syncd.digests.build import Group, build_digest, collect
from syncd.digests.channels.base import Delivery, Notifier, build_notifiers
from syncd.digests.routing import Route, build_route_tree
from syncd.digests.settings import DigestSettings, DigestSpec
from syncd.digests.silences import Silencer, SilenceStore
from syncd.digests.windows import in_any_window, last_slot
from syncd.http import RetryPolicy
from syncd.sections import HttpSettings
from syncd.state import DigestEntry, StateStore, fingerprint_set_hash

log = structlog.get_logger(__name__)

Verdict = Literal["send", "wait", "quiet", "held"]
# A scheduled digest missed while the daemon was down still goes out within this time; an
# older slot is skipped (a fresh install must not send last month's review on its first pass).
CATCH_UP = timedelta(hours=24)


@dataclass
class PassReport:
    """What one pass did, by outcome (counted per group and channel)."""

    sent: int = 0
    failed: int = 0
    quiet: int = 0
    waiting: int = 0
    held: int = 0
    silenced: int = 0
    inhibited: int = 0
    errors: list[str] = field(default_factory=list)


def decide(group: Group, spec: DigestSpec, last: DigestEntry | None, now: datetime) -> tuple[Verdict, str]:
    """Whether a group goes out now on a channel whose last successful send was `last` (pure)."""
    route, same = group.route, last is not None and last.fingerprint_hash == fingerprint_set_hash(group.tokens())
    if last is not None and same and now < last.sent_at + route.repeat_interval:
        return "quiet", "unchanged since the last digest"
    if spec.schedule is not None:
        return _decide_scheduled(spec, last, now)
    if last is None or now >= last.sent_at + route.repeat_interval:
        new = [f.first_seen for f in group.findings if f.last_notified_at is None]
        if new and now < min(new) + route.group_wait:
            return "wait", "group_wait"
        return "send", "new group" if last is None else "repeat"
    if now < last.sent_at + route.group_interval:
        return "wait", "group_interval"
    return "send", "changed"


def _decide_scheduled(spec: DigestSpec, last: DigestEntry | None, now: datetime) -> tuple[Verdict, str]:
    """A scheduled digest goes out once per scheduled time, whatever group_wait says."""
    assert spec.schedule is not None
    slot = last_slot(spec.schedule, now)
    if slot is None or now - slot > CATCH_UP or (last is not None and last.sent_at >= slot):
        return "wait", "next scheduled time"
    return "send", "scheduled"


class DigestPipeline:
    """Runs digest passes: collect, decide, deliver, record."""

    def __init__(self, settings: DigestSettings, state: StateStore, silences: SilenceStore, clock: Clock,
                 notifiers: Mapping[tuple[str, str], Notifier]) -> None:
        self.settings, self.state, self.silences, self.clock = settings, state, silences, clock
        self.notifiers = notifiers
        self.root: Route = build_route_tree(settings.route)

    def run_pass(self) -> PassReport:
        """Deliver every group that is due; return what happened."""
        if not self.settings.enabled:
            return PassReport()
        now = self.clock.now()
        silencer = Silencer(self.silences.silences(active_at=now), now)
        collected = collect(self.settings, self.root, self.state, silencer, now)
        report = PassReport(silenced=collected.silenced, inhibited=collected.inhibited)
        delivered: dict[str, bool] = {}
        for group in collected.groups:
            ok = self._deliver_group(group, now, report)
            if self.settings.digest_spec(group.digest).kind == "review":
                continue  # history, not alerts: it must not mark findings as notified
            for finding in (*group.findings, *group.resolved):
                delivered[finding.fingerprint] = delivered.get(finding.fingerprint, True) and ok
        # Marked only when every group holding the finding went out (or was already out), so a
        # resolution still pending for one receiver is not forgotten because another got it.
        self.state.mark_notified([fp for fp, ok in delivered.items() if ok], now)
        log.info("digest_pass", sent=report.sent, failed=report.failed, quiet=report.quiet,
                 waiting=report.waiting, held=report.held, silenced=report.silenced, inhibited=report.inhibited)
        return report

    def _deliver_group(self, group: Group, now: datetime, report: PassReport) -> bool:
        """Send a group on each channel of its receiver; True when all are delivered or unchanged."""
        spec = self.settings.digest_spec(group.digest)
        if not self._window_open(group.route, now):
            report.held += 1
            log.debug("digest_held", digest=group.digest, receiver=group.route.receiver, group=group.key)
            return False
        channels = [(ch, n) for (rcv, ch), n in self.notifiers.items() if rcv == group.route.receiver]
        all_ok = bool(channels)
        for channel, notifier in channels:
            all_ok &= self._deliver_channel(group, spec, (channel, notifier), now, report)
        return all_ok

    def _deliver_channel(self, group: Group, spec: DigestSpec, target: tuple[str, Notifier],
                         now: datetime, report: PassReport) -> bool:
        channel, notifier = target
        log_name = f"{group.route.receiver}:{channel}"
        last = self.state.last_digest(group.digest, log_name, group.key)
        verdict, why = decide(group, spec, last, now)
        if verdict == "quiet":
            report.quiet += 1
            return True
        if verdict == "wait":
            report.waiting += 1
            return False
        delivery = self._send(notifier, group, spec, now)
        self.state.record_digest(name=group.digest, receiver=log_name, group_key=group.key,
                                 fingerprints=group.tokens(), status="sent" if delivery.ok else "failed",
                                 at=now, attempts=delivery.attempts, error=delivery.error or None)
        fields = {"digest": group.digest, "receiver": log_name, "group": group.key, "reason": why,
                  "findings": len(group.findings), "resolved": len(group.resolved), "attempts": delivery.attempts}
        if delivery.ok:
            report.sent += 1
            log.info("digest_sent", **fields)
            return True
        report.failed += 1
        report.errors.append(f"{log_name} {group.key}: {delivery.error}")
        log.warning("digest_failed", error=delivery.error, recoverable=delivery.recoverable, **fields)
        return False

    def _send(self, notifier: Notifier, group: Group, spec: DigestSpec, now: datetime) -> Delivery:
        """Build and send; an unexpected exception is a failed delivery, never a crashed pass."""
        try:
            return notifier.send(build_digest(group, spec, now))
        except Exception as exc:  # one bad receiver must not stop the others
            log.exception("digest_notifier_crashed", digest=group.digest, receiver=group.route.receiver)
            return Delivery(False, True, f"{type(exc).__name__}: {exc}")

    def _window_open(self, route: Route, now: datetime) -> bool:
        """Both the route's and the receiver's delivery windows must be open (none = always)."""
        receiver = self.settings.receivers.get(route.receiver)
        # Each side is an OR of its windows; the route and the receiver must both allow delivery.
        sides = (route.active_windows, receiver.active_windows if receiver else ())
        return all(in_any_window([self.settings.windows[n] for n in names], now) for names in sides)


def build_pipeline(digests: DigestSettings, state: StateStore, clock: Clock, *,
                   http: HttpSettings | None = None) -> DigestPipeline:
    """Wire a pipeline from settings; `state` must also have the silence methods (migration 0005)."""
    http = http or HttpSettings()
    retry = RetryPolicy(http.max_attempts, max_retry_after_s=http.max_retry_after.total_seconds(),
                        backoff_max_s=http.backoff_max.total_seconds())
    notifiers = build_notifiers(digests, retry=retry, connect_timeout=http.connect_timeout.total_seconds(),
                                read_timeout=http.read_timeout.total_seconds())
    return DigestPipeline(digests, state, state, clock, notifiers)  # type: ignore[arg-type]
