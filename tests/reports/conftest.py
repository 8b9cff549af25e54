"""Fixtures shared by the report tests: the built warehouse with a synthetic BACI release (sector study)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from comercio.config import Settings
from comercio.indicators.sector import SectorFacts, sector_facts
from comercio.ingest import ingest
from comercio.synth.baci import generate_baci
from comercio.warehouse import Warehouse

THROUGH = "2025-04"


@pytest.fixture(scope="module")
def report_wh(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    home = tmp_path_factory.mktemp("sector_report") / "home"
    shutil.copytree(built_home, home)
    zip_path = generate_baci(home.parent / "baci", years=range(2001, 2025), rows_per_year=3_000, seed=5)
    wh = Warehouse(Settings(home=home))
    ingest(wh, "baci", [zip_path])
    return wh


@pytest.fixture(scope="module")
def sf(report_wh: Warehouse) -> SectorFacts:
    return sector_facts(report_wh, "metalmecanica", THROUGH)
