"""The world side of a sector study from WTO merchandise values (dataset ``wto_merchandise``).

WTO publishes exports (flow X) and imports (flow M) of every economy by SITC product group, partner World.
A study's WTO form names one group (``MAMT`` machinery and transport equipment); the facts here are that
group's world value (the World row), the continents' shares (the sum of country reporters by continent:
WTO's regional aggregates carry only the total, and the country sum runs 2–5 % above the World row because of
re-exports, so every share names its denominator), the group's weight in world trade (``TO``) and in world
manufactures (``MA``), the peers' values, Peru's imports and the balance, and the group's WTO parts.

The rows needed are few (about 220 economies × years × a handful of groups), so one filtered query fetches
them and the arithmetic runs in Python, the same on either engine.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from comercio.errors import DataNotAvailable
from comercio.indicators import world
from comercio.indicators.facts import Fact, FactSet, make
from comercio.indicators.specs import Comparison, Window
from comercio.reference import BasketForm
from comercio.warehouse import Warehouse

DATASET = "wto_merchandise"
SIDES = {"exports": "X", "imports": "M"}
TOTAL, MANUFACTURES = "TO", "MA"
WORLD = "WLD"
PERU = "PER"
WORLD_ROW, COUNTRY_SUM = "world_row", "sum_of_countries"
CAVEAT_BALANCE = "exports FOB, imports CIF (as each economy reports them to the WTO); same product group"


@dataclass(frozen=True)
class WtoFrame:
    """Rows of ``wto_merchandise`` for a few product groups and years, with their provenance."""

    rows: tuple[dict[str, Any], ...]
    vintages: tuple[str, ...]
    synthetic: bool

    def values(self, flow: str, code: str, reporter: str) -> dict[int, float]:
        """Year → value of one reporter (``WLD`` = the World row) for a flow and product group."""
        return {
            r["year"]: r["value_usd"]
            for r in self.rows
            if r["flow"] == flow and r["product_group"] == code and r["reporter"] == reporter
        }

    def years(self, code: str) -> list[int]:
        """Years in which the World row has the group for both flows, ascending."""
        sets = [set(self.values(f, code, WORLD)) for f in SIDES.values()]
        return sorted(set.intersection(*sets))

    def by_continent(
        self, flow: str, code: str
    ) -> tuple[dict[int, dict[str, float]], dict[int, dict[str, float]]]:
        """(year → continent → value of the economies, year → former economy → value left out)."""
        mapping = world.continents()
        sums: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        excluded: dict[int, dict[str, float]] = defaultdict(dict)
        for r in self.rows:
            if r["flow"] != flow or r["product_group"] != code:
                continue
            if r["reporter_kind"] == "economy":
                sums[r["year"]][mapping.get(r["reporter"], world.UNKNOWN)] += r["value_usd"]
            elif r["reporter_kind"] == "former":
                excluded[r["year"]][r["reporter"]] = r["value_usd"]
        return {y: dict(v) for y, v in sums.items()}, dict(excluded)


def frame(
    wh: Warehouse,
    codes: Iterable[str],
    *,
    first: int | None = None,
    last: int | None = None,
    engine: str | None = None,
) -> WtoFrame:
    """The World row, economies and former economies of ``codes`` between ``first`` and ``last``."""
    if not wh.has(DATASET):
        raise DataNotAvailable(
            f"dataset {DATASET!r} is not loaded", hint="`comercio fetch wto` then `comercio ingest wto`"
        )
    t = wh.table(DATASET, engine)
    t = t.filter(
        t.product_group.isin(sorted(set(codes))) & t.reporter_kind.isin(["world", "economy", "former"])
    )
    if first is not None:
        t = t.filter(t.year >= first)
    if last is not None:
        t = t.filter(t.year <= last)
    cols = ["flow", "year", "reporter", "reporter_kind", "product_group", "value_usd"]
    rows = tuple(wh.execute(t.select(cols), engine=engine).to_pylist())
    vs = wh.vintages(DATASET)
    return WtoFrame(rows, tuple(v.vintage for v in vs), any(v.synthetic for v in vs))


def span(fr: WtoFrame, code: str, world_from: int, last_year: int) -> tuple[int, int]:
    """First and last year of the study's world span: both flows of the group on the World row."""
    ys = [y for y in fr.years(code) if world_from <= y <= last_year]
    if not ys:
        raise DataNotAvailable(f"no WTO year of product group {code!r} between {world_from} and {last_year}")
    return ys[0], ys[-1]


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


class _Builder:
    """Facts of one WTO form over one span, all with the same provenance and basket description."""

    def __init__(self, fr: WtoFrame, form: BasketForm, first: int, last: int) -> None:
        self.fr, self.form, self.first, self.last = fr, form, first, last
        self.facts = FactSet()

    def add(
        self, template: str, value: Any, year: int, parts: dict[str, str] | None = None, **kw: Any
    ) -> None:
        comparison = kw.pop("comparison", None)
        self.facts.add(
            make(
                template,
                value,
                parts=parts,
                window=Window.year(year).as_dict(),
                comparison=comparison,
                dataset=DATASET,
                vintages=self.fr.vintages,
                synthetic=self.fr.synthetic,
                extra={**self.form.extra(), **kw},
            )
        )

    def span_comparison(self) -> dict[str, Any]:
        return Comparison(years=self.last - self.first).as_dict() if self.last > self.first else {}


def _world_side(b: _Builder, side: str) -> None:
    flow, code = SIDES[side], b.form.code
    row = b.fr.values(flow, code, WORLD)
    ys = [y for y in range(b.first, b.last + 1) if y in row]
    basis = "FOB" if side == "exports" else "CIF"
    for y in ys:
        b.add(
            "world.{side}.value.{year}",
            row[y],
            y,
            {"side": side, "year": str(y)},
            reporter=WORLD,
            value_basis=basis,
        )
    b.add("world.{side}.value", row.get(b.last), b.last, {"side": side}, reporter=WORLD, value_basis=basis)
    if b.last > b.first:
        ratio = _ratio(row.get(b.last), row.get(b.first))
        b.add(
            "world.{side}.growth",
            None if ratio is None else ratio - 1,
            b.last,
            {"side": side},
            comparison=b.span_comparison(),
            reporter=WORLD,
        )
    sums, excluded = b.fr.by_continent(flow, code)
    shares: dict[int, dict[str, float]] = {}
    for y in ys:
        total = sum(sums.get(y, {}).values())
        if not total:
            continue
        shares[y] = {c: v / total for c, v in sums[y].items()}
        meta = {
            "denominator": COUNTRY_SUM,
            "denominator_value": total,
            "world_row_value": row[y],
            "excluded": excluded.get(y, {}),
        }
        for c, s in sorted(shares[y].items()):
            p = {"side": side, "continent": c}
            b.add(
                "world.{side}.share.{continent}.{year}",
                s,
                y,
                {**p, "year": str(y)},
                continent_value=sums[y][c],
                **meta,
            )
            if y == b.last:
                b.add("world.{side}.share.{continent}", s, y, p, continent_value=sums[y][c], **meta)
    if b.first in shares and b.last in shares and b.last > b.first:
        for c in sorted(set(shares[b.first]) | set(shares[b.last])):
            change = shares[b.last].get(c, 0.0) - shares[b.first].get(c, 0.0)
            b.add(
                "world.{side}.share_change.{continent}",
                change,
                b.last,
                {"side": side, "continent": c},
                comparison=b.span_comparison(),
                denominator=COUNTRY_SUM,
            )


def _weights(b: _Builder) -> None:
    """The group's share of world merchandise exports (TO) and of world manufactures (MA), World rows."""
    row = b.fr.values("X", b.form.code, WORLD)
    for whole, template in ((TOTAL, "world.share_of_trade"), (MANUFACTURES, "world.share_of_manufactures")):
        if whole == b.form.code:
            continue
        w = b.fr.values("X", whole, WORLD)
        meta: dict[str, Any] = {"denominator": WORLD_ROW, "denominator_code": whole}
        for y in range(b.first, b.last + 1):
            if y in row and w.get(y):
                b.add(
                    template + ".{year}", row[y] / w[y], y, {"year": str(y)}, denominator_value=w[y], **meta
                )
        b.add(
            template, _ratio(row.get(b.last), w.get(b.last)), b.last, denominator_value=w.get(b.last), **meta
        )


def _peers(b: _Builder, peers: tuple[str, ...]) -> None:
    code = b.form.code
    for side, flow in SIDES.items():
        world_row = b.fr.values(flow, code, WORLD)
        for peer in peers:
            vals = b.fr.values(flow, code, peer)
            if not vals:
                continue
            p = {"partner": peer, "side": side}
            for y in range(b.first, b.last + 1):
                if y in vals:
                    b.add("peers.{partner}.{side}.value.{year}", vals[y], y, {**p, "year": str(y)})
            if b.last not in vals:
                continue
            b.add("peers.{partner}.{side}.value", vals[b.last], b.last, p)
            share = _ratio(vals[b.last], world_row.get(b.last))
            b.add("peers.{partner}.{side}.share", share, b.last, p, denominator=WORLD_ROW)
            if b.first in vals and b.last > b.first:
                growth = vals[b.last] / vals[b.first] - 1 if vals[b.first] else None
                b.add("peers.{partner}.{side}.growth", growth, b.last, p, comparison=b.span_comparison())


def _peru(b: _Builder) -> None:
    """Peru's imports of the group and its balance (exports minus imports), same basket on both sides."""
    x = b.fr.values("X", b.form.code, PERU)
    m = b.fr.values("M", b.form.code, PERU)
    if b.last in m:
        b.add("peru.imports.value", m[b.last], b.last, member="peru", value_basis="CIF")
    for y in range(b.first, b.last + 1):
        if y in x and y in m:
            b.add("peru.balance.value.{year}", x[y] - m[y], y, {"year": str(y)}, caveat=CAVEAT_BALANCE)
            if y == b.last:
                b.add("peru.balance.value", x[y] - m[y], y, caveat=CAVEAT_BALANCE, exports=x[y], imports=m[y])


def _subsectors(fr: WtoFrame, group: BasketForm, parts: list[BasketForm], last: int) -> FactSet:
    fs = FactSet()
    for part in parts:
        b = _Builder(fr, part, last, last)
        for side, flow in SIDES.items():
            p = {"subsector": part.code, "side": side}
            value = fr.values(flow, part.code, WORLD).get(last)
            whole = fr.values(flow, group.code, WORLD).get(last)
            b.add("subsector.{subsector}.world.{side}.value", value, last, p, reporter=WORLD)
            b.add("subsector.{subsector}.world.{side}.share", _ratio(value, whole), last, p, of=group.code)
            peru = fr.values(flow, part.code, PERU).get(last)
            if peru is not None:
                b.add("subsector.{subsector}.peru.{side}.value", peru, last, p, reporter=PERU)
        fs.extend(b.facts)
    return fs


def world_facts(
    wh: Warehouse,
    group: BasketForm,
    parts: list[BasketForm],
    *,
    world_from: int,
    last_year: int,
    peers: tuple[str, ...],
    engine: str | None = None,
) -> tuple[FactSet, tuple[int, int]]:
    """Every WTO fact of the study for the span ``world_from``..``last_year`` (cut to the data)."""
    codes = {group.code, TOTAL, MANUFACTURES, *(p.code for p in parts)}
    fr = frame(wh, codes, first=world_from, last=last_year, engine=engine)
    first, last = span(fr, group.code, world_from, last_year)
    b = _Builder(fr, group, first, last)
    for side in SIDES:
        _world_side(b, side)
    _weights(b)
    _peers(b, tuple(dict.fromkeys((*peers, PERU))))
    _peru(b)
    b.facts.extend(_subsectors(fr, group, parts, last))
    return b.facts, (first, last)


def facts_of(fs: FactSet) -> list[Fact]:
    """The facts of ``fs`` that come from WTO data."""
    return [f for f in fs if f.dataset == DATASET]


__all__ = [
    "DATASET",
    "MANUFACTURES",
    "SIDES",
    "TOTAL",
    "WtoFrame",
    "facts_of",
    "frame",
    "span",
    "world_facts",
]
