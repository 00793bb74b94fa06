"""The JSON Schema of rule files, generated from the pydantic models; `python -m syncd.rules.schema` rewrites it.

Editors (yaml-language-server) and CI can validate rule files with the shipped
`syncd/rules/rule.schema.json`; a test fails when it no longer matches the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from syncd.rules.model import Rule

SCHEMA_PATH = Path(__file__).with_name("rule.schema.json")


def rule_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one rule file."""
    schema = Rule.model_json_schema(by_alias=True, mode="validation")
    body = {k: v for k, v in schema.items() if k != "title"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "syncd rule", **body}


def render_schema() -> str:
    """The schema file's exact text."""
    return json.dumps(rule_json_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the schema file (or, with --check, exit 1 when it is stale)."""
    args = sys.argv[1:] if argv is None else argv
    text = render_schema()
    if "--check" in args:
        current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
        if current != text:
            print(f"{SCHEMA_PATH} is stale; run: python -m syncd.rules.schema", file=sys.stderr)
            return 1
        return 0
    SCHEMA_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
