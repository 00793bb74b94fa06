"""Sandbox lifecycle, accessors, config files, the registry and `syncd sandbox` (run_forever)."""

from __future__ import annotations

import os
import socket
import stat
import sys
import threading
import time
import tomllib
import types
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from dotenv import dotenv_values

from syncd.sandbox import FaultConfig, Sandbox, SandboxClock, registry
from syncd.sandbox.controller import run_forever, toml_document, toml_value
from syncd.sandbox.registry import UnknownVendorError, simulator_class
from syncd.sandbox.world.store import World


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_start_stop_and_url(tiny_world: World, dummy_simulator: type) -> None:
    # Arrange
    box = Sandbox(tiny_world, simulators={"dummy": dummy_simulator})
    # Act
    with box:
        url = box.url("dummy")
        health = requests.get(f"{url}/_sandbox/health", timeout=5)
    box.stop()                                            # a second stop is harmless
    # Assert
    assert url.startswith("http://127.0.0.1:")
    assert health.json()["status"] == "ok"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_sandbox/health", timeout=5)


def test_stop_releases_a_hanging_request(make_sandbox: Callable[..., Sandbox]) -> None:
    # Arrange: a request hanging for a minute
    box = make_sandbox(faults={"dummy": FaultConfig(timeout_rate=1.0, timeout_hang_s=60)})
    errors: list[Exception] = []

    def call() -> None:
        try:
            requests.get(f"{box.url('dummy')}/api/companies", timeout=120)
        except requests.RequestException as exc:
            errors.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    while box.counters("dummy")["total"] == 0:            # wait until the request is in
        time.sleep(0.01)
    # Act
    box.stop()
    caller.join(timeout=30)
    # Assert
    assert not caller.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], requests.ConnectionError)


def test_fixed_port_and_accessors(tiny_world: World, dummy_simulator: type) -> None:
    # Arrange
    port = _free_port()
    clock = SandboxClock("2026-01-01T00:00:00Z")
    # Act
    box = Sandbox(tiny_world, simulators={"dummy": dummy_simulator}, ports={"dummy": port}, clock=clock)
    with box:
        # Assert
        assert box.url("dummy") == f"http://127.0.0.1:{port}"
        assert box.vendors == ["dummy"]
        assert isinstance(box.simulator("dummy"), dummy_simulator)
        assert box.simulator("dummy").faults is box.injector("dummy")
        assert box.simulator("dummy").clock is clock is box.clock
        assert box.counters() == {}
        with pytest.raises(KeyError, match="not in this sandbox"):
            box.url("hudu")


def test_default_clock_comes_from_the_world(sandbox: Sandbox) -> None:
    assert sandbox.clock.now_iso() == "2026-11-17T15:00:00Z"
    assert sandbox.clock.running is False


def test_settings_for_unknown_vendors_are_refused(tiny_world: World, dummy_simulator: type) -> None:
    with pytest.raises(ValueError, match="not in this sandbox"):
        Sandbox(tiny_world, simulators={"dummy": dummy_simulator}, faults={"dumy": FaultConfig()})


def test_unknown_vendor_lists_known_ones(tiny_world: World) -> None:
    with pytest.raises(UnknownVendorError, match="known vendors: connectwise, hudu, ninjaone"):
        simulator_class("autotaskk")
    with pytest.raises(UnknownVendorError):
        Sandbox(tiny_world, vendors=["autotaskk"])


def test_write_config(sandbox: Sandbox, tmp_path: Path) -> None:
    # Act
    config_path, secrets_path = sandbox.write_config(tmp_path / "out", state_path=tmp_path / "state.db")
    # Assert
    config = tomllib.loads(config_path.read_text())
    assert list(config) == ["state", "dummy"]
    assert config["state"] == {"path": str((tmp_path / "state.db").resolve())}
    assert config["dummy"] == {"base_url": sandbox.url("dummy"), "page_size": 2, "verify": False,
                               "ratio": 0.5, "streams": ["tickets", "notes"], "title": 'say "hi"\n',
                               "extra": {"depth": 1}}
    assert stat.S_IMODE(os.stat(secrets_path).st_mode) == 0o600
    assert dotenv_values(secrets_path) == {"SYNCD_DUMMY__API_KEY": "dummy-key-123",
                                           "SYNCD_DUMMY__PASSPHRASE": "two words #not-a-comment"}


def test_write_config_tightens_an_existing_secrets_file(sandbox: Sandbox, tmp_path: Path) -> None:
    # Arrange
    loose = tmp_path / "sandbox.secrets.env"
    loose.write_text("OLD=1\n")
    loose.chmod(0o644)
    # Act
    config_path, secrets_path = sandbox.write_config(tmp_path)
    # Assert
    assert secrets_path == loose
    assert stat.S_IMODE(os.stat(loose).st_mode) == 0o600
    assert "OLD" not in loose.read_text()
    assert tomllib.loads(config_path.read_text())["state"]["path"] == str((tmp_path / "state.db").resolve())


def test_toml_writer_round_trips() -> None:
    # Arrange
    tables = {"odd keys": {"a.b": "tab\there \\ \x01 é", "n": -3, "f": 1e-7, "empty": [], "none": None,
                           "flags": [True, False]}}
    # Act
    parsed = tomllib.loads(toml_document(tables))
    # Assert
    assert parsed == {"odd keys": {"a.b": "tab\there \\ \x01 é", "n": -3, "f": 1e-7, "empty": [],
                                   "flags": [True, False]}}
    with pytest.raises(TypeError, match="cannot write"):
        toml_value(object())


@pytest.fixture
def registered_dummy(monkeypatch: pytest.MonkeyPatch, dummy_simulator: type) -> None:
    """Make the dummy simulator reachable by name, as run_forever only knows names."""
    module = types.ModuleType("sandbox_test_dummy")
    module.DummySimulator = dummy_simulator  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sandbox_test_dummy", module)
    monkeypatch.setitem(registry.SIMULATORS, "dummy", "sandbox_test_dummy:DummySimulator")


def _run_in_thread(world_path: Path, out: Path, **kwargs: object) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    runner = threading.Thread(target=run_forever, args=(world_path,),
                              kwargs={"seed": 1, "size": "tiny", "vendors": ["dummy"], "out_dir": out,
                                      "ports": None, "stop": stop, **kwargs})
    runner.start()
    deadline = time.monotonic() + 30                      # a guard against hanging, not a speed check
    while not (out / "sandbox.secrets.env").exists() and runner.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    return runner, stop


@pytest.mark.usefixtures("registered_dummy")
def test_run_forever_serves_until_stopped(tiny_world: World, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    # Act
    runner, stop = _run_in_thread(tiny_world.path, tmp_path / "out")
    config = tomllib.loads((tmp_path / "out" / "sandbox.toml").read_text())
    health = requests.get(f"{config['dummy']['base_url']}/_sandbox/clock", timeout=5).json()
    stop.set()
    runner.join(timeout=30)
    # Assert
    assert not runner.is_alive()
    assert health["running"] is True
    out = capsys.readouterr().out
    assert config["dummy"]["base_url"] in out
    assert "sandbox.toml" in out


@pytest.mark.usefixtures("registered_dummy")
def test_run_forever_generates_a_missing_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Arrange: a stand-in for the world generator, making an empty world
    calls: list[tuple[Path, int, object]] = []

    def generate_world(path: Path, *, seed: int, size: object) -> None:
        calls.append((Path(path), seed, size))
        World.create(path).execute("INSERT INTO meta VALUES ('world_now', '2026-11-17T15:00:00Z')")

    fake = types.ModuleType("syncd.sandbox.world.generate")
    fake.generate_world = generate_world  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "syncd.sandbox.world.generate", fake)
    world_path = tmp_path / "gen" / "world.db"
    # Act
    runner, stop = _run_in_thread(world_path, tmp_path / "out")
    stop.set()
    runner.join(timeout=30)
    # Assert
    assert calls == [(world_path, 1, "tiny")]
    assert (tmp_path / "out" / "sandbox.toml").exists()
