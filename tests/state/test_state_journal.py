"""Bookmarks, the action ledger, findings, digests, match decisions and run history."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.state import SqliteStateStore, StateError, finding_fingerprint, fingerprint_set_hash

from ._helpers import T0, StepClock

RULE = "closed-without-time-entry"


def test_bookmark_round_trip(store: SqliteStateStore, clock: StepClock) -> None:
    assert store.get_bookmark("connectwise.tickets") is None
    store.set_bookmark("connectwise.tickets", "2026-03-02T08:55:00Z", read_started_at=T0)
    clock.advance(minutes=5)
    store.set_bookmark("halo.tickets", {"cursor": "abc", "page": 2}, read_started_at=clock.now())
    cw = store.get_bookmark("connectwise.tickets")
    halo = store.get_bookmark("halo.tickets")
    assert cw is not None
    assert (cw.value, cw.read_started_at, cw.updated_at) == ("2026-03-02T08:55:00Z", T0, T0)
    assert halo is not None
    assert halo.value == {"cursor": "abc", "page": 2}


def test_bookmark_is_replaced(store: SqliteStateStore) -> None:
    store.set_bookmark("datto.devices", 100, read_started_at=None)
    store.set_bookmark("datto.devices", 250, read_started_at=T0)
    bookmark = store.get_bookmark("datto.devices")
    assert bookmark is not None
    assert (bookmark.value, bookmark.read_started_at) == (250, T0)


def intend(store: SqliteStateStore, key: str, text: str = "patch history") -> None:
    store.ledger_intend(
        key,
        rule_id="patch-history",
        action="post_note",
        source="connectwise.tickets",
        record_key=key.rsplit("/", 1)[-1],
        intent={"text": text},
    )


def test_ledger_intend_twice_returns_the_first_entry(store: SqliteStateStore, clock: StepClock) -> None:
    intend(store, "patch-history/post_note/4711", text="first")
    clock.advance(minutes=1)
    intend(store, "patch-history/post_note/4711", text="second")
    entry = store.ledger_get("patch-history/post_note/4711")
    assert entry is not None
    assert entry.status == "intended"
    assert entry.intent == {"text": "first"}
    assert entry.created_at == T0


def test_ledger_finish_and_pending(store: SqliteStateStore, clock: StepClock) -> None:
    # Arrange: three intents, one crash leaves the third unfinished
    for key in ("a/1", "a/2", "a/3"):
        intend(store, key)
    done_at = clock.advance(minutes=2)
    # Act
    done = store.ledger_finish("a/1", "done", external_id="note-991")
    store.ledger_finish("a/2", "failed", detail="HTTP 500")
    # Assert
    assert (done.status, done.external_id, done.updated_at) == ("done", "note-991", done_at)
    assert [e.key for e in store.ledger_pending()] == ["a/3"]
    assert store.ledger_last_done("patch-history", "post_note", "connectwise.tickets", "1") == done_at
    assert store.ledger_last_done("patch-history", "post_note", "connectwise.tickets", "2") is None


def test_ledger_finish_refuses_unknown_keys_and_bad_status(store: SqliteStateStore) -> None:
    intend(store, "k/1")
    with pytest.raises(StateError, match="no entry 'nope'"):
        store.ledger_finish("nope", "done")
    with pytest.raises(ValueError, match="ledger status"):
        store.ledger_finish("k/1", "intended")


def raise_finding(store: SqliteStateStore, subject: str, clock: StepClock, summary: str = "no time entry"):
    return store.upsert_finding(
        rule_id=RULE,
        subject=subject,
        severity="warning",
        summary=summary,
        at=clock.now(),
        labels={"board": "help desk"},
    )


def test_findings_open_refresh_resolve_reopen(store: SqliteStateStore, clock: StepClock) -> None:
    # open
    first = raise_finding(store, "connectwise.tickets:4711", clock)
    raise_finding(store, "connectwise.tickets:4712", clock)
    assert first.status == "open"
    assert first.fingerprint == finding_fingerprint(RULE, "connectwise.tickets:4711")
    # refresh
    refreshed_at = clock.advance(minutes=10)
    refreshed = raise_finding(store, "connectwise.tickets:4711", clock, summary="still no time entry")
    assert (refreshed.id, refreshed.first_seen, refreshed.last_seen) == (first.id, T0, refreshed_at)
    assert refreshed.summary == "still no time entry"
    store.mark_notified([first.fingerprint], refreshed_at)
    # resolve: the next pass only raises 4712
    resolved_at = clock.advance(minutes=10)
    other = finding_fingerprint(RULE, "connectwise.tickets:4712")
    assert store.resolve_findings_not_in(RULE, [other], resolved_at) == 1
    assert [f.fingerprint for f in store.open_findings(RULE)] == [other]
    assert [f.fingerprint for f in store.resolved_findings(since=resolved_at)] == [first.fingerprint]
    # reopen: a new episode that digests report again
    reopened_at = clock.advance(minutes=10)
    reopened = raise_finding(store, "connectwise.tickets:4711", clock)
    assert (reopened.status, reopened.resolved_at, reopened.last_notified_at) == ("open", None, None)
    assert reopened.first_seen == reopened_at
    assert len(store.open_findings()) == 2
    assert store.open_finding_counts() == {(RULE, "warning"): 2}


def test_resolve_touches_only_the_given_rule(store: SqliteStateStore, clock: StepClock) -> None:
    raise_finding(store, "connectwise.tickets:1", clock)
    store.upsert_finding(
        rule_id="sla-at-risk",
        subject="connectwise.tickets:1",
        severity="critical",
        summary="response due in 10 min",
        at=clock.now(),
    )
    assert store.resolve_findings_not_in(RULE, [], clock.now()) == 1
    assert [f.rule_id for f in store.open_findings()] == ["sla-at-risk"]
    assert store.open_finding_counts() == {("sla-at-risk", "critical"): 1}


def test_digest_log(store: SqliteStateStore, clock: StepClock) -> None:
    fps = ["b", "a"]
    store.record_digest(
        name="daily",
        receiver="noc",
        group_key="board=help desk",
        fingerprints=fps,
        status="sent",
        at=clock.now(),
    )
    failed_at = clock.advance(hours=24)
    store.record_digest(
        name="daily",
        receiver="noc",
        group_key="board=help desk",
        fingerprints=fps,
        status="failed",
        at=failed_at,
        attempts=3,
        error="SMTP 451",
    )
    last_sent = store.last_digest("daily", "noc", "board=help desk")
    last_any = store.last_digest("daily", "noc", "board=help desk", include_failed=True)
    assert last_sent is not None
    assert (last_sent.sent_at, last_sent.fingerprint_hash) == (T0, fingerprint_set_hash(["a", "b", "a"]))
    assert last_any is not None
    assert (last_any.status, last_any.attempts, last_any.error) == ("failed", 3, "SMTP 451")
    assert store.last_digest("daily", "other", "board=help desk") is None


def test_match_decisions_persist_and_latest_wins(store: SqliteStateStore, clock: StepClock) -> None:
    store.decide_match(
        "device",
        "cw.configurations:812",
        "datto.devices:6f1c",
        "reject",
        author="amy",
        at=clock.now(),
        reason="different serial",
    )
    store.decide_match(
        "device", "cw.configurations:812", "datto.devices:6f1c", "pin", author="bob", at=clock.advance(days=1)
    )
    decision = store.match_decision("device", "cw.configurations:812", "datto.devices:6f1c")
    assert decision is not None
    assert (decision.decision, decision.author, decision.reason) == ("pin", "bob", "")
    assert store.match_decisions("company") == []
    assert len(store.match_decisions()) == 1


def test_runs_history(store: SqliteStateStore, clock: StepClock) -> None:
    first = store.start_run("poll:connectwise.tickets")
    store.finish_run(first, "ok", stats={"new": 3})
    clock.advance(minutes=5)
    second = store.start_run("poll:connectwise.tickets")
    store.finish_run(second, "failed", error="AuthError: 401")
    runs = store.last_runs("poll:connectwise.tickets", 5)
    success = store.last_success("poll:connectwise.tickets")
    assert [(r.id, r.status) for r in runs] == [(second, "failed"), (first, "ok")]
    assert success is not None
    assert (success.id, success.stats) == (first, {"new": 3})
    with pytest.raises(StateError, match="already finished"):
        store.finish_run(first, "ok")


def test_run_left_running_is_interrupted_on_reopen(db_path: Path, clock: StepClock) -> None:
    # Arrange: a run starts and the process "dies" without finishing it
    with SqliteStateStore(db_path, now=clock.now) as store:
        run_id = store.start_run("evaluate")
    reopened_at = clock.advance(minutes=3)
    # Act
    with SqliteStateStore(db_path, now=clock.now) as store:
        (run,) = store.last_runs("evaluate", 1)
    # Assert
    assert (run.id, run.status, run.finished_at) == (run_id, "interrupted", reopened_at)
    assert run.error


def test_read_only_open_leaves_running_runs_alone(db_path: Path) -> None:
    with SqliteStateStore(db_path) as daemon:
        daemon.start_run("evaluate")
        with SqliteStateStore(db_path, recover_interrupted=False) as health:
            (run,) = health.last_runs("evaluate", 1)
    assert run.status == "running"


def test_closed_store_refuses_use(db_path: Path) -> None:
    store = SqliteStateStore(db_path)
    store.close()
    with pytest.raises(StateError, match="closed"):
        store.count("connectwise.tickets")
