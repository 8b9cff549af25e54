"""Sector study facts of Peru's partners and imports context.

- destinations of ALL exports from SUNAT cuadro G6 (``sunat_destinations``): ranked, shares, growth, the Latin
  American count and share of the top ten (``destinations.*``, ``extra.scope`` = ``all_products``);
- the basket's own destinations and origins from customs lines when loaded (``basket_destinations.*``,
  ``basket_origins.*``), classified by the study's HS basket;
- imports by use (CUODE) from SUNAT cuadro F1, CIF (``imports.cuode.*``): context for the group, never netted
  against its exports (different baskets).
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

import pyarrow as pa

from comercio import reference
from comercio.errors import DataNotAvailable
from comercio.indicators import engine as eng
from comercio.indicators import measures
from comercio.indicators.facts import Fact, FactSet, make
from comercio.indicators.specs import Comparison, Filters, Grouping, Window
from comercio.reference import BasketForm
from comercio.warehouse import Warehouse

TOP = 10
G6 = "sunat_destinations"
ALL_PRODUCTS = "all_products"
CAVEAT_F1 = (
    "CIF imports by economic use (CUODE): not the same basket as the group's exports (FOB, G1), so no "
    "balance is computed from them"
)
_CUODE_NUMBER = re.compile(r"\s*(\d{1,2})[.\s]")


@lru_cache(maxsize=1)
def latin_american() -> frozenset[str]:
    """ISO alpha-2 codes flagged ``latin_america`` in the countries reference table."""
    return frozenset(r["alpha2"] for r in reference.load("countries").to_pylist() if r["latin_america"])


def series_fact(
    template: str,
    value: Any,
    w: Window,
    s: eng.Series,
    basket: dict[str, Any],
    parts: dict[str, str] | None = None,
    **kw: Any,
) -> Fact:
    """A fact with the series' provenance; ``basket`` (and ``extra=``) go into its ``extra``."""
    return make(
        template,
        value,
        parts=parts,
        window=w.as_dict(),
        dataset=s.dataset,
        vintages=s.vintages,
        synthetic=s.synthetic,
        grouping=s.grouping.label,
        extra={**basket, **kw.pop("extra", {})},
        **kw,
    )


def partner_facts(
    direction: str, r: measures.WindowResult, s: eng.Series, w: Window, basket: dict[str, Any] | None = None
) -> FactSet:
    """Partners ranked by value: ``{direction}.top`` (ten ISO2 codes), the total, value, share and growth of
    every partner, and how many of the top ten are Latin American with their combined share.

    Shares are of every row in the window (rows without a partner stay in the total), so the partners' shares
    sum to one when every row names a country. ``basket`` is what every fact records about its basket.
    """
    b = dict(basket or {})
    d = {"direction": direction}
    top = [row.as_dict() for row in r.rows[:TOP]]
    members = [row["member"] for row in top]
    fs = FactSet([series_fact("{direction}.top", members, w, s, b, d, extra={"rows": top})])
    fs.add(series_fact("{direction}.total.value", r.total, w, s, b, d, extra={"previous": r.total_previous}))
    cmp = Comparison().as_dict()
    for row in r.rows:
        p = {**d, "partner": row.member}
        fs.add(series_fact("{direction}.{partner}.value", row.value, w, s, b, p))
        fs.add(series_fact("{direction}.{partner}.share", row.share, w, s, b, p))
        fs.add(series_fact("{direction}.{partner}.growth", row.growth, w, s, b, p, comparison=cmp))
    latam = [row for row in r.rows[:TOP] if row.member in latin_american()]
    names = {"members": [row.member for row in latam]}
    fs.add(series_fact("{direction}.latam_top10.count", len(latam), w, s, b, d, extra=names))
    share = sum(row.share or 0.0 for row in latam)
    fs.add(series_fact("{direction}.latam_top10.share", share, w, s, b, d, extra=names))
    return fs


def _vintages(wh: Warehouse, dataset: str, slice_: str | None = None) -> tuple[tuple[str, ...], bool]:
    vs = [v for v in wh.vintages(dataset) if slice_ is None or v.slice == slice_]
    return tuple(v.vintage for v in vs), any(v.synthetic for v in vs)


def g6_series(wh: Warehouse, engine: str | None = None) -> eng.Series:
    """Monthly exports of ALL products by destination (ISO alpha-2) from cuadro G6."""
    if not wh.has(G6):
        raise DataNotAvailable(f"dataset {G6!r} is not loaded", hint="`comercio build` reads cuadro G6")
    t = wh.table(G6, engine)
    t = t.filter(t.flow == "X")
    expr = t.group_by(["partner", "period"]).aggregate(value=t.value_usd.sum())
    raw = wh.execute(expr.order_by(["period", "partner"]), engine=engine)
    table = pa.table(
        {
            "member": raw["partner"].cast(pa.string()),
            "period": raw["period"].cast(pa.date32()),
            "value": raw["value"].cast(pa.float64()),
        }
    )
    vintages, synthetic = _vintages(wh, G6)
    periods = tuple(sorted(set(table["period"].to_pylist())))
    return eng.Series(table, G6, vintages, synthetic, periods, Grouping("partner"), Filters(flow="X"))


def g6_facts(wh: Warehouse, basket: str, month: date, engine: str | None = None) -> FactSet:
    """``destinations.*`` of all exports, January to ``month`` against the same months a year earlier."""
    s = g6_series(wh, engine)
    ytd = Window.ytd(month)
    r = measures.compare(s, ytd, Comparison())
    extra = {
        "basket": basket,
        "basket_form": "all",
        "basket_code": ALL_PRODUCTS,
        "scope": ALL_PRODUCTS,
        "value_basis": "FOB",
    }
    return partner_facts("destinations", r, s, ytd, extra)


def lines_facts(
    wh: Warehouse, direction: str, flow: str, form: BasketForm, month: date, engine: str | None = None
) -> FactSet:
    """The basket's destinations (exports) or origins (imports) from customs lines, year to date."""
    s = eng.series(
        wh, Grouping("partner"), Filters(flow=flow, basket=form.code), engine=engine, dataset="customs_lines"
    )
    ytd = Window.ytd(month)
    r = measures.compare(s, ytd, Comparison())
    extra = {**form.extra(), "value_basis": "FOB" if flow == "X" else "CIF"}
    return partner_facts(direction, r, s, ytd, extra)


def cuode_code(path: str, level: int) -> str | None:
    """The CUODE group of an F1 row: ``total``, ``capital`` or the number printed before its label."""
    label = path.split(" > ")[-1]
    if level == 0:
        return "total"
    plain = "".join(c for c in label.lower() if c.isalpha())
    if level == 1 and plain.startswith("bienesdecapital"):
        return "capital"
    m = _CUODE_NUMBER.match(label)
    return m.group(1) if m else None


def _f1_series(wh: Warehouse, codes: set[str], selected: set[str], engine: str | None) -> eng.Series:
    """Monthly F1 values of ``codes``, plus member ``selected``: the sum of the ``selected`` groups."""
    t = wh.table("sunat_cuadros", engine)
    t = t.filter(t.table == "F1")
    rows = wh.execute(
        t.group_by(["path", "level", "period"]).aggregate(value=t.value_usd.sum()), engine=engine
    )
    members, periods, values = [], [], []
    for path, level, period, value in zip(
        *(rows[c].to_pylist() for c in ("path", "level", "period", "value")), strict=True
    ):
        code = cuode_code(path, level)
        for member in (code, "selected" if code in selected else None):
            if member in codes:
                members.append(member)
                periods.append(period)
                values.append(value)
    if not members:
        raise DataNotAvailable("cuadro F1 is not loaded", hint="`comercio build` reads cuadro F1")
    table = pa.table(
        {
            "member": pa.array(members, pa.string()),
            "period": pa.array(periods, pa.date32()),
            "value": pa.array(values, pa.float64()),
        }
    )
    vintages, synthetic = _vintages(wh, "sunat_cuadros", "F1")
    return eng.Series(
        table,
        "sunat_cuadros",
        vintages,
        synthetic,
        tuple(sorted(set(periods))),
        Grouping("sector"),
        Filters(flow="M"),
    )


def cuode_facts(wh: Warehouse, forms: list[BasketForm], month: date, engine: str | None = None) -> FactSet:
    """``imports.cuode.*`` of the study's F1 context groups, their sum (``selected``: the numbered groups,
    which do not overlap) and the F1 total: the latest full year, January to ``month`` with its growth, and
    each group's share of the total (CIF, with the caveat)."""
    if not forms:
        raise DataNotAvailable("the basket names no F1 use group as imports context")
    study = forms[0].basket
    numbered = {f.code for f in forms if f.code.isdigit()}
    derived = [
        BasketForm(study, "f1", "context", c, {}, {}, {"es": "SUNAT, cuadro F1", "en": "SUNAT, table F1"})
        for c in ("selected", "total")
    ]
    by_code = {f.code: f for f in (*forms, *derived) if f.code != "selected" or len(numbered) > 1}
    s = _f1_series(wh, set(by_code), numbered, engine)
    ytd = Window.ytd(month)
    r = measures.compare(s, ytd, Comparison()).by_member()
    full_year = month.year if month.month == 12 else month.year - 1
    try:
        measures.check_coverage(s, Window.year(full_year))
        annual = measures.window_values(s, Window.year(full_year))
    except DataNotAvailable:
        annual = {}
    total = r["total"].value if "total" in r else None
    fs = FactSet()
    for code, form in by_code.items():
        extra: dict[str, Any] = {**form.extra(), "value_basis": "CIF", "caveat": CAVEAT_F1}
        if code == "selected":
            extra["members"] = sorted(numbered, key=int)
        p = {"cuode": code}
        if code in annual:
            fs.add(
                series_fact("imports.cuode.{cuode}.value", annual[code], Window.year(full_year), s, extra, p)
            )
        row = r.get(code)
        if row is None:
            continue
        fs.add(
            series_fact(
                "imports.cuode.{cuode}.ytd.value",
                row.value,
                ytd,
                s,
                extra,
                p,
                extra={"previous": row.previous},
            )
        )
        fs.add(
            series_fact(
                "imports.cuode.{cuode}.growth",
                row.growth,
                ytd,
                s,
                extra,
                p,
                comparison=Comparison().as_dict(),
            )
        )
        if code != "total" and total:
            fs.add(
                series_fact(
                    "imports.cuode.{cuode}.share",
                    row.value / total,
                    ytd,
                    s,
                    extra,
                    p,
                    extra={"denominator": "total"},
                )
            )
    return fs


__all__ = [
    "ALL_PRODUCTS",
    "CAVEAT_F1",
    "G6",
    "TOP",
    "cuode_code",
    "cuode_facts",
    "g6_facts",
    "g6_series",
    "latin_american",
    "lines_facts",
    "partner_facts",
]
