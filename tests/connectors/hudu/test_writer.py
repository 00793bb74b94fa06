"""HuduWriter: look for syncd's own earlier write before creating, and once more after an
ambiguous failure; KB update tasks go on a process template (runs refuse new tasks)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
import requests
import responses
from responses import matchers

from syncd.connectors.common import marker
from syncd.errors import ApiTimeoutError, BadRequestError

from .conftest import API, make_connector, make_settings

KEY = "kb-update/connectwise.tickets/4711/open_task"
PROCESS = {"id": 5, "name": "KB updates", "company_id": 101, "run": False}


def q(**values: object) -> list[Any]:
    """An exact query-string matcher."""
    return [matchers.query_param_matcher({k: str(v) for k, v in values.items()})]


def b64(text: str) -> str:
    """Hudu's encoding of task descriptions."""
    return base64.b64encode(text.encode()).decode()


def task(tid: int, description: str | None) -> dict[str, Any]:
    """A ProcedureTask as Hudu serves it."""
    return {"id": tid, "name": "Outlook crashes", "procedure_id": 5,
            "description": b64(description) if description is not None else None}


def expect_process_lookup(http: responses.RequestsMock, rows: list[dict[str, Any]], company: int = 101) -> None:
    """GET /procedures for the company's KB process template."""
    http.get(f"{API}/procedures", json={"procedures": rows},
             match=q(name="KB updates", type="process", company_id=company, page=1, page_size=1000))


def expect_task_lookup(http: responses.RequestsMock, rows: list[dict[str, Any]]) -> None:
    """GET /procedure_tasks by process and exact name (no page_size: none is documented)."""
    http.get(f"{API}/procedure_tasks", json={"procedure_tasks": rows},
             match=q(procedure_id=5, name="Outlook crashes"))


def sent_json(http: responses.RequestsMock, method: str) -> list[Any]:
    """Bodies of the calls made with `method`."""
    return [json.loads(c.request.body) for c in http.calls if c.request.method == method]


def open_task(connector: Any, company: str | None = "101") -> Any:
    """The call the executor makes."""
    return connector.writer().open_task(company_id=company, title="Outlook crashes",
                                        description="3 tickets in 30 days", key=KEY)


# --- process tasks --------------------------------------------------------------------------


def test_an_existing_task_with_the_marker_is_returned_not_recreated(http: responses.RequestsMock) -> None:
    # Arrange: someone else's task of the same name, then ours (base64-encoded description)
    expect_process_lookup(http, [PROCESS])
    expect_task_lookup(http, [task(8, "written by a person"), task(9, f"3 tickets\n\n{marker(KEY)}")])
    # Act
    result = open_task(make_connector())
    # Assert
    assert (result.external_id, result.created) == ("9", False)
    assert sent_json(http, "POST") == []


def test_a_missing_task_is_created_with_the_marker(http: responses.RequestsMock) -> None:
    # Arrange
    expect_process_lookup(http, [PROCESS])
    expect_task_lookup(http, [task(8, "written by a person")])
    http.post(f"{API}/procedure_tasks", status=201, json={"procedure_task": task(10, "x")})
    # Act
    result = open_task(make_connector())
    # Assert
    assert (result.external_id, result.created) == ("10", True)
    (body,) = sent_json(http, "POST")
    assert body == {"procedure_task": {"name": "Outlook crashes", "procedure_id": 5,
                                       "description": f"3 tickets in 30 days\n\n{marker(KEY)}"}}


def test_the_process_is_created_when_missing_and_then_cached(http: responses.RequestsMock) -> None:
    # Arrange: a run of the same name is not a template and does not count
    expect_process_lookup(http, [{**PROCESS, "id": 4, "run": True}])
    http.post(f"{API}/procedures", status=201, json=PROCESS)   # the spec's bare Procedure answer
    expect_task_lookup(http, [])
    http.post(f"{API}/procedure_tasks", status=201, json={"procedure_task": task(10, "x")})
    expect_task_lookup(http, [])
    http.post(f"{API}/procedure_tasks", status=201, json={"procedure_task": task(11, "x")})
    connector = make_connector()
    # Act: two tasks, one process look-up
    first, second = open_task(connector), open_task(connector)
    # Assert
    assert (first.external_id, second.external_id) == ("10", "11")
    process_body = sent_json(http, "POST")[0]
    assert (process_body["name"], process_body["company_id"]) == ("KB updates", 101)


def test_without_a_company_the_global_template_is_used(http: responses.RequestsMock) -> None:
    # Arrange
    http.get(f"{API}/procedures", json={"procedures": [{**PROCESS, "company_id": None}]},
             match=q(name="KB updates", type="process", process_scope="global", page=1, page_size=1000))
    expect_task_lookup(http, [task(9, marker(KEY))])
    # Act
    result = open_task(make_connector(), company=None)
    # Assert
    assert (result.external_id, result.created) == ("9", False)


def test_after_an_ambiguous_failure_the_task_is_looked_up_again(http: responses.RequestsMock) -> None:
    # Arrange: the POST answers 502 (never retried) although the task was created
    expect_process_lookup(http, [PROCESS])
    expect_task_lookup(http, [])
    http.post(f"{API}/procedure_tasks", status=502, body="Bad Gateway")
    expect_task_lookup(http, [task(12, f"3 tickets\n\n{marker(KEY)}")])
    # Act
    result = open_task(make_connector())
    # Assert: found, and only one POST went out
    assert (result.external_id, result.created) == ("12", True)
    assert len(sent_json(http, "POST")) == 1


def test_an_ambiguous_failure_with_nothing_found_is_raised(http: responses.RequestsMock) -> None:
    # Arrange
    expect_process_lookup(http, [PROCESS])
    expect_task_lookup(http, [])
    http.post(f"{API}/procedure_tasks", body=requests.exceptions.ReadTimeout("read timed out"))
    expect_task_lookup(http, [])
    # Act / Assert: the caller's ledger decides when to try again
    with pytest.raises(ApiTimeoutError, match=r"^hudu: POST"):
        open_task(make_connector())


def test_a_refusal_is_raised_without_a_second_look(http: responses.RequestsMock) -> None:
    # Arrange: 422 means nothing was created
    expect_process_lookup(http, [PROCESS])
    expect_task_lookup(http, [])
    http.post(f"{API}/procedure_tasks", status=422, json={"error": "Validation failed", "details": ["x"]})
    # Act / Assert
    with pytest.raises(BadRequestError):
        open_task(make_connector())


def test_a_process_deleted_since_it_was_cached_is_found_again(http: responses.RequestsMock) -> None:
    # Arrange
    expect_process_lookup(http, [PROCESS])
    expect_task_lookup(http, [])
    http.post(f"{API}/procedure_tasks", status=201, json={"procedure_task": task(10, "x")})
    expect_task_lookup(http, [])
    http.post(f"{API}/procedure_tasks", status=404, json={"error": "Process not found"})
    expect_process_lookup(http, [PROCESS])
    expect_task_lookup(http, [])
    http.post(f"{API}/procedure_tasks", status=201, json={"procedure_task": task(11, "x")})
    connector = make_connector()
    open_task(connector)
    # Act
    result = open_task(connector)
    # Assert
    assert result.external_id == "11"


def test_a_company_id_that_is_not_hudus_is_refused() -> None:
    with pytest.raises(BadRequestError):
        make_connector().writer().open_task(company_id="acme", title="t", description="d", key=KEY)


# --- articles -------------------------------------------------------------------------------


def article(aid: int, name: str, content: str, company: int | None = 101) -> dict[str, Any]:
    """An Article as Hudu serves it."""
    return {"id": aid, "name": name, "content": content, "company_id": company, "url": f"/kb/a-{aid}"}


def test_article_mode_creates_a_prefixed_article_with_a_hidden_marker(http: responses.RequestsMock) -> None:
    # Arrange
    name = "KB update: Outlook crashes"
    http.get(f"{API}/articles", json={"articles": []}, match=q(name=name, company_id=101, page=1, page_size=1000))
    http.post(f"{API}/articles", json={"article": article(30, name, "x")})
    connector = make_connector(make_settings(kb_task_mode="article"))
    # Act
    result = open_task(connector)
    # Assert
    assert (result.external_id, result.created) == ("30", True)
    (body,) = sent_json(http, "POST")
    assert body == {"article": {"name": name, "company_id": 101, "enable_sharing": False,
                                "content": f"<p>3 tickets in 30 days</p>\n<!-- {marker(KEY)} -->"}}


def test_an_article_of_that_name_without_our_marker_does_not_count(http: responses.RequestsMock) -> None:
    # Arrange: a person's article of the same name, and ours in another company
    http.get(f"{API}/articles", json={"articles": [article(1, "Fix", "<p>mine</p>"),
                                                   article(2, "Fix", f"<!-- {marker(KEY)} -->", company=7)]})
    http.post(f"{API}/articles", json=article(31, "Fix", "x"))   # the spec's bare Article answer
    # Act
    result = make_connector().writer().create_article("101", "Fix", "<p>body</p>", key=KEY)
    # Assert
    assert (result.external_id, result.created) == ("31", True)


def test_an_article_carrying_the_marker_is_returned(http: responses.RequestsMock) -> None:
    # Arrange
    http.get(f"{API}/articles", json={"articles": [article(2, "Fix", f"<p>b</p>\n<!-- {marker(KEY)} -->")]})
    # Act
    result = make_connector().writer().create_article("101", "Fix", "<p>body</p>", key=KEY)
    # Assert
    assert (result.external_id, result.created) == ("2", False)
