"""Invariants of the indicators, checked by hypothesis on random monthly data."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comercio.indicators import measures, projection
from comercio.indicators.engine import Series
from comercio.indicators.specs import Filters, Grouping, Window, add_months

START = date(2019, 1, 1)
N_MONTHS = 48  # 2019-01 … 2022-12
values = st.floats(min_value=0.0, max_value=1e9, allow_nan=False, allow_infinity=False)


def _series(data: dict[str, list[float]]) -> Series:
    members, periods, vals = [], [], []
    for m, vs in data.items():
        for i, v in enumerate(vs):
            members.append(m)
            periods.append(add_months(START, i))
            vals.append(v)
    table = pa.table(
        {"member": pa.array(members, pa.string()), "period": pa.array(periods, pa.date32()), "value": vals}
    )
    months = tuple(add_months(START, i) for i in range(N_MONTHS))
    return Series(table, "test", ("test/v1",), False, months, Grouping("department"), Filters())


member_data = st.dictionaries(
    st.sampled_from(["01", "02", "03", "04", "05"]),
    st.lists(values, min_size=N_MONTHS, max_size=N_MONTHS),
    min_size=1,
)


@given(member_data)
@settings(max_examples=60, deadline=None)
def test_shares_sum_to_one_and_contributions_to_growth(data: dict[str, list[float]]) -> None:
    r = measures.compare(_series(data), Window.ytd("2022-07"))
    if r.total > 0:
        assert sum(row.share or 0.0 for row in r.rows) == pytest.approx(1.0, abs=1e-9)
    if r.total_previous:
        assert sum(row.contribution or 0.0 for row in r.rows) == pytest.approx(r.total_growth, abs=1e-9)


@given(member_data)
@settings(max_examples=40, deadline=None)
def test_ytd_december_and_rolling12_december_equal_the_year(data: dict[str, list[float]]) -> None:
    s = _series(data)
    year = measures.window_values(s, Window.year(2021))
    assert measures.window_values(s, Window.ytd("2021-12")) == pytest.approx(year)
    assert measures.window_values(s, Window.rolling12("2021-12")) == pytest.approx(year)


@given(st.lists(st.floats(min_value=1.0, max_value=1e9), min_size=N_MONTHS, max_size=N_MONTHS))
@settings(max_examples=40, deadline=None)
def test_growth_of_a_member_that_doubles_is_100_percent(base: list[float]) -> None:
    doubled = base[:36] + [2 * v for v in base[24:36]]
    r = measures.compare(_series({"01": doubled}), Window.ytd("2022-09"))
    assert r.row("01").growth == pytest.approx(1.0, abs=1e-12)  # type: ignore[union-attr]


def test_member_without_earlier_years_is_never_a_record() -> None:
    s = _series({"01": [0.0] * 0 + [1.0] * N_MONTHS})
    # keep only 2022 rows for member 02: no earlier year → never a record, however large
    extra = pa.table(
        {
            "member": pa.array(["02"] * 12, pa.string()),
            "period": pa.array([date(2022, m, 1) for m in range(1, 13)], pa.date32()),
            "value": [1e12] * 12,
        }
    )
    s2 = Series(pa.concat_tables([s.table, extra]), "t", (), False, s.periods, s.grouping, s.filters)
    recs = {r.member for r in measures.records(s2, Window.ytd("2022-11"))}
    assert "02" not in recs


def test_projection_of_a_flat_series_is_exact_and_backtest_is_zero() -> None:
    monthly = {add_months(START, i): 10.0 for i in range(N_MONTHS)}
    p = projection.project(monthly, 2022, 5)
    assert p.value == pytest.approx(120.0)
    assert projection.backtest(monthly, 5).mape == pytest.approx(0.0)
