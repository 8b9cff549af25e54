"""World trade of a product basket by year and continent, from the ``world_trade`` dataset (CEPII BACI).

World trade is yearly (column ``year``, not ``period``), so it does not go through the monthly engine; these
functions build Ibis expressions over ``wh.table("world_trade")`` and run them through ``wh.execute`` on the
chosen engine (DuckDB or Spark, same expressions). Basket membership is resolved the way the engine does it
for customs lines: classify the *distinct* HS6 codes with :func:`comercio.reference.classify`, then join a
small memtable; the continent of a country comes from the ``countries`` reference table (alpha-3 →
continent, America as one continent, as in the SNI article).

:func:`world_facts` turns them into the sector study's world facts when the study's world form is an HS basket
(the WTO form is :mod:`comercio.indicators.wto`); the families are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from comercio import reference
from comercio.errors import DataNotAvailable
from comercio.indicators.facts import Fact, FactSet, make
from comercio.indicators.specs import Window
from comercio.reference import BasketForm
from comercio.warehouse import Warehouse

DATASET = "world_trade"
Side = Literal["exporter", "importer"]
UNKNOWN = "unknown"
# WTO/UN manufactures approximated by HS headings (baskets.csv), the denominator of share_of_manufactures
MANUFACTURES = "manufacturas"
# CEPII codes that are not ISO 3166 alpha-3 (BACI keeps them): "Other Asia, nes" (490) is Taiwan.
CEPII_CONTINENTS = {"S19": "asia"}


@dataclass(frozen=True)
class WorldTable:
    """A small result (``table``) with what it came from: dataset vintages and whether any is synthetic."""

    table: pa.Table
    vintages: tuple[str, ...]
    synthetic: bool


@lru_cache(maxsize=2)
def continents() -> dict[str, str]:
    """Alpha-3 → continent key (``asia``, ``europe``, ``america``, ``africa``, ``oceania``…)."""
    rows = reference.load("countries").to_pylist()
    mapping = {r["alpha3"]: r["continent"] for r in rows if r["alpha3"] and r["continent"]}
    return {**mapping, **CEPII_CONTINENTS}


def _source(wh: Warehouse, engine: str | None) -> ir.Table:
    if not wh.has(DATASET):
        raise DataNotAvailable(
            f"dataset {DATASET!r} is not loaded",
            hint="`comercio ingest baci <BACI_HSxx_Vyyyymm.zip>` or a synthetic twin (comercio.synth.baci)",
        )
    return wh.table(DATASET, engine)


def _meta(wh: Warehouse) -> tuple[tuple[str, ...], bool]:
    vs = wh.vintages(DATASET)
    return tuple(v.vintage for v in vs), any(v.synthetic for v in vs)


def in_basket(wh: Warehouse, basket: str, *, engine: str | None = None) -> ir.Table:
    """World trade rows whose HS6 code belongs to ``basket`` (column ``basket_path`` added)."""
    t = _source(wh, engine)
    codes = wh.execute(t.select("hs6").distinct(), engine=engine).column("hs6")
    paths = reference.classify(codes, basket)
    # Keep only member codes here, in Arrow: nulls in an in-memory table do not survive the trip to Spark
    # as nulls, so filtering them there would keep every code (found by the engine-parity test).
    inside = pc.is_valid(paths)
    m = ibis.memtable(pa.table({"_hs6": pc.filter(codes, inside), "basket_path": pc.filter(paths, inside)}))
    return t.inner_join(m, t.hs6 == m._hs6).drop("_hs6")


def _with_continent(t: ir.Table, side: Side) -> ir.Table:
    mapping = continents()
    m = ibis.memtable(pa.table({"_a3": list(mapping), "_continent": list(mapping.values())}))
    joined = t.left_join(m, t[side] == m._a3)
    return joined.mutate(continent=joined._continent.fill_null(UNKNOWN)).drop("_a3", "_continent")


def by_continent(
    wh: Warehouse,
    basket: str,
    side: Side,
    *,
    start_year: int | None = None,
    end_year: int | None = None,
    engine: str | None = None,
) -> WorldTable:
    """Basket value by year and exporter (or importer) continent: columns year, continent, value, share.

    ``share`` is the continent's fraction of the basket's world value that year; the shares of a year sum to
    one (countries without a continent are kept as ``unknown``, never dropped).
    """
    t = _with_continent(in_basket(wh, basket, engine=engine), side)
    if start_year is not None:
        t = t.filter(t.year >= start_year)
    if end_year is not None:
        t = t.filter(t.year <= end_year)
    agg = t.group_by(["year", "continent"]).aggregate(value=t.value_usd.sum())
    totals = agg.group_by("year").aggregate(_total=agg.value.sum())
    joined = agg.inner_join(totals, "year")
    expr = joined.mutate(share=joined.value / joined._total).drop("_total").order_by(["year", "continent"])
    table = wh.execute(expr, engine=engine)
    table = table.select(["year", "continent", "value", "share"]).cast(
        pa.schema(
            [
                ("year", pa.int32()),
                ("continent", pa.string()),
                ("value", pa.float64()),
                ("share", pa.float64()),
            ]
        )
    )
    vintages, synthetic = _meta(wh)
    return WorldTable(table, vintages, synthetic)


def totals(wh: Warehouse, basket: str | None = None, *, engine: str | None = None) -> WorldTable:
    """World value per year: of every product (``basket`` None) or of the basket. Columns year, value."""
    t = _source(wh, engine) if basket is None else in_basket(wh, basket, engine=engine)
    expr = t.group_by("year").aggregate(value=t.value_usd.sum()).order_by("year")
    table = wh.execute(expr, engine=engine).cast(pa.schema([("year", pa.int32()), ("value", pa.float64())]))
    vintages, synthetic = _meta(wh)
    return WorldTable(table, vintages, synthetic)


def share_of(wh: Warehouse, basket: str, whole: str, *, engine: str | None = None) -> WorldTable:
    """The basket's value as a fraction of a wider basket's (e.g. ``manufacturas``) per year.

    Columns year, value, whole, share; a year where ``whole`` has no value gets a null share rather than an
    infinity. Both baskets are classified from the same HS6 codes, so the ratio is consistent even when
    the baskets are approximations.
    """
    part = {r["year"]: r["value"] for r in totals(wh, basket, engine=engine).table.to_pylist()}
    wide = totals(wh, whole, engine=engine)
    rows = [
        {
            "year": r["year"],
            "value": part.get(r["year"], 0.0),
            "whole": r["value"],
            "share": part.get(r["year"], 0.0) / r["value"] if r["value"] else None,
        }
        for r in wide.table.to_pylist()
    ]
    schema = pa.schema(
        [("year", pa.int32()), ("value", pa.float64()), ("whole", pa.float64()), ("share", pa.float64())]
    )
    return WorldTable(pa.Table.from_pylist(rows, schema=schema), wide.vintages, wide.synthetic)


def by_exporter(
    wh: Warehouse, basket: str, exporters: tuple[str, ...], year: int, *, engine: str | None = None
) -> WorldTable:
    """Basket exports of the given countries (alpha-3) in ``year``: columns exporter, value."""
    t = in_basket(wh, basket, engine=engine)
    t = t.filter((t.year == year) & t.exporter.isin(list(exporters)))
    expr = t.group_by("exporter").aggregate(value=t.value_usd.sum()).order_by("exporter")
    table = wh.execute(expr, engine=engine).cast(
        pa.schema([("exporter", pa.string()), ("value", pa.float64())])
    )
    vintages, synthetic = _meta(wh)
    return WorldTable(table, vintages, synthetic)


def years(wh: Warehouse, *, engine: str | None = None) -> list[int]:
    """Years present in the world trade dataset, ascending."""
    t = _source(wh, engine)
    return [
        int(y)
        for y in wh.execute(t.select("year").distinct().order_by("year"), engine=engine)["year"].to_pylist()
    ]


def _fact(
    template: str,
    value: Any,
    y: int,
    wt: WorldTable,
    form: BasketForm,
    parts: dict[str, str] | None = None,
    **extra: Any,
) -> Fact:
    return make(
        template,
        value,
        parts=parts,
        window=Window.year(y).as_dict(),
        dataset=DATASET,
        vintages=wt.vintages,
        synthetic=wt.synthetic,
        extra={**form.extra(), **extra},
    )


def world_facts(
    wh: Warehouse,
    form: BasketForm,
    *,
    world_from: int,
    last_year: int,
    peers: tuple[str, ...],
    engine: str | None = None,
) -> tuple[FactSet, tuple[int, int]]:
    """World facts of an HS basket from BACI: value, weights, continent shares and peers' exports.

    BACI has one row per exporter, importer and product, so the world value is the sum of the countries
    (``extra.denominator`` = ``sum_of_countries``) and exports equal imports; only the exports side's value
    and weights are given, continents on both sides.
    """
    basket = form.code
    ys = [y for y in years(wh, engine=engine) if world_from <= y <= last_year]
    if not ys:
        raise DataNotAvailable(f"no world trade year between {world_from} and {last_year}")
    first, last = ys[0], ys[-1]
    fs = FactSet()
    basket_tot = totals(wh, basket, engine=engine)
    all_tot = totals(wh, engine=engine)
    values = dict(zip(*(basket_tot.table[c].to_pylist() for c in ("year", "value")), strict=True))
    alls = dict(zip(*(all_tot.table[c].to_pylist() for c in ("year", "value")), strict=True))
    den: dict[str, Any] = {"denominator": "sum_of_countries"}
    ex = {"side": "exports"}
    for y in (first, last):
        fs.add(_fact("world.{side}.value.{year}", values.get(y), y, basket_tot, form, {**ex, "year": str(y)}))
    fs.add(_fact("world.{side}.value", values.get(last), last, basket_tot, form, ex))
    if alls.get(last):
        fs.add(_fact("world.share_of_trade", values.get(last, 0.0) / alls[last], last, all_tot, form, **den))
    if basket != MANUFACTURES:
        manuf = share_of(wh, basket, MANUFACTURES, engine=engine)
        shares = {r["year"]: r["share"] for r in manuf.table.to_pylist()}
        den_m: dict[str, Any] = {**den, "denominator_code": MANUFACTURES}
        if shares.get(last) is not None:
            fs.add(_fact("world.share_of_manufactures", shares[last], last, manuf, form, **den_m))
        for y in (first, last):
            if shares.get(y) is not None:
                p = {"year": str(y)}
                fs.add(_fact("world.share_of_manufactures.{year}", shares[y], y, manuf, form, p, **den_m))
    for side, key in (("exporter", "exports"), ("importer", "imports")):
        wt = by_continent(wh, basket, side, start_year=first, end_year=last, engine=engine)  # type: ignore[arg-type]
        for row in wt.table.to_pylist():
            y, parts = row["year"], {"side": key, "continent": row["continent"]}
            if y == last:
                fs.add(_fact("world.{side}.share.{continent}", row["share"], y, wt, form, parts, **den))
            p = {**parts, "year": str(y)}
            fs.add(_fact("world.{side}.share.{continent}.{year}", row["share"], y, wt, form, p, **den))
    wt = by_exporter(wh, basket, tuple(dict.fromkeys((*peers, "PER"))), last, engine=engine)
    for r in wt.table.to_pylist():
        p = {"partner": r["exporter"], "side": "exports"}
        fs.add(_fact("peers.{partner}.{side}.value", r["value"], last, wt, form, p))
    return fs, (first, last)


__all__ = [
    "CEPII_CONTINENTS",
    "DATASET",
    "MANUFACTURES",
    "UNKNOWN",
    "WorldTable",
    "by_continent",
    "by_exporter",
    "continents",
    "in_basket",
    "share_of",
    "totals",
    "world_facts",
    "years",
]
