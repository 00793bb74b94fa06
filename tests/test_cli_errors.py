"""User-caused runtime errors through the real CLI: one clear line, no traceback, documented exit codes."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from syncd.sandbox.controller import Sandbox
from syncd.sandbox.world.generate import generate_world
from tests.test_cli import syncd


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Sandbox:
    world = generate_world(tmp_path_factory.mktemp("world") / "world.db", seed=3, size="tiny")
    with Sandbox(world, vendors=["hudu"]) as running:
        yield running


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(tmp_path: Path, base_url: str) -> Path:
    path = tmp_path / "syncd.toml"
    path.write_text(f'[state]\npath = "{tmp_path / "state.db"}"\n[hudu]\nbase_url = "{base_url}"\n'
                    '[http]\nmax_attempts = 1\n')
    return path


def test_rejected_credentials_exit_4_with_one_line(tmp_path: Path, sandbox: Sandbox) -> None:
    config = _config(tmp_path, sandbox.url("hudu"))
    result = syncd("--config", str(config), "once", "poll:hudu.companies",
                   env={"SYNCD_HUDU__API_KEY": "wrong-key-5521"})
    assert result.returncode == 4
    assert "Traceback" not in result.stderr
    [line] = [ln for ln in result.stderr.splitlines() if ln.startswith("syncd: ")]
    assert line.startswith("syncd: poll:hudu.companies: hudu:")
    assert "401" in line
    assert "wrong-key-5521" not in result.stderr + result.stdout


def test_unreachable_host_exits_3_with_one_line(tmp_path: Path) -> None:
    config = _config(tmp_path, f"http://127.0.0.1:{_closed_port()}")
    result = syncd("--config", str(config), "once", "poll:hudu.companies", env={"SYNCD_HUDU__API_KEY": "k-1234"})
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    [line] = [ln for ln in result.stderr.splitlines() if ln.startswith("syncd: ")]
    assert line.startswith("syncd: poll:hudu.companies: hudu:")
