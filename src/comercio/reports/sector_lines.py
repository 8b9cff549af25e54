"""The sector study's sections built on customs lines (``lines.*`` facts of
:mod:`comercio.indicators.sector_lines`): the basket's exports, imports and balance by year with the year to
date, and its parts and leading HS subheadings.

A year whose months are not all loaded is never a full year: its row and its prose name the months
(``enero-noviembre de 2025``). Months the maturity of customs lines (:mod:`comercio.indicators.maturity`)
calls preliminary are named. The source is "líneas de declaraciones de SUNAT", with the synthetic label when
the lines are synthetic; the sentence says which source each side of the balance uses when they differ.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from comercio.i18n import Messages, t
from comercio.indicators.facts import Fact, FactSet
from comercio.indicators.sector import SectorFacts
from comercio.indicators.specs import Window
from comercio.reference import path_name
from comercio.reference.dimensions import label
from comercio.reports.fmt import Formatter
from comercio.reports.narrative import join_names
from comercio.reports.spec import ColumnSpec, RenderContext, SectionSpec, TableSpec, need, text
from comercio.reports.writers import Column, Table

SIDES = ("exports", "imports")


def _window(fact: Fact | None) -> Window | None:
    return None if fact is None or not fact.window else Window.from_dict(dict(fact.window))


def source_note(msg: Messages, synthetic: bool) -> str:
    """``líneas de declaraciones de SUNAT``, with the synthetic label when the lines are synthetic (one
    message: the study's source line, the tables' notes and the partner sections' sources)."""
    return msg("sector.src.lines", synthetic=f" ({msg('common.synthetic')})" if synthetic else "")


def _months(names: list[str], fmt: Formatter) -> list[str]:
    out = []
    for m in sorted(set(names)):
        d = date.fromisoformat(f"{m}-01")
        out.append(fmt.period(d, d))
    return out


def _month_names(names: list[str], fmt: Formatter) -> str:
    """Months as prose, the year named once per year: ``octubre y noviembre de 2025``."""
    by_year: dict[int, list[int]] = {}
    for m in sorted(set(names)):
        d = date.fromisoformat(f"{m}-01")
        by_year.setdefault(d.year, []).append(d.month)
    return join_names(
        (
            t(
                "presentation.date.period_one_year",
                fmt.lang,
                months=join_names((fmt.month(m) for m in months), fmt.lang),
                year=y,
            )
            for y, months in by_year.items()
        ),
        fmt.lang,
    )


def _side(f: FactSet, side: str) -> dict[str, Any] | None:
    ytd = f.get("lines.{side}.ytd.value", side=side)
    years = {
        int(x.parts["year"]): x.value for x in f.each("lines.{side}.value.{year}") if x.parts["side"] == side
    }
    if ytd is None and not years:
        return None
    return {
        "ytd": None if ytd is None else ytd.value,
        "previous": f.value("lines.{side}.ytd.previous", side=side),
        "growth": f.value("lines.{side}.growth", side=side),
        "years": years,
        "annual_growth": f.value("lines.{side}.annual_growth", side=side),
        "preliminary": list((ytd.extra or {}).get("preliminary", ())) if ytd is not None else [],
    }


def _ranked(f: FactSet, side: str, dim: str, lang: str, basket: str | None) -> list[dict[str, Any]]:
    """The basket's parts (``dim`` sector: the last label of the path, in ``lang``) or HS subheadings."""
    rows = []
    for x in f.each(f"lines.{{side}}.{dim}.{{{dim}}}.value"):
        if x.parts["side"] != side:
            continue
        code = x.parts[dim]
        p = {"side": side, dim: code}
        if dim == "sector":
            name = (path_name(basket, code, lang) if basket else code).split(" > ")[-1]
        else:
            name = label("hs6", code, lang)
        rows.append(
            {
                "code": code,
                "name": name,
                "value": x.value,
                "share": f.value(f"lines.{{side}}.{dim}.{{{dim}}}.share", **p),
                "growth": f.value(f"lines.{{side}}.{dim}.{{{dim}}}.growth", **p),
            }
        )
    rows.sort(key=lambda r: -(r["value"] or 0.0))
    for i, r in enumerate(rows):
        r["rank"] = i + 1
    return rows


def lines_context(sf: SectorFacts, fmt: Formatter) -> dict[str, Any] | None:
    """What the lines sections print (None: no ``lines.*`` fact)."""
    f = sf.facts
    sides = {s: _side(f, s) for s in SIDES}
    if not any(sides.values()):
        return None
    msg = Messages(fmt.lang)
    any_ytd = next((x for s in SIDES if (x := f.get("lines.{side}.ytd.value", side=s)) is not None), None)
    w = _window(any_ytd) or Window.ytd(sf.through)
    partial = w.end.month != 12
    balance = f.get("lines.balance.ytd.value")
    years = sorted({y for s in sides.values() if s for y in s["years"]})
    rows: list[dict[str, Any]] = [
        {
            "year": str(y),
            "exports": (sides["exports"] or {}).get("years", {}).get(y),
            "imports": (sides["imports"] or {}).get("years", {}).get(y),
            "balance": f.value("lines.balance.value.{year}", year=str(y)),
        }
        for y in years
        if y < w.end.year
    ]
    span = fmt.period(w.start, w.end)
    rows.append(
        {
            "year": span,
            "exports": (sides["exports"] or {}).get("ytd"),
            "imports": (sides["imports"] or {}).get("ytd"),
            "balance": None if balance is None else balance.value,
        }
    )
    synthetic = any(x.synthetic for x in f if x.id.startswith("lines."))
    prelim = [m for s in sides.values() if s for m in s["preliminary"]]
    exports_source = (balance.extra or {}).get("exports_source") if balance is not None else None
    hs = sf.form("hs")
    code = None if hs is None else hs.code
    return {
        "basket": None if hs is None else {"name": hs.name(fmt.lang), "code": hs.code},
        **sides,
        "balance": None
        if balance is None
        else {
            "value": balance.value,
            "abs": abs(balance.value),
            "deficit": balance.value < 0,
            "previous": f.value("lines.balance.ytd.previous"),
            "exports_from_g1": exports_source == "sunat_cuadros",
        },
        "rows": rows,
        "span": span,
        "prev_span": fmt.period(
            date(w.start.year - 1, w.start.month, 1), date(w.end.year - 1, w.end.month, 1)
        ),
        "partial": partial,
        "year": w.end.year,
        "preliminary": _months(prelim, fmt),
        "preliminary_names": _month_names(prelim, fmt),
        "synthetic": synthetic,
        "synthetic_note": f" ({msg('common.synthetic')})" if synthetic else "",
        "source": source_note(msg, synthetic),
        "side_names": {s: msg(f"sector.side.{s}") for s in SIDES},
        "parts": {s: _ranked(f, s, "sector", fmt.lang, code) for s in SIDES},
        "products": {s: _ranked(f, s, "hs6", fmt.lang, code) for s in SIDES},
    }


def _trade_table(rc: RenderContext) -> Table | None:
    """Exports, imports and balance of the basket from lines: every full year, then the year to date."""
    c = rc.context["lines"]
    if c is None:
        return None
    columns = (
        Column("year", rc.msg("sector.col.period")),
        Column("exports", rc.msg("sector.col.exports_fob"), "millions", 1),
        Column("imports", rc.msg("sector.col.imports_cif"), "millions", 1),
        Column("balance", rc.msg("sector.col.balance"), "millions", 1),
    )
    title = rc.msg("sector.table.lines", basket=c["basket"]["name"] if c["basket"] else "")
    note = rc.msg("sector.note.lines", source=rc.msg("sector.src.line", sources=c["source"]))
    if c["preliminary"]:
        key = "sector.note.preliminary_" + ("one" if len(c["preliminary"]) == 1 else "many")
        months = c["preliminary_names"]
        note = f"{rc.msg(key, months=months[:1].upper() + months[1:])} {note}"
    if c["partial"]:
        note = f"{rc.msg('sector.note.partial', span=c['span'])} {note}"
    return Table("lines-trade", title, columns, tuple(c["rows"]), note=note)


def ranked_columns(name_header: str) -> tuple[ColumnSpec, ...]:
    """The columns of the study's ranked tables: rank, name (headed by message ``name_header``), value in
    millions, share and growth."""
    return (
        ColumnSpec("rank", text("sector.col.rank"), "count"),
        ColumnSpec("name", text(name_header)),
        ColumnSpec("value", text("presentation.table.value_millions"), "millions", decimals=1),
        ColumnSpec("share", text("sector.col.share"), "pct"),
        ColumnSpec("growth", text("sector.col.growth"), "pct_signed"),
    )


def _ranked_table(kind: str, side: str) -> TableSpec:
    """The basket's parts (``parts``) or leading HS subheadings (``products``) on one side, year to date."""
    return TableSpec(
        f"lines-{kind}-{side}",
        text(f"sector.table.lines_{kind}", side=f"lines.side_names.{side}", span="lines.span"),
        ranked_columns(f"sector.col.lines_{kind}"),
        rows=f"lines.{kind}.{side}",
        note=text("sector.src.line", sources="lines.source"),
        optional=True,
    )


SECTIONS = (
    SectionSpec("lines_trade", (need("lines.{side}.ytd.value"),), tables=(_trade_table,), missing="drop"),
    SectionSpec(
        "lines_parts",
        (need("lines.{side}.sector.{sector}.value"),),
        tables=tuple(_ranked_table(k, s) for k in ("parts", "products") for s in ("imports", "exports")),
        missing="drop",
    ),
)


__all__ = ["SECTIONS", "lines_context", "ranked_columns", "source_note"]
