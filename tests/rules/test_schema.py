"""The shipped JSON Schema matches the models; rule files validate against it; rules import no vendor code."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import yaml

from syncd.rules import schema
from syncd.rules.loader import BUILTIN_DIR

from .conftest import FIXTURES

RULES_PACKAGE = Path(schema.__file__).parent


def test_schema_file_is_fresh() -> None:
    # Regenerate with: python -m syncd.rules.schema
    assert schema.SCHEMA_PATH.read_text(encoding="utf-8") == schema.render_schema()
    assert schema.main(["--check"]) == 0


def test_rule_files_validate_against_the_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(schema.SCHEMA_PATH.read_text(encoding="utf-8")))
    files = [*BUILTIN_DIR.glob("*.yaml"), *(FIXTURES / "rules").glob("*.yaml")]
    assert files
    for path in files:
        assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == [], path
    bad = yaml.safe_load((FIXTURES / "bad" / "five-mistakes.yaml").read_text(encoding="utf-8"))
    assert len(list(validator.iter_errors(bad))) >= 3


def test_rules_import_no_vendor_code() -> None:
    allowed = ("syncd.rules", "syncd.state", "syncd.records", "syncd.vocabulary", "syncd.clock", "syncd.durations",
               "syncd.errors", "syncd.settings", "syncd.connectors.base", "syncd.cli", "syncd.sla",
               "syncd.collector")
    for path in RULES_PACKAGE.glob("*.py"):
        # `syncd plan` plans exactly like the evaluate job, so the CLI module builds its view with it.
        allowed_here = (*allowed, "syncd.jobs") if path.name == "cli.py" else allowed
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("syncd"):
                assert node.module.startswith(allowed_here), f"{path.name} imports {node.module}"
