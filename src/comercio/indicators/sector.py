"""The facts of a sector study (SNI's metalworking analysis, article 003) for any product basket.

World side: the basket's world exports and imports by continent per year, from ``world_trade`` (CEPII BACI),
and its share of all world trade and of world trade in manufactures (basket ``manufacturas``). Peru's side:
exports of the matching SUNAT G1 node (monthly, official), imports, balance, destinations and origins
(ranked, with shares, growth and the Latin American count of the top ten) from customs lines when those
cover the window. Every section
the loaded data cannot support is left out and recorded in ``omitted`` with what it would need.

The G1 node is found by a *normalised label* (lower case, accents stripped, hyphens and spaces removed), since
SUNAT renames it across years (2005 ``Metal-Mecánica``, 2024 ``Metal-mecanico``, under parents spelled
``II.Productos`` / ``II. Productos``); the monthly series of every matching path are joined into one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import pyarrow as pa

from comercio import reference
from comercio.errors import DataNotAvailable, ValidationError
from comercio.indicators import engine as eng
from comercio.indicators import measures, world
from comercio.indicators.facts import Fact, FactSet, make
from comercio.indicators.specs import Comparison, Filters, Grouping, Window, month_start
from comercio.warehouse import Warehouse

# basket → (normalised G1 label prefix, basket used for Peru's export lines)
G1_NODES: dict[str, tuple[str, str]] = {
    "metalmecanica": ("metalmecan", "metalmecanica_g1"),
    "metalmecanica_g1": ("metalmecan", "metalmecanica_g1"),
}
PEERS = ("CHL", "COL")
TOP = 10
# WTO/UN manufactures (SITC 5–8 less 68 and 891) approximated by HS headings, baskets.csv
MANUFACTURES = "manufacturas"


def normalise_label(text: str) -> str:
    """``Metal-Mecánica`` → ``metalmecanica``: lower case, no accents, no hyphens, spaces or dots."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


@dataclass
class SectorFacts:
    basket: str
    through: date
    facts: FactSet
    omitted: dict[str, str] = field(default_factory=dict)  # section → what data it would need
    datasets: dict[str, list[str]] = field(default_factory=dict)
    g1_paths: tuple[str, ...] = ()
    world_years: tuple[int, int] | None = None

    @property
    def synthetic(self) -> bool:
        return self.facts.synthetic

    @property
    def world_synthetic(self) -> bool:
        return any(f.synthetic for f in self.facts if f.dataset == world.DATASET)


def _world_fact(
    template: str, value: Any, y: int, wt: world.WorldTable, parts: dict[str, str] | None = None
) -> Fact:
    """A fact of the world side: one calendar year of ``world_trade``."""
    return make(
        template,
        value,
        parts=parts,
        window=Window.year(y).as_dict(),
        dataset=world.DATASET,
        vintages=wt.vintages,
        synthetic=wt.synthetic,
    )


def _world(
    wh: Warehouse, basket: str, through: date, world_from: int, engine: str | None
) -> tuple[FactSet, tuple[int, int]]:
    fs = FactSet()
    ys = [y for y in world.years(wh, engine=engine) if world_from <= y <= through.year]
    if not ys:
        raise DataNotAvailable(f"no world trade year between {world_from} and {through.year}")
    first, last = ys[0], ys[-1]
    basket_tot = world.totals(wh, basket, engine=engine)
    all_tot = world.totals(wh, engine=engine)
    values = dict(
        zip(basket_tot.table["year"].to_pylist(), basket_tot.table["value"].to_pylist(), strict=True)
    )
    alls = dict(zip(all_tot.table["year"].to_pylist(), all_tot.table["value"].to_pylist(), strict=True))
    fs.add(_world_fact("world.exports.value", values.get(last), last, basket_tot))
    fs.add(
        _world_fact("world.exports.value.{year}", values.get(first), first, basket_tot, {"year": str(first)})
    )
    if alls.get(last):
        fs.add(_world_fact("world.basket.share_of_trade", values[last] / alls[last], last, all_tot))
    if basket != MANUFACTURES:
        manuf = world.share_of(wh, basket, MANUFACTURES, engine=engine)
        shares = {r["year"]: r["share"] for r in manuf.table.to_pylist()}
        if shares.get(last) is not None:
            fs.add(_world_fact("world.basket.share_of_manufactures", shares[last], last, manuf))
        if shares.get(first) is not None:
            fs.add(
                _world_fact(
                    "world.basket.share_of_manufactures.{year}",
                    shares[first],
                    first,
                    manuf,
                    {"year": str(first)},
                )
            )
    for side, key in (("exporter", "exports"), ("importer", "imports")):
        wt = world.by_continent(wh, basket, side, start_year=first, end_year=last, engine=engine)  # type: ignore[arg-type]
        for row in wt.table.to_pylist():
            y, parts = row["year"], {"side": key, "continent": row["continent"]}
            if y == last:
                fs.add(_world_fact("world.{side}.share.{continent}", row["share"], y, wt, parts))
            fs.add(
                _world_fact(
                    "world.{side}.share.{continent}.{year}", row["share"], y, wt, {**parts, "year": str(y)}
                )
            )
    return fs, (first, last)


def _peers(wh: Warehouse, basket: str, year: int, peers: tuple[str, ...], engine: str | None) -> FactSet:
    wt = world.by_exporter(wh, basket, peers, year, engine=engine)
    return FactSet(
        _world_fact("peers.{partner}.exports", r["value"], year, wt, {"partner": r["exporter"]})
        for r in wt.table.to_pylist()
    )


def g1_paths(wh: Warehouse, label_prefix: str, engine: str | None = None) -> list[tuple[str, int]]:
    """Every G1 path (with its level) whose last label, normalised, starts with ``label_prefix``."""
    t = wh.table("sunat_cuadros", engine)
    t = t.filter(t.table == "G1")
    expr = t.group_by(["path", "level"]).aggregate(last=t.period.max())
    rows = wh.execute(expr, engine=engine).to_pylist()
    found = [r for r in rows if normalise_label(r["path"].split(" > ")[-1]).startswith(label_prefix)]
    if not found:
        raise DataNotAvailable(f"no G1 node whose label normalises to {label_prefix!r}…")
    return [(r["path"], r["level"]) for r in sorted(found, key=lambda r: r["last"])]  # latest label last


def peru_export_series(wh: Warehouse, label_prefix: str, engine: str | None = None) -> eng.Series:
    """One monthly series of the G1 node across its renamings (member ``peru``)."""
    parts: list[eng.Series] = []
    for path, level in g1_paths(wh, label_prefix, engine):
        # Grouping "sector" at the node's own level: the node's rows only (the national grouping would look
        # for level = number of " > " in the path, one less than the level SUNAT's tree gives the node).
        parts.append(
            eng.series(
                wh,
                Grouping("sector", level=level),
                Filters(basket_path=path),
                engine=engine,
                dataset="sunat_cuadros",
            )
        )
    table = pa.concat_tables([p.table for p in parts])
    periods = table["period"].to_pylist()
    if len(set(periods)) != len(periods):
        raise ValidationError(
            f"two G1 nodes matching {label_prefix!r} report the same month: the label match is ambiguous",
            file="sunat_cuadros",
            column="path",
        )
    table = table.set_column(0, "member", pa.array(["peru"] * table.num_rows, pa.string()))
    s0 = parts[0]
    return eng.Series(
        table,
        s0.dataset,
        s0.vintages,
        any(p.synthetic for p in parts),
        s0.periods,
        Grouping("national"),
        Filters(),
    )


def _fact(
    template: str, value: Any, w: Window, s: eng.Series, parts: dict[str, str] | None = None, **kw: Any
) -> Fact:
    """A fact of Peru's side, with the provenance of the series it was computed from."""
    return make(
        template,
        value,
        parts=parts,
        window=w.as_dict(),
        dataset=s.dataset,
        vintages=s.vintages,
        synthetic=s.synthetic,
        grouping=s.grouping.label,
        **kw,
    )


def _peru_exports(s: eng.Series, through: date) -> FactSet:
    fs = FactSet()
    full = [y for y in range(through.year, through.year - 30, -1) if date(y, 12, 1) <= through]
    for y in full:
        try:
            r = measures.compare(s, Window.year(y), None)
        except DataNotAvailable:
            continue
        fs.add(_fact("peru.exports.value", r.total, Window.year(y), s, member="peru"))
        break
    ytd = Window.ytd(through)
    r = measures.compare(s, ytd, Comparison())
    fs.add(_fact("peru.exports.ytd.value", r.total, ytd, s, member="peru"))
    fs.add(_fact("peru.exports.ytd.previous", r.total_previous, Comparison().window(ytd), s))
    fs.add(
        _fact("peru.exports.growth", r.total_growth, ytd, s, member="peru", comparison=Comparison().as_dict())
    )
    return fs


def _lines(
    wh: Warehouse, flow: str, basket: str, grouping: Grouping, w: Window, engine: str | None
) -> tuple[measures.WindowResult, eng.Series]:
    s = eng.series(wh, grouping, Filters(flow=flow, basket=basket), engine=engine, dataset="customs_lines")
    return measures.compare(s, w, Comparison()), s


@lru_cache(maxsize=1)
def latin_american() -> frozenset[str]:
    """ISO alpha-2 codes flagged ``latin_america`` in the countries reference table."""
    return frozenset(r["alpha2"] for r in reference.load("countries").to_pylist() if r["latin_america"])


def partner_facts(direction: str, r: measures.WindowResult, s: eng.Series, w: Window) -> FactSet:
    """Destinations (or origins) ranked by value: ``{direction}.top`` (ten ISO2 codes), value, share and
    growth of every partner, and how many of the top ten are Latin American with their combined share.

    Shares are of all the basket's lines in the window (lines without a partner stay in the total), so the
    shares of the partners sum to one when every line declares a country.
    """
    d = {"direction": direction}
    top = [row.as_dict() for row in r.rows[:TOP]]
    fs = FactSet([_fact("{direction}.top", [row["member"] for row in top], w, s, d, extra={"rows": top})])
    cmp = Comparison().as_dict()
    for row in r.rows:
        p = {**d, "partner": row.member}
        fs.add(_fact("{direction}.{partner}.value", row.value, w, s, p))
        fs.add(_fact("{direction}.{partner}.share", row.share, w, s, p))
        fs.add(_fact("{direction}.{partner}.growth", row.growth, w, s, p, comparison=cmp))
    latam = [row for row in r.rows[:TOP] if row.member in latin_american()]
    members = {"members": [row.member for row in latam]}
    fs.add(_fact("{direction}.latam_top10.count", len(latam), w, s, d, extra=members))
    share = sum(row.share or 0.0 for row in latam)
    fs.add(_fact("{direction}.latam_top10.share", share, w, s, d, extra=members))
    return fs


def sector_facts(
    wh: Warehouse,
    basket: str,
    through: str | date | None,
    *,
    world_from: int = 2001,
    engine: str | None = None,
    peers: tuple[str, ...] = PEERS,
) -> SectorFacts:
    """Every figure of the sector study of ``basket`` the loaded data support, through month ``through``."""
    label, export_basket = G1_NODES.get(basket, (normalise_label(basket), basket))
    omitted: dict[str, str] = {}
    facts = FactSet()
    paths: tuple[str, ...] = ()
    peru: eng.Series | None = None
    try:
        peru = peru_export_series(wh, label, engine)
        paths = tuple(p for p, _ in g1_paths(wh, label, engine))
    except DataNotAvailable as exc:
        omitted["peru_exports"] = f"SUNAT cuadro G1 with a node for this sector: {exc.reason}"
    month = (
        month_start(through)
        if through is not None
        else (max(peru.table["period"].to_pylist()) if peru else None)
    )
    if month is None:
        raise DataNotAvailable("no month given and no G1 data loaded to take the latest month from")
    if peru is not None:
        try:
            facts.extend(_peru_exports(peru, month))
        except DataNotAvailable as exc:
            omitted["peru_exports"] = f"G1 months January–{month:%Y-%m} and a year earlier: {exc.reason}"
    years: tuple[int, int] | None = None
    try:
        wfacts, years = _world(wh, basket, month, world_from, engine)
        facts.extend(wfacts)
        facts.extend(_peers(wh, basket, years[1], tuple(dict.fromkeys((*peers, "PER"))), engine))
    except DataNotAvailable as exc:
        omitted["world"] = f"world trade by product (CEPII BACI, `comercio ingest baci`): {exc.reason}"
        omitted["peers"] = omitted["world"]
    ytd = Window.ytd(month)
    need = "customs lines (SUNAT declarations) covering {} and a year earlier, with {}"
    try:
        r, s = _lines(wh, "M", basket, Grouping("national"), ytd, engine)
        facts.add(_fact("peru.imports.value", r.total, ytd, s, member="peru"))
        if facts.has("peru.exports.ytd.value"):
            bal = facts.value("peru.exports.ytd.value") - r.total
            facts.add(_fact("peru.balance.value", bal, ytd, s, member="peru"))
    except DataNotAvailable as exc:
        omitted["peru_imports"] = (
            need.format(f"{ytd.start:%Y-%m}…{ytd.end:%Y-%m}", "the product code") + f": {exc.reason}"
        )
    for key, flow, b in (("destinations", "X", export_basket), ("origins", "M", basket)):
        try:
            r, s = _lines(wh, flow, b, Grouping("partner"), ytd, engine)
            facts.extend(partner_facts(key, r, s, ytd))
        except DataNotAvailable as exc:
            omitted[key] = (
                need.format(f"{ytd.start:%Y-%m}…{ytd.end:%Y-%m}", "partner country") + f": {exc.reason}"
            )
    used = {f.dataset: list(f.vintages) for f in facts if f.dataset is not None}
    return SectorFacts(basket, month, facts, omitted, used, paths, years)


__all__ = [
    "G1_NODES",
    "MANUFACTURES",
    "SectorFacts",
    "g1_paths",
    "latin_american",
    "normalise_label",
    "partner_facts",
    "peru_export_series",
    "sector_facts",
]
