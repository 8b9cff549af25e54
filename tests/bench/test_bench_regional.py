"""The regional bench's hand-written SQL computing comercio's aggregations (``duckdb-sql-full``).

On a hand-made warehouse of a few hundred lines: the full SQL gives the headline figures of ``duckdb-sql``
and comercio, and its checks of the coverage, maturity rows and product rows equal those read from a cold
comercio run (its memoised rows of the report's product months: the same months). The agreement reports a
differing check, and compares checks only among the systems that give them. No time is asserted.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from comercio.bench._regional import FULL, HEADLINE, run_system
from comercio.bench._regional_full import CHECKS, product_months
from comercio.bench._regional_part import agreement
from comercio.config import Settings
from comercio.indicators import assembled
from comercio.warehouse import FileRef, Provenance, Warehouse, schema

THROUGH = date(2022, 6, 1)
DEPARTMENTS = ("15", "04", "13", "99")  # Lima, Arequipa, La Libertad, none (unattributed)
PRODUCTS = ("0806100000", "0709200000", "2603000000")  # grapes, asparagus (agro), copper ore


def _lines() -> pa.Table:
    """Export lines of every month from 2019 to ``THROUGH``, filed in the weekly file after a lag."""
    spec, rows = schema.CUSTOMS_LINES, []
    month = date(2019, 1, 1)
    while month <= THROUGH:
        for day, lag in ((3, 4), (16, 11), (28, 25)):
            shipped = month.replace(day=day)
            filed = shipped + timedelta(days=lag)
            for k, dept in enumerate(DEPARTMENTS):
                rows.append(
                    {
                        "flow": "X",
                        "date": shipped,
                        "period": month,
                        "declaration": f"{month:%Y%m}-{day}-{k}",
                        "series": 1,
                        "department": dept,
                        "region_basis": "unattributed" if dept == "99" else "producer_ubigeo",
                        "customs_office": ("118", "235")[(day + k) % 2],
                        "partner": "US",
                        "product": PRODUCTS[(day + k) % 3],
                        "value_usd": 1000.0 * (k + 1) + day * month.month + month.year % 7,
                        "file_date": filed + timedelta(days=6 - filed.weekday()),
                        "source": f"x{month:%Y%m}.zip",
                        "synthetic": True,
                    }
                )
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return pa.Table.from_pylist([{c: r.get(c) for c in spec.columns} for r in rows], schema=spec.schema)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("regional-full")
    prov = Provenance("test", (FileRef("lines.zip", "d" * 64),), "test/1", synthetic=True)
    Warehouse(Settings(home=home)).load("customs_lines", "synthetic", _lines(), prov)
    return home


def _run(system: str, home: Path) -> dict[str, Any]:
    files = [str(p) for p in Warehouse(Settings(home=home)).files("customs_lines")]
    job = {"system": system, "home": str(home), "files": files, "through": THROUGH.isoformat(), "repeats": 1}
    return run_system(job)


def test_the_full_sql_computes_what_comercio_computes(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assembled, "USE", assembled.USE)  # the comercio system sets it (cold): restored after
    results = {name: _run(name, home) for name in ("comercio-duckdb", "duckdb-sql", FULL)}
    ok, diffs = agreement(results)
    assert ok, diffs
    assert "checks" not in results["duckdb-sql"]
    full, comercio = results[FULL]["checks"], results["comercio-duckdb"]["checks"]
    assert set(full) == set(comercio) == set(CHECKS)
    assert set(results[FULL]["figures"]) == set(HEADLINE)
    first, last = product_months(THROUGH)
    assert (first, last) == (date(2021, 1, 1), THROUGH)  # January a year earlier to the report's month
    assert comercio["products.months"] == full["products.months"] == "2021-01-01..2022-06-01"
    lines = _lines().to_pylist()
    cells = {(r["period"], r["department"], r["product"]) for r in lines if first <= r["period"] <= last}
    assert full["products.rows"] == len(cells)
    assert full["maturity.rows"] == 42 * 3 and full["maturity.as_of"] is not None
    assert 0 < full["coverage.window.share"] < 1 and full["coverage.window.basis.top"] == "producer_ubigeo"


def test_a_differing_check_is_reported_only_among_systems_that_give_checks() -> None:
    figures = dict.fromkeys(HEADLINE, 1.0)
    checks = dict.fromkeys(CHECKS, 2.0) | {"products.months": "2021-01-01..2022-06-01"}
    same = {"a": {"figures": figures, "checks": checks}, "b": {"figures": figures}}
    assert agreement(same | {"c": {"figures": figures, "checks": checks | {"maturity.value": 2.0 + 1e-9}}})[0]
    ok, diffs = agreement(same | {"c": {"figures": figures, "checks": checks | {"maturity.rows": 3}}})
    assert not ok and diffs == ["maturity.rows: a=2.0 c=3"]
    ok, diffs = agreement(same | {"c": {"figures": figures, "checks": checks | {"products.months": "x"}}})
    assert not ok and diffs[0].startswith("products.months")
