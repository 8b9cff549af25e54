"""Fixtures shared by the report tests: the built warehouse (official data: BCRP, SUNAT G1/F1/G6, WTO), read
only, and the sector study's facts on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from comercio.config import Settings
from comercio.indicators.sector import SectorFacts, sector_facts
from comercio.warehouse import Warehouse

THROUGH = "2025-04"


@pytest.fixture(autouse=True)
def _kept_facts_here(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Facts a report command keeps (:mod:`comercio.reports.kept`) go to this session's directory, not to the
    user's private cache."""
    from comercio.reports import kept

    folder = tmp_path_factory.getbasetemp() / "kept"
    folder.mkdir(exist_ok=True)
    monkeypatch.setattr(kept, "kept_file", lambda name: folder / name)


@pytest.fixture(scope="module")
def report_wh(built_home: Path) -> Warehouse:
    return Warehouse(Settings(home=built_home), read_only=True)


@pytest.fixture(scope="module")
def sf(report_wh: Warehouse) -> SectorFacts:
    return sector_facts(report_wh, "metalmecanica", THROUGH)
