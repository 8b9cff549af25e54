"""The query bench part at a tiny size: every query runs in its own process and is reported; the bounds show
their messages; targets and the section come out of a result. Times are never asserted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from comercio.bench import PARTS, _query
from comercio.bench._suite import BenchConfig, load_part

ROWS = 20_000


def test_the_part_is_registered() -> None:
    assert "query" in PARTS and PARTS.index("query") > PARTS.index("latency")
    assert load_part("query") is _query


@pytest.fixture(scope="module")
def section(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, Any]:
    mp = pytest.MonkeyPatch()
    mp.setenv("COMERCIO_SHARED_DATA", str(shared_data))
    mp.setenv("COMERCIO_MIRROR", str(shared_data))
    work = tmp_path_factory.mktemp("bench-query")
    config = BenchConfig(sizes=(ROWS,), repeats=1, quick=True, work=work)
    try:
        return _query.run(config, work, work / "jobs", lambda _: None)
    finally:
        mp.undo()


def test_published_tables_answer_from_the_right_dataset(section: dict[str, Any]) -> None:
    cuadro = section["cuadro"]
    assert list(cuadro) == list(_query.QUICK["cuadro"])
    arequipa, chile = cuadro["arequipa_year"], cuadro["chile_month"]
    assert (arequipa["dataset"], arequipa["rows"], arequipa["periods"]) == ("bcrp_departments", 18, 18)
    assert (chile["dataset"], chile["rows"]) == ("sunat_destinations", 28)
    for r in cuadro.values():
        assert not r["synthetic"] and r["engine"] == "duckdb"
        assert len(r["uncached"]["times_s"]) == 1 and len(r["warm"]["times_s"]) == 1
        assert r["uncached"]["cpu_s"] > 0
        assert 0 < r["startup_s"] < r["to_first_answer_s"] and r["first_s"] > 0 and r["peak_rss_mib"] > 0


def test_customs_lines_are_synthetic_and_bounded(section: dict[str, Any]) -> None:
    (entry,) = section["lines"]
    assert entry["rows"] == ROWS and list(entry["queries"]) == list(_query.QUICK["lines"])
    office = entry["queries"]["office_in_department"]
    assert office["dataset"] == "customs_lines" and office["synthetic"] and office["rows"] >= 1
    bounds = entry["bounds"]
    assert bounds["max_rows"] == _query.QUICK_DEMO_ROWS < bounds["default_max_rows"]
    refused = bounds["rows_bound"]
    assert refused["refused"] and "field 'by'" in refused["message"]
    assert f"more than {_query.QUICK_DEMO_ROWS} rows" in refused["message"] and "/" not in refused["message"]
    timed = bounds["time_bound"]
    assert (
        timed["refused"] or timed["rows"] > _query.QUICK_DEMO_ROWS
    )  # interrupted, or the whole cut answered


def test_targets_and_section_of_the_tiny_run(section: dict[str, Any]) -> None:
    rows = _query.targets(section)
    assert [t["status"] in ("pass", "miss") for t in rows] == [True, False, False]
    assert {(t["status"], t["where"]) for t in rows[1:]} == {("not measured", "10⁸ lines not measured")}
    text = "\n".join(_query.render(section))
    assert text.startswith("### Query latency")
    assert (
        "| cuadros | mirror | Arequipa by year 2005–2022, value and share | `bcrp_departments`, 18 rows |"
        in text
    )
    assert f"| customs lines | {ROWS // 1000} 000 | Arequipa (04) by customs office, 2021 |" in text
    assert "`customs_lines`, synthetic" in text and "row bound (lowered to 100 rows" in text


def _timed(dataset: str, uncached: float, **more: Any) -> dict[str, Any]:
    return {"dataset": dataset, "rows": 4, "periods": 1, "partial": [],
            "synthetic": dataset == "customs_lines", "startup_s": 1.5, "to_first_answer_s": 3.2,
            "first_s": 1.7, "uncached": {"median_s": uncached}, "warm": {"median_s": 0.01},
            **more}  # fmt: skip


def test_targets_read_the_slowest_query_and_the_largest_size() -> None:
    section: dict[str, Any] = {
        "repeats": 3,
        "cuadro": {"arequipa_year": _timed("bcrp_departments", 0.21),
                   "sectors_year": _timed("sunat_cuadros", 0.35, partial=["2025"])},
        "lines": [
            {"rows": 10**6, "queries": {"partner_month": _timed("customs_lines", 0.5)},
             "bounds": {"error": "x"}},
            {"rows": 10**8, "queries": {"office_in_department": _timed("customs_lines", 1.8),
                                        "partner_month": {"error": "benchmark job failed"}},
             "bounds": {"max_rows": 10_000, "default_max_rows": 5_000_000, "timeout_s": 0.5,
                        "default_timeout_s": 15.0,
                        "rows_bound": {"refused": True, "s": 0.4, "message": "field 'by': too many"},
                        "time_bound": {"refused": False, "s": 4.3, "rows": 56748}}},
        ],
    }  # fmt: skip
    cuadro, lines, warm = _query.targets(section)
    assert (cuadro["status"], cuadro["value"], cuadro["miss_factor"]) == ("miss", 0.35, 1.17)
    assert cuadro["where"].startswith("sectors_year;")
    assert (lines["status"], lines["value"], lines["where"]) == (
        "not measured",
        None,
        "failed: partner_month",
    )
    assert warm == {**lines, "target": warm["target"]} and "cube built" in warm["target"]
    text = "\n".join(_query.render(section))
    assert "`sunat_cuadros`, 4 rows (2025 partial)" in text and "**0.350** | – | 0.010 | 0.3 |" in text
    assert (
        "| customs lines | 100 000 000 | every partner by month, 2021 | failed: benchmark job failed |"
        in text
    )
    assert "refused after 0.40 s: «field 'by': too many»" in text
    assert "answered in 4.30 s, 56 748 rows, **over the bound**." in text
    assert "1 000 000 lines: the bounds could not be shown: x." in text
    del section["lines"][1]["queries"]["partner_month"]
    _, lines, warm = _query.targets(section)
    assert (lines["status"], lines["value"], warm["status"], warm["value"]) == ("pass", 1.8, "pass", 0.01)
    assert lines["where"].startswith("office_in_department; new connection")
