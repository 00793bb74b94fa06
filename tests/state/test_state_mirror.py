"""The mirror: change counting, history of the last change, deletion, paging."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import pytest

from syncd.records import Record
from syncd.state import SqliteStateStore, UpsertStats

from ._helpers import StepClock, ticket

SOURCE = "connectwise.tickets"


def test_new_changed_unchanged_are_counted(store: SqliteStateStore, clock: StepClock) -> None:
    first = store.upsert_records([ticket("1", status="open"), ticket("2", status="open")])
    clock.advance(minutes=5)
    second = store.upsert_records([ticket("1", status="open"), ticket("2", status="closed"), ticket("3")])
    assert first == UpsertStats(new=2, changed=0, unchanged=0)
    assert second == UpsertStats(new=1, changed=1, unchanged=1)
    assert second.total == 3
    assert store.count(SOURCE) == 3


def test_change_keeps_previous_fields_and_changed_keys(store: SqliteStateStore, clock: StepClock) -> None:
    # Arrange
    store.upsert_records([ticket("4711", owner="amy", status="closed", board="help desk")])
    changed_at = clock.advance(hours=1)
    # Act: reopened and handed to another owner
    store.upsert_records([ticket("4711", owner="bob", status="open", board="help desk")])
    stored = store.get_record(SOURCE, "4711")
    # Assert
    assert stored is not None
    assert stored.fields == {"owner": "bob", "status": "open", "board": "help desk"}
    assert stored.previous_fields == {"owner": "amy", "status": "closed", "board": "help desk"}
    assert stored.changed_keys == ("owner", "status")
    assert stored.last_changed == changed_at
    assert stored.first_seen < changed_at


def test_same_record_again_is_unchanged_and_keeps_history(store: SqliteStateStore, clock: StepClock) -> None:
    store.upsert_records([ticket("9", status="new")])
    clock.advance(minutes=1)
    store.upsert_records([ticket("9", status="closed")])
    before = store.get_record(SOURCE, "9")
    seen_again_at = clock.advance(minutes=1)
    stats = store.upsert_records([ticket("9", status="closed")])
    after = store.get_record(SOURCE, "9")
    assert stats == UpsertStats(unchanged=1)
    assert after is not None
    assert before is not None
    assert after.previous_fields == {"status": "new"}
    assert after.changed_keys == ("status",)
    assert after.last_changed == before.last_changed
    assert after.last_seen == seen_again_at


def test_added_and_removed_fields_and_type_changes_count_as_changed_keys(store: SqliteStateStore) -> None:
    store.upsert_records([ticket("5", a=1, b="x", gone=True)])
    store.upsert_records([ticket("5", a=1.5, b="x", new=None)])
    stored = store.get_record(SOURCE, "5")
    assert stored is not None
    assert stored.changed_keys == ("a", "gone", "new")


def test_repeated_key_in_one_batch_is_processed_in_order(store: SqliteStateStore) -> None:
    stats = store.upsert_records([ticket("1", s="a"), ticket("1", s="b"), ticket("1", s="b")])
    stored = store.get_record(SOURCE, "1")
    assert stats == UpsertStats(new=1, changed=1, unchanged=1)
    assert stored is not None
    assert stored.previous_fields == {"s": "a"}


def test_mark_deleted_and_reappear(store: SqliteStateStore, clock: StepClock) -> None:
    # Arrange
    store.upsert_records([ticket("1"), ticket("2"), ticket("3")])
    gone_at = clock.advance(hours=1)
    # Act
    marked = store.mark_deleted(SOURCE, {"2", "3", "404"}, gone_at)
    marked_again = store.mark_deleted(SOURCE, ["2"], clock.advance(hours=1))
    # Assert
    assert (marked, marked_again) == (2, 0)
    assert store.live_keys(SOURCE) == {"1"}
    assert store.count(SOURCE) == 1
    assert store.count(SOURCE, include_deleted=True) == 3
    assert [r.key for r in store.iter_records(SOURCE)] == ["1"]
    deleted = store.get_record(SOURCE, "2")
    assert deleted is not None
    assert deleted.is_deleted
    assert deleted.deleted_at == gone_at
    # Act: "2" is seen again, unchanged; "3" comes back changed
    back_at = clock.advance(hours=1)
    stats = store.upsert_records([ticket("2"), ticket("3", status="open")])
    # Assert
    assert stats == UpsertStats(changed=1, unchanged=1, restored=2)
    assert store.live_keys(SOURCE) == {"1", "2", "3"}
    restored = store.get_record(SOURCE, "2")
    assert restored is not None
    assert restored.deleted_at is None
    assert restored.last_changed == back_at


def test_changed_since(store: SqliteStateStore, clock: StepClock) -> None:
    store.upsert_records([ticket("1", s="a"), ticket("2", s="a"), ticket("3", s="a")])
    since = clock.advance(minutes=10)
    store.upsert_records([ticket("1", s="a"), ticket("2", s="b")])
    clock.advance(minutes=10)
    store.upsert_records([ticket("3", s="b"), ticket("4", s="a")])
    store.mark_deleted(SOURCE, ["4"], clock.advance(minutes=1))
    assert [r.key for r in store.changed_since(SOURCE, since)] == ["2", "3"]
    assert [r.key for r in store.changed_since(SOURCE, since, include_deleted=True)] == ["2", "3", "4"]
    assert list(store.changed_since(SOURCE, clock.advance(days=1))) == []


def test_sources_are_separate(store: SqliteStateStore) -> None:
    store.upsert_records([ticket("1"), Record("datto.devices", "1", None, {"hostname": "pc-1"})])
    device = store.get_record("datto.devices", "1")
    assert store.count(SOURCE) == 1
    assert store.count("datto.devices") == 1
    assert device is not None
    assert device.record.updated_at is None
    assert device.fields == {"hostname": "pc-1"}


def test_updated_at_round_trips_as_aware_utc(store: SqliteStateStore) -> None:
    vendor_time = datetime(2026, 3, 1, 12, 30, 15, 250_000, tzinfo=UTC)
    store.upsert_records([Record(SOURCE, "7", vendor_time, {})])
    stored = store.get_record(SOURCE, "7")
    assert stored is not None
    assert stored.record.updated_at == vendor_time
    assert stored.record.updated_at.tzinfo is not None


def test_naive_datetimes_are_refused(store: SqliteStateStore) -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        store.mark_deleted(SOURCE, ["1"], datetime(2026, 1, 1))  # naive on purpose


def test_unserialisable_fields_roll_back_the_whole_batch(store: SqliteStateStore) -> None:
    with pytest.raises(TypeError):
        store.upsert_records([ticket("1"), ticket("2", when=datetime(2026, 1, 1, tzinfo=UTC))])
    assert store.count(SOURCE) == 0


def test_fifty_thousand_records_upsert_and_page(store: SqliteStateStore) -> None:
    records = [ticket(f"{i:06d}", summary=f"ticket {i}", priority="P3") for i in range(50_000)]
    first = store.upsert_records(records)
    again = store.upsert_records(records)
    keys = [r.key for r in store.iter_records(SOURCE)]
    assert first == UpsertStats(new=50_000)
    assert again == UpsertStats(unchanged=50_000)
    assert keys == sorted(r.key for r in records)
    assert len(store.live_keys(SOURCE)) == 50_000


def _damage(db_path: Any, key: str, text: str) -> None:
    """Overwrite one stored record's fields text behind the store's back."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE records SET fields = ? WHERE source = ? AND key = ?", (text, SOURCE, key))


def test_a_page_of_records_shares_field_names(store: SqliteStateStore) -> None:
    store.upsert_records([ticket(str(n), status="open", owner="amy") for n in range(5)])
    first, second = list(store.iter_records(SOURCE))[:2]
    assert first.fields == {"status": "open", "owner": "amy"}
    # One decode per page: the same field name is one string object in every record of the page.
    assert [id(k) for k in first.fields] == [id(k) for k in second.fields]


@pytest.mark.parametrize("text", ['{"status": "open"', '{"a": 1}, {"b": 2}'])
def test_a_damaged_row_fails_the_read_as_itself(db_path: Any, clock: StepClock, text: str) -> None:
    with SqliteStateStore(db_path, now=clock.now) as store:
        store.upsert_records([ticket(str(n), status="open") for n in range(5)])
        _damage(db_path, "3", text)
        # Decoding the page as one document must not blame, shift or drop its neighbours.
        with pytest.raises(ValueError, match="line 1"):
            list(store.iter_records(SOURCE))
        assert store.get_record(SOURCE, "2") is not None
        with pytest.raises(ValueError, match="line 1"):
            store.get_record(SOURCE, "3")
