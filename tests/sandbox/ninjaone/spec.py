"""The NinjaOne OpenAPI 3.0.1 spec as a test oracle: declared query parameters and response schemas.

The spec folder comes from SYNCD_VENDOR_SPECS; without it every check here is a no-op (and
test_contract.py skips). OpenAPI 3.0 schemas are turned into JSON Schema draft 7: `nullable`
becomes a `null` type. `discriminator` is not a JSON Schema keyword, so it is applied by hand:
an instance naming its variant is validated against that component too, and a device that does
not name one is validated against `AgentDevice` (every world device is an agent).
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SPEC_ENV = "SYNCD_VENDOR_SPECS"
SPEC_FILE = "ninjaone-v2.openapi.json"
BASE_URI = "urn:syncd:ninjaone-v2"
DISCRIMINATOR_FALLBACK = {"deviceType": "AgentDevice"}


def spec_dir() -> str | None:
    """The spec folder named by the environment, or None."""
    return os.environ.get(SPEC_ENV) or None


def load() -> dict[str, Any] | None:
    """The converted spec document, or None when SYNCD_VENDOR_SPECS is unset."""
    folder = spec_dir()
    return _load(folder) if folder else None


@functools.cache
def _load(folder: str) -> dict[str, Any]:
    raw = json.loads((Path(folder) / SPEC_FILE).read_text())
    return _to_json_schema(raw)


@functools.cache
def _registry(folder: str) -> Registry:
    resource = Resource.from_contents(_load(folder), default_specification=DRAFT7)
    return Registry().with_resource(BASE_URI, resource)


def _to_json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _to_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True and isinstance(node.get("type"), str):
        out["type"] = [node["type"], "null"]
    return out


def operation(document: dict[str, Any], pattern: str, method: str) -> dict[str, Any]:
    """The spec's operation for a route pattern (patterns are the spec's paths verbatim)."""
    assert pattern in document["paths"], f"{pattern} is not a path of the NinjaOne spec"
    ops = document["paths"][pattern]
    assert method.lower() in ops, f"{method} {pattern} is not an operation of the NinjaOne spec"
    return ops[method.lower()]


def check_params(document: dict[str, Any], pattern: str, method: str, names: set[str]) -> None:
    """Assert every query parameter name was declared by the spec for this operation."""
    declared = {p["name"] for p in operation(document, pattern, method).get("parameters", [])
                if p.get("in") == "query"}
    undeclared = names - declared
    assert not undeclared, f"{method} {pattern}: query parameters not in the spec: {sorted(undeclared)}"


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def _validator(pointer: str) -> Draft7Validator:
    folder = spec_dir()
    assert folder is not None
    return Draft7Validator({"$ref": f"{BASE_URI}#{pointer}"}, registry=_registry(folder),
                           format_checker=FormatChecker())


def validate_response(document: dict[str, Any], pattern: str, method: str, status: int, body: Any) -> None:
    """Assert `body` validates against the spec's schema for this operation and status."""
    responses = operation(document, pattern, method)["responses"]
    key = str(status) if str(status) in responses else "default"
    assert key in responses, f"{method} {pattern}: no {status} or default response in the spec"
    pointer = _pointer("paths", pattern, method.lower(), "responses", key, "content", "application/json",
                       "schema")
    _assert_valid(_validator(pointer), body, f"{method} {pattern} {status}")
    schema = responses[key]["content"]["application/json"]["schema"]
    _check_discriminated(document, schema, body, f"{method} {pattern} {status}")


def validate_component(name: str, instance: Any, where: str) -> None:
    """Assert `instance` validates against components/schemas/<name>."""
    _assert_valid(_validator(_pointer("components", "schemas", name)), instance, f"{where} as {name}")


def _check_discriminated(document: dict[str, Any], schema: dict[str, Any], body: Any, where: str) -> None:
    items = body if schema.get("type") == "array" and isinstance(body, list) else [body]
    node = schema.get("items", {}) if schema.get("type") == "array" else schema
    discriminator = node.get("discriminator")
    if not discriminator:
        return
    prop = discriminator["propertyName"]
    for item in items:
        variant = item.get(prop) if isinstance(item, dict) else None
        name = variant if variant in document["components"]["schemas"] else DISCRIMINATOR_FALLBACK.get(prop)
        if name:
            validate_component(name, item, where)


def _assert_valid(validator: Draft7Validator, instance: Any, where: str) -> None:
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, f"{where}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])
