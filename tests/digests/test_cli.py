"""`digest preview` and `silence add|list|expire` through click, with stores injected."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from syncd.digests.cli import digest, silence
from syncd.digests.settings import DigestSettings
from tests.digests.conftest import raise_finding
from tests.digests.samples import HOSTILE


def obj(state: Any, silences: Any, clock: Any, settings: DigestSettings | None = None) -> dict[str, Any]:
    @contextmanager
    def opener():  # type: ignore[no-untyped-def]
        yield settings or DigestSettings(), state, silences

    return {"digest_state": opener(), "now": clock.now()}


def test_silence_add_list_expire(state, silences, clock) -> None:
    runner = CliRunner()
    added = runner.invoke(silence, ["add", "--matcher", "company=Acme", "-m", 'priority=~"P[34]"',
                                    "--duration", "4h", "--author", "kim", "--reason", "onsite migration"],
                          obj=obj(state, silences, clock))
    assert added.exit_code == 0, added.output
    assert added.output.startswith("silence 1 until 2026-03-02T13:00")
    listed = runner.invoke(silence, ["list"], obj=obj(state, silences, clock))
    assert 'company=Acme priority=~"P[34]"' in listed.output
    assert "kim: onsite migration" in listed.output
    assert "4h left" in listed.output
    expired = runner.invoke(silence, ["expire", "1"], obj=obj(state, silences, clock))
    assert expired.exit_code == 0
    assert "expired" in expired.output
    assert runner.invoke(silence, ["list"], obj=obj(state, silences, clock)).output == "no active silences\n"
    assert "expired" in runner.invoke(silence, ["list", "--all"], obj=obj(state, silences, clock)).output


def test_silence_add_rejects_bad_input(state, silences, clock) -> None:
    runner = CliRunner()
    bad = runner.invoke(silence, ["add", "-m", "company", "--author", "kim", "--reason", "x"],
                        obj=obj(state, silences, clock))
    assert bad.exit_code == 2
    assert "not a matcher" in bad.output
    blank = runner.invoke(silence, ["add", "-m", "company=Acme", "--author", " ", "--reason", "x"],
                          obj=obj(state, silences, clock))
    assert blank.exit_code == 2
    assert "author is required" in blank.output
    missing = runner.invoke(silence, ["expire", "42"], obj=obj(state, silences, clock))
    assert missing.exit_code == 1
    assert "no silence with id 42" in missing.output


def test_preview_writes_html_and_text_without_marking_anything(state, silences, clock, tmp_path: Path) -> None:
    # Arrange
    raise_finding(state, clock, "sla-resolve-at-risk", "7", labels={"category": "sla"},
                  annotations={"state": "at_risk", "remaining_minutes": "20", "summary": HOSTILE})
    # Act
    result = CliRunner().invoke(digest, ["preview", "sla", "--out", str(tmp_path)], obj=obj(state, silences, clock))
    # Assert
    assert result.exit_code == 0, result.output
    html, text = (tmp_path / "sla.html").read_text(), (tmp_path / "sla.txt").read_text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "20 min left" in text
    assert "#7" in text
    assert state.open_findings()[0].last_notified_at is None
    assert state.last_digest("sla", "desk:webhook", "0:{}", include_failed=True) is None


def test_preview_unknown_name_is_a_usage_error(state, silences, clock) -> None:
    result = CliRunner().invoke(digest, ["preview", "nope"], obj=obj(state, silences, clock))
    assert result.exit_code == 2
    assert "unknown digest 'nope'" in result.output
