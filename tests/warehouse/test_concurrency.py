"""Readers never wait on writers; writers wait for each other, bounded and saying so.

A real second process holds the writer lock (an open ingest session, DuckDB write connection included)
while ``comercio warehouse status``, ``comercio validate`` and the API read the previous state; the same
process then commits a revision and the running server answers it at once; other writers wait with a
message, and give up after ``COMERCIO_WRITER_WAIT_S`` with a clear error naming no path and no process.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX file locks")

HOLDER = r"""
import sys
from pathlib import Path
from comercio.config import Settings
from comercio.ingest import ingest
from comercio.warehouse import Warehouse

wh = Warehouse(Settings(home=Path(sys.argv[1])))
with wh.catalog.session():
    print("locked", flush=True)
    sys.stdin.readline()
    ingest(wh, "bcrp", [Path(sys.argv[2])])
    print("committed", flush=True)
    sys.stdin.readline()
print("released", flush=True)
"""
CODE = "import sys; from comercio.cli import main; sys.argv[0] = 'comercio'; main()"
LIMA_DEC = "/api/v1/indicators?end=2022-12&window=month&grouping=department&comparison_years=0&size=100"


@dataclass
class Holder:
    proc: subprocess.Popen[str]

    def expect(self, word: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline() if self.proc.stdout else ""
            if line.strip() == word:
                return
            if not line and self.proc.poll() is not None:
                raise AssertionError(
                    f"the writer ended early: {self.proc.stderr.read() if self.proc.stderr else ''}"
                )
        raise AssertionError(f"the writer never said {word!r}")

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()


@pytest.fixture
def holder(home_copy: Path, modified_bcrp: Callable[..., Any]) -> Iterator[Holder]:
    path, _, _ = modified_bcrp(department="Lima", month="2022-12-01", delta="1.5")
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home_copy), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield Holder(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=60)


def _cli(home: Path, *args: str, wait_s: float | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMERCIO_HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1"}
    if wait_s is not None:
        env["COMERCIO_WRITER_WAIT_S"] = str(wait_s)
    return subprocess.run(
        [sys.executable, "-c", CODE, *args], env=env, capture_output=True, text=True, timeout=300
    )


def _clean(text: str, home: Path, pid: int) -> None:
    assert str(home) not in text and str(home.resolve()) not in text
    assert "PID" not in text and not re.search(rf"(?<!\d)(?<!\d\.){pid}(?!\.?\d)", text)  # not in a figure
    assert "Traceback" not in text and "Conflicting lock" not in text


def _lima(client: TestClient) -> float:
    rows = client.get(LIMA_DEC).json()["rows"]
    return float(next(r["value"] for r in rows if r["member"] == "15"))


def test_readers_read_the_last_commit_while_a_writer_holds_the_lock(
    home_copy: Path, holder: Holder, tmp_path: Path
) -> None:
    from comercio.config import Settings
    from comercio.server import create_app

    before_status = json.loads(_cli(home_copy, "warehouse", "status", "--format", "json").stdout)
    before_validate = json.loads(_cli(home_copy, "validate", "--format", "json").stdout)
    client = TestClient(create_app(Settings(home=home_copy, reports_dir=tmp_path), dashboard=False))
    lima_before = _lima(client)
    holder.expect("locked")
    pid = holder.proc.pid

    started = time.monotonic()
    status = _cli(home_copy, "warehouse", "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout) == before_status
    assert re.search(r"another comercio process is loading \(since \d\d:\d\d\)", status.stderr)
    validated = _cli(home_copy, "validate", "--format", "json")
    assert json.loads(validated.stdout) == before_validate, validated.stderr
    assert time.monotonic() - started < 120  # two CLI starts, no waiting on the writer
    for out in (status, validated):
        _clean(out.stdout + out.stderr, home_copy, pid)

    fresh = TestClient(create_app(Settings(home=home_copy, reports_dir=tmp_path), dashboard=False))
    for c in (client, fresh):  # cached and uncached alike answer the last committed state
        resp = c.get("/api/v1/datasets/bcrp_departments")
        assert resp.status_code == 200, resp.text
        assert [v["number"] for v in resp.json()["vintage_list"]] == [1]
        assert _lima(c) == pytest.approx(lima_before)

    holder.go()  # the writer commits a revision (Lima, 2022-12, +1.5 M US$) and keeps the lock
    holder.expect("committed")
    resp = client.get("/api/v1/datasets/bcrp_departments")
    assert [v["number"] for v in resp.json()["vintage_list"]] == [2]
    assert _lima(client) == pytest.approx(lima_before + float(Decimal("1.5") * 10**6), abs=0.01)
    holder.go()
    holder.expect("released")


def test_a_second_writer_waits_with_a_message_then_gives_up_clearly(
    home_copy: Path, holder: Holder, modified_bcrp: Callable[..., Any], tmp_path: Path
) -> None:
    holder.expect("locked")
    cusco, _, _ = modified_bcrp(department="Cusco", month="2022-11-01", delta="2")
    path = tmp_path / "second" / cusco.name
    path.parent.mkdir()
    shutil.copyfile(cusco, path)
    modified_bcrp(department="Lima", month="2022-12-01", delta="1.5")  # the holder's file again
    before = _cli(home_copy, "warehouse", "status", "--format", "json").stdout
    started = time.monotonic()
    refused = _cli(home_copy, "ingest", "bcrp", str(path), wait_s=2)
    assert refused.returncode == 2, refused.stderr  # refused as the user's to retry, not an internal error
    assert time.monotonic() - started >= 2
    assert re.search(r"another comercio process is loading \(since \d\d:\d\d\); waiting…", refused.stderr)
    out = refused.stdout + refused.stderr
    assert "another comercio process is still loading after 2 s of waiting; nothing was loaded" in out
    assert "COMERCIO_WRITER_WAIT_S" in out
    _clean(out, home_copy, holder.proc.pid)
    assert _cli(home_copy, "warehouse", "status", "--format", "json").stdout == before

    env = {**os.environ, "COMERCIO_HOME": str(home_copy), "COMERCIO_WRITER_WAIT_S": "120"}
    waiting = subprocess.Popen(
        [sys.executable, "-c", CODE, "ingest", "bcrp", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert waiting.stderr is not None
        line = waiting.stderr.readline()  # it says it waits, and waits
        assert "another comercio process is loading (since" in line and "waiting…" in line
        assert waiting.poll() is None
        holder.go()
        holder.expect("committed")
        holder.go()
        holder.expect("released")
        out, err = waiting.communicate(timeout=180)
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.communicate()
    assert waiting.returncode == 0, err
    assert "bcrp_departments/departments: loaded as new vintage 3" in out
