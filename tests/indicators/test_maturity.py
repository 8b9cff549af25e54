"""Month maturity from hand-made lines: the measured lag CDF, the published fallback, final extracts and a
preliminary month, on each engine (decision 0017, point 5)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from _customs_lines import Line, load_lines

from comercio.config import Settings
from comercio.indicators import engine as eng
from comercio.indicators import maturity as mat
from comercio.warehouse import Holding, Warehouse

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


# -- which files the aggregation reads (footer statistics of file_date) ----------------------------------
MONTHLY: list[Line] = [  # extracts without a week: their months are final
    ("X", date(2023, 12, 5), None, "15", "producer_ubigeo", 70.0),
    ("X", date(2024, 5, 7), None, "15", "producer_ubigeo", 5.0),  # a month the weekly files hold too
    ("M", date(2024, 2, 9), None, "99", "unattributed", 3.0),
]


def _mixed(home: Path) -> Path:
    """Weekly twin files (exports, imports), a monthly extract, and a later weekly file correcting lines
    of both: a weekly one (new value and file date) and the extract's December line (now weekly)."""
    weekly = [line for line in _lines() if line[2] is not None]
    load_lines(home, [x for x in weekly if x[0] == "X"], slice_="x-w1", source="x1.zip")
    load_lines(home, [x for x in weekly if x[0] == "M"], slice_="m-w1", source="m1.zip", first=50)
    load_lines(home, MONTHLY, slice_="monthly", source="monthly.zip", first=100)
    fixes: list[Line] = [
        ("X", date(2024, 2, 10), date(2024, 3, 20), "15", "producer_ubigeo", 45.0),  # declaration 4
        ("X", date(2023, 12, 5), date(2024, 1, 8), "15", "producer_ubigeo", 70.0),  # declaration 100
    ]
    load_lines(home, fixes[:1], slice_="x-w2", source="x2.zip", first=4)
    return load_lines(home, fixes[1:], slice_="x-w3", source="x3.zip", first=100)


def _full_scan(home: Path, engine: str, flow: str, monkeypatch: pytest.MonkeyPatch) -> dict[date, object]:
    """Maturity as before the footer statistics: every file read by the aggregation (``flow`` is never
    null, so every file 'may hold' it) and none left to the distinct."""
    with monkeypatch.context() as m:
        m.setattr(mat, "WEEKLY", Holding("flow"))
        m.setattr(mat, "OTHER", Holding("flow", non_null=False))
        return dict(mat.maturity(Warehouse(Settings(home=home, engine=engine), read_only=True), flow, engine))


def _counting(wh: Warehouse, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    queries: list[object] = []
    run = wh.execute

    def execute(expr: object, **kw: object) -> object:
        queries.append(expr)
        return run(expr, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(wh, "execute", execute)
    return queries


def test_without_weekly_lines_maturity_scans_no_line(
    tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = load_lines(tmp_path, MONTHLY, slice_="monthly", source="monthly.zip")
    wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
    assert wh.files(mat.DATASET, mat.WEEKLY) == []
    eng.cube(wh, mat.DATASET, "X", engine)  # the region cube: the report's, computed first
    queries = _counting(wh, monkeypatch)
    x = mat.maturity(wh, "X", engine)
    assert queries == []
    assert x == _full_scan(home, engine, "X", monkeypatch)
    assert sorted(x) == [date(2023, 12, 1), date(2024, 5, 1)]
    assert all((m.basis, m.as_of, m.completeness) == ("final", None, 1.0) for m in x.values())


def test_a_mixed_warehouse_with_corrections_gives_the_full_scan_figures(
    tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _mixed(tmp_path)
    wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
    weekly = wh.files(mat.DATASET, mat.WEEKLY)
    assert len(weekly) == 4 and len(wh.files(mat.DATASET, mat.OTHER)) == 1
    for flow in ("X", "M"):
        eng.cube(wh, mat.DATASET, flow, engine)
    queries = _counting(wh, monkeypatch)
    x, m = mat.maturity(wh, "X", engine), mat.maturity(wh, "M", engine)
    assert len(queries) == 4  # per flow: the weekly files' aggregation, the extract's distinct months
    assert x == _full_scan(home, engine, "X", monkeypatch)
    assert m == _full_scan(home, engine, "M", monkeypatch)
    # December's extract line was corrected by a weekly file: no longer final; May is (the extract's line)
    assert x[date(2023, 12, 1)].basis == "measured" and x[date(2024, 5, 1)].basis == "final"
    assert m[date(2024, 2, 1)].basis == "final" and m[date(2024, 6, 1)].basis == "published"
