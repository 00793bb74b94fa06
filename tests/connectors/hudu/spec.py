"""Request-side contract checks against the Hudu v2.44.0 Swagger file (SYNCD_VENDOR_SPECS)."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SPEC_FILE = "hudu-v2.44.0.openapi.json"
# Paging with ?page=X is documented once, in the spec's info text, for every list endpoint.
GLOBAL_QUERY = {"page"}


@cache
def load_spec() -> dict[str, Any] | None:
    """The spec, or None when SYNCD_VENDOR_SPECS is not set."""
    folder = os.environ.get("SYNCD_VENDOR_SPECS")
    if not folder:
        return None
    return json.loads((Path(folder) / SPEC_FILE).read_text())


def _operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    base = spec["basePath"]
    if not path.startswith(base):
        return None
    tail = path[len(base):]
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, tail) and method.lower() in item:
            return item[method.lower()]
    return None


def _query_problems(op: dict[str, Any], query: list[tuple[str, str]]) -> list[str]:
    declared = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
    problems = []
    for name, value in query:
        if name not in declared:
            if name not in GLOBAL_QUERY:
                problems.append(f"query parameter {name!r} is not declared")
            continue
        kind = declared[name].get("type")
        if kind in ("number", "integer") and not re.fullmatch(r"-?\d+(\.\d+)?", value):
            problems.append(f"{name}={value!r} is not a {kind}")
        if kind == "boolean" and value not in ("true", "false"):
            problems.append(f"{name}={value!r} is not a boolean")
    return problems


def _body_problems(op: dict[str, Any], body: Any) -> list[str]:
    param = next((p for p in op.get("parameters", []) if p.get("in") == "body"), None)
    if param is None:
        return ["the spec takes no body here"]
    # A body parameter named after the resource may be sent wrapped ({"article": {...}}).
    inner = body.get(param["name"], body) if isinstance(body, dict) else body
    if not isinstance(inner, dict):
        return ["body is not an object"]
    properties = param["schema"].get("properties", {})
    problems = [f"body field {k!r} is not declared" for k in inner if k not in properties]
    types = {"string": str, "integer": int, "boolean": bool, "number": (int, float)}
    for key, value in inner.items():
        expected = types.get(properties.get(key, {}).get("type", ""))
        nullable = properties.get(key, {}).get("nullable", False)
        if expected and not (isinstance(value, expected) or (value is None and nullable)):
            problems.append(f"body field {key!r}={value!r} is not {properties[key]['type']}")
    return problems


def request_problems(spec: dict[str, Any], method: str, url: str, body: bytes | str | None) -> list[str]:
    """What in one sent request the spec does not declare (empty when it conforms)."""
    parts = urlsplit(url)
    op = _operation(spec, method, parts.path)
    if op is None:
        return [f"{method} {parts.path} is not a spec operation"]
    problems = _query_problems(op, parse_qsl(parts.query, keep_blank_values=True))
    if body:
        problems += _body_problems(op, json.loads(body))
    return [f"{method} {parts.path}: {p}" for p in problems]
