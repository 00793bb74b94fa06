"""The CLI as a user runs it: exit codes and one-line errors without tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from syncd import __version__
from tests.conftest import REPO


def syncd(*args: str, env: dict[str, str] | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SYNCD_")}
    return subprocess.run([sys.executable, "-m", "syncd", *args], capture_output=True, text=True,
                          env={**clean, **(env or {})}, cwd=cwd, timeout=120, check=False)


def test_version() -> None:
    result = syncd("--version")
    assert result.returncode == 0
    assert __version__ in result.stdout


def test_check_accepts_the_example_config() -> None:
    result = syncd("check", "--config", "config.example.toml")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: configuration valid")


def test_check_lists_three_mistakes_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[daemon]\ndry_run = "maybe"\n[log]\nlevel = "loud"\n[http]\ntimeout = "5s"\n')
    result = syncd("--config", str(bad), "check")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "3 problem(s)" in result.stderr
    for key in ("daemon.dry_run", "log.level", "http.timeout"):
        assert f"  - {key}:" in result.stderr


def test_config_from_environment_variable(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[nonsense]\n")
    result = syncd("check", env={"SYNCD_CONFIG": str(bad)})
    assert result.returncode == 2
    assert "nonsense: unknown key" in result.stderr


def test_once_with_unknown_job_exits_2(tmp_path: Path) -> None:
    result = syncd("once", "poll:nothing", env={"SYNCD_STATE__PATH": str(tmp_path / "s.db")})
    assert result.returncode == 2
    assert "unknown job(s): poll:nothing" in result.stderr


def test_once_without_connectors_says_so(tmp_path: Path) -> None:
    result = syncd("once", env={"SYNCD_STATE__PATH": str(tmp_path / "s.db")})
    assert result.returncode == 0
    assert "no jobs to run" in result.stderr


def test_health_is_unhealthy_before_any_run(tmp_path: Path) -> None:
    result = syncd("health", env={"SYNCD_STATE__PATH": str(tmp_path / "s.db")})
    assert result.returncode == 1
    assert result.stdout.startswith("unhealthy")
