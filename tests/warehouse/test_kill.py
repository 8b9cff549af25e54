"""Loads killed with SIGKILL: the warehouse answers exactly as before, and the next load cleans up.

The writer is a real separate process (``sys.executable``) loading a large generated table slowly, so the
kill lands while Parquet files are being written, not before or after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from comercio.config import Settings
from comercio.ingest import ingest
from comercio.validate import validate
from comercio.warehouse import Provenance, Warehouse
from comercio.warehouse.status import notes

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

SLOW_WRITER = r"""
import sys, time
from datetime import date
from pathlib import Path
import pyarrow as pa
from comercio.config import Settings
from comercio.warehouse import FileRef, Provenance, Warehouse

def batches():
    for i in range(100_000):
        n = 20_000
        yield pa.record_batch({
            "flow": pa.array(["X"] * n),
            "period": pa.array([date(2000 + i % 20, 1 + i % 12, 1)] * n, pa.date32()),
            "value_usd": pa.array([float(i)] * n),
            "value_basis": pa.array(["FOB"] * n),
            "source": pa.array(["huge.csv"] * n),
        })
        time.sleep(0.01)

wh = Warehouse(Settings(home=Path(sys.argv[1])))
prov = Provenance("test", (FileRef("huge.csv", "f" * 64),), "test/1")
wh.load("bcrp_national", "national", batches(), prov)
print("finished")
"""


def _answer(home: Path) -> dict[str, Any]:
    """What a fresh reader sees: current vintages and the figures a query returns."""
    wh = Warehouse(Settings(home=home), read_only=True)
    out: dict[str, Any] = {"current": [v.as_dict() for v in wh.vintages()]}
    for name in wh.datasets():
        t = wh.table(name, "duckdb")
        agg = {"n": t.count()}
        if "value_usd" in t.columns:
            agg["v"] = t.value_usd.sum()
        out[name] = wh.execute(t.aggregate(**agg), engine="duckdb").to_pylist()
    return out


def _wait_for(predicate: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            raise AssertionError(f"the writer ended before the kill: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the writer never started writing")
        time.sleep(0.02)


def test_sigkill_while_writing_changes_nothing_and_next_load_cleans_up(
    fresh_wh: Warehouse, national: Callable[..., pa.Table], prov: Callable[..., Provenance]
) -> None:
    fresh_wh.load("bcrp_national", "national", national(24), prov("first"))
    home = fresh_wh.home
    before_vintages = fresh_wh.vintages(current_only=False)
    before = _answer(home)
    base = fresh_wh.settings.data_dir / "bcrp_national"

    def writing() -> bool:
        return any(p.stat().st_size > 0 for p in base.glob(".tmp-*/part-*.parquet"))

    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(home)],
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(writing, proc)
        time.sleep(0.3)  # well inside the write: several batches in
        assert _answer(home) == before, "a reader during the load sees exactly the old state"
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    orphans = list(base.glob(".tmp-*"))
    assert orphans, "the killed load left its temporary directory (nothing removed it)"
    [note] = notes(Warehouse(Settings(home=home), read_only=True))  # `comercio warehouse status` shows it
    assert note.startswith(f"orphaned temporaries of interrupted runs: {len(orphans)} (")
    assert Warehouse(Settings(home=home), read_only=True).vintages(current_only=False) == before_vintages
    assert _answer(home) == before

    nxt = Warehouse(Settings(home=home)).load(
        "bcrp_national", "national", national(24, value=2000.0), prov("second")
    )
    assert nxt.vintage.number == 2
    assert not any(p.exists() for p in orphans)
    assert not list(base.glob(".tmp-*"))
    assert sorted(p.name for p in (base / "national").iterdir()) == ["v1", "v2"]


def test_directory_renamed_but_never_recorded_is_replaced(
    fresh_wh: Warehouse, national: Callable[..., pa.Table], prov: Callable[..., Provenance]
) -> None:
    """A kill between the rename and the catalog commit leaves ``v2`` on disk but unrecorded."""
    fresh_wh.load("bcrp_national", "national", national(3), prov("a"))
    stray = fresh_wh.settings.data_dir / "bcrp_national" / "national" / "v2"
    stray.mkdir()
    (stray / "part-00000.parquet").write_bytes(b"half a file")
    assert [v.number for v in fresh_wh.vintages()] == [1]
    t = fresh_wh.table("bcrp_national", "duckdb")
    assert fresh_wh.execute(t.aggregate(n=t.count()), engine="duckdb").to_pylist() == [{"n": 3}]

    result = fresh_wh.load("bcrp_national", "national", national(5), prov("b"))
    assert result.vintage.number == 2
    assert sorted(p.name for p in stray.iterdir()) == ["part-00000.parquet"]
    t = fresh_wh.table("bcrp_national", "duckdb")
    assert fresh_wh.execute(t.aggregate(n=t.count()), engine="duckdb").to_pylist() == [{"n": 5}]


def test_killed_cli_ingest_leaves_a_consistent_warehouse(
    home_copy: Path, modified_bcrp: Callable[..., Any]
) -> None:
    """`comercio ingest bcrp` killed at the first sign of writing: every answer is a whole vintage."""
    path, _, _ = modified_bcrp()
    data = home_copy / "data"
    env = {**os.environ, "COMERCIO_HOME": str(home_copy)}
    code = "import sys; from comercio.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "ingest", "bcrp", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if list(data.glob("bcrp_*/.tmp-*")) or list(data.glob("bcrp_*/departments/v2")):
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.001)
    proc.wait(timeout=30)

    wh = Warehouse(Settings(home=home_copy))
    for name in ("bcrp_departments", "bcrp_department_totals"):
        [v] = wh.vintages(name)  # one current vintage, whole: its files hold exactly what was recorded
        t = wh.table(name, "duckdb")
        got = wh.execute(t.aggregate(n=t.count(), s=t.value_usd.sum()), engine="duckdb").to_pylist()[0]
        assert got["n"] == v.rows and got["s"] == pytest.approx(v.value_total)
    assert [v.number for v in wh.vintages("ref_departments", current_only=False)] == [1]

    # Whatever the kill interrupted, running the ingest again completes it.
    report = ingest(wh, "bcrp", [path])
    assert {r.dataset for r in report.results} == {"bcrp_departments", "bcrp_department_totals"}
    assert [v.number for v in wh.vintages() if v.dataset.startswith("bcrp")] == [2, 2]
    [bcrp_check] = [c for c in validate(wh) if c.name.startswith("bcrp: departments")]
    assert bcrp_check.ok
