"""Every served record validates against ../shared/specs/connectwise-models.schema.json.

Run with SYNCD_VENDOR_SPECS=/path/to/shared/specs; skipped when it is not set.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.sandbox.connectwise.conftest import PREFIX, call, collect

SPECS = os.environ.get("SYNCD_VENDOR_SPECS")
if not SPECS:
    pytest.skip("SYNCD_VENDOR_SPECS is not set; contract tests need ../shared/specs", allow_module_level=True)

jsonschema = pytest.importorskip("jsonschema")
SCHEMA: dict[str, Any] = json.loads((Path(SPECS) / "connectwise-models.schema.json").read_text())

# list endpoint -> (model, a by-id path); boards and /system/info have no model in the shared schema
ENDPOINTS = {
    "/service/tickets": ("Ticket", "/service/tickets/4"),
    "/service/tickets/1/notes": ("ServiceNote", "/service/tickets/1/notes/10"),
    "/service/tickets/1/configurations": ("ConfigurationReference", "/service/tickets/1/configurations/101"),
    "/time/entries": ("TimeEntry", "/time/entries/501"),
    "/company/configurations": ("CompanyConfiguration", "/company/configurations/101"),
    "/company/contacts": ("Contact", "/company/contacts/1"),
    "/company/companies": ("Company", "/company/companies/250"),
    "/service/boards/1/statuses": ("BoardStatus", "/service/boards/1/statuses/1"),
    "/service/priorities": ("Priority", "/service/priorities/1"),
}


def validator(model: str) -> Any:
    """A validator for one `$defs` model; `$ref`s resolve inside the same file."""
    schema = {**SCHEMA, "$ref": f"#/$defs/{model}"}
    cls = jsonschema.validators.validator_for(SCHEMA)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid(model: str, doc: dict[str, Any]) -> None:
    """Schema-valid, and every top-level member is one the model declares (catches misspellings)."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(model).iter_errors(doc)]
    assert not errors, f"{model} {doc.get('id')}: {errors}"
    undeclared = set(doc) - set(SCHEMA["$defs"][model]["properties"])
    assert not undeclared, f"{model} serves members the model lacks: {undeclared}"


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_every_listed_record_validates(sim, endpoint):
    model, _ = ENDPOINTS[endpoint]
    records, _ = collect(sim, PREFIX + endpoint, {"pageSize": 1000})
    assert records
    for record in records:
        assert_valid(model, record)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_by_id_record_validates(sim, endpoint):
    model, path = ENDPOINTS[endpoint]
    response = call(sim, "GET", PREFIX + path)
    assert response.status == 200
    assert_valid(model, response.body)


def test_every_ticket_note_and_link_validates(sim):
    tickets, _ = collect(sim, f"{PREFIX}/service/tickets", {"pageSize": 1000})
    for ticket in tickets:
        for note in call(sim, "GET", f"{PREFIX}/service/tickets/{ticket['id']}/notes").body:
            assert_valid("ServiceNote", note)
        for ref in call(sim, "GET", f"{PREFIX}/service/tickets/{ticket['id']}/configurations").body:
            assert_valid("ConfigurationReference", ref)


NOTE_BODIES = [
    {"text": "internal", "internalAnalysisFlag": True},
    {"text": "discussion", "detailDescriptionFlag": True, "member": {"identifier": "jsmith"}},
    {"text": "resolution", "resolutionFlag": True, "contact": {"id": 1}, "processNotifications": False},
]
TICKET_BODIES = [
    {"summary": "KB update", "company": {"identifier": "AcmeCorp"}},
    {"summary": "KB update", "company": {"id": 250}, "board": {"id": 1}, "status": {"name": "New"},
     "priority": {"name": "Priority 4 - Low"}, "type": {"name": "Request"}, "initialDescription": "d",
     "initialInternalAnalysis": "i", "initialResolution": "r", "owner": {"id": 1}, "contact": {"id": 1},
     "source": {"name": "Email"}, "processNotifications": False},
]


@pytest.mark.parametrize("body", NOTE_BODIES)
def test_note_request_and_response_follow_the_model(sim, body):
    assert_valid("ServiceNote", body)
    response = call(sim, "POST", f"{PREFIX}/service/tickets/2/notes", body=body)
    assert response.status == 201
    assert_valid("ServiceNote", response.body)


@pytest.mark.parametrize("body", TICKET_BODIES)
def test_ticket_request_and_response_follow_the_model(sim, body):
    assert_valid("Ticket", body)
    response = call(sim, "POST", f"{PREFIX}/service/tickets", body=body)
    assert response.status == 201
    assert_valid("Ticket", response.body)


@pytest.mark.parametrize("missing", ["summary", "company"])
def test_ticket_fields_the_model_requires_are_required(sim, missing):
    body = {k: v for k, v in TICKET_BODIES[0].items() if k != missing}
    assert not validator("Ticket").is_valid(body)
    response = call(sim, "POST", f"{PREFIX}/service/tickets", body=body)
    assert response.status == 400
    assert response.body["errors"][0]["field"] == missing


def test_configuration_link_response_follows_the_model(sim):
    assert_valid("ConfigurationReference", {"id": 104})
    response = call(sim, "POST", f"{PREFIX}/service/tickets/2/configurations", body={"id": 104})
    assert response.status == 201
    assert_valid("ConfigurationReference", response.body)
