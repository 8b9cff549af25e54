"""The sector page's view of the study's basket from customs lines: imports (CIF), exports (FOB) and the
balance, year to date and by full year, and the basket's origins (imports) or destinations (exports).

Every figure is a fact of the sector study (:mod:`comercio.indicators.sector_lines`,
:func:`comercio.indicators.sector_partners.lines_facts`), put into words by the study's own context
(:func:`comercio.reports.sector_lines.lines_context`, :func:`comercio.reports.sector_context.partners`), so
the page and the report say the same thing. Computed once per vintage of the lines.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from comercio import reference
from comercio.errors import DataNotAvailable
from comercio.i18n import section, t
from comercio.indicators import sector_lines
from comercio.indicators.facts import FactSet
from comercio.indicators.sector import SectorFacts
from comercio.indicators.sector_partners import lines_facts
from comercio.reports.fmt import Formatter
from comercio.reports.sector_context import partners
from comercio.reports.sector_lines import lines_context
from comercio.service import IndicatorService
from comercio.web.templating import flow_options, page, world_options

DIRECTIONS = {"M": "basket_origins", "X": "basket_destinations"}


def study_facts(svc: IndicatorService, study: str) -> SectorFacts | None:
    """The ``lines.*`` and basket partner facts of ``study`` at the latest month of the lines (None: no
    lines, or the study has no HS basket)."""
    if not svc.wh.has(sector_lines.DATASET):
        return None
    vintages = tuple(v.vintage for v in svc.wh.vintages(sector_lines.DATASET))

    def compute() -> SectorFacts | None:
        forms = tuple(reference.basket_forms(study))
        hs = next((f for f in forms if f.form == "hs" and f.role == "group"), None)
        month = sector_lines.latest_month(svc.wh)
        if hs is None or month is None:
            return None
        omitted: dict[str, str] = {}
        facts = sector_lines.lines_trade(svc.wh, hs, month, FactSet(), None, omitted)
        exports = next((f for f in forms if f.form == "hs" and f.role == "export_lines"), hs)
        for flow, direction in DIRECTIONS.items():
            try:
                facts.extend(lines_facts(svc.wh, direction, flow, hs if flow == "M" else exports, month))
            except DataNotAvailable as exc:
                omitted[direction] = exc.reason
        return SectorFacts(study, month, facts, omitted, forms=forms)

    return svc.run(("sector_lines", study, vintages), compute)


def _money(fmt: Formatter, value: float | None) -> str:
    return fmt.figure(value, "value", scale="millions", bare=True)


def lines_view(svc: IndicatorService, study: str, flow: str, lang: str) -> dict[str, Any] | None:
    """What the sector page shows of the basket from lines, in ``lang`` (None: no lines loaded)."""
    sf = study_facts(svc, study)
    if sf is None:
        return None
    fmt = Formatter(lang)
    c = lines_context(sf, fmt)
    if c is None:
        return None
    kpis: list[dict[str, Any]] = []
    for side in ("imports", "exports"):
        s = c[side]
        if s and s["ytd"] is not None:
            kpis.append(
                {
                    "key": side,
                    "label": t(f"sector.web.lines_{side}", lang, span=c["span"]),
                    "value": fmt.money(s["ytd"]),
                    "growth": fmt.figure(s["growth"], "growth"),
                }
            )
    if c["balance"]:
        b = c["balance"]
        kpis.append(
            {
                "key": "balance",
                "label": t("sector.web.lines_balance", lang, span=c["span"]),
                "value": fmt.money(b["value"]),
                "growth": None,
            }
        )
    rows = [
        {
            k: r["year"] if k == "year" else _money(fmt, r[k])
            for k in ("year", "exports", "imports", "balance")
        }
        for r in c["rows"]
    ]
    direction = DIRECTIONS.get(flow, DIRECTIONS["M"])
    p = partners(sf.facts, direction, fmt)
    partner_rows = [
        {
            "code": r["code"],
            "rank": r["rank"],
            "label": r["name"],
            "value": _money(fmt, r["value"]),
            "share": fmt.pct(r["share"]),
            "growth": fmt.figure(r["growth"], "growth"),
        }
        for r in (p["rows"] if p else [])
    ]
    notes = [t("sector.note.partial", lang, span=c["span"])] if c["partial"] else []
    if c["preliminary"]:
        notes.append(t("sector.web.preliminary", lang, months=c["preliminary_names"]))
    return {
        "heading": t("sector.web.lines", lang, basket=c["basket"]["name"] if c["basket"] else study),
        "kpis": kpis,
        "rows": rows,
        "table_caption": t("sector.table.lines", lang, basket=c["basket"]["name"] if c["basket"] else study),
        "partners": partner_rows,
        "partners_caption": t(f"sector.chart.{direction}", lang, span=c["span"]),
        "partners_head": t(f"sector.col.{direction}", lang),
        "value_head": t("presentation.table.value_millions", lang),
        "direction": direction,
        "notes": notes,
        "source": t("sector.src.line", lang, sources=c["source"]),
        "through": sf.through,
    }


def lines_only_page(
    request: Request,
    code: str,
    flow: str,
    world: dict[str, Any] | None,
    world_error: str | None,
    lines: dict[str, Any],
) -> Response:
    """The sector page when SUNAT's cuadros are not loaded: the basket from customs lines (and the world
    view when WTO data are)."""
    options = {"flow": flow_options(code), **world_options(world)}  # the world view's pickers too
    return page(
        request,
        "sector.html",
        code,
        w=section("sector.web", code),
        world=world,
        world_error=world_error,
        path=None,
        crumbs=[],
        flow=flow,
        form={"flow": flow},
        options=options,
        rows=None,
        lines=lines,
        cols=section("sector.col", code),
    )


__all__ = ["DIRECTIONS", "lines_only_page", "lines_view", "study_facts"]
