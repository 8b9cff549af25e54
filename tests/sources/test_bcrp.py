"""BCRP departmental exports: the real wide CSV against BCRP's published totals, the API JSON, errors."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from comercio.errors import ParseError
from comercio.sources.bcrp import BcrpResult, parse_bcrp_national, read_bcrp
from comercio.warehouse.schema import BCRP_DEPARTMENTS, BCRP_NATIONAL

BCRP_CSV = "bcrp/exports_by_department_monthly_2005_2022.csv"
API_PREFIX = "Exportaciones por Departamento (Valores FOB en millones US$) - "
SPANISH = ["Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Set", "Oct", "Nov", "Dic"]


@pytest.fixture(scope="module")
def bcrp_csv(shared_file: Callable[[str], Path]) -> Path:
    return shared_file(BCRP_CSV)


@pytest.fixture(scope="module")
def result(bcrp_csv: Path) -> BcrpResult:
    return read_bcrp(bcrp_csv)


def year_sum_millions(table: pa.Table, year: int, department: str | None = None) -> float:
    mask = pc.equal(pc.year(table["period"]), year)
    if department is not None:
        mask = pc.and_(mask, pc.equal(table["department"], department))
    return pc.sum(table.filter(mask)["value_usd"]).as_py() / 1e6


def test_published_totals_and_lima(result: BcrpResult) -> None:
    assert year_sum_millions(result.totals, 2021) == pytest.approx(63_114.1, abs=0.05)
    assert year_sum_millions(result.totals, 2022) == pytest.approx(66_167.1, abs=0.05)
    assert year_sum_millions(result.records, 2022, "15") == pytest.approx(15_031.0, abs=0.05)


def test_departments_months_and_schema(result: BcrpResult) -> None:
    departments = set(result.records["department"].to_pylist())
    assert departments == {f"{n:02d}" for n in range(1, 26)} | {"99"}
    assert result.totals.num_rows == 216
    assert len(set(result.records["period"].to_pylist())) == 216
    assert result.records.num_rows == 216 * 26
    assert result.records.schema == BCRP_DEPARTMENTS.schema
    assert set(result.records["region_basis"].to_pylist()) == {"source_table"}
    assert set(result.records["source"].to_pylist()) == {Path(BCRP_CSV).name}


def test_every_month_reconciles_with_total(result: BcrpResult) -> None:
    assert result.checks.num_rows == 216
    assert result.all_ok
    assert max(abs(d) for d in result.checks["difference_usd"].to_pylist()) <= 1.0


def test_values_are_millions_times_a_million(bcrp_csv: Path, result: BcrpResult) -> None:
    with bcrp_csv.open(encoding="utf-8") as handle:
        rows = {r[0]: r for r in csv.reader(handle)}
    header = rows["department"]
    column = header.index("2010-07-01")
    expected = float(rows["Ica"][column]) * 1e6
    got = result.records.filter(
        pc.and_(
            pc.equal(result.records["department"], "11"), pc.equal(result.records["period"], date(2010, 7, 1))
        )
    )["value_usd"].to_pylist()
    assert got == [pytest.approx(expected, rel=1e-12)]


def api_payload(series: dict[str, list[str]], months: list[str]) -> dict[str, object]:
    """A BCRPData API payload: ``config.series[].name`` and ``periods[].values`` one per series."""
    labels = list(series)
    periods = []
    for i, month in enumerate(months):
        year, mon = int(month[:4]), int(month[5:7])
        periods.append({"name": f"{SPANISH[mon - 1]}.{year}", "values": [series[s][i] for s in labels]})
    return {
        "config": {
            "title": "Exportaciones",
            "series": [{"name": API_PREFIX + s, "dec": "2"} for s in labels],
        },
        "periods": periods,
    }


def test_api_json_gives_same_records_as_csv(bcrp_csv: Path, result: BcrpResult, tmp_path: Path) -> None:
    with bcrp_csv.open(encoding="utf-8") as handle:
        rows = {r[0]: r for r in csv.reader(handle)}
    header = rows["department"]
    picked = ["Amazonas", "Lima", "Madre De Dios", "No Registrado", "Callao", "Total"]
    first, last = header.index("2021-06-01"), header.index("2022-09-01") + 1  # includes a "Set." month
    months = header[first:last]
    payload = api_payload({name: rows[name][first:last] for name in picked}, months)
    path = tmp_path / "RD38085BM.json"
    path.write_text(json.dumps(payload), encoding="utf-8")

    from_json = read_bcrp(path)

    wanted = pa.array(["01", "15", "17", "99", "07"])
    period_set = pa.array([date.fromisoformat(m) for m in months], pa.date32())
    expected = result.records.filter(
        pc.and_(
            pc.is_in(result.records["department"], wanted), pc.is_in(result.records["period"], period_set)
        )
    )
    assert from_json.records.drop_columns(["source"]).equals(expected.drop_columns(["source"]))
    assert from_json.totals.num_rows == len(months)
    assert set(from_json.records["source"].to_pylist()) == {"RD38085BM.json"}
    assert not from_json.all_ok  # only 5 of 26 series: their sum cannot reach the Total


def test_api_nd_is_missing_not_zero(tmp_path: Path) -> None:
    payload = api_payload({"Tacna": ["1.5", "n.d."], "Total": ["1.5", "n.d."]}, ["2022-11-01", "2022-12-01"])
    path = tmp_path / "tacna.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    got = read_bcrp(path)
    assert got.records["period"].to_pylist() == [date(2022, 11, 1)]
    assert got.records["value_usd"].to_pylist() == [1_500_000.0]
    assert got.all_ok


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


HEADER = ["department", "2022-01-01", "2022-02-01"]


@pytest.mark.parametrize(
    ("rows", "row", "column", "reason"),
    [
        ([HEADER, ["Tacna", "1.0", "uno"]], 2, "2022-02-01", "'uno' is not a number"),
        ([HEADER, ["Atlantida", "1.0", "2.0"]], 2, "department", "unknown department label 'Atlantida'"),
        ([HEADER, ["Tacna", "1.0", "2.0"], ["TACNA", "1.0", "2.0"]], 3, "department", "duplicated series"),
        ([["department", "2022-01-01", "Febrero"], ["Tacna", "1", "2"]], 1, "Febrero", "is not a date"),
        ([["department", "2022-01-15"], ["Tacna", "1"]], 1, "2022-01-15", "not the first day"),
    ],
)
def test_csv_errors_name_file_row_column(
    tmp_path: Path, rows: list[list[str]], row: int, column: str, reason: str
) -> None:
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(ParseError) as caught:
        read_bcrp(path)
    error = caught.value
    assert (error.file, error.row, error.column) == ("bad.csv", row, column)
    assert reason in error.reason
    assert "bad.csv" in str(error) and f"row {row}" in str(error)


def test_json_error_names_series_and_month(tmp_path: Path) -> None:
    payload = api_payload({"Tacna": ["1.0", "x1"], "Puno": ["1.0", "2.0"]}, ["2022-01-01", "2022-02-01"])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        read_bcrp(path)
    assert (caught.value.file, caught.value.record, caught.value.column) == ("bad.json", 1, "Feb.2022")
    assert "Tacna" in caught.value.reason


def test_json_bad_period_name(tmp_path: Path) -> None:
    payload = api_payload({"Tacna": ["1.0"]}, ["2022-01-01"])
    payload["periods"][0]["name"] = "Foo.2022"  # type: ignore[index]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(ParseError, match=r"Foo\.2022"):
        read_bcrp(path)


def test_mismatching_total_is_flagged(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [HEADER, ["Tacna", "1.0", "2.0"], ["Total", "1.0", "2.5"]])
    checks = read_bcrp(path).checks
    assert checks["ok"].to_pylist() == [True, False]
    assert checks["difference_usd"].to_pylist()[1] == pytest.approx(-500_000.0)


def test_national_exports_and_imports(tmp_path: Path) -> None:
    prefix = "Balanza comercial - valores FOB (millones US$) - "
    names = ["Exportaciones", "Exportaciones - Productos tradicionales", "Importaciones", "Balanza Comercial"]
    payload = {
        "config": {"series": [{"name": prefix + n, "dec": "2"} for n in names]},
        "periods": [
            {"name": "May.2026", "values": ["8906.35", "6500.10", "5737.45", "3168.90"]},
            {"name": "Jun.2026", "values": ["9001.00", "n.d.", "n.d.", "n.d."]},
        ],
    }
    path = tmp_path / "PN38714BM.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    table = parse_bcrp_national(path)
    assert table.schema == BCRP_NATIONAL.schema
    rows = {(r["flow"], r["period"]): r["value_usd"] for r in table.to_pylist()}
    assert rows == {
        ("X", date(2026, 5, 1)): pytest.approx(8_906_350_000.0),
        ("X", date(2026, 6, 1)): pytest.approx(9_001_000_000.0),
        ("M", date(2026, 5, 1)): pytest.approx(5_737_450_000.0),
    }
    assert set(table["value_basis"].to_pylist()) == {"FOB"}


def test_national_without_flow_series_fails(tmp_path: Path) -> None:
    payload = {
        "config": {"series": [{"name": "Balanza Comercial"}]},
        "periods": [{"name": "Ene.2026", "values": ["1"]}],
    }
    path = tmp_path / "balance.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(ParseError, match="no series named"):
        parse_bcrp_national(path)


# --- faults only the BCRP reader can see (issue 16) ----------------------------------------------------


def ingest_read(path: Path) -> None:
    from comercio.config import Settings
    from comercio.sources.bcrp import READER
    from comercio.sources.protocol import ReadOptions

    READER.read(path, ReadOptions(Settings(home=path.parent / "home")))


def test_file_cut_short_is_refused(bcrp_csv: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.csv"
    cut.write_text("".join(bcrp_csv.read_text(encoding="utf-8").splitlines(keepends=True)[:25]), "utf-8")
    with pytest.raises(ParseError) as caught:
        ingest_read(cut)
    assert caught.value.file == "cut.csv" and caught.value.column == "department"
    assert "incomplete file" in caught.value.reason
    for missing in ("Tumbes", "Total", "Ucayali"):
        assert missing in caught.value.reason
    ingest_read(bcrp_csv)  # the whole file passes


def test_a_month_without_total_is_refused(bcrp_csv: Path, tmp_path: Path) -> None:
    lines = bcrp_csv.read_text(encoding="utf-8").splitlines()
    cells = [line.split(",") for line in lines]
    total = next(c for c in cells if c[0] == "Total")
    total[5] = "n.d."
    path = write_csv(tmp_path / "no_total.csv", cells)
    with pytest.raises(ParseError) as caught:
        ingest_read(path)
    assert "no Total figure" in caught.value.reason and caught.value.column == "2005-05-01"


@pytest.mark.parametrize("month", ["1800-01-01", "2099-12-01", "1989-12-01"])
def test_months_outside_the_plausible_span(tmp_path: Path, month: str) -> None:
    path = write_csv(tmp_path / "span.csv", [["department", "2022-01-01", month], ["Tacna", "1", "2"]])
    with pytest.raises(ParseError) as caught:
        read_bcrp(path)
    assert (caught.value.row, caught.value.column) == (1, month)
    assert "outside the plausible span 1990-01" in caught.value.reason


def test_api_month_outside_the_plausible_span(tmp_path: Path) -> None:
    payload = api_payload({"Tacna": ["1.0"]}, ["2099-12-01"])
    path = tmp_path / "late.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(ParseError, match="2099-12 is outside the plausible span") as caught:
        read_bcrp(path)
    assert caught.value.record == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (bytes(range(256)) * 4, "NUL bytes"),
        ("department,2022-01-01\nTacna,1\n".encode("utf-16"), "UTF-16"),
        (b"department,2022-01-01,2022-01-01\nTacna,1,2\n", "column '2022-01-01' appears twice"),
    ],
)
def test_not_a_text_csv_or_repeated_column(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ParseError, match=reason) as caught:
        read_bcrp(path)
    assert caught.value.file == "bad.csv"


def test_directory_or_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="is a directory"):
        read_bcrp(tmp_path)
    with pytest.raises(ParseError, match="no such file"):
        read_bcrp(tmp_path / "absent.csv")


@pytest.mark.parametrize(
    ("value", "reason"),
    [("-1.5", "negative exports -1.5"), ("1e300", "is implausible"), ("1e308", "is implausible")],
)
def test_impossible_values(tmp_path: Path, value: str, reason: str) -> None:
    path = write_csv(tmp_path / "v.csv", [HEADER, ["Tacna", "1.0", value], ["Total", "1.0", "2.0"]])
    with pytest.raises(ParseError, match=reason) as caught:
        read_bcrp(path)
    assert (caught.value.file, caught.value.row, caught.value.column) == ("v.csv", 2, "2022-02-01")


def test_months_to_come_without_figures_are_accepted(tmp_path: Path) -> None:
    """BCRPData answers a request running to December with empty months: they carry nothing, so they pass."""
    later = date.today().replace(day=1).replace(year=date.today().year + 1).isoformat()
    payload = api_payload({"Tacna": ["1.0", "n.d."], "Total": ["1.0", "n.d."]}, ["2022-01-01", later])
    path = tmp_path / "to_come.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    assert read_bcrp(path).records.num_rows == 1
    csv_path = write_csv(tmp_path / "to_come.csv", [["department", "2022-01-01", later], ["Tacna", "1", ""]])
    assert read_bcrp(csv_path).records.num_rows == 1
