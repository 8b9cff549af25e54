"""The corpus's good base inputs, written into a tmp dir from the mirror and the synthetic writers."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import corpus_edit as E
from corpus_harness import Base, has_g6, has_source

from comercio.sources import infotrade

BCRP = "bcrp/exports_by_department_monthly_2005_2022.csv"
KEEP_SHEETS = {"2023", "2024", "2025"}
INFOTRADE_COLUMNS = infotrade.COLUMNS
INFOTRADE_LINES = [
    [
        "15/03/2024",
        "20100000001",
        "AGRICOLA EJEMPLO SAC",
        "Ica",
        "0806100000",
        "UVAS FRESCAS",
        "UVA RED GLOBE",
        "ESTADOS UNIDOS",
        "1000.0",
        "500.0",
        "550.0",
        "500.0",
        "No Tradicional",
        "AGROPECUARIO",
    ],
    [
        "02/04/2024",
        "20500000002",
        "METAL EJEMPLO SA",
        "Lima Metropolitana",
        "8471300000",
        "MAQUINAS",
        "COMPUTADORA",
        "PAISES BAJOS",
        "2500.55",
        "10.0",
        "12.0",
        "3.0",
        "No Tradicional",
        "METAL-MECANICO",
    ],
    [
        "20/04/2024",
        "20600000003",
        "MINERA EJEMPLO SA",
        "Callao",
        "0806100000",
        "UVAS FRESCAS",
        "UVA",
        "CHINA",
        "1234.45",
        "100.0",
        "110.0",
        "",
        "No Tradicional",
        "AGROPECUARIO",
    ],
    [
        "28/05/2024",
        "20700000004",
        "ANDINA EJEMPLO SA",
        "Ancash",
        "0806100000",
        "UVAS FRESCAS",
        "UVA",
        "COREA DEL SUR",
        "10.0",
        "5.0",
        "6.0",
        "5.0",
        "Tradicional",
        "MINEROS",
    ],
]


def _cut_sheets(wb: object) -> None:
    for name in list(wb.sheetnames):  # type: ignore[attr-defined]
        if name not in KEEP_SHEETS:
            del wb[name]  # type: ignore[index]


def write_infotrade(dest: Path, rows: list[list[str]], header: tuple[str, ...] = INFOTRADE_COLUMNS) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return dest


def _microdata(root: Path) -> dict[str, Path]:
    """Two monthly synthetic export zips (January and February 2021) and their LEEME file."""
    import pyarrow as pa

    from comercio.synth import generate, marginals_from_tables

    periods = [date(2021, 1, 1), date(2021, 2, 1)]
    depts = ["15", "04", "13"]
    table = pa.table(
        {
            "period": [p for p in periods for _ in depts],
            "department": depts * len(periods),
            "value_usd": [1_250_000.0, 480_000.0, 95_000.0] * len(periods),
        }
    )
    marginals = marginals_from_tables(table)
    out = root / "microdata"
    result = generate(1_000, 7, out, marginals=marginals, start=periods[0], end=periods[1])
    names = {p.name: p for p in result.files}
    twin = generate(
        1_000, 7, root / "microparquet", fmt="parquet", marginals=marginals, start=periods[0], end=periods[0]
    )
    return {
        "micro_jan": names["x202101.zip"],
        "micro_feb": names["x202102.zip"],
        "micro_parquet": twin.files[0],
    }


def _wto(shared: Path, dest: Path) -> Path:
    """The WTO table cut to 2019-2023 (same columns; small enough to rewrite per case)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(shared / "wto/merchandise_values_annual_dataset.parquet")
    year = table["Year"]
    table = table.filter(pc.greater_equal(pc.cast(year, "int64"), 2019))
    dest.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, dest)
    return dest


def write_base(shared: Path, root: Path) -> Base:
    """Every good base input under ``root`` (those whose reader is not registered are left out)."""
    from comercio.synth import generate_baci

    base = Base(root.parent)
    f = base.files
    f["bcrp"] = E.copy(shared / BCRP, root / "bcrp" / Path(BCRP).name)
    for key in ("g1", "f1") + (
        ("g6",) if has_g6() and (shared / "sunat/cuadros/cdro_G6.xlsx").exists() else ()
    ):
        name = f"cdro_{key.upper()}.xlsx"
        f[key] = E.xlsx_edit(shared / "sunat/cuadros" / name, root / "cuadros" / name, _cut_sheets)
    decl = "sunat/declarations/imports_4011101000_callao_2026-05.csv"
    f["declarations"] = E.copy(shared / decl, root / "declarations" / Path(decl).name)
    f["hs"] = E.copy(shared / "hs/hs2022_en.csv", root / "hs" / "hs2022_en.csv")
    geo = "geo/peru_departamental_simple.geojson"
    f["boundaries"] = E.copy(shared / geo, root / "geo" / Path(geo).name)
    f["infotrade"] = write_infotrade(root / "infotrade" / "infotrade_2024.csv", INFOTRADE_LINES)
    f["baci"] = generate_baci(root / "baci", years=range(2021, 2023), rows_per_year=20_000, seed=3)
    f.update(_microdata(root))
    wto = shared / "wto/merchandise_values_annual_dataset.parquet"
    if has_source("wto") and wto.exists():
        f["wto"] = _wto(shared, root / "wto" / wto.name)
    return base
