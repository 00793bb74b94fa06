"""Kill -9 during apply, restart, run to completion: nothing written twice, nothing missing.

`syncd once` runs in a subprocess (tests/e2e/harness.py) that SIGKILLs itself around its Nth
vendor write: after the server answered but before the ledger recorded the outcome (the worst
moment: the write exists, syncd does not know it), or just before sending it. A second process
then runs to completion. The world must end up exactly like a clean run's on an identical world.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from syncd.clock import to_iso

from .conftest import E2E, start_e2e
from .harness import Written, baseline, world_now, written

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def run_harness(env: E2E, *, kill_at: int = 0, mode: str = "after") -> int:
    """`syncd once` in a child process against the sandbox; its return code (-9 when it killed itself)."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNCD_", "E2E_"))}
    if kill_at:
        child_env |= {"E2E_KILL_AT": str(kill_at), "E2E_KILL_MODE": mode}
    args = [sys.executable, "-m", "tests.e2e.harness", str(env.config), str(env.secrets),
            to_iso(world_now(env.world))]
    done = subprocess.run(args, cwd=REPO, env=child_env, capture_output=True, timeout=300, check=False)
    return done.returncode


@pytest.fixture(scope="module")
def clean_run(world_template: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Written]:
    """What an uninterrupted `syncd once` writes into the small world."""
    env = start_e2e(world_template("small"), tmp_path_factory.mktemp("clean") / "small")
    try:
        base = baseline(env.world)
        assert run_harness(env) == 0
        yield written(env.world, base)
    finally:
        env.close()


def duplicates(result: Written) -> dict[str, int]:
    """Marker keys found more than once in the world."""
    return {key: n for key, n in Counter(result.keys()).items() if n > 1}


# Two kill points keep the suite reasonable (each costs a subprocess sync of the small world): one
# after a write the server answered (the ledger never heard of it), one just before a write.
@pytest.mark.parametrize(("kill_at", "mode"), [(6, "after"), (12, "before")])
def test_kill_during_apply_then_restart_ends_like_a_clean_run(
        clean_run: Written, make_e2e: Callable[..., E2E], kill_at: int, mode: str) -> None:
    # Arrange
    assert len(clean_run.keys()) + len(clean_run.links) >= 15, "the clean run writes too little to kill at 15"
    env = make_e2e("small")
    base = baseline(env.world)
    # Act
    killed = run_harness(env, kill_at=kill_at, mode=mode)
    interrupted = written(env.world, base)
    restarted = run_harness(env)
    final = written(env.world, base)
    # Assert
    assert killed == -signal.SIGKILL, "the child must have died at the kill point"
    assert len(interrupted.keys()) + len(interrupted.links) < len(clean_run.keys()) + len(clean_run.links)
    assert restarted == 0
    assert duplicates(final) == {}
    assert final.links == clean_run.links
    assert sorted(final.keys()) == sorted(clean_run.keys())
    assert final.counts == clean_run.counts
