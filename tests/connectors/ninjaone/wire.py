"""Request-side contract: every request the connector sends must be one the NinjaOne spec declares."""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

SPEC_ENV = "SYNCD_VENDOR_SPECS"
SPEC_FILE = "ninjaone-v2.openapi.json"
# The token endpoint is specified in NinjaOne's separate authorization spec (reference §2.1 [N2]),
# not in the v2 API file; it is checked by hand here.
TOKEN = ("POST", "/ws/oauth/token")


@dataclass(frozen=True)
class Sent:
    """One request as it went on the wire."""

    method: str
    path: str
    query: dict[str, list[str]]


def record(sent: list[Sent], request: Any) -> None:
    """Append a prepared `requests` request to `sent`."""
    parts = urlsplit(request.url)
    sent.append(Sent(request.method, parts.path, parse_qs(parts.query, keep_blank_values=True)))


def spec_folder() -> str | None:
    """The spec folder, or None when the environment does not name one."""
    return os.environ.get(SPEC_ENV) or None


@functools.cache
def _spec(folder: str) -> dict[str, Any]:
    return json.loads((Path(folder) / SPEC_FILE).read_text())


def _template(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(pattern)) + "$")


def _operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    # A literal path wins over a template (/v2/devices-detailed vs /v2/device/{id}).
    if path in spec["paths"]:
        return spec["paths"][path].get(method.lower())
    for pattern, item in spec["paths"].items():
        if "{" in pattern and _template(pattern).match(path):
            return item.get(method.lower())
    return None


def problems(sent: list[Sent], folder: str) -> list[str]:
    """Every request whose path, method or query parameter the spec does not declare."""
    spec = _spec(folder)
    found = []
    for item in sent:
        if (item.method, item.path) == TOKEN:
            if item.query:
                found.append(f"POST {item.path}: the token request takes a form body, not query {item.query}")
            continue
        op = _operation(spec, item.method, item.path)
        if op is None:
            found.append(f"{item.method} {item.path}: not an operation of the spec")
            continue
        params = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
        for name, values in item.query.items():
            if name not in params:
                found.append(f"{item.method} {item.path}: query parameter {name!r} not declared")
            elif params[name].get("schema", {}).get("type") == "integer" and \
                    not all(re.fullmatch(r"-?\d+", v) for v in values):
                found.append(f"{item.method} {item.path}: {name}={values} is not an integer")
    return found
