"""Linking a ticket as a child of an incident: a JSON-Patch of parentTicketId, idempotent."""

from __future__ import annotations

import pytest

from syncd.errors import BadRequestError


def _two_tickets(world) -> tuple[int, int]:
    rows = world.query("SELECT id FROM tickets WHERE deleted = 0 AND parent_ticket_id IS NULL ORDER BY id LIMIT 2")
    return rows[0]["id"], rows[1]["id"]


def test_link_parent_sets_the_parent_and_a_repeat_writes_nothing(make_env, world):
    # Arrange
    env = make_env()
    writer = env.connector.writer()
    child, parent = _two_tickets(world)
    # Act
    first = writer.link_parent(str(child), str(parent), key="link-to-open-incident/link_parent/t/1")
    writes_after_first = env.box.counters("connectwise")["writes"]
    again = writer.link_parent(str(child), str(parent), key="link-to-open-incident/link_parent/t/1")
    # Assert
    assert (first.external_id, first.created) == (str(parent), True)
    assert (again.external_id, again.created) == (str(parent), False)
    assert env.box.counters("connectwise")["writes"] == writes_after_first == 1
    assert world.query_one("SELECT parent_ticket_id FROM tickets WHERE id = ?", (child,))[0] == parent


def test_link_parent_to_a_missing_ticket_is_a_bad_request(make_env, world):
    env = make_env()
    child, _ = _two_tickets(world)
    with pytest.raises(BadRequestError, match="parentTicketId"):
        env.connector.writer().link_parent(str(child), "999999999", key="k/1")
    assert world.query_one("SELECT parent_ticket_id FROM tickets WHERE id = ?", (child,))[0] is None
