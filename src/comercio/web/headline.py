"""The home page's headline: the regional report's opening paragraphs and key figures, from its facts.

The facts are :func:`comercio.indicators.regional.regional_facts` through the cached service; the sentences
are the report's own (:func:`comercio.reports.narrative.render_section`), so home and report say the same.
"""

from __future__ import annotations

from typing import Any

from comercio.errors import ComercioError
from comercio.i18n import t
from comercio.reference import dimensions
from comercio.reports.fmt import Formatter
from comercio.reports.narrative import join_names, regional_context, render_section
from comercio.service import IndicatorService


def headline(svc: IndicatorService, month: str, lang: str) -> dict[str, Any] | None:
    """Paragraphs and key figures of the regional report through ``month`` (None when it cannot be built)."""
    try:
        rf = svc.regional(month)
        context = regional_context(rf, lang)
        paragraphs = render_section(lang, "headline", context) + render_section(lang, "regions", context)[:1]
    except ComercioError:
        return None
    facts, fmt = rf.facts, Formatter(lang)
    groups = [
        {
            "label": capital(dimensions.label("region_group", code, lang)),
            "value": fmt.money(facts.value("{region_group}.value", region_group=code)),
            "growth": fmt.figure(facts.value("{region_group}.growth", region_group=code), "growth"),
        }
        for code in ("interior", "lima_callao")
    ]
    growing = int(facts.value("regions.growing.count", default=0) or 0)
    declining = int(facts.value("regions.declining.count", default=0) or 0)
    flat = int(facts.value("regions.flat.count", default=0) or 0)
    records = [
        dimensions.label("department", c, lang)
        for c in facts.value("regions.record.members", default=[]) or []
    ]
    cards = [
        *groups,
        {
            "label": t("web.headline.interior_share", lang),
            "value": fmt.figure(facts.value("{region_group}.share", region_group="interior"), "share"),
        },
        {
            "label": t("web.headline.regions", lang),
            "value": t("web.headline.regions_value", lang, n=growing, total=growing + declining + flat),
        },
        {
            "label": t("web.headline.records", lang),
            "value": str(len(records)),
            "note": join_names(records, lang) if records else t("web.headline.no_records", lang),
        },
    ]
    return {
        "paragraphs": paragraphs,
        "cards": cards,
        "title": t("web.headline.title", lang, period=context.get("span", "")),
    }


def capital(text: str) -> str:
    """``lima y Callao`` → ``Lima y Callao`` (only the first letter changes)."""
    return text[:1].upper() + text[1:]
