"""Sector study facts of the basket from customs lines (SUNAT declarations, ``customs_lines``): exports (FOB)
and imports (CIF) of the study's HS basket by full calendar year and year to date, the balance, and the parts
(basket subsectors) and leading HS subheadings of each side (``lines.*``).

Both sides classify the 10-digit ``product`` with the same HS basket (the study's ``hs`` group form), so the
balance compares one basket. A year counts as full only when all twelve of its months are loaded for that
flow; the year of the report month is the year to date (never printed as a full year). When no export
lines are loaded but SUNAT cuadro G1 is, the balance takes its exports from G1 and says so
(``extra.exports_source``).
Months of the year to date that :mod:`comercio.indicators.maturity` calls preliminary are listed in the
facts' ``extra.preliminary``. Masked traders stay in every total: nothing here ranks firms.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from comercio.errors import DataNotAvailable
from comercio.indicators import engine as eng
from comercio.indicators import maturity, measures
from comercio.indicators.facts import FactSet, make
from comercio.indicators.sector_partners import series_fact
from comercio.indicators.specs import Comparison, Filters, Grouping, Window
from comercio.reference import BasketForm
from comercio.warehouse import Warehouse

DATASET = "customs_lines"
SIDES = {"exports": "X", "imports": "M"}
BASIS = {"X": "FOB", "M": "CIF"}
TOP_PRODUCTS = 10
LINES_SOURCE = "customs_lines"
G1_SOURCE = "sunat_cuadros"


def basket_series(
    wh: Warehouse, flow: str, form: BasketForm, grouping: Grouping, engine: str | None = None
) -> eng.Series:
    """Monthly values of the basket's lines of ``flow`` by ``grouping``; :class:`DataNotAvailable` when no
    line of that flow is loaded."""
    if not wh.has(DATASET):
        raise DataNotAvailable(f"dataset {DATASET!r} is not loaded")
    s = eng.series(wh, grouping, Filters(flow=flow, basket=form.code), engine=engine, dataset=DATASET)
    if not s.periods:
        kind = "export" if flow == "X" else "import"
        raise DataNotAvailable(f"no {kind} declaration lines (flow {flow}) are loaded")
    return s


def months(wh: Warehouse, engine: str | None = None) -> set[date]:
    """Every month holding declaration lines of any flow (empty: no lines loaded)."""
    if not wh.has(DATASET):
        return set()
    found: set[date] = set()
    for flow in SIDES.values():
        found.update(
            eng.series(wh, Grouping("national"), Filters(flow=flow), engine=engine, dataset=DATASET).periods
        )
    return found


def latest_month(wh: Warehouse, engine: str | None = None) -> date | None:
    """The latest month of declaration lines of any flow (None: no lines loaded)."""
    return max(months(wh, engine), default=None)


def full_years(periods: tuple[date, ...], through: date) -> list[int]:
    """Calendar years whose twelve months are all loaded and end by ``through``, ascending."""
    by_year: dict[int, set[int]] = {}
    for p in periods:
        by_year.setdefault(p.year, set()).add(p.month)
    return sorted(y for y, ms in by_year.items() if len(ms) == 12 and date(y, 12, 1) <= through)


def _extra(form: BasketForm, flow: str, **kw: Any) -> dict[str, Any]:
    return {**form.extra(), "value_basis": BASIS[flow], "source_kind": "lines", **kw}


def side_facts(
    wh: Warehouse, side: str, form: BasketForm, month: date, engine: str | None = None
) -> tuple[FactSet, dict[int, float], tuple[float, float | None] | None]:
    """``lines.{side}.*`` of one flow: every full year, the latest one's growth, the year to date with its
    growth. Returns the facts, the full years' values and (year to date, a year earlier) when computed;
    :class:`DataNotAvailable` when the lines give neither a full year nor the year to date."""
    flow = SIDES[side]
    s = basket_series(wh, flow, form, Grouping("national"), engine)
    p = {"side": side}
    fs = FactSet()
    annual: dict[int, float] = {}
    for y in full_years(s.periods, month):
        w = Window.year(y)
        annual[y] = sum(measures.window_values(s, w).values())
        fs.add(
            series_fact(
                "lines.{side}.value.{year}", annual[y], w, s, _extra(form, flow), {**p, "year": str(y)}
            )
        )
    years = sorted(annual)
    if len(years) > 1 and years[-1] - 1 in annual:
        y = years[-1]
        g = measures.growth(annual[y], annual[y - 1])
        cmp = Comparison().as_dict()
        fs.add(
            series_fact(
                "lines.{side}.annual_growth", g, Window.year(y), s, _extra(form, flow), p, comparison=cmp
            )
        )
    ytd = Window.ytd(month)
    try:
        r = measures.compare(s, ytd, Comparison())
    except DataNotAvailable:
        if not annual:
            raise  # neither a full year nor the year to date: nothing to say of this side
        return fs, annual, None
    late = [f"{m:%Y-%m}" for m in maturity.preliminary_months(wh, flow, engine) if ytd.start <= m <= ytd.end]
    extra = _extra(form, flow, partial=month.month != 12, months=ytd.n_months, preliminary=late)
    fs.add(series_fact("lines.{side}.ytd.value", r.total, ytd, s, extra, p))
    fs.add(series_fact("lines.{side}.ytd.previous", r.total_previous, Comparison().window(ytd), s, extra, p))
    cmp = Comparison().as_dict()
    fs.add(series_fact("lines.{side}.growth", r.total_growth, ytd, s, extra, p, comparison=cmp))
    return fs, annual, (r.total, r.total_previous)


def parts_facts(
    wh: Warehouse, side: str, form: BasketForm, month: date, engine: str | None = None
) -> FactSet:
    """Year to date of the basket's parts (its subsectors, ``lines.{side}.sector.*``) and of its leading HS
    subheadings (``lines.{side}.hs6.*``, the :data:`TOP_PRODUCTS` largest), with shares and growth."""
    flow = SIDES[side]
    ytd = Window.ytd(month)
    cmp = Comparison().as_dict()
    fs = FactSet()
    for dim, grouping, top in (
        ("sector", Grouping("sector", level=2), None),
        ("hs6", Grouping("hs6"), TOP_PRODUCTS),
    ):
        s = basket_series(wh, flow, form, grouping, engine)
        r = measures.compare(s, ytd, Comparison())
        extra = _extra(form, flow, partial=month.month != 12)
        for row in r.rows[:top]:
            p = {"side": side, dim: row.member}
            fs.add(series_fact(f"lines.{{side}}.{dim}.{{{dim}}}.value", row.value, ytd, s, extra, p))
            fs.add(series_fact(f"lines.{{side}}.{dim}.{{{dim}}}.share", row.share, ytd, s, extra, p))
            fs.add(
                series_fact(
                    f"lines.{{side}}.{dim}.{{{dim}}}.growth", row.growth, ytd, s, extra, p, comparison=cmp
                )
            )
    return fs


def _balance_fact(
    template: str,
    value: float | None,
    w: Window,
    imports: FactSet,
    form: BasketForm,
    exports_source: str,
    **kw: Any,
) -> Any:
    """A balance fact with the provenance of the import lines and the source of each side."""
    ref = next(iter(imports))
    extra = {
        **form.extra(),
        "value_basis": "FOB-CIF",
        "exports_source": exports_source,
        "imports_source": LINES_SOURCE,
        "caveat": "exports FOB minus imports CIF",
        **kw.pop("extra", {}),
    }
    return make(
        template,
        value,
        window=w.as_dict(),
        dataset=ref.dataset,
        vintages=ref.vintages,
        synthetic=any(f.synthetic for f in imports),
        grouping="national",
        extra=extra,
        **kw,
    )


def balance_facts(
    imports: tuple[FactSet, dict[int, float], tuple[float, float | None] | None],
    exports: tuple[dict[int, float], tuple[float, float | None] | None],
    exports_source: str,
    form: BasketForm,
    month: date,
) -> FactSet:
    """``lines.balance.*``: exports minus imports, every full year both sides have and the year to date."""
    m_facts, m_annual, m_ytd = imports
    x_annual, x_ytd = exports
    fs = FactSet()
    if not len(m_facts):
        return fs
    for y in sorted(set(m_annual) & set(x_annual)):
        v = x_annual[y] - m_annual[y]
        fs.add(
            _balance_fact(
                "lines.balance.value.{year}",
                v,
                Window.year(y),
                m_facts,
                form,
                exports_source,
                parts={"year": str(y)},
            )
        )
    if m_ytd is not None and x_ytd is not None:
        ytd = Window.ytd(month)
        extra = {"partial": month.month != 12, "exports": x_ytd[0], "imports": m_ytd[0]}
        fs.add(
            _balance_fact(
                "lines.balance.ytd.value",
                x_ytd[0] - m_ytd[0],
                ytd,
                m_facts,
                form,
                exports_source,
                extra=extra,
            )
        )
        if x_ytd[1] is not None and m_ytd[1] is not None:
            prev = Comparison().window(ytd)
            extra = {"exports": x_ytd[1], "imports": m_ytd[1]}
            fs.add(
                _balance_fact(
                    "lines.balance.ytd.previous",
                    x_ytd[1] - m_ytd[1],
                    prev,
                    m_facts,
                    form,
                    exports_source,
                    extra=extra,
                )
            )
    return fs


def g1_side(facts: FactSet) -> tuple[dict[int, float], tuple[float, float | None] | None]:
    """Peru's exports of the G1 group as a balance side: full years and year to date (``peru.exports.*``)."""
    annual = {
        int(x.parts["year"]): x.value for x in facts.each("peru.exports.value.{year}") if x.value is not None
    }
    ytd = facts.value("peru.exports.ytd.value")
    return annual, None if ytd is None else (ytd, facts.value("peru.exports.ytd.previous"))


def lines_trade(
    wh: Warehouse, form: BasketForm, month: date, g1: FactSet, engine: str | None, omitted: dict[str, str]
) -> FactSet:
    """Every ``lines.*`` fact the loaded lines support; what they cannot is recorded in ``omitted``."""
    fs = FactSet()
    if not wh.has(DATASET):  # nothing to say: the study reads as it does without lines
        return fs
    sides: dict[str, tuple[FactSet, dict[int, float], tuple[float, float | None] | None]] = {}
    missing: dict[str, str] = {}
    for side in SIDES:
        try:
            sides[side] = side_facts(wh, side, form, month, engine)
            fs.extend(sides[side][0])
            fs.extend(parts_facts(wh, side, form, month, engine))
        except DataNotAvailable as exc:
            missing[f"lines_{side}" if side not in sides else f"lines_{side}_parts"] = exc.reason
    if sides:  # lines that cover neither side add nothing (the basket's partners already say what they need)
        omitted.update(missing)
    if "imports" in sides:
        if "exports" in sides:
            fs.extend(balance_facts(sides["imports"], sides["exports"][1:], LINES_SOURCE, form, month))
        elif g1.has("peru.exports.ytd.value") or any(True for _ in g1.each("peru.exports.value.{year}")):
            fs.extend(balance_facts(sides["imports"], g1_side(g1), G1_SOURCE, form, month))
    return fs


__all__ = [
    "DATASET",
    "SIDES",
    "TOP_PRODUCTS",
    "balance_facts",
    "basket_series",
    "full_years",
    "latest_month",
    "lines_trade",
    "months",
    "parts_facts",
    "side_facts",
]
