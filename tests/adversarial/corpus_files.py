"""Corpus cases for the archive and binary readers: SUNAT microdata (DBF zips, Parquet), CEPII BACI
(zip of CSVs), WTO (Parquet) and the department boundaries (GeoJSON)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import corpus_edit as E
from corpus_harness import ROWISH, Base, Case
from corpus_tables import generic

M = "sunat-microdata"
DbfEdit = Callable[[E.Dbf], bytes | None]


def _dbf(
    fault: str,
    edit: DbfEdit,
    *,
    args: tuple[str, ...] = (),
    expect: str = "refuse",
    where: tuple[str, ...] = (),
) -> Case:
    fid, what = fault.split(": ", 1)

    def make(b: Base, d: Path) -> list[Path]:
        return [E.dbf_edit(b["micro_jan"], d / b["micro_jan"].name, edit)]

    return Case(f"micro-{fid}", M, what, make, args, expect, where)


def _set(field: str, text: str, records: range | None = None) -> DbfEdit:
    def edit(dbf: E.Dbf) -> None:
        for i in records if records is not None else range(3, 4):
            dbf.set(i, field, text)

    return edit


def _all(field: str, text: str) -> DbfEdit:
    return lambda dbf: _set(field, text, range(dbf.count))(dbf)


def _delete_all(dbf: E.Dbf) -> None:
    for i in range(dbf.count):
        dbf.delete(i)


def _zip_of(name: str, members: Callable[[Base], dict[str, bytes]]) -> Callable[[Base, Path], list[Path]]:
    return lambda b, d: [E.write_zip(d / name, members(b))]


def microdata() -> list[Case]:
    where = ("VFOBSERDOL", *ROWISH)
    cases = [
        _dbf("nan: NaN FOB", _set("VFOBSERDOL", "nan"), where=where),
        _dbf("inf: inf FOB", _set("VFOBSERDOL", "inf"), where=where),
        _dbf("1e308: FOB of 1e308", _set("VFOBSERDOL", "1e308"), where=where),
        _dbf("negative: a negative FOB", _set("VFOBSERDOL", "-1500.00"), where=where),
        _dbf("text: text in the FOB field", _set("VFOBSERDOL", "abc"), where=where),
        _dbf(
            "nan-quarantine: NaN FOB with --quarantine",
            _set("VFOBSERDOL", "nan"),
            args=("--quarantine",),
            expect="quarantine",
        ),
        _dbf(
            "inf-quarantine: inf FOB with --quarantine",
            _set("VFOBSERDOL", "inf"),
            args=("--quarantine",),
            expect="quarantine",
        ),
        _dbf(
            "all-quarantined: every line bad, with --quarantine",
            _all("VFOBSERDOL", "abc"),
            args=("--quarantine",),
        ),
        _dbf("date-2999: a line dated 2999-12-31 in a January file", _set("FEMB", "29991231"), where=ROWISH),
        _dbf("date-1800: a line dated 1800-01-01", _set("FEMB", "18000101"), where=ROWISH),
        _dbf("date-0001: a line dated 0001-01-01", _set("FNUM", "00010101"), where=ROWISH),
        _dbf("date-outside: a December 2021 line in a January file", _set("FNUM", "20211215"), where=ROWISH),
        _dbf(
            "count-short: the header announces fewer records than present",
            lambda dbf: dbf.set_count(dbf.count - 10),
        ),
        _dbf(
            "count-long: the header announces more records than present",
            lambda dbf: dbf.set_count(dbf.count + 10),
        ),
        _dbf("all-deleted: every record deleted", _delete_all),
        _dbf("header-only: a DBF with no records", lambda dbf: dbf.header_only()),
        _dbf("nul-records: 20 000 NUL records", lambda dbf: dbf.nul_records(20_000)),
        _dbf(
            "nul-records-quarantine: 20 000 NUL records with --quarantine",
            lambda dbf: dbf.nul_records(20_000),
            args=("--quarantine",),
        ),
        _dbf("dup-record: a record twice", lambda dbf: dbf.duplicate(3)),
        Case(
            "micro-bad-crc",
            M,
            "zip member with a wrong CRC-32",
            lambda b, d: [E.bad_crc(b["micro_jan"], d / b["micro_jan"].name)],
        ),
        Case(
            "micro-no-dbf",
            M,
            "a zip without a DBF",
            _zip_of("x202101.zip", lambda b: {"LEEME.txt": b"hola\n"}),
        ),
        Case(
            "micro-two-dbf",
            M,
            "a zip with two DBF files",
            _zip_of(
                "x202101.zip",
                lambda b: {
                    **E.zip_members(b["micro_jan"]),
                    "x202101b.dbf": E.zip_members(b["micro_jan"])["x202101.dbf"],
                },
            ),
        ),
        Case(
            "micro-copy-no-leeme",
            M,
            "a synthetic zip copied without its LEEME file",
            lambda b, d: [E.copy(b["micro_feb"], d / b["micro_feb"].name)],
            expect="synthetic",
        ),
        Case(
            "micro-parquet-corrupt",
            M,
            "a corrupt Parquet file",
            lambda b, d: [E.truncated(_parquet(b, d / "src"), d / "x202101.parquet")],
        ),
        Case(
            "micro-parquet-schema",
            M,
            "a Parquet file with another schema",
            lambda b, d: [_write(d / "x202101.parquet", E.parquet_bytes(_other_table()))],
        ),
    ]
    return cases + _parquet_twin() + generic("micro", M, "micro_jan", text=False, wrong="baci")


def _twin(fault: str, edit: Callable[[Any], Any]) -> Case:
    """A fault in the Parquet twin the synthetic writer makes (canonical columns, streamed as it is)."""
    fid, what = fault.split(": ", 1)

    def make(b: Base, d: Path) -> list[Path]:
        import pyarrow.parquet as pq

        table = edit(pq.read_table(b["micro_parquet"]))
        return [_write(d / b["micro_parquet"].name, E.parquet_bytes(table))]

    return Case(f"micro-{fid}", M, what, make, where=ROWISH)


def _parquet_twin() -> list[Case]:
    import pyarrow as pa

    return [
        _twin(
            "parquet-dup-rows: a Parquet file with ten rows twice",
            lambda t: pa.concat_tables([t, t.slice(0, 10)]),
        ),
        _twin("parquet-nan: a Parquet file with a NaN value", _set_column("value_usd", float("nan"))),
        _twin("parquet-negative: a Parquet file with a negative value", _set_column("value_usd", -10.0)),
        _twin(
            "parquet-period-2999: a Parquet row of period 2999-12", _set_column("period", date(2999, 12, 1))
        ),
    ]


def _set_column(column: str, value: object, row: int = 5) -> Callable[[Any], Any]:
    def edit(table: Any) -> Any:
        import pyarrow as pa

        values = table[column].to_pylist()
        values[row] = value
        i = table.column_names.index(column)
        return table.set_column(i, column, pa.array(values, table.schema.field(column).type))

    return edit


def _parquet(b: Base, d: Path) -> Path:
    return _write(d / "good.parquet", E.parquet_bytes(_other_table()))


def _other_table():  # type: ignore[no-untyped-def]
    import pyarrow as pa

    return pa.table({"fecha": ["2021-01-05"] * 3, "monto": [1.0, 2.0, 3.0]})


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- CEPII BACI ---------------------------------------------------------------------------------------------

YEAR = "BACI_HS17_Y2021_V202501.csv"


def _baci(
    fault: str, edit: Callable[[dict[str, bytes]], dict[str, bytes]], where: tuple[str, ...] = ()
) -> Case:
    fid, what = fault.split(": ", 1)
    return Case(
        f"baci-{fid}",
        "baci",
        what,
        lambda b, d: [E.zip_edit(b["baci"], d / b["baci"].name, edit)],
        where=where,
    )


def _year_lines(edit: Callable[[list[str]], list[str]]) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    def members(m: dict[str, bytes]) -> dict[str, bytes]:
        rows = m[YEAR].decode("utf-8").splitlines()
        return {**m, YEAR: ("\n".join(edit(rows)) + "\n").encode("utf-8")}

    return members


def _field(column: int, value: str, line: int = 2) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    return _year_lines(
        lambda rows: [E.set_cell(r, column, value) if i == line else r for i, r in enumerate(rows)]
    )


def baci() -> list[Case]:
    where = (YEAR, *ROWISH)
    cases = [
        _baci("nan: NaN value", _field(4, "nan"), where),
        _baci("inf: inf value", _field(4, "inf"), where),
        _baci("1e308: value of 1e308", _field(4, "1e308"), where),
        _baci("negative: a negative value", _field(4, "-12.5"), where),
        _baci("negative-q: a negative quantity", _field(5, "-3.0"), where),
        _baci("year-2099: a row of year 2099 in the 2021 file", _field(0, "2099"), where),
        _baci("year-1800: a row of year 1800", _field(0, "1800"), where),
        _baci("dup-key: the same (t, i, j, k) twice", _year_lines(lambda rows: rows + rows[3:4])),
        _baci(
            "renamed-columns: header t,i,j,k,value,qty",
            _year_lines(lambda rows: ["t,i,j,k,value,qty", *rows[1:]]),
        ),
        _baci(
            "utf16-member: a year file in UTF-16",
            lambda m: {**m, YEAR: m[YEAR].decode("utf-8").encode("utf-16")},
        ),
        _baci("empty-year: a year file with its header only", _year_lines(lambda rows: rows[:1])),
        _baci(
            "no-countries: the country file missing",
            lambda m: {k: v for k, v in m.items() if not k.startswith("country_codes")},
        ),
        _baci("no-years: no year file at all", lambda m: {k: v for k, v in m.items() if "_Y20" not in k}),
        _baci(
            "missing-year: the 2021 year file removed", lambda m: {k: v for k, v in m.items() if k != YEAR}
        ),
        Case(
            "baci-bad-crc",
            "baci",
            "zip member with a wrong CRC-32",
            lambda b, d: [E.bad_crc(b["baci"], d / b["baci"].name)],
        ),
    ]
    return cases + generic("baci", "baci", "baci", text=False, wrong="micro_jan")


# --- WTO merchandise values (Parquet) ----------------------------------------------------------------------


def _wto(fault: str, edit: Callable[[object], object], where: tuple[str, ...] = ()) -> Case:
    fid, what = fault.split(": ", 1)

    def make(b: Base, d: Path) -> list[Path]:
        import pyarrow.parquet as pq

        table = edit(pq.read_table(b["wto"]))
        return [_write(d / b["wto"].name, E.parquet_bytes(table))]

    return Case(f"wto-{fid}", "wto", what, make, where=where, needs="wto")


def _wto_value(column: str, value: object, row: int = 10) -> Callable[[object], object]:
    return _set_column(column, value, row)


def wto() -> list[Case]:
    where = ("Value", "Year", *ROWISH)
    cases = [
        _wto("nan: NaN value", _wto_value("Value", float("nan")), where),
        _wto("inf: inf value", _wto_value("Value", float("inf")), where),
        _wto("1e308: value of 1e308", _wto_value("Value", 1e308), where),
        _wto("negative: a negative value", _wto_value("Value", -5.0), where),
        _wto("year-2099: a row of 2099", _wto_value("Year", 2099.0), where),
        _wto("year-1800: a row of 1800", _wto_value("Year", 1800.0), where),
        _wto("dup-rows: every row twice", lambda t: __import__("pyarrow").concat_tables([t, t])),  # type: ignore[attr-defined]
        _wto("empty: no rows", lambda t: t.slice(0, 0)),  # type: ignore[attr-defined]
        _wto(
            "wrong-schema: Value renamed Valor",
            lambda t: t.rename_columns(["Valor" if c == "Value" else c for c in t.column_names]),
        ),  # type: ignore[attr-defined]
        _wto("no-world: the World reporter removed", _drop_world),
        _wto("half-years: the last two years removed", _drop_years),
        _wto("unknown-reporter: a reporter code WTO does not have", _set_column("ReporterISO3A", "XXQ", 10)),
        _wto("unknown-product: a product code WTO does not have", _set_column("ProductCode", "ZZ", 10)),
        _wto("unknown-indicator: a row of another indicator", _set_column("IndicatorCode", "ITS_CS_AX5", 10)),
    ]
    return cases + generic("wto", "wto", "wto", text=False, wrong="hs", needs="wto")


def _drop_world(table):  # type: ignore[no-untyped-def]
    import pyarrow.compute as pc

    return table.filter(pc.not_equal(table["ReporterCode"], "000"))


def _drop_years(table):  # type: ignore[no-untyped-def]
    import pyarrow.compute as pc

    return table.filter(pc.less(table["Year"], 2022.0))


# --- department boundaries (GeoJSON) ---------------------------------------------------------------------


def _geo(fault: str, edit: Callable[[dict[str, object]], object]) -> Case:
    fid, what = fault.split(": ", 1)

    def make(b: Base, d: Path) -> list[Path]:
        data = json.loads(b["boundaries"].read_text(encoding="utf-8"))
        return [_write(d / b["boundaries"].name, json.dumps(edit(data)).encode("utf-8"))]

    return Case(f"geo-{fid}", "boundaries", what, make)


def boundaries() -> list[Case]:
    cases = [
        _geo("three-features: three departments only", lambda g: {**g, "features": g["features"][:3]}),  # type: ignore[index]
        _geo("no-features: an empty FeatureCollection", lambda g: {**g, "features": []}),
        _geo("not-geojson: a JSON list", lambda g: [1, 2, 3]),
        _geo("unknown-ubigeo: a department code 77", _unknown_ubigeo),
        _geo(
            "dup-feature: a department twice", lambda g: {**g, "features": [*g["features"], g["features"][0]]}
        ),  # type: ignore[index,misc]
    ]
    return cases + generic("geo", "boundaries", "boundaries", text=True, wrong="hs")


def _unknown_ubigeo(g: dict[str, object]) -> object:
    features = list(g["features"])  # type: ignore[call-overload]
    first = dict(features[0])
    first["properties"] = {**first["properties"], "FIRST_IDDP": "77"}
    return {**g, "features": [first, *features[1:]]}


def cases() -> list[Case]:
    return microdata() + baci() + wto() + boundaries()
