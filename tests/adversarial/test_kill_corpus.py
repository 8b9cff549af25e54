"""Real ``comercio ingest`` runs killed with SIGKILL at random points, on a copy of the corpus's warehouse.

After every kill: each current vintage's files hold exactly the rows and value the catalog records, every
file of the previous state is still there byte for byte, and running the same ingest again completes it
and leaves no temporary file behind. (tests/warehouse/test_kill.py kills one BCRP ingest at the first
sign of writing; this kills four sources' ingests anywhere from start-up to commit.)
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import corpus_edit as E
import pytest
from corpus_harness import Base, cli

pytestmark = [
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"),
    pytest.mark.xdist_group("corpus"),
    pytest.mark.slow,
]
CODE = "import sys; from comercio.cli import main; sys.argv[0] = 'comercio'; main()"
KILLS_PER_SOURCE = 3


def _revised_bcrp(b: Base, d: Path) -> Path:
    """The BCRP file with Lima and the Total raised by the same amount in one month (a real revision)."""

    def edit(rows: list[str]) -> list[str]:
        col = E.column_index(rows[0], "2020-03-01")
        out = []
        for r in rows:
            cells = r.split(",")
            if cells[0] in ("Lima", "Total"):
                cells[col] = str(float(cells[col]) + 0.5)
            out.append(",".join(cells))
        return out

    return E.csv_edit(b["bcrp"], d / b["bcrp"].name, edit)


def _full_g1(b: Base, d: Path) -> Path:
    from corpus_harness import shared_data_dir

    return E.copy(shared_data_dir() / "sunat/cuadros/cdro_G1.xlsx", d / "cdro_G1.xlsx")


REVISIONS: dict[str, tuple[str, Callable[[Base, Path], Path]]] = {
    "bcrp": ("bcrp", _revised_bcrp),
    "cuadros": ("sunat-cuadros", _full_g1),
    "microdata": ("sunat-microdata", lambda b, d: E.copy(b["micro_feb"], d / b["micro_feb"].name)),
    "infotrade": ("infotrade", lambda b, d: E.copy(b["infotrade"], d / "infotrade_2025.csv")),
}


def _files(home: Path) -> dict[str, str]:
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((home / "data").rglob("*"))
        if p.is_file()
    }


def _consistent(home: Path) -> None:
    """Every current vintage's Parquet files hold exactly the rows the catalog records (no half load)."""
    import pyarrow.parquet as pq

    from comercio.config import Settings
    from comercio.warehouse import Warehouse

    wh = Warehouse(Settings(home=home), read_only=True)
    for v in wh.vintages():
        files = sorted(wh.vintage_dir(v).glob("*.parquet"))
        table = pq.ParquetDataset(files).read() if files else None
        rows = table.num_rows if table is not None else 0
        assert rows == v.rows, (v.dataset, v.slice, rows, v.rows)


@pytest.mark.parametrize("kind", sorted(REVISIONS))
def test_sigkill_at_random_points_of_a_real_ingest(
    kind: str, corpus_base: Base, corpus_baseline: Path, tmp_path: Path
) -> None:
    source, make = REVISIONS[kind]
    rng = random.Random(f"kill-{kind}")
    for attempt in range(KILLS_PER_SOURCE):
        work = tmp_path / str(attempt)
        home = work / "home"
        shutil.copytree(corpus_baseline, home)
        path = make(corpus_base, work / "in")
        before = _files(home)
        env = {**os.environ, "COMERCIO_HOME": str(home)}
        proc = subprocess.Popen(
            [sys.executable, "-c", CODE, "ingest", source, str(path)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 4.0))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)

        _consistent(home)
        after = _files(home)
        assert {k: after.get(k) for k in before} == before  # the previous state is intact
        run = cli(["ingest", source, str(path)], home=home, cwd=work)
        assert run.code == 0 and run.crash is None, run.err
        _consistent(home)
        leftovers = [p for p in (home / "data").rglob("*") if ".tmp" in p.name or p.name.endswith(".part")]
        assert not leftovers, leftovers
