"""Shared test fixtures: a clean SYNCD_* environment for every test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean_syncd_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests must not see the developer's own SYNCD_* variables (SYNCD_VENDOR_SPECS excepted)."""
    for name in list(os.environ):
        if name.startswith("SYNCD_") and name != "SYNCD_VENDOR_SPECS":
            monkeypatch.delenv(name)
