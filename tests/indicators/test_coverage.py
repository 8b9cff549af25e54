"""Attribution coverage from hand-made lines: the share of value each basis places in a department, on each
engine; unattributed value stays in the total (decision 0017, point 6)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from _customs_lines import Line, load_lines

from comercio.config import Settings
from comercio.indicators import coverage as cov
from comercio.warehouse import Warehouse

JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)
LINES: list[Line] = [
    ("X", date(2025, 1, 5), date(2025, 1, 12), "15", "producer_ubigeo", 80.0),
    ("X", date(2025, 1, 6), date(2025, 1, 12), "99", "unattributed", 15.0),
    ("X", date(2025, 1, 7), date(2025, 1, 12), "04", "ruc_register", 5.0),
    ("X", date(2025, 2, 5), date(2025, 2, 9), "13", "producer_ubigeo", 99.0),
    ("X", date(2025, 2, 5), date(2025, 2, 9), "99", "unattributed", 1.0),
    ("M", date(2025, 1, 5), date(2025, 1, 12), "99", "unattributed", 500.0),
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return load_lines(tmp_path_factory.mktemp("coverage"), LINES)


@pytest.fixture
def wh(home: Path, engine: str) -> Warehouse:
    return Warehouse(Settings(home=home, engine=engine), read_only=True)


def test_share_by_basis_per_month(wh: Warehouse) -> None:
    by_month = cov.coverage(wh, "customs_lines", "X", wh.settings.engine)
    jan, feb = by_month[JAN], by_month[FEB]
    assert jan.total == 100.0 and jan.share == pytest.approx(0.85)
    assert jan.shares() == pytest.approx(
        {"producer_ubigeo": 0.80, "ruc_register": 0.05, "unattributed": 0.15}
    )
    assert jan.below_threshold
    assert feb.share == pytest.approx(0.99) and not feb.below_threshold


def test_a_window_weighs_months_by_value(wh: Warehouse) -> None:
    both = cov.window(cov.coverage(wh, "customs_lines", "X", wh.settings.engine), JAN, FEB)
    assert both.total == 200.0  # nothing dropped
    assert both.share == pytest.approx(184.0 / 200.0)
    assert both.unattributed == 16.0


def test_imports_and_datasets_without_departments(wh: Warehouse) -> None:
    assert cov.coverage(wh, "customs_lines", "M", wh.settings.engine)[JAN].share == 0.0
    assert cov.coverage(wh, "sunat_cuadros", "X") == {}
