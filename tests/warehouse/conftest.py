"""Fixtures for the warehouse tests: a writable copy of the built warehouse, snapshots, generated inputs."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from comercio.config import Settings
from comercio.warehouse import FileRef, Provenance, Warehouse

BCRP_FILE = "bcrp/exports_by_department_monthly_2005_2022.csv"


@pytest.fixture
def home_copy(built_home: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the warehouse built from the mirror."""
    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    return home


def _snapshot(home: Path) -> dict[str, Any]:
    """Every file under ``home`` (except the download cache) with its sha256, and every catalog row."""
    files = {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and "cache" not in p.relative_to(home).parts
    }
    vintages = [
        v.as_dict() for v in Warehouse(Settings(home=home), read_only=True).vintages(current_only=False)
    ]
    return {"files": files, "vintages": vintages}


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, Any]]:
    return _snapshot


@pytest.fixture
def modified_bcrp(shared_data: Path, tmp_path: Path) -> Callable[..., tuple[Path, Decimal, Decimal]]:
    """Write a copy of the real BCRP CSV with one department-month changed (and Total by the same amount).

    Returns the path, the published value and the new value (millions of US$, as in the file).
    """

    def make(
        department: str = "Lima", month: str = "2022-12-01", delta: str = "1.5"
    ) -> tuple[Path, Decimal, Decimal]:
        rows = list(csv.reader((shared_data / BCRP_FILE).open(encoding="utf-8", newline="")))
        col = rows[0].index(month)
        old = new = Decimal(0)
        for row in rows[1:]:
            if row[0] in (department, "Total"):
                before = Decimal(row[col])
                row[col] = str(before + Decimal(delta))
                if row[0] == department:
                    old, new = before, Decimal(row[col])
        out = tmp_path / "revised" / Path(BCRP_FILE).name
        out.parent.mkdir(exist_ok=True)
        with out.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(rows)
        return out, old, new

    return make


def national_table(months: int, *, start: date = date(2010, 1, 1), value: float = 1000.0) -> pa.Table:
    """A small generated ``bcrp_national`` table: one export row per month."""
    periods = [
        date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1)
        for i in range(months)
    ]
    return pa.table(
        {
            "flow": ["X"] * months,
            "period": pa.array(periods, pa.date32()),
            "value_usd": [value + i for i in range(months)],
            "value_basis": ["FOB"] * months,
            "source": ["generated.csv"] * months,
        }
    )


def provenance(tag: str, *, retrieved_at: str | None = "2026-01-02T03:04:05Z") -> Provenance:
    """A provenance for a made-up file ``<tag>.csv`` whose sha256 is derived from the tag."""
    sha = hashlib.sha256(tag.encode()).hexdigest()
    return Provenance("test", (FileRef(f"{tag}.csv", sha, retrieved_at=retrieved_at),), "test/1")


@pytest.fixture
def national() -> Callable[..., pa.Table]:
    return national_table


@pytest.fixture
def prov() -> Callable[..., Provenance]:
    return provenance


@pytest.fixture
def fresh_wh(tmp_path: Path) -> Warehouse:
    """An empty, writable warehouse in ``tmp_path``."""
    return Warehouse(Settings(home=tmp_path / "fresh"))


def run_cli(home: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real ``comercio`` entry point in a subprocess on ``home`` (wide terminal, no colour)."""
    env = {**os.environ, "COMERCIO_HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1"}
    code = "import sys; from comercio.cli import main; sys.argv[0] = 'comercio'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_cli
