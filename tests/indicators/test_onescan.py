"""The cold regional report's aggregations of the customs lines in one engine query (decision 0019, addendum),
on both engines.

:func:`onescan.prefetch` memoises the region cube, the maturity rows and the product cube of the report's
months from one union; each equals what its reader computes alone (three queries), the readers send nothing
more, and the regional facts are those of the three queries apart. With the vintages' aggregates nothing is
sent; when some files hold no file date the maturity keeps its own query.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from _customs_lines import line_table

from comercio.config import Settings
from comercio.indicators import assembled, onescan
from comercio.indicators import engine as eng
from comercio.indicators import maturity as mat
from comercio.indicators.regional import regional_facts
from comercio.indicators.specs import Filters, Grouping
from comercio.warehouse import FileRef, Provenance, Warehouse, schema

DATASET = "customs_lines"
THROUGH = date(2024, 6, 1)
MONTHS = (date(2023, 1, 1), THROUGH)  # the product sections' months (comparison window to the report's)
QUESTION = (Grouping("natural_region"), Filters(basket="agro"), MONTHS)
PRODUCTS = ("0806100000", "0709200000", "2603000000")  # grapes, asparagus (agro), copper ore


def _lines(first: date, last: date, *, weekly: bool = True) -> list[dict[str, Any]]:
    """Lines of every month from ``first`` to ``last``: three departments, two customs offices, three
    products, filed in the weekly file ending on the Sunday after a lag (none without ``weekly``)."""
    out: list[dict[str, Any]] = []
    month = first
    while month <= last:
        for day, lag in ((4, 5), (18, 12), (27, 30)):
            shipped = month.replace(day=day)
            filed = shipped + timedelta(days=lag)
            filed += timedelta(days=6 - filed.weekday())
            for k, dept in enumerate(("15", "04", "13")):
                unattributed = dept == "04" and month.year == 2024
                out.append(
                    {
                        "flow": "X",
                        "date": shipped,
                        "declaration": f"{month:%Y%m}-{day}-{k}-{weekly}",
                        "department": "99" if unattributed else dept,
                        "region_basis": "unattributed" if unattributed else "producer_ubigeo",
                        "customs_office": "118" if k else "235",
                        "product": PRODUCTS[(day + k) % 3],
                        "value_usd": 100.0 * (k + 1) + day + month.month / 8,
                        "file_date": filed if weekly else None,
                        "source": f"x{month:%Y%m}.zip" if weekly else "extract.csv",
                    }
                )
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def _load(home: Path, parts: dict[str, list[dict[str, Any]]]) -> Path:
    wh = Warehouse(Settings(home=home))
    for slice_, lines in parts.items():
        prov = Provenance("test", (FileRef(f"{slice_}.zip", "c" * 64),), "test/1")
        wh.load(DATASET, slice_, line_table(lines), prov)
    return home


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    weeks = {"2022": _lines(date(2022, 1, 1), date(2022, 12, 1))}
    weeks["2023"] = _lines(date(2023, 1, 1), date(2023, 12, 1))
    weeks["2024"] = _lines(date(2024, 1, 1), THROUGH)
    return _load(tmp_path_factory.mktemp("onescan"), weeks)


@pytest.fixture
def cold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line scanned: the vintages' aggregates written at load are not read (the bench's cold run)."""
    monkeypatch.setattr(assembled, "USE", False)


def counting(wh: Warehouse) -> list[Any]:
    """The engine queries ``wh`` sends from now on."""
    sent: list[Any] = []
    execute = wh.execute

    def counted(expr: Any, **kw: Any) -> pa.Table:
        sent.append(expr)
        return execute(expr, **kw)

    setattr(wh, "execute", counted)  # noqa: B010 - instance-level wrapper, the class stays untouched
    return sent


def cents(t: pa.Table) -> list[tuple[Any, ...]]:
    rows = t.to_pylist()
    return sorted(
        (tuple(round(v, 2) if isinstance(v, float) else v for v in r.values()) for r in rows), key=repr
    )


def test_one_query_memoises_what_each_reader_asks(home: Path, engine: str, cold: None) -> None:
    wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
    sent = counting(wh)
    onescan.prefetch(wh, engine, QUESTION)
    assert len(sent) == 1
    extra = eng.needed_columns(schema.CUSTOMS_LINES, *QUESTION[:2])
    got = (
        eng.cube(wh, DATASET, "X", engine),
        eng.cube(wh, DATASET, "X", engine, extra=extra, months=MONTHS),
        sorted(mat._rows(wh, "X", engine), key=repr),
        mat.maturity(wh, "X", engine),
    )
    assert len(sent) == 1  # every reader found its part

    apart = Warehouse(Settings(home=home, engine=engine), read_only=True)
    three = counting(apart)
    want = (
        eng.cube(apart, DATASET, "X", engine),
        eng.cube(apart, DATASET, "X", engine, extra=extra, months=MONTHS),
        sorted(mat._rows(apart, "X", engine), key=repr),
        mat.maturity(apart, "X", engine),
    )
    assert len(three) == 3
    for cube, reference in zip(got[:2], want[:2], strict=True):
        assert cube.table.schema == reference.table.schema
        assert cents(cube.table) == cents(reference.table) and cube.table.num_rows > 0
        assert (cube.periods, cube.months, cube.vintages) == (
            reference.periods,
            reference.months,
            reference.vintages,
        )
    assert got[1].months == MONTHS and "product" in got[1].table.column_names
    assert [(*r[:3], round(r[3], 2)) for r in got[2]] == [(*r[:3], round(r[3], 2)) for r in want[2]]
    assert got[3] == want[3] and any(m.basis == "measured" for m in got[3].values())


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_the_regional_facts_are_those_of_three_queries(
    home: Path, engine: str, cold: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh = Warehouse(Settings(home=home, engine=engine), read_only=True)
    sent = counting(wh)
    new = {f.id: (f.value, f.extra) for f in regional_facts(wh, THROUGH, engine=engine).facts}
    assert len(sent) == 1
    monkeypatch.setattr(onescan, "prefetch", lambda *a, **kw: None)
    apart = Warehouse(Settings(home=home, engine=engine), read_only=True)
    three = counting(apart)
    old = {f.id: (f.value, f.extra) for f in regional_facts(apart, THROUGH, engine=engine).facts}
    assert len(three) == 3
    assert new.keys() == old.keys() and "maturity.latest.completeness" in new and "agro.value" in new
    assert [k for k in new if not same(new[k], old[k])] == []


def test_with_the_vintages_aggregates_nothing_is_sent(home: Path) -> None:
    wh = Warehouse(Settings(home=home), read_only=True)
    sent = counting(wh)
    onescan.prefetch(wh, None, QUESTION)
    assert sent == []  # the region cube and the maturity come from the sidecars; the product cube as before


def test_files_without_a_file_date_keep_the_maturity_query_apart(tmp_path: Path, cold: None) -> None:
    weeks = {"2023": _lines(date(2023, 1, 1), date(2023, 12, 1)), "2024": _lines(date(2024, 1, 1), THROUGH)}
    weeks["extract"] = _lines(date(2022, 1, 1), date(2022, 12, 1), weekly=False)
    home = _load(tmp_path, weeks)
    wh = Warehouse(Settings(home=home), read_only=True)
    sent = counting(wh)
    onescan.prefetch(wh, None, QUESTION)
    assert len(sent) == 1 and wh.recall(mat.rows_key(wh, "X", None)) is None  # region and product cubes only
    months = mat.maturity(wh, "X", None)
    assert len(sent) == 3  # its rows over the weekly files, and the months the extract makes final
    apart = Warehouse(Settings(home=home), read_only=True)
    assert months == mat.maturity(apart, "X", None)
    assert months[date(2022, 6, 1)].basis == "final"
