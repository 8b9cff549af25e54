"""The cluster tests end every process they start, grandchildren included, also when the test fails."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from _cluster import process_group


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_failing_test_still_ends_the_whole_process_group(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    script = f"sleep 300 & echo $! > {pids}; echo $$ >> {pids}; wait"  # a grandchild, like a forked JVM
    with (
        pytest.raises(RuntimeError, match="the test failed"),
        process_group(["bash", "-c", script], dict(os.environ), tmp_path / "log"),
    ):
        for _ in range(100):
            if pids.exists() and len(pids.read_text().split()) == 2:
                break
            time.sleep(0.05)
        raise RuntimeError("the test failed")
    started = [int(p) for p in pids.read_text().split()]
    assert started and not any(_alive(p) for p in started)
