"""The conditions parser and evaluator, alone and through the list endpoints."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syncd.sandbox.connectwise import conditions as cond
from syncd.sandbox.connectwise import query
from syncd.sandbox.connectwise import resources as rs
from tests.sandbox.connectwise.conftest import DELETED_TICKET, N_TICKETS, PREFIX, call, collect

DOC = {
    "id": 7, "summary": "Outlook crashes on ACME-WS-007", "closedFlag": False, "parentTicketId": None,
    "board": {"id": 1, "name": "Service Desk"}, "status": {"id": 2, "name": "In Progress"},
    "company": {"id": 250, "identifier": "AcmeCorp"}, "actualHours": 1.5,
    "_info": {"lastUpdated": "2026-11-03T14:05:00Z"},
}


def holds(text: str, doc: dict = DOC) -> bool:
    return cond.evaluate(cond.parse(text), doc)


@pytest.mark.parametrize(("text", "expected"), [
    ("id = 7", True), ("id != 7", False), ("id <> 7", False), ("id < 8", True), ("id <= 7", True),
    ("id > 7", False), ("id >= 7", True), ("actualHours > 1.25", True),
    ('summary = "outlook crashes on acme-ws-007"', True),          # case-insensitive like SQL Server
    ('summary like "Outlook*"', True), ('summary like "%ACME-WS-0_7"', False),
    ('summary like "*crash*"', True), ('summary not like "*crash*"', False),
    ('summary contains "acme-ws"', True), ('summary not contains "printer"', True),
    ("id in (1, 7, 9)", True), ("id not in (1, 9)", True), ('status/name in ("New", "In Progress")', True),
    ("closedFlag = False", True), ("closedFlag = true", False), ("closedFlag != True", True),
    ("parentTicketId = null", True), ("parentTicketId != null", False), ("parentTicketId > 3", False),
    ("parentTicketId != 3", True), ("company/id = 250", True), ('board/name = "Service Desk"', True),
    ("_info/lastUpdated > [2026-11-03T14:00:00Z]", True),
    ("_info/lastUpdated > [2026-11-03T14:05:00Z]", False),
    ("_info/lastUpdated >= [2026-11-03T14:05:00Z]", True),
    ("_info/lastUpdated < [2026-11-03T15:05:00+01:00]", False),
    ("_info/lastUpdated > [2026-11-03T14:04:59]", True),
    ("_info/lastUpdated = [2026-11-03T14:05:00.000Z]", True),
    ("missing/field = 3", False), ("not id = 7", False), ("NOT (id = 7)", False),
])
def test_operators(text, expected):
    assert holds(text) is expected


def test_and_binds_tighter_than_or():
    # true OR (false AND false) = true; (true OR false) AND false would be false
    assert holds("id = 7 or id = 1 and id = 2") is True
    assert holds("(id = 7 or id = 1) and id = 2") is False


def test_not_binds_tighter_than_and():
    assert holds("not id = 1 and id = 7") is True
    assert holds("not (id = 1 or id = 7)") is False


def test_keywords_are_case_insensitive_and_nesting_works():
    assert holds('((id = 7) AND (closedFlag = FALSE)) Or summary LIKE "x"') is True


def test_parse_tree_shape():
    tree = cond.parse('a = 1 and (b = "x" or not c in (1, 2))')
    assert isinstance(tree, cond.And)
    assert isinstance(tree.parts[1], cond.Or)
    assert tree.parts[1].parts[1] == cond.Not(cond.Compare("c", "in", (cond.Literal("num", 1),
                                                                        cond.Literal("num", 2))))


def test_date_literal_is_parsed_to_utc():
    lit = cond.parse("x > [2026-11-03T15:05:00+01:00]").value
    assert lit == cond.Literal("date", datetime(2026, 11, 3, 14, 5, tzinfo=UTC))


def test_escaped_quote_in_string():
    assert cond.parse(r'summary = "say \"hi\""').value.value == 'say "hi"'


@pytest.mark.parametrize("text", [
    "id =", "id = 7 and", "(id = 7", "id = 7)", "id 7", 'summary like 3', "closedFlag > True",
    "id = [not a date]", "id in ()", "id in (1,", "= 7", "id = 'single'", "id == 7", "id = 7 id = 8",
    "summary not = 3",
])
def test_bad_syntax_raises(text):
    with pytest.raises(cond.ConditionError):
        cond.parse(text)


# ---- through the endpoints ---------------------------------------------------------------


def tickets(sim, conditions: str, **query) -> list[dict]:
    query = {"conditions": conditions, "pageSize": 1000, **query}
    records, _ = collect(sim, f"{PREFIX}/service/tickets", query)
    return records


def test_endpoint_filters_by_board_and_status_names(sim):
    found = tickets(sim, 'board/name = "Projects" and status/name = "Closed"')
    assert [t["id"] for t in found] == [28]
    assert all(t["board"]["name"] == "Projects" for t in found)


def test_endpoint_mixes_sql_and_python_terms(sim):
    found = tickets(sim, 'closedFlag = True and summary like "*printer*"')
    assert [t["id"] for t in found] == [20]
    either = tickets(sim, "id = 1 or id = 2 or (company/id = 252 and id < 6)")
    assert [t["id"] for t in either] == [1, 2, 5]


def test_endpoint_in_and_not(sim):
    assert [t["id"] for t in tickets(sim, "id in (3, 4, 13, 99)")] == [3, 4]   # 13 is deleted
    rest = tickets(sim, "not id in (1, 2, 3)")
    assert len(rest) == N_TICKETS - 1 - 3
    assert DELETED_TICKET not in {t["id"] for t in rest}


def test_endpoint_incremental_last_updated(sim):
    # ticket i has lastUpdated START + i*60+40 minutes; tickets 25.. are newer than the watermark.
    found = tickets(sim, "lastUpdated > [2026-10-02T09:40:00Z]")
    assert [t["id"] for t in found] == list(range(25, N_TICKETS + 1))
    assert all(t["_info"]["lastUpdated"] > "2026-10-02T09:40:00Z" for t in found)
    naive = tickets(sim, "_info/lastUpdated > [2026-10-02T09:40:00]")
    assert naive == found


def test_endpoint_bad_condition_is_400(sim):
    response = call(sim, "GET", f"{PREFIX}/service/tickets", query={"conditions": "id = = 3"})
    assert response.status == 400
    assert response.body["code"] == "InvalidObject"
    assert response.body["errors"][0]["code"] == "ApiFindCondition"


def test_endpoint_unknown_field_is_400(sim):
    query = {"conditions": 'initialDescription = "x"'}
    response = call(sim, "GET", f"{PREFIX}/service/tickets", query=query)
    assert response.status == 400
    assert "initialDescription" in response.body["errors"][0]["message"]


def test_endpoint_bad_order_by_is_400(sim):
    for order in ("nosuch asc", "id sideways", "id asc desc"):
        response = call(sim, "GET", f"{PREFIX}/service/tickets", query={"orderBy": order})
        assert response.status == 400, order


SQL_VS_PYTHON = [
    "id > 5 and id <= 20", "closedFlag = true", "closedFlag = false and company/id in (250, 252)",
    'board/name = "service desk"', 'status/name in ("New", "in progress")', 'summary like "*PRINTER*"',
    'summary like "ticket 1%"', 'summary contains "ws-01"', 'summary contains "_"', 'summary like "Ticket_1*"',
    "lastUpdated >= [2026-10-01T19:40:00Z] and lastUpdated < [2026-10-02T02:40:00Z]",
    "closedDate > [2026-10-01T12:00:00Z]", "parentTicketId = 1", "owner/id = 2", 'owner/identifier = "ADOE"',
    'type/name = "incident" and priority/id <= 2', "dateResolved < [2026-10-02T00:00:00Z]",
    'contactEmailAddress like "user1@*"', "respondMinutes = 60",
]


@pytest.mark.parametrize("conditions", SQL_VS_PYTHON)
def test_sql_pushdown_matches_python_evaluation(sim, conditions):
    """Whatever runs in SQL must select exactly what the evaluator selects over served JSON."""
    every = tickets(sim, "id > 0")
    node = cond.parse(conditions)
    node = cond.rename(node, {f: query.canonical(rs.TICKETS, f) for f in cond.fields_of(node)})
    expected = [t["id"] for t in every if cond.evaluate(node, t)]
    assert [t["id"] for t in tickets(sim, conditions)] == expected
    assert expected or "_" in conditions, "each case should select something"   # `_` is literal


def test_simple_terms_are_pushed_into_sql():
    node = query.parse_where(
        'lastUpdated > [2026-10-02T09:40:00Z] and company/id = 250 and closedFlag = False'
        ' and summary like "*x*" and contactName = "y"', rs.TICKETS)
    clauses, params, residual = query.split(node, rs.TICKETS)
    assert clauses == ["t.updated_at > ?", "c.cw_id = ?", "t.closed = ?", "t.summary LIKE ? ESCAPE '!'"]
    assert params == ["2026-10-02T09:40:00Z", 250, 0, "%x%"]
    assert residual == cond.Compare("contactName", "=", cond.Literal("str", "y"))
