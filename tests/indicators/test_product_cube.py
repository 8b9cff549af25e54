"""The region cube and the product cube (docs/decisions/0019-region-cube-and-product-cube.md), both engines.

A region question reads a cube without the product code; a question on products reads a product cube of
only the columns it needs, cut to its months when it gives them, whose figures and months held are those of
the whole cube.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from _customs_lines import Line, load_lines

from comercio.config import Settings
from comercio.indicators import engine as eng
from comercio.indicators.specs import Filters, Grouping
from comercio.warehouse import Warehouse, schema

MONTHS = [date(2024, m, 1) for m in range(1, 13)] + [date(2025, m, 1) for m in range(1, 7)]
LINES: list[Line] = [
    ("X", m.replace(day=3), None, dept, "producer_ubigeo", 10.0 * (i + 1) + k)
    for i, m in enumerate(MONTHS)
    for k, dept in enumerate(("15", "04", "13"))
]
CUT = (date(2024, 7, 1), date(2025, 3, 1))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return load_lines(tmp_path_factory.mktemp("product_cube"), LINES)


@pytest.fixture
def wh(home: Path, engine: str) -> Warehouse:
    return Warehouse(Settings(home=home, engine=engine), read_only=True)


def test_a_region_question_reads_no_product_code() -> None:
    spec = schema.CUSTOMS_LINES
    assert eng.needed_columns(spec, Grouping("department"), Filters()) == frozenset()
    assert "product" not in eng.cube_columns(spec)
    assert "region_basis" in eng.cube_columns(spec)  # the coverage derives from it
    basket = eng.needed_columns(spec, Grouping("natural_region"), Filters(basket="agro"))
    assert basket == {"department", "product", "sector"}  # sector: no such column, left out of the cube
    assert eng.cube_columns(spec, basket) == ("period", "department", "product")


def test_a_product_question_over_months_reads_only_them_with_the_same_figures(wh: Warehouse) -> None:
    question = (Grouping("product_group"), Filters(departments=("15",)))
    engine = wh.settings.engine
    whole = eng.series(wh, *question, engine=engine)
    cut = eng.series(wh, *question, start=CUT[0], end=CUT[1], engine=engine)
    inside = [r for r in whole.rows() if CUT[0] <= r["period"] <= CUT[1]]
    assert cut.rows() == inside and inside
    assert cut.periods == whole.periods == tuple(MONTHS)  # the months held: the dataset's, not the cut's
    extra = eng.needed_columns(schema.CUSTOMS_LINES, *question)
    c = eng.cube(wh, "customs_lines", "X", engine, extra=extra, months=CUT)
    assert set(c.table.column("period").to_pylist()) == {m for m in MONTHS if CUT[0] <= m <= CUT[1]}
    assert c.table.column_names == ["period", "department", "product", "value_usd"]


def test_a_region_cube_is_never_cut(wh: Warehouse) -> None:
    c = eng.cube(wh, "customs_lines", "X", wh.settings.engine, months=CUT)
    assert c.months is None and set(c.table.column("period").to_pylist()) == set(MONTHS)
