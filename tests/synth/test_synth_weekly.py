"""Weekly twin: SUNAT's weekly files as they are published (names, 44/58 fields, numeric codes, lag, coverage,
masked exporters, corrections, deleted records), calibrated to BCRP / G1 / F1 once read back and corrected."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import hashlib
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from comercio.config import Settings
from comercio.sources import weekly
from comercio.sources.sunat_microdata import iter_microdata
from comercio.synth import _quirks
from comercio.synth._calibration import _key
from comercio.synth._targets import SECTORS
from comercio.synth._weekly_layout import EXPORT_WEEKLY, IMPORT_WEEKLY
from comercio.synth.weekly import REGIONS_FILE, WeeklyResult, generate_weekly, targets_from_warehouse
from comercio.warehouse import Warehouse

FIRST, LAST = dt.date(2022, 12, 5), dt.date(2023, 3, 26)  # months 2022-12 (BCRP) … 2023-03 (G1, F1)
EXPORT_NAMES_1A = (  # SUNAT_LAYOUTS.md §1a
    "CADU", "FANO", "NDCL", "NSER", "FNUM", "FEMB", "FREG", "REGIMEN", "NDOC", "DNOMBRE", "DNOMPRO",
    "DDIRPRO", "UBIGEO", "PART_NANDI", "CPAIDES", "CPUEDES", "CVIATRA", "CUNITRA", "CAGE", "CALM", "CEST",
    "CENTFIN", "DMAT", "NCON", "VFOBSERDOL", "VPESNET", "VPESBRU", "QUNIFIS", "TUNIFIS", "QUNICOM", "TUNICOM",
    "DCOM", "DMER2", "DMER3", "DMER4", "DMER5",
)  # fmt: skip
KEY = ("flow", "customs_office", "declaration", "series")


def _wh(home: Path) -> Warehouse:
    return Warehouse(Settings(home=home), read_only=True)


def _twin(home: Path, out: Path, first: dt.date, last: dt.date, rows: int, flows: str = "XM") -> WeeklyResult:
    targets, bcrp_months = targets_from_warehouse(_wh(home), first, last, flows)
    return generate_weekly(
        rows, 5, out, first=first, last=last, targets=targets, flows=flows, bcrp_months=bcrp_months
    )


def _read(files: tuple[Path, ...]) -> pa.Table:
    batches = [b for f in files for b in iter_microdata(f)]
    return pa.Table.from_batches(batches)


@pytest.fixture(scope="module")
def twin(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[WeeklyResult, pa.Table]:
    res = _twin(built_home, tmp_path_factory.mktemp("weekly"), FIRST, LAST, 40_000)
    return res, _read(res.files)


def _latest(lines: pa.Table) -> pa.Table:
    """The latest version of each declaration line (what the warehouse keeps after corrections)."""
    top = lines.group_by(list(KEY)).aggregate([("file_date", "max")])
    joined = lines.join(top, list(KEY))
    return joined.filter(pc.equal(joined["file_date"], joined["file_date_max"]))


def _cents(values: pa.ChunkedArray) -> np.ndarray:
    return np.rint(values.to_numpy() * 100).astype(np.int64)


def test_weekly_names_and_field_counts(twin: tuple[WeeklyResult, pa.Table]) -> None:
    res, _ = twin
    weeks = weekly.weeks(FIRST, LAST)
    names = sorted(p.name for p in res.files)
    assert names == sorted(weekly.file_name(f, a, b) for f in ("X", "M") for a, b in weeks)
    for path in res.files:
        named = weekly.parse(path.name)
        assert named is not None and named.kind == "week"
        with zipfile.ZipFile(path) as zf:
            (member,) = zf.namelist()
            head = zf.open(member).read(4096)
        count = (int.from_bytes(head[8:10], "little") - 33) // 32
        assert count == (44 if named.flow == "X" else 58), path.name
        fields = [head[32 + 32 * i : 32 + 32 * i + 11].split(b"\0")[0].decode() for i in range(count)]
        assert "SYNTH" in fields
        if named.flow == "X":
            assert set(EXPORT_NAMES_1A) <= set(fields)
            assert [f for f in fields if f not in EXPORT_NAMES_1A] == ["SYNTH"] + [
                f"RESERV{i}" for i in range(1, 8)
            ]
        else:
            assert "COMM" not in fields and {"PAIS_ADQUI", "FOB_DOLPOL", "FLE_DOLAR", "SEG_DOLAR"} <= set(
                fields
            )
    assert "DATOS SINTÉTICOS" in (res.files[0].parent / "LEEME_DATOS_SINTETICOS.txt").read_text(
        encoding="utf-8"
    )


def test_code_fields_are_numeric_and_lose_leading_zeros(twin: tuple[WeeklyResult, pa.Table]) -> None:
    res, lines = twin
    types = {f.name: f.type for f in (*EXPORT_WEEKLY, *IMPORT_WEEKLY)}
    for name in ("CADU", "CODI_ADUAN", "PART_NANDI", "UBIGEO", "NDCL", "NSER", "NUME_CORRE", "NUME_SERIE"):
        assert types[name] == "N", name
    assert types["CPAIDES"] == types["PAIS_ORIGE"] == types["PAIS_ADQUI"] == "C"
    # raw bytes of a chapter 01-09 export product: 9 digits, right-aligned (the leading zero is gone)
    path = next(p for p in res.files if p.name.startswith("x"))
    f = next(f for f in EXPORT_WEEKLY if f.name == "PART_NANDI")
    ub = next(f for f in EXPORT_WEEKLY if f.name == "UBIGEO")
    with zipfile.ZipFile(path) as zf:
        raw = zf.read(zf.namelist()[0])
    hlen, rlen = int.from_bytes(raw[8:10], "little"), int.from_bytes(raw[10:12], "little")
    recs = np.frombuffer(raw[hlen : hlen + rlen * ((len(raw) - hlen) // rlen)], np.uint8).reshape(-1, rlen)
    codes = {bytes(r[f.offset : f.offset + f.length]) for r in recs}
    assert any(c.startswith(b" ") and c.strip()[:1] != b"0" and len(c.strip()) == 9 for c in codes)
    ubigeos = {bytes(r[ub.offset : ub.offset + ub.length]).strip() for r in recs} - {b""}
    assert any(len(u) == 5 for u in ubigeos)  # departments 01-09: 010101 is stored as 10101
    assert set(lines["product"].to_pylist()) and all(len(p) == 10 for p in lines["product"].to_pylist())


def test_every_line_is_synthetic_and_countries_alpha2(twin: tuple[WeeklyResult, pa.Table]) -> None:
    _, lines = twin
    assert pc.all(lines["synthetic"]).as_py()
    imports = lines.filter(pc.equal(lines["flow"], "M"))
    acq, origin = imports["acquisition_country"].to_pylist(), imports["partner"].to_pylist()
    assert all(len(c) == 2 for c in acq + origin)
    differs = sum(a != o for a, o in zip(acq, origin, strict=True)) / len(acq)
    assert 0.05 < differs < 0.35
    assert {"CN", "US", "BR"} <= set(origin)
    assert set(imports["product"].to_pylist()) >= {"4011101000", "8429520000", "7308400000"}


def test_calibration_after_corrections(twin: tuple[WeeklyResult, pa.Table], built_home: Path) -> None:
    res, lines = twin
    latest = _latest(lines)
    targets, _ = targets_from_warehouse(_wh(built_home), FIRST, LAST)
    x = latest.filter(pc.equal(latest["flow"], "X"))
    got: dict[tuple[dt.date, str], int] = collections.Counter()
    for p, d, c in zip(
        x["period"].to_pylist(), x["department"].to_pylist(), _cents(x["value_usd"]), strict=True
    ):
        got[(p, d)] += int(c)
    want: dict[tuple[dt.date, str], int] = collections.Counter()
    for p, d, _, c in targets.exports:
        want[(p, d)] += c
    dec = dt.date(2022, 12, 1)
    assert res.flows["X"].unpublished_cents.get(dec, 0) == 0
    assert {k: v for k, v in got.items() if k[0] == dec} == {k: v for k, v in want.items() if k[0] == dec}
    assert "99" in {d for p, d in got if p == dec}  # BCRP's "No registrado": lines without UBIGEO
    for flow, summary in res.flows.items():
        part = latest.filter(pc.equal(latest["flow"], flow))
        month: dict[dt.date, int] = collections.Counter()
        for p, c in zip(part["period"].to_pylist(), _cents(part["value_usd"]), strict=True):
            month[p] += int(c)
        for p, target in summary.target_cents.items():
            assert month[p] + summary.unpublished_cents.get(p, 0) == target, (flow, p)
        assert summary.unpublished_cents[dt.date(2023, 3, 1)] > 0  # the last month is preliminary
        assert summary.unpublished_cents.get(dt.date(2023, 1, 1), 0) == 0
    # G1 month totals after BCRP, F1 CIF totals (cents)
    g1 = {p: sum(c for q, _, _, c in targets.exports if q == p) for p in res.flows["X"].target_cents}
    assert res.flows["X"].target_cents == g1
    f1 = {p: sum(c for q, _, c in targets.imports if q == p) for p in res.flows["M"].target_cents}
    assert res.flows["M"].target_cents == f1
    cif = latest.filter(pc.equal(latest["flow"], "M"))
    parts = pc.add(pc.add(cif["fob_usd"], cif["freight_usd"]), cif["insurance_usd"])
    assert np.allclose(parts.to_numpy(), cif["cif_usd"].to_numpy(), atol=0.005)


def test_g1_and_f1_month_totals_match_the_cuadros(built_home: Path) -> None:
    wh = _wh(built_home)
    t = wh.table("sunat_cuadros", "duckdb")
    t = t.filter((t.level == 0) & t.table.isin(["G1", "F1"]))
    rows = wh.execute(t.select("table", "period", "value_usd"), engine="duckdb").to_pylist()
    published = {(r["table"], r["period"]): round(r["value_usd"] * 100) for r in rows}
    targets, _ = targets_from_warehouse(wh, dt.date(2023, 1, 2), dt.date(2023, 2, 26))
    for month in (dt.date(2023, 1, 1), dt.date(2023, 2, 1)):
        assert sum(c for p, _, _, c in targets.exports if p == month) == published[("G1", month)]
        assert sum(c for p, _, c in targets.imports if p == month) == published[("F1", month)]


def test_g1_sectors_are_raked_into_the_department_cells(built_home: Path) -> None:
    """Department totals exact, G1 level-2 sectors matched to rounding (rescaled to the month's total)."""
    wh = _wh(built_home)
    t = wh.table("sunat_cuadros", "duckdb")
    t = t.filter((t.table == "G1") & (t.level == 2))
    rows = wh.execute(t.select("period", "path", "value_usd"), engine="duckdb").to_pylist()
    targets, _ = targets_from_warehouse(wh, dt.date(2022, 7, 4), dt.date(2023, 2, 26), "X")
    for month in (dt.date(2022, 8, 1), dt.date(2023, 1, 1)):
        g1 = {_key(r["path"].split(" > ")[-1]): r["value_usd"] for r in rows if r["period"] == month}
        got: dict[str, int] = collections.Counter()
        for p, _, sector, cents in targets.exports:
            if p == month:
                got[sector] += cents
        total = sum(got.values())
        scale = total / sum(g1.get(s, 0.0) for s in SECTORS)
        for sector in SECTORS:
            assert abs(got[sector] - g1.get(sector, 0.0) * scale) <= 1e-6 * total, (month, sector)
        assert {"minero", "agropecuario", "textil", "pesquero tradicional"} <= {
            s for s, v in got.items() if v
        }


def test_regularisation_lag_spills_into_later_weeks(twin: tuple[WeeklyResult, pa.Table]) -> None:
    lag = _quirks.lag_days(np.random.default_rng(0), 200_000)
    assert abs(np.median(lag) - 11) <= 1 and abs(np.quantile(lag, 0.9) - 24) <= 1
    assert abs(np.quantile(lag, 0.99) - 30) <= 1.5
    _, lines = twin
    jan = lines.filter(pc.equal(lines["period"], dt.date(2023, 1, 1)))
    days = pc.subtract(
        jan["file_date"].cast(pa.int32()), jan["date"].cast(pa.int32())
    ).to_numpy()  # to the end of the week the line was published in
    assert days.min() >= 0 and 11 <= np.median(days) <= 18
    assert (np.array(jan["file_date"].to_pylist()) >= dt.date(2023, 2, 1)).mean() > 0.1


def test_corrections_reappear_later_with_another_value(twin: tuple[WeeklyResult, pa.Table]) -> None:
    res, lines = twin
    t = lines.group_by(list(KEY)).aggregate(
        [
            ("file_date", "min"),
            ("file_date", "max"),
            ("value_usd", "min"),
            ("value_usd", "max"),
            ("flow", "count"),
        ]
    )
    again = t.filter(pc.greater(t["flow_count"], 1))
    assert again.num_rows == sum(s.corrections for s in res.flows.values())
    share = again.num_rows / lines.num_rows
    assert 0.002 < share < 0.01
    assert pc.all(pc.greater(again["file_date_max"], again["file_date_min"])).as_py()
    assert pc.all(pc.not_equal(again["value_usd_min"], again["value_usd_max"])).as_py()


def test_masked_exporters_and_regions(twin: tuple[WeeklyResult, pa.Table]) -> None:
    res, lines = twin
    latest = _latest(lines)
    x = latest.filter(pc.equal(latest["flow"], "X"))
    masked = x["trader_masked"].to_numpy(zero_copy_only=False)
    assert 0.02 < masked.mean() < 0.04
    values = x["value_usd"].to_numpy()
    assert np.median(values[masked]) < np.median(values[~masked])
    with (res.files[0].parent / REGIONS_FILE).open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["trader_id", "department", "basis"]
        regions = {r["trader_id"]: r for r in reader}
    assert {r["basis"] for r in regions.values()} == {"synthetic_register"}
    unmasked = x.filter(pc.invert(x["trader_masked"]))
    traders = set(unmasked["trader_id"].to_pylist())
    assert traders <= set(regions)
    assert not set(x.filter(x["trader_masked"])["trader_id"].to_pylist()) & set(regions)
    pairs = {
        (t, d)
        for t, d in zip(unmasked["trader_id"].to_pylist(), unmasked["department"].to_pylist(), strict=True)
        if d != "99"
    }
    agree = np.mean([regions[t]["department"] == d for t, d in pairs])
    assert 0.35 < agree < 0.7


def test_ubigeo_coverage_by_year(built_home: Path, tmp_path: Path) -> None:
    """Share of FOB with a producer UBIGEO: 100 % in 2023-2024, 58.9 % in 2025, 2.3 % in 2026."""
    for year, want, tol in ((2024, 1.0, 0.0), (2025, 0.589, 0.03), (2026, 0.023, 0.02)):
        res = _twin(built_home, tmp_path / str(year), dt.date(year, 1, 5), dt.date(year, 4, 30), 12_000, "X")
        lines = _latest(_read(res.files))
        lines = lines.filter(pc.equal(pc.year(lines["period"]), year))
        value = lines["value_usd"].to_numpy()
        covered = value[np.array(lines["region_basis"].to_pylist()) != "unattributed"].sum() / value.sum()
        assert abs(covered - want) <= tol, (year, covered)


def test_same_seed_same_bytes(built_home: Path, tmp_path: Path) -> None:
    def run(out: Path, seed: int) -> list[str]:
        targets, bcrp = targets_from_warehouse(_wh(built_home), dt.date(2023, 5, 1), dt.date(2023, 6, 11))
        res = generate_weekly(
            3_000,
            seed,
            out,
            first=dt.date(2023, 5, 1),
            last=dt.date(2023, 6, 11),
            targets=targets,
            bcrp_months=bcrp,
        )
        files = [*res.files, out / REGIONS_FILE]
        return [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]

    assert run(tmp_path / "a", 1) == run(tmp_path / "b", 1) != run(tmp_path / "c", 2)


def test_deleted_records_are_flagged(twin: tuple[WeeklyResult, pa.Table]) -> None:
    res, lines = twin
    flagged = 0
    for path in res.files:
        with zipfile.ZipFile(path) as zf:
            raw = zf.read(zf.namelist()[0])
        hlen, rlen = int.from_bytes(raw[8:10], "little"), int.from_bytes(raw[10:12], "little")
        flagged += raw[hlen:-1][::rlen].count(b"*")
    assert flagged == sum(s.deleted for s in res.flows.values()) > 0
    assert lines.num_rows == sum(s.records for s in res.flows.values())


def _cli(argv: list[str]) -> int:
    import comercio.cli as cli

    try:
        cli.main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def test_cli_writes_the_weekly_twin(
    built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COMERCIO_HOME", str(built_home))
    out = tmp_path / "w"
    argv = ["synth", "--weeks", "2023-05-01:2023-05-28", "--rows", "2000", "--flow", "m", "--out", str(out)]
    assert _cli(argv) == 0
    captured = capsys.readouterr()
    text = captured.out
    assert "datos sintéticos: 2,000 lines in 4 weekly files" in text and "not yet published" in text
    assert captured.err == ""  # no progress bar when not on a terminal
    assert "exports" not in text and sorted(p.name[:2] for p in out.glob("*.zip")) == ["ma"] * 4
    assert not (out / REGIONS_FILE).exists()  # imports only: no exporters


@pytest.mark.parametrize(
    ("weeks", "extra", "piece"),
    [
        ("2023-05-01", [], "--weeks"),
        ("2023-05-28:2023-05-01", [], "before it starts"),
        ("2023-05-01:2023-05-28", ["--format", "parquet"], "--format"),
        ("2022-01-03:2025-11-30", [], "calibration cells"),
    ],
)
def test_cli_bad_weeks_is_one_clear_line(
    built_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    weeks: str,
    extra: list[str],
    piece: str,
) -> None:
    monkeypatch.setenv("COMERCIO_HOME", str(built_home))
    argv = ["synth", "--weeks", weeks, "--rows", "2000", "--out", str(tmp_path / "w"), *extra]
    assert _cli(argv) == 2
    err = capsys.readouterr().err
    assert piece in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.slow
def test_a_million_lines_in_bounded_memory(built_home: Path, tmp_path: Path) -> None:
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    res = _twin(built_home, tmp_path, dt.date(2023, 1, 2), dt.date(2024, 12, 29), 1_000_000)
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert res.rows == 1_000_000 and growth_mb < 1024, f"peak RSS grew {growth_mb:.0f} MB"
    assert len(res.files) == 2 * len(weekly.weeks(dt.date(2023, 1, 2), dt.date(2024, 12, 29)))


def test_metalworking_exports_spread_over_several_products(twin: tuple[WeeklyResult, pa.Table]) -> None:
    """The metalworking basket (HS 73, 82-90) is exported as several HS6, none above 60 % of its value."""
    _, lines = twin
    x = lines.filter(pc.equal(lines["flow"], "X"))
    chapter = pc.utf8_slice_codeunits(x["hs6"], 0, 2)
    basket = x.filter(pc.is_in(chapter, pa.array(["73", *map(str, range(82, 91))])))
    by = basket.group_by("hs6").aggregate([("value_usd", "sum")])
    shares = by["value_usd_sum"].to_numpy() / by["value_usd_sum"].to_numpy().sum()
    assert by.num_rows >= 6 and shares.max() < 0.6
