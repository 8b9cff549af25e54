"""What the sector study's narrative prints: facts' values and names in the report's language, by section.

:func:`sector_context` reads :class:`~comercio.indicators.sector.SectorFacts` by family and parts and returns
plain dictionaries (numbers raw, formatted by the templates' filters). Every block names the basket its
figures use (a form of the study in ``basket_definitions.csv``: the G1 group, the WTO product group, the HS
basket, an F1 use group, or all products for G6), so the prose can say which basket each figure measures.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from comercio.i18n import Messages, has, section
from comercio.indicators.facts import Fact, FactSet
from comercio.indicators.sector import SectorFacts
from comercio.indicators.specs import Window
from comercio.reference import BasketForm
from comercio.reference.dimensions import in_prose, label
from comercio.reports.fmt import Formatter
from comercio.reports.sector_lines import lines_context, source_note

SIDES = ("exports", "imports")
PERU = "PER"
G6 = "destinations"
LINES = ("basket_destinations", "basket_origins")
# the rows of SUNAT table F1 the imports context reads, in this order (CUODE groups; "total" last)
CUODE_TOTAL = "total"


def _cell(name: str) -> str:
    """A name as a table cell: first letter capitalised (prose keeps the reference table's lower case)."""
    return name[:1].upper() + name[1:]


def _form_dict(f: BasketForm | None, lang: str) -> dict[str, Any] | None:
    if f is None:
        return None
    return {"code": f.code, "name": f.name(lang), "definition": f.definition(lang), "source": f.source(lang)}


def _window(fact: Fact | None) -> Window | None:
    return None if fact is None or not fact.window else Window.from_dict(dict(fact.window))


def _prev_span(w: Window, fmt: Formatter) -> str:
    """The same months of ``w`` a year earlier, as the formatter writes a period."""
    return fmt.period(date(w.start.year - 1, w.start.month, 1), date(w.end.year - 1, w.end.month, 1))


def _continents(f: FactSet, side: str, lang: str, first: int) -> list[dict[str, Any]]:
    """Continents of one side in the last year, largest first, with their share in ``first`` and change."""
    rows = []
    for x in f.each("world.{side}.share.{continent}"):
        if x.parts["side"] != side:
            continue
        c = x.parts["continent"]
        rows.append(
            {
                "code": c,
                "name": label("continent", c, lang),
                "share": x.value,
                "share_first": f.value(
                    "world.{side}.share.{continent}.{year}", side=side, continent=c, year=str(first)
                ),
                "change": f.value("world.{side}.share_change.{continent}", side=side, continent=c),
            }
        )
    return sorted(rows, key=lambda r: -(r["share"] or 0.0))


def continent_share_rows(f: FactSet, side: str, lang: str) -> list[dict[str, Any]]:
    """Every year's continent shares of ``side`` (year, continent name in ``lang``, share): the rows of the
    stacked chart and its table, in the report and on the dashboard."""
    return [
        {
            "year": int(x.parts["year"]),
            "group": label("continent", x.parts["continent"], lang),
            "share": x.value,
        }
        for x in f.each("world.{side}.share.{continent}.{year}")
        if x.parts["side"] == side
    ]


def _denominator(f: FactSet, template: str, **parts: str) -> str | None:
    fact = next((x for x in f.each(template) if all(x.parts.get(k) == v for k, v in parts.items())), None)
    return None if fact is None else (fact.extra or {}).get("denominator")


def _world(sf: SectorFacts, lang: str) -> dict[str, Any] | None:
    if sf.world_years is None or not sf.facts.has("world.{side}.value", side="exports"):
        return None
    f, (y0, y1) = sf.facts, sf.world_years
    first = str(y0)
    sides = {
        side: {
            "value": f.value("world.{side}.value", side=side),
            "value_first": f.value("world.{side}.value.{year}", side=side, year=first),
            "growth": f.value("world.{side}.growth", side=side),
            "continents": _continents(f, side, lang, y0),
        }
        for side in SIDES
    }
    excluded = sorted(
        {
            str(e)
            for x in f.each("world.{side}.share.{continent}.{year}")
            for e in (x.extra or {}).get("excluded", ()) or ()
        }
    )
    return {
        "first": y0,
        "last": y1,
        "basket": _form_dict(sf.form(sf.world_form or "wto"), lang),
        "synthetic": any(x.synthetic for x in f if x.id.startswith("world.")),
        **sides,
        "lead": sides["exports"]["continents"][0] if sides["exports"]["continents"] else None,
        "share_of_trade": f.value("world.share_of_trade"),
        "share_of_trade_first": f.value("world.share_of_trade.{year}", year=first),
        "share_of_manufactures": f.value("world.share_of_manufactures"),
        "share_of_manufactures_first": f.value("world.share_of_manufactures.{year}", year=first),
        "continent_denominator": _denominator(f, "world.{side}.share.{continent}", side="exports"),
        "excluded": excluded,
    }


def _peers(f: FactSet, lang: str) -> list[dict[str, Any]]:
    """Each peer's exports (value, growth over the span, share of the World row) and imports, by value."""
    rows = []
    for x in f.each("peers.{partner}.{side}.value"):
        if x.parts["side"] != "exports":
            continue
        p = x.parts["partner"]
        rows.append(
            {
                "code": p,
                "name": label("partner", p, lang),
                "prose": in_prose("partner", p, lang),
                "peru": p == PERU,
                "value": x.value,
                "growth": f.value("peers.{partner}.{side}.growth", partner=p, side="exports"),
                "share": f.value("peers.{partner}.{side}.share", partner=p, side="exports"),
                "imports": f.value("peers.{partner}.{side}.value", partner=p, side="imports"),
            }
        )
        rows[-1]["net_importer"] = (rows[-1]["imports"] or 0.0) > (x.value or 0.0)
    return sorted(rows, key=lambda r: -(r["value"] or 0.0))


def _balance(sf: SectorFacts) -> dict[str, Any] | None:
    """Peru's exports and imports of the world form's group and their difference, last and first year."""
    f = sf.facts
    balance = f.get("peru.balance.value")
    if balance is None or sf.world_years is None:
        return None
    y0, y1 = sf.world_years
    b0 = f.value("peru.balance.value.{year}", year=str(y0))
    every = [x.value for x in f.each("peru.balance.value.{year}") if x.value is not None]
    return {
        "year": y1,
        "first": y0,
        "exports": f.value("peers.{partner}.{side}.value", partner=PERU, side="exports"),
        "imports": f.value("peru.imports.value"),
        "value": balance.value,
        "deficit": balance.value is not None and balance.value < 0,
        "abs": None if balance.value is None else abs(balance.value),
        "first_value": b0,
        "first_abs": None if b0 is None else abs(b0),
        "first_deficit": b0 is not None and b0 < 0,
        "every_year": len(every) > 1 and all(v < 0 for v in every),
    }


def _peru(sf: SectorFacts, fmt: Formatter) -> dict[str, Any] | None:
    f = sf.facts
    ytd = f.get("peru.exports.ytd.value")
    year = f.get("peru.exports.value")
    if ytd is None and year is None:
        return None
    out: dict[str, Any] = {"basket": _form_dict(sf.form("g1"), fmt.lang)}
    if year is not None:
        y = _window(year)
        assert y is not None
        out |= {
            "year": y.end.year,
            "year_value": year.value,
            "annual_growth": f.value("peru.exports.annual_growth"),
        }
    else:
        out |= {"year": None, "year_value": None, "annual_growth": None}
    w = _window(ytd)
    out["ytd"] = None
    if ytd is not None and w is not None and not (w.start.month == 1 and w.end.month == 12):
        out["ytd"] = {
            "value": ytd.value,
            "previous": f.value("peru.exports.ytd.previous"),
            "growth": f.value("peru.exports.growth"),
            "span": fmt.period(w.start, w.end),
            "prev_span": _prev_span(w, fmt),
        }
    driver = f.get("peru.exports.growth_driver")
    out["driver"] = None
    if driver is not None and driver.extra and driver.extra.get("month"):
        m = date.fromisoformat(f"{driver.extra['month']}-01")
        out["driver"] = {
            "month": fmt.period(m, m),
            "month_prev": fmt.period(date(m.year - 1, m.month, 1), date(m.year - 1, m.month, 1)),
            "share": driver.value,
            "value": driver.extra.get("value"),
            "previous": driver.extra.get("previous"),
            "growth_without": driver.extra.get("growth_without"),
        }
    # the G1 value of the world side's last year, beside the WTO figure of the same year
    wy = sf.world_years[1] if sf.world_years else None
    out["world_year"] = wy
    out["same_year"] = None if wy is None else f.value("peru.exports.value.{year}", year=str(wy))
    out["wto_same_year"] = f.value("peers.{partner}.{side}.value", partner=PERU, side="exports")
    return out


def _cuode(sf: SectorFacts, fmt: Formatter) -> dict[str, Any] | None:
    """Imports by economic use (SUNAT F1, CIF) for the study's context groups, then the F1 total."""
    f = sf.facts
    codes = [x.code for x in sf.forms if x.form == "f1"] + [CUODE_TOTAL]
    names = {x.code: x.name(fmt.lang) for x in sf.forms if x.form == "f1"}
    rows = []
    for code in codes:
        ytd = f.get("imports.cuode.{cuode}.ytd.value", cuode=code)
        year = f.get("imports.cuode.{cuode}.value", cuode=code)
        if ytd is None and year is None:
            continue
        rows.append(
            {
                "code": code,
                "name": names.get(code) or Messages(fmt.lang)("sector.cuode_total"),
                "cell": _cell(names.get(code) or Messages(fmt.lang)("sector.cuode_total")),
                "total": code == CUODE_TOTAL,
                "year_value": None if year is None else year.value,
                "value": None if ytd is None else ytd.value,
                "growth": f.value("imports.cuode.{cuode}.growth", cuode=code),
                "share": f.value("imports.cuode.{cuode}.share", cuode=code),
            }
        )
    if not rows:
        return None
    ytd_w = _window(f.get("imports.cuode.{cuode}.ytd.value", cuode=rows[0]["code"]))
    year_w = _window(f.get("imports.cuode.{cuode}.value", cuode=rows[0]["code"]))
    lead = rows[0]
    return {
        "rows": rows,
        "lead": lead if not lead["total"] else None,
        "parts": [r for r in rows[1:] if not r["total"]],
        "span": None if ytd_w is None else fmt.period(ytd_w.start, ytd_w.end),
        "year": None if year_w is None else year_w.end.year,
        "prev_year": None if ytd_w is None else ytd_w.end.year - 1,
    }


def partners(f: FactSet, direction: str, fmt: Formatter) -> dict[str, Any] | None:
    """Ranked destinations (or origins) of ``direction``, names in the formatter's language (None: absent)."""
    top = f.get("{direction}.top", direction=direction)
    if top is None:
        return None
    rows = []
    for i, m in enumerate(top.value):
        p = {"direction": direction, "partner": m}
        rows.append(
            {
                "rank": i + 1,
                "code": m,
                "name": label("partner", m, fmt.lang),
                "prose": in_prose("partner", m, fmt.lang),
                "value": f.value("{direction}.{partner}.value", **p),
                "share": f.value("{direction}.{partner}.share", **p),
                "growth": f.value("{direction}.{partner}.growth", **p),
            }
        )
    w = _window(top)
    assert w is not None
    msg = Messages(fmt.lang)
    return {
        "rows": rows,
        "lead": rows[:3],
        "n": len(rows),
        "total": f.value("{direction}.total.value", direction=direction),
        "latam_count": f.value("{direction}.latam_top10.count", direction=direction),
        "latam_share": f.value("{direction}.latam_top10.share", direction=direction),
        "latam_names": [in_prose("partner", m, fmt.lang) for m in _members(f, direction)],
        "span": fmt.period(w.start, w.end),
        "prev_span": _prev_span(w, fmt),
        "synthetic": top.synthetic,
        "synthetic_note": f" ({msg('common.synthetic')})" if top.synthetic else "",
        "lines_source": source_note(msg, top.synthetic),  # what sector.source.basket_* name
    }


def _members(f: FactSet, direction: str) -> list[str]:
    """The Latin American partners among the top ten (the count fact's ``extra.members``)."""
    fact = f.get("{direction}.latam_top10.count", direction=direction)
    return list((fact.extra or {}).get("members", ())) if fact is not None else []


def _subsectors(sf: SectorFacts, lang: str) -> list[dict[str, Any]]:
    f = sf.facts
    rows = []
    for part in (x for x in sf.forms if x.form == "wto" and x.role == "subsector"):
        p = {"subsector": part.code}
        value = f.value("subsector.{subsector}.world.{side}.value", side="exports", **p)
        if value is None:
            continue
        rows.append(
            {
                "code": part.code,
                "name": part.name(lang),
                "cell": _cell(part.name(lang)),
                "value": value,
                "share": f.value("subsector.{subsector}.world.{side}.share", side="exports", **p),
                "peru_exports": f.value("subsector.{subsector}.peru.{side}.value", side="exports", **p),
                "peru_imports": f.value("subsector.{subsector}.peru.{side}.value", side="imports", **p),
            }
        )
    return sorted(rows, key=lambda r: -(r["value"] or 0.0))


def _why(study: str, pair: str, lang: str) -> str:
    """The sentence saying why two forms of the study differ (a study's own wording, else the general one)."""
    key = f"sector.why.{pair}.{study}"
    return Messages(lang)(key if has(key) else f"sector.why.{pair}.default")


def _used(c: dict[str, Any], sf: SectorFacts) -> dict[str, Any]:
    """Which sources and baskets this run's figures use, for the methods note (it describes only those)."""
    world, hs, xl = c["world"], c["forms"]["hs"], c["forms"]["export_lines"]
    lines = c["lines"] is not None or c["basket_origins"] is not None
    xl_used = xl if c["basket_destinations"] is not None and xl and xl != hs else None
    used: dict[str, Any] = {
        "wto": world is not None and sf.world_form != "hs",
        "baci": world is not None and sf.world_form == "hs",
        "g1": c["peru"] is not None and c["forms"]["g1"] is not None,
        "lines": lines,
        "lines_sides": [s for s in SIDES if c["lines"] and c["lines"][s]],
        # the basket classifying export lines for the group's destinations, when it is not the HS basket
        "export_lines": xl_used,
        "context": [k for k, key in (("F1", "cuode"), ("G6", "destinations")) if c[key] is not None],
    }
    xl_hs = c["basket_destinations"] is not None and xl_used is None
    names = [
        world["basket"]["name"] if world and world["basket"] else None,
        c["forms"]["g1"]["name"] if used["g1"] else None,
        hs["name"] if hs and (lines or used["baci"] or xl_hs) else None,
        xl_used["name"] if xl_used else None,
    ]
    used["baskets"] = len({n for n in names if n})
    return used


def sector_context(sf: SectorFacts, lang: str) -> dict[str, Any]:
    """Everything the narrative templates print, as raw numbers (facts' values) and names in ``lang``."""
    fmt = Formatter(lang)
    c = _context(sf, lang, fmt)
    c["used"] = _used(c, sf)
    return c


def _context(sf: SectorFacts, lang: str, fmt: Formatter) -> dict[str, Any]:
    world = _world(sf, lang)
    return {
        "sector": section("sector.basket", lang).get(sf.basket, sf.basket),
        "basket": sf.basket,
        "forms": {
            **{k: _form_dict(sf.form(k), lang) for k in ("g1", "wto", "hs")},
            "export_lines": _form_dict(sf.form("hs", "export_lines"), lang),
        },
        "world_form": sf.world_form,
        "paths": list(sf.g1_paths),
        "world": world,
        "peers": _peers(sf.facts, lang),
        "balance": _balance(sf),
        "peru": _peru(sf, fmt),
        "cuode": _cuode(sf, fmt),
        "destinations": partners(sf.facts, G6, fmt),
        **{d: partners(sf.facts, d, fmt) for d in LINES},
        "subsectors": _subsectors(sf, lang),
        "lines": lines_context(sf, fmt),
        "why": {pair: _why(sf.basket, pair, lang) for pair in ("g1_wto", "f1_wto", "hs_wto")},
    }


__all__ = ["continent_share_rows", "partners", "sector_context"]
