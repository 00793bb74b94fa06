"""Contract tests: every response the Hudu simulator serves here validates against the v2.44.0 spec.

The spec is Swagger 2.0 and never marks anything nullable, although its prose says where Hudu sends
null ("Can be null", "if any", "Null for runs"...). Nullability is therefore taken from that prose plus
the explicit ERRATA below, each a field real Hudu sends as null that the prose forgot. Requests the
tests send are checked too: query names and types against the operation's parameters, write bodies
against its body schema.
"""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from syncd.sandbox.hudu.reads import ACCEPTED_QUERY

from .conftest import call

SPEC_DIR = os.environ.get("SYNCD_VENDOR_SPECS")
if not SPEC_DIR:
    pytest.skip("SYNCD_VENDOR_SPECS is not set (point it at the folder holding "
                "hudu-v2.44.0.openapi.json to run the Hudu contract tests)", allow_module_level=True)

SPEC = json.loads((Path(SPEC_DIR) / "hudu-v2.44.0.openapi.json").read_text())
BASE = SPEC["basePath"]
NULL_PROSE = re.compile(r"can be null|null for|null otherwise|if any|if available", re.IGNORECASE)
ERRATA_NULLABLE = {
    "Article": {"folder_id", "company_id", "share_url"},        # unfiled / global KB / not shared
    "Asset": {"company_name"},
    "Procedure": {"company_id", "company_name"},                # global templates have no company
    "ProcedureTask": {"description", "completed_date", "completion_notes", "due_date",
                      "formatted_due_date", "user_name", "first_assigned_user_id",
                      "first_assigned_user_name", "first_assigned_user_initials"},
}
# Global paging is documented in the spec's info text ("Use the ?page=X query parameter").
GLOBAL_QUERY = {"page"}
# 401 comes from the global API-key security definition; 429 from the documented rate limit.
GLOBAL_STATUSES = {401, 429}


def _nullable(prop: dict[str, Any], name: str, definition: str) -> dict[str, Any]:
    if not (prop.get("x-nullable") or prop.get("nullable") or None in prop.get("enum", [])
            or NULL_PROSE.search(prop.get("description", "")) or name in ERRATA_NULLABLE.get(definition, ())):
        return prop
    prop = dict(prop)
    if "type" in prop:
        prop["type"] = [prop["type"], "null"]
    if "enum" in prop and None not in prop["enum"]:
        prop["enum"] = [*prop["enum"], None]
    return prop


def _definitions() -> dict[str, Any]:
    defs = copy.deepcopy(SPEC["definitions"])
    for def_name, schema in defs.items():
        for prop_name, prop in list(schema.get("properties", {}).items()):
            schema["properties"][prop_name] = _nullable(prop, prop_name, def_name)
    # Spec defect: asset field values are typed boolean, but Hudu stores text, numbers and dates there.
    defs["Asset"]["properties"]["fields"]["items"]["properties"]["value"] = {}
    return defs


DEFINITIONS = _definitions()


def _inline(schema: Any, depth: int = 0) -> Any:
    """Replace `#/definitions/X` refs by the (null-translated) definitions."""
    assert depth < 20, "reference cycle"
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if ref:
            return _inline(DEFINITIONS[ref.rsplit("/", 1)[-1]], depth + 1)
        return {k: _inline(v, depth + 1) for k, v in schema.items()
                if k not in ("example", "x-nullable", "nullable", "deprecated")}
    if isinstance(schema, list):
        return [_inline(v, depth + 1) for v in schema]
    return schema


FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


@FORMATS.checks("date", raises=ValueError)
def _date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


def operation(method: str, pattern: str) -> dict[str, Any]:
    """The spec operation of one simulator route pattern."""
    assert pattern.startswith(BASE), pattern
    path_item = SPEC["paths"].get(pattern[len(BASE):])
    assert path_item, f"{pattern} is not in the spec"
    assert method.lower() in path_item, f"{method} {pattern} is not in the spec"
    return path_item[method.lower()]


def _check_query(op: dict[str, Any], query: dict[str, Any]) -> None:
    params = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
    for name, value in query.items():
        if name in GLOBAL_QUERY and name not in params:
            continue
        assert name in params, f"query parameter {name!r} is not in the spec"
        spec_param = params[name]
        text = str(value)
        if spec_param.get("type") in ("number", "integer"):
            float(text)
        if spec_param.get("type") == "boolean":
            assert text in ("true", "false"), f"{name}={text} is not a boolean"
        if "enum" in spec_param:
            assert text in spec_param["enum"], f"{name}={text} not in {spec_param['enum']}"


def _body_schema(op: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    for param in op.get("parameters", []):
        if param.get("in") == "body":
            return param["name"], param["schema"]
    # Spec defect: kickoff describes its body OpenAPI-3 style inside a Swagger 2.0 file.
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    return ("body", content["schema"]) if content else (None, None)


def _check_body(op: dict[str, Any], body: Any) -> None:
    name, schema = _body_schema(op)
    assert schema is not None, "the spec takes no body here"
    # A body parameter named after the resource is sent wrapped ({"article": {...}}).
    target = body[name] if name != "body" and isinstance(body, dict) and name in body else body
    jsonschema.validate(target, _inline(schema), format_checker=FORMATS)


def checked(sim, method: str, path: str, query: dict[str, Any] | None = None, *, body: Any = None,
            headers: dict[str, str] | None = None):
    """Call the simulator, checking the request and the response against the spec."""
    pattern = sim.match(method, path)[0]
    op = operation(method, pattern)
    _check_query(op, query or {})
    if body is not None:
        _check_body(op, body)
    resp = call(sim, method, path, query, headers=headers, body=body)
    documented = {int(code) for code in op["responses"]}
    assert resp.status in documented | GLOBAL_STATUSES, f"{resp.status} undocumented for {method} {pattern}"
    schema = op["responses"].get(str(resp.status), {}).get("schema")
    if schema is not None:
        jsonschema.validate(resp.body, _inline(schema), format_checker=FORMATS)
    return resp


def test_accepted_query_parameters_are_the_specs():
    for (method, pattern), names in ACCEPTED_QUERY.items():
        op = operation(method, pattern)
        spec_names = {p["name"] for p in op.get("parameters", []) if p.get("in") == "query"}
        assert names - GLOBAL_QUERY <= spec_names, (pattern, names - spec_names)


def test_every_route_is_a_spec_operation(sim):
    for _verb, _regex, pattern, _fn in sim._routes:
        operation(_verb, pattern)


READS = [
    ("/api/v1/api_info", {}),
    ("/api/v1/companies", {}),
    ("/api/v1/companies", {"id_in_integration": "2501", "page": 1, "page_size": 10}),
    ("/api/v1/companies", {"updated_at": "2026-11-01T00:00:00Z,", "search": "a"}),
    ("/api/v1/companies/101", {}),
    ("/api/v1/companies/103", {}),
    ("/api/v1/assets", {}),
    ("/api/v1/assets", {"page": 3}),
    ("/api/v1/assets", {"archived": "true"}),
    ("/api/v1/assets", {"primary_serial": "C03R3LT7THV8", "company_id": 101, "asset_layout_id": 1}),
    ("/api/v1/assets", {"updated_at": "2026-11-01T00:00:00Z,2026-11-05T00:00:00Z", "page_size": 1000}),
    ("/api/v1/companies/102/assets", {"page": 1, "page_size": 50}),
    ("/api/v1/articles", {}),
    ("/api/v1/articles", {"page": 2, "draft": "false", "updated_at": ",2026-11-10T00:00:00Z"}),
    ("/api/v1/articles/5", {}),
    ("/api/v1/procedures", {"type": "all", "page_size": 1000}),
    ("/api/v1/procedures", {"type": "process", "process_scope": "company", "name": "kb updates"}),
    ("/api/v1/procedures/1", {}),
    ("/api/v1/procedures/2", {}),
    ("/api/v1/procedure_tasks", {"procedure_id": 1}),
    ("/api/v1/procedure_tasks", {"company_id": 101, "page": 1}),
    ("/api/v1/procedure_tasks/3", {}),
]


@pytest.mark.parametrize(("path", "query"), READS)
def test_reads_match_the_spec(sim, path, query):
    resp = checked(sim, "GET", path, query)
    assert resp.status == 200


def test_errors_are_documented_statuses(sim):
    assert checked(sim, "GET", "/api/v1/assets", headers={}).status == 401
    assert checked(sim, "GET", "/api/v1/companies/999").status == 404
    assert checked(sim, "GET", "/api/v1/articles/999").status == 404
    assert checked(sim, "POST", "/api/v1/articles", body={"article": {"content": "x"}}).status == 422


def test_write_flow_matches_the_spec(sim):
    art = {"article": {"name": "KB: VPN drops", "content": "<p>x</p>", "enable_sharing": True,
                       "folder_id": 7, "company_id": 102}}
    created = checked(sim, "POST", "/api/v1/articles", body=art).body["article"]
    checked(sim, "PUT", f"/api/v1/articles/{created['id']}", body={"article": {"name": "KB: VPN drops v2"}})
    proc = checked(sim, "POST", "/api/v1/procedures",
                   body={"name": "KB updates", "description": "x", "company_id": 102}).body["procedure"]
    task = checked(sim, "POST", "/api/v1/procedure_tasks",
                   body={"procedure_task": {"name": "Write it", "procedure_id": proc["id"], "position": 1,
                                            "optional": False}}).body["procedure_task"]
    checked(sim, "PUT", f"/api/v1/procedure_tasks/{task['id']}",
            body={"procedure_task": {"description": "Updated", "position": 2}})
    assert checked(sim, "POST", f"/api/v1/procedures/{proc['id']}/kickoff",
                   {"name": "KB: VPN drops"}, body={"procedure": {"asset_id": 31}}).status == 200
    run = checked(sim, "GET", "/api/v1/procedures", {"type": "run"}).body["procedures"][0]
    run_task = run["procedure_tasks_attributes"][0]
    checked(sim, "PUT", f"/api/v1/procedure_tasks/{run_task['id']}",
            body={"procedure_task": {"assigned_users": [1, 2], "due_date": "2026-11-30",
                                     "priority": "urgent"}})
    assert checked(sim, "POST", "/api/v1/procedure_tasks",
                   body={"procedure_task": {"name": "x", "procedure_id": run["id"]}}).status == 422
    assert checked(sim, "PUT", f"/api/v1/procedure_tasks/{run_task['id']}",
                   body={"procedure_task": {"name": "x"}}).status == 422
    checked(sim, "GET", f"/api/v1/procedures/{run['id']}")
