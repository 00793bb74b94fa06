"""Scheduler threads share one store: concurrent writers and readers must not trip over each other."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from syncd.records import Record
from syncd.state import SqliteStateStore

THREADS = 8
ROUNDS = 20


def worker(store: SqliteStateStore, n: int, barrier: threading.Barrier) -> None:
    source = f"vendor{n}.tickets"
    barrier.wait()  # start together so the writes really overlap
    for round_no in range(ROUNDS):
        batch = [Record(source, str(k), None, {"round": round_no, "k": k}) for k in range(50)]
        store.upsert_records(batch)
        store.upsert_records([Record("shared.devices", f"{n}-{round_no}", None, {"by": n})])
        store.ledger_intend(
            f"r/{n}/{round_no}",
            rule_id="r",
            action="post_note",
            source=source,
            record_key=str(round_no),
            intent={},
        )
        store.ledger_finish(f"r/{n}/{round_no}", "done")
        run = store.start_run(f"poll:{source}")
        store.finish_run(run, "ok")
        assert store.count(source) == 50
        assert len(list(store.iter_records("shared.devices"))) >= round_no + 1


@pytest.mark.parametrize("mode", ["file", "memory"])
def test_eight_threads_upsert_and_read_concurrently(mode: str, db_path: Path) -> None:
    # Arrange
    store = SqliteStateStore(db_path if mode == "file" else ":memory:", busy_timeout_s=60)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            worker(store, n, barrier)
        except BaseException as exc:  # collected and re-raised below: a thread's error must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    # Act
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Assert
    assert errors == []
    assert store.count("shared.devices") == THREADS * ROUNDS
    assert store.ledger_pending() == []
    assert all(store.last_success(f"poll:vendor{n}.tickets") for n in range(THREADS))
    store.close()
