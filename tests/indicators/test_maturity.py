"""Month maturity from hand-made lines: the measured lag CDF, the published fallback, final extracts and a
preliminary month, on each engine (decision 0017, point 5)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from _customs_lines import Line, load_lines

from comercio.config import Settings
from comercio.indicators import maturity as mat
from comercio.warehouse import Warehouse

AS_OF = date(2024, 6, 30)


def _lines() -> list[Line]:
    out: list[Line] = []
    # Jan-Apr (settled at the cut-off): on the 10th, 60 arrive after 5 days, 30 after 20, 10 after 40
    for m in range(1, 5):
        day = date(2024, m, 10)
        for lag, v in ((5, 60.0), (20, 30.0), (40, 10.0)):
            out.append(("X", day, day + timedelta(days=lag), "15", "producer_ubigeo", v))
    out.append(("X", date(2024, 5, 20), date(2024, 5, 26), "15", "producer_ubigeo", 50.0))
    out.append(("X", date(2024, 6, 20), AS_OF, "15", "producer_ubigeo", 50.0))  # sets the cut-off
    out.append(("X", date(2023, 12, 5), None, "15", "producer_ubigeo", 70.0))  # a monthly extract
    # imports: two young months only, so the published lag answers
    out.append(("M", date(2024, 5, 3), date(2024, 5, 12), "99", "unattributed", 10.0))
    out.append(("M", date(2024, 6, 3), AS_OF, "99", "unattributed", 10.0))
    return out


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return load_lines(tmp_path_factory.mktemp("maturity"), _lines())


@pytest.fixture
def wh(home: Path, engine: str) -> Warehouse:
    return Warehouse(Settings(home=home, engine=engine), read_only=True)


def test_measured_lag_cdf_by_value(wh: Warehouse) -> None:
    x = mat.maturity(wh, "X", wh.settings.engine)
    assert sorted(x) == [date(2023, 12, 1)] + [date(2024, m, 1) for m in range(1, 7)]
    june, may = x[date(2024, 6, 1)], x[date(2024, 5, 1)]
    assert (june.basis, june.months_measured, june.as_of, june.age_days) == ("measured", 4, AS_OF, 0)
    # F = 0 below 5 days, 0.6 to 19, 0.9 to 39, 1 from 40: June aged 0 averages F(0..29) = 18/30
    assert june.completeness == pytest.approx(0.6)
    assert june.preliminary
    # May aged 30 averages F(30..60): ten days at 0.9, twenty-one at 1
    assert may.completeness == pytest.approx(30.0 / 31)
    assert may.preliminary and may.age_days == 30
    april = x[date(2024, 4, 1)]
    assert april.completeness == 1.0 and not april.preliminary
    assert mat.preliminary_months(wh, "X", wh.settings.engine) == [date(2024, 5, 1), date(2024, 6, 1)]


def test_a_month_from_an_extract_is_final(wh: Warehouse) -> None:
    dec = mat.maturity(wh, "X", wh.settings.engine)[date(2023, 12, 1)]
    assert (dec.basis, dec.completeness, dec.preliminary) == ("final", 1.0, False)


def test_published_lag_before_three_settled_months(wh: Warehouse) -> None:
    m = mat.maturity(wh, "M", wh.settings.engine)
    june = m[date(2024, 6, 1)]
    assert (june.basis, june.months_measured) == ("published", 0)
    # linear through (0, 0), (11, .5), (24, .9), (30, .99): F(0..29) sums to 3 + 9.3 + 4.725
    assert june.completeness == pytest.approx(17.025 / 30)
    assert june.preliminary


def test_published_lag_is_mature_a_month_after_month_end() -> None:
    june = date(2024, 6, 1)
    assert mat.expected(june, date(2024, 7, 31), mat.PUBLISHED_CDF) >= mat.MATURE  # aged 31 days
    assert mat.expected(june, date(2024, 7, 20), mat.PUBLISHED_CDF) < mat.MATURE  # aged 20 days
    assert mat.PUBLISHED_CDF(11) == 0.5 and mat.PUBLISHED_CDF(24) == 0.9 and mat.PUBLISHED_CDF(99) == 1.0


def test_no_lines_no_maturity(tmp_path: Path) -> None:
    assert mat.maturity(Warehouse(Settings(home=tmp_path), read_only=True), "X") == {}
