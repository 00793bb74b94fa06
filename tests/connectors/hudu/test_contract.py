"""Request-side contract: what the connector sends is what the Hudu v2.44.0 spec declares.

The e2e tests check every request they send (their autouse `contract` fixture); this module
proves the checker is not vacuous and runs one scenario that sends every kind of request.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from syncd.jobs.poll import reconcile_stream
from syncd.sandbox.controller import Sandbox
from syncd.sandbox.world.store import World

from .conftest import connect, context, sync
from .spec import load_spec, request_problems

if load_spec() is None:
    pytest.skip("SYNCD_VENDOR_SPECS is not set (point it at the folder holding hudu-v2.44.0.openapi.json "
                "to run the Hudu request contract tests)", allow_module_level=True)

SPEC = load_spec()
BASE = "https://docs.example.test/api/v1"


@pytest.mark.parametrize(("method", "url", "body", "problem"), [
    ("GET", f"{BASE}/companies?sort=name", None, "'sort' is not declared"),
    ("GET", f"{BASE}/assets?page_size=ten", None, "page_size='ten' is not a number"),
    ("GET", f"{BASE}/procedure_tasks?page_size=25", None, "'page_size' is not declared"),
    ("GET", f"{BASE}/tickets", None, "is not a spec operation"),
    ("POST", f"{BASE}/articles", json.dumps({"article": {"name": "n", "draft": True}}), "'draft' is not declared"),
    ("POST", f"{BASE}/procedures", json.dumps({"name": 5}), "'name'=5 is not string"),
])
def test_the_checker_catches_what_the_spec_does_not_declare(method: str, url: str, body: str | None,
                                                           problem: str) -> None:
    problems = request_problems(SPEC, method, url, body)
    assert any(problem in p for p in problems), problems


def test_every_kind_of_request_the_connector_sends_is_declared(
        tmp_path: Path, sandbox: Sandbox, world: World, wire: list[requests.PreparedRequest]) -> None:
    # Arrange: a company without a KB process, so the process is created too
    now = sandbox.clock.now_iso()
    world.execute("INSERT INTO companies (tier, hudu_id, hudu_name, created_at, updated_at) "
                  "VALUES ('gold', 9002, 'No Process Co', ?, ?)", (now, now))
    ctx, connector = context(tmp_path, sandbox, "s.db"), connect(sandbox)
    # Act
    connector.check()
    sync(ctx, connector)
    sync(ctx, connector)
    for stream in connector.streams():
        reconcile_stream(ctx, stream)
    connector.writer().open_task(company_id="9002", title="Printer jams", description="d", key="k/1")
    connect(sandbox, kb_task_mode="article").writer().open_task(
        company_id="9002", title="Printer jams", description="d", key="k/2")
    # Assert
    sent = {(r.method, urlsplit(r.url or "").path) for r in wire}
    assert {("POST", "/api/v1/procedures"), ("POST", "/api/v1/procedure_tasks"), ("POST", "/api/v1/articles"),
            ("GET", "/api/v1/procedures"), ("GET", "/api/v1/procedure_tasks"), ("GET", "/api/v1/assets")} <= sent
    assert any("updated_at=" in (r.url or "") for r in wire)
    assert [p for r in wire for p in request_problems(SPEC, r.method or "", r.url or "", r.body)] == []
