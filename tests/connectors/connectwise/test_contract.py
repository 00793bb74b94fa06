"""Request-side contract: every request the connector sent in a sandbox run is one CW documents.

Paths are checked against the endpoint list of the reference (psa-apis.md §1.3 and §1.4, from
the 2025.8 spec), query parameters against the list parameters every CW list GET declares, and
POST bodies against the models of `connectwise-models.schema.json` (the shared file has models
only, no paths). Runs when SYNCD_VENDOR_SPECS names the shared specs folder.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest

from syncd.connectors.connectwise.client import ACCEPT
from tests.connectors.connectwise.helpers import reconcile, sync

SPECS = os.environ.get("SYNCD_VENDOR_SPECS")
pytestmark = pytest.mark.skipif(not SPECS, reason="set SYNCD_VENDOR_SPECS=/work/shared/specs to run contract tests")

PREFIX = "/v4_6_release/apis/3.0"
# (method, path pattern) -> schema model of the body (None: no body). From psa-apis.md §1.3.
ENDPOINTS = {
    ("GET", r"/system/info"): None,
    ("GET", r"/company/companies"): None,
    ("GET", r"/company/contacts"): None,
    ("GET", r"/company/configurations"): None,
    ("GET", r"/service/boards"): None,
    ("GET", r"/service/boards/\d+/statuses"): None,
    ("GET", r"/service/priorities"): None,
    ("GET", r"/service/tickets"): None,
    ("POST", r"/service/tickets"): "Ticket",
    ("GET", r"/service/tickets/\d+/notes"): None,
    ("POST", r"/service/tickets/\d+/notes"): "ServiceNote",
    ("GET", r"/service/tickets/\d+/configurations"): None,
    ("POST", r"/service/tickets/\d+/configurations"): "ConfigurationReference",
    ("GET", r"/time/entries"): None,
    ("GET", r"/system/audittrail"): None,           # psa-apis.md §1.4; parameters from public clients [2]
}
LIST_PARAMS = {"conditions", "childConditions", "customFieldConditions", "orderBy", "fields", "page",
               "pageSize", "pageId"}
AUDIT_PARAMS = {"type", "id", "deviceIdentifier"}   # the record whose trail is read


def _schema(model: str) -> dict:
    defs = json.loads((Path(SPECS or ".") / "connectwise-models.schema.json").read_text())["$defs"]
    return {"$defs": defs, "$ref": f"#/$defs/{model}"}, defs[model]


def _endpoint(method: str, path: str) -> str | bool | None:
    for (verb, pattern), model in ENDPOINTS.items():
        if verb == method and re.fullmatch(pattern, path):
            return model
    return False


def test_every_request_is_documented(make_env, world, wire):
    # Arrange / Act: a first sync, an idle poll, a reconciliation and one write of each kind
    env = make_env(page_size=25)
    sync(env)
    sync(env)
    reconcile(env)
    ticket = world.query_one("SELECT id FROM tickets WHERE deleted = 0 ORDER BY id LIMIT 1")["id"]
    config = world.query_one("SELECT id FROM cw_configurations WHERE deleted = 0 ORDER BY id DESC LIMIT 1")["id"]
    company = world.query_one("SELECT cw_id FROM companies WHERE cw_id IS NOT NULL LIMIT 1")["cw_id"]
    writer = env.connector.writer()
    writer.post_note(str(ticket), "note", key="contract/note")
    writer.link_configuration(str(ticket), str(config), key="contract/link")
    writer.create_ticket(company_id=str(company), summary="KB: contract", description="d", key="contract/kb")
    # Assert
    assert wire
    methods = set()
    for request in wire:
        url = urlsplit(request.url)
        assert url.path.startswith(PREFIX), url.path
        path = url.path[len(PREFIX):]
        model = _endpoint(request.method, path)
        assert model is not False, f"undocumented endpoint {request.method} {path}"
        audit = path == "/system/audittrail"
        assert set(parse_qs(url.query)) <= LIST_PARAMS | (AUDIT_PARAMS if audit else set()), url.query
        assert request.headers["clientId"]
        assert request.headers["Accept"] == ACCEPT
        assert request.headers["Authorization"].startswith("Basic ")
        if audit:   # entries have no id to key on: numbered pages, never forward-only
            assert "pagination-type" not in request.headers
            assert {"type", "id", "page", "pageSize"} <= set(parse_qs(url.query))
        elif request.method == "GET" and path != "/system/info":
            assert request.headers.get("pagination-type") == "forward-only"
            assert "orderBy" not in parse_qs(url.query)     # not allowed in forward-only mode
        if model:
            body = json.loads(request.body)
            full, own = _schema(model)
            jsonschema.validate(body, full)
            assert set(body) <= set(own["properties"]), set(body) - set(own["properties"])
        methods.add(request.method)
    assert methods == {"GET", "POST"}
