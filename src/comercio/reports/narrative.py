"""The prose of the regional report: a context of raw numbers and names built from the facts, rendered by
one Jinja2 template per language (``templates/regional_es.j2``, ``regional_en.j2``, one macro per section).

Changes are told by verbs chosen by their sign and size (:func:`move`: "crecieron 46,1 %", "aumentaron apenas
0,3 %", "cayó 7,0 %"), and connectors contrast only changes of different directions. Numbers reach the text
only through the house formatter (filters ``money``, ``pct``, ``spct`` of the one
template environment, :mod:`comercio.reports.templating`), so the narrative reads exactly like the tables and
charts, and a test can map every printed number back to a fact. Facts are read by family and parts; member
names come from the reference tables in the language asked for (:mod:`comercio.reference.dimensions`) and
every other word from the message catalogue (``regional.toml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment

from comercio import reference
from comercio.errors import ReportError
from comercio.i18n import has, t
from comercio.indicators.facts import FactSet
from comercio.indicators.measures import trend
from comercio.indicators.regional_result import (
    HEADLINE,
    NATIONAL,
    OTHER_RECORDS,
    RegionalFacts,
)
from comercio.reference.dimensions import member_names
from comercio.reports import regional_quality, regional_sources, templating
from comercio.reports.fmt import Formatter
from comercio.reports.regional_sources import dataset_name as dataset_name  # re-exported for the report
from comercio.reports.templating import paragraphs

CUSTOMS_SHOWN = 4
POSITIONS = ("leader", "second", "third")
CATEGORIES = ("non_traditional", "mining", "agro")
SMALL = 0.02  # below this (in absolute value) a change is told as slight: "aumentó apenas", "retrocedió"
# Customs offices as Mincetur's prose names them ("puerto del Callao"): a column of the reference table
# kept for Spanish only; English prose uses the office's name.
CUSTOMS_PROSE_COLUMN = {"es": "name_prose_es", "en": "name"}


_I_SOUND = re.compile(r"^h?i(?!e)", re.IGNORECASE)  # "y" becomes "e" before an i sound: "Junín e Ica"


def conjunction(before: str, lang: str) -> str:
    """The word "and" before ``before``: Spanish writes "e" before an i sound (``Pasco e Ica``)."""
    key = "regional.and_i" if _I_SOUND.match(before.lstrip()) else "common.and"
    return t(key, lang)


def join_names(items: Iterable[Any], lang: str) -> str:
    """``A, B y C`` / ``A, B and C`` (``A e Ica``)."""
    xs = [str(x) for x in items]
    if len(xs) <= 1:
        return "".join(xs)
    return ", ".join(xs[:-1]) + conjunction(xs[-1], lang) + xs[-1]


def way(growth: float | None) -> str:
    """How a change is told: ``up``/``down`` (``_small`` below :data:`SMALL`) or ``flat`` (one threshold,
    :func:`~comercio.indicators.measures.trend`)."""
    if growth is None or trend(growth) == "flat":
        return "flat"
    return trend(growth) + ("_small" if abs(growth) < SMALL else "")


def move(lang: str, growth: float | None, plural: bool = False) -> str:
    """A verb chosen by the sign and size of ``growth`` with its magnitude: ``creció 12,8 %``, ``aumentaron
    apenas 0,3 %``, ``cayó 7,0 %``, ``se mantuvo prácticamente sin cambio``."""
    pct = Formatter(lang).pct(abs(growth)) if growth is not None else ""
    return t(f"regional.move.{way(growth)}.{'many' if plural else 'one'}", lang, pct=pct)


@cache
def environment(lang: str) -> Environment:
    """The report templates' environment of ``lang`` plus the regional filters (joined names, verbs)."""
    fmt = Formatter(lang)
    return templating.environment(
        lang,
        filters={
            "names": lambda xs: join_names(xs, lang),
            "regions": lambda rs: join_names(
                (f"{r['name']} ({fmt.pct(r['growth'], signed=True)})" for r in rs), lang
            ),
            "move": lambda g, plural=False: move(lang, g, plural),
            "trend": lambda g: "flat" if g is None else trend(g),
            "conj": lambda before: conjunction(str(before), lang),
        },
    )


def render_section(lang: str, section: str, context: Mapping[str, Any]) -> tuple[str, ...]:
    """The paragraphs of one section, from its macro in the language's template."""
    module = environment(lang).get_template(f"regional_{lang}.j2").module
    macro = getattr(module, section, None)
    if macro is None:
        raise ReportError(f"no narrative for section {section!r}", file=f"regional_{lang}.j2", field=section)
    return paragraphs(str(macro(context)))


def render_omitted(lang: str, section: str) -> str:
    """The one sentence saying what data an omitted section would need."""
    module = environment(lang).get_template(f"regional_{lang}.j2").module
    return paragraphs(str(module.omitted(section)))[0]  # type: ignore[attr-defined]


# -- context --------------------------------------------------------------------------------------------
def _span(fmt: Formatter, start: date, end: date) -> str:
    """``Entre enero y noviembre de 2022`` / ``In November 2022`` / ``En 2022`` (capitalised, opens a
    sentence)."""
    key = "regional.span.month" if start.month == end.month else "regional.span.months"
    if (start.month, end.month) == (1, 12):
        key = "regional.span.year"
    text = t(key, fmt.lang, first=fmt.month(start.month), last=fmt.month(end.month), year=end.year)
    return text[0].upper() + text[1:]


def _group(facts: FactSet, families: Mapping[str, str], **parts: str) -> dict[str, Any] | None:
    """The headline measures of a region group or of the nation, None when not computed."""
    if not facts.has(families["value"], **parts):
        return None
    return {k: facts.value(template, **parts) for k, template in families.items()}


def _records(rf: RegionalFacts, lang: str, names: Mapping[str, str]) -> dict[str, Any]:
    facts, definition = rf.facts, rf.record_definition
    fmt = Formatter(lang)
    m0, m1 = fmt.month(1), fmt.month(rf.through.month)
    months = m0 if rf.through.month == 1 else f"{m0}-{m1}"  # the same months, in no particular year
    _, alt_count, alt_members = OTHER_RECORDS.get(definition, OTHER_RECORDS["same-window"])
    members = facts.value("regions.record.members", [])
    alt = facts.value(alt_members)
    return {
        "count": facts.value("regions.record.count", 0),
        "names": [names.get(m, m) for m in members],
        "what": t(f"regional.records.what.{definition}", lang, months=months),
        "alt_count": facts.value(alt_count),
        "alt_names": [names.get(m, m) for m in alt or []],
        "alt_same": alt is not None and set(alt) == set(members),
        "alt_what": t(f"regional.records.alternative.{definition}", lang),
    }


def share_history(facts: FactSet) -> list[dict[str, Any]]:
    """The interior's share by year, oldest first: ``year``, ``share`` and whether the year is complete."""
    rows = [
        {"year": int(f.parts["year"]), "share": f.value, "complete": f.window.get("kind") == "year"}
        for f in facts.each("interior.share.{year}")
    ]
    return sorted(rows, key=lambda r: r["year"])


def _share_range(facts: FactSet) -> dict[str, Any] | None:
    full = [r for r in share_history(facts) if r["complete"] and r["share"] is not None]
    if len(full) < 2:
        return None
    by_share = sorted(full, key=lambda r: r["share"])
    return {"first": full[0]["year"], "last": full[-1]["year"], "low": by_share[0], "high": by_share[-1]}


def _macros(rf: RegionalFacts, lang: str, names: Mapping[str, str]) -> list[dict[str, Any]]:
    rows = [r for r in reference.load("macroregions").to_pylist() if r["grouping"] == rf.grouping]
    labels = member_names("macroregion", lang)
    facts = rf.facts
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        key, dept = str(r["macroregion"]), str(r["department"])
        growth = facts.value("macroregion.{macroregion}.growth", macroregion=key)
        if growth is None:
            continue
        m = out.setdefault(
            key,
            {
                "key": key,
                "name": labels.get(key, key),
                "growth": growth,
                "share": facts.value("macroregion.{macroregion}.share", macroregion=key),
                "value": facts.value("macroregion.{macroregion}.value", macroregion=key),
                "regions": [],
            },
        )
        g = facts.value("region.{department}.growth", department=dept)
        if g is not None:
            m["regions"].append(
                {
                    "ubigeo": dept,
                    "name": names.get(dept, dept),
                    "growth": g,
                    "share": facts.value("region.{department}.share", department=dept),
                }
            )
    for m in out.values():
        m["regions"].sort(key=lambda x: -x["growth"])
        for w in ("up", "down", "flat"):
            m[w] = [x for x in m["regions"] if trend(x["growth"]) == w]
    return sorted(out.values(), key=lambda m: -m["growth"])


def _agro(facts: FactSet, lang: str) -> dict[str, Any] | None:
    if not facts.has("agro.value"):
        return None
    names = member_names("natural_region", lang)
    natural = [
        {
            "code": f.parts["natural_region"],
            "name": names.get(f.parts["natural_region"], f.parts["natural_region"]),  # as prose writes it
            "growth": f.value,
            "share": facts.value("agro.{natural_region}.share", natural_region=f.parts["natural_region"]),
        }
        for f in facts.each("agro.{natural_region}.growth")
    ]
    natural.sort(key=lambda r: -(r["growth"] or 0.0))
    for r in natural:  # a table cell starts with a capital letter ("costa" → "Costa")
        r["label"] = r["name"][:1].upper() + r["name"][1:]
    return {
        "value": facts.value("agro.value"),
        "growth": facts.value("agro.growth"),
        "natural": natural,
        "interior_share": facts.value("agro.interior.share"),
        "interior_growth": facts.value("agro.interior.growth"),
    }


def customs_prose_names(lang: str) -> dict[str, str]:
    """Customs office code → the name the prose uses (``puerto del Callao``; English: the office's name)."""
    column = CUSTOMS_PROSE_COLUMN[lang]
    return {str(r["code"]): str(r[column]) for r in reference.load("customs_offices").to_pylist()}


def _customs(facts: FactSet, lang: str) -> list[dict[str, Any]] | None:
    offices = facts.each("customs_office.{customs_office}.value")
    if not offices:
        return None
    prose = customs_prose_names(lang)
    out: list[dict[str, Any]] = []
    for f in sorted(offices, key=lambda f: -(f.value or 0.0))[:CUSTOMS_SHOWN]:
        code = f.parts["customs_office"]
        out.append(
            {
                "code": code,
                "name": prose.get(code, code),
                "share": facts.value("customs_office.{customs_office}.share", customs_office=code),
                "growth": facts.value("customs_office.{customs_office}.growth", customs_office=code),
                "value": f.value,
            }
        )
    return out


def rolling_leaders(facts: FactSet, names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The three interior leaders of the last twelve months: name, share and value, first to third."""
    out = []
    for pos in POSITIONS:
        code = facts.value("rolling12.{position}.member", position=pos)
        if code is None:
            continue
        out.append(
            {
                "ubigeo": code,
                "name": names.get(code, code),
                "share": facts.value("rolling12.{position}.share", position=pos),
                "value": facts.value("rolling12.{position}.value", position=pos),
            }
        )
    return out


def _rolling_span(facts: FactSet, fmt: Formatter) -> str:
    """``Entre diciembre de 2021 y noviembre de 2022``, or ``En 2022`` for twelve months of one year."""
    r12 = facts.get("rolling12.{position}.share", position="leader")
    if r12 is None:
        return ""
    a, b = date.fromisoformat(r12.window["start"]), date.fromisoformat(r12.window["end"])
    if a.month == 1:
        return _span(fmt, a, b)
    text = t(
        "regional.span.rolling",
        fmt.lang,
        first=fmt.month(a.month),
        first_year=a.year,
        last=fmt.month(b.month),
        last_year=b.year,
    )
    return text[0].upper() + text[1:]


def regional_context(rf: RegionalFacts, lang: str) -> dict[str, Any]:
    """Everything the narrative templates print, as raw numbers and names in ``lang``."""
    fmt = Formatter(lang)
    facts = rf.facts
    through = rf.through
    start, prev_end = date(through.year, 1, 1), date(through.year - 1, through.month, 1)
    names = member_names("department", lang)
    products = member_names("product_group", lang)
    fastest = [
        {
            **_region(facts, m, names),
            "drivers": [
                products.get(p, p) for p in facts.value("region.{department}.drivers", [], department=m)
            ][:3],
        }
        for m in facts.value("regions.fastest.members", [])
    ]
    leaders = {
        k: [names.get(m, m) for m in facts.value("leaders.{category}.members", [], category=k)][
            : 1 if k == "non_traditional" else 3
        ]
        for k in CATEGORIES
        if facts.has("leaders.{category}.members", category=k)
    }
    full_year = through.month == 12
    plain = str(through.year) if full_year else fmt.period(start, through)
    span = regional_quality.labelled_span(plain, rf, lang)
    return {
        "lang": lang,
        "year": through.year,
        "prev_year": through.year - 1,
        "month_name": fmt.month(through.month),
        "full_year": full_year,
        "span": span,
        "span_title": regional_quality.labelled_span(plain, rf, lang, title=True),
        "span_prev": str(through.year - 1)
        if full_year
        else fmt.period(date(through.year - 1, 1, 1), prev_end),
        "span_cap": _span(fmt, start, through),
        "interior": _group(facts, HEADLINE, region_group="interior"),
        "lima": _group(facts, HEADLINE, region_group="lima_callao"),
        "national": _group(facts, NATIONAL),
        "no_reg": _group(facts, HEADLINE, region_group="no_registrado"),
        "growing": facts.value("regions.growing.count", 0),
        "declining": facts.value("regions.declining.count", 0),
        "flat": [names.get(m, m) for m in facts.value("regions.flat.members", [])],
        "declining_names": [names.get(m, m) for m in facts.value("regions.declining.members", [])],
        "flat_threshold": facts.value("regions.flat.threshold"),
        "records": _records(rf, lang, names),
        "share_range": _share_range(facts),
        "fastest": fastest,
        "has_drivers": any(r["drivers"] for r in fastest),
        "fastest_small": [_region(facts, m, names) for m in facts.value("regions.fastest_small.members", [])],
        "min_share": facts.value("regions.fastest.min_share"),
        "unregistered_break": regional_sources.unregistered_break(facts, through),
        "macros": _macros(rf, lang, names),
        "grouping_label": grouping_label(rf.grouping, lang),
        "agro": _agro(facts, lang),
        "customs": _customs(facts, lang),
        "rolling": rolling_leaders(facts, names),
        "rolling_span": _rolling_span(facts, fmt),
        "leaders": leaders or None,
        "projection": _projection(facts),
        "sources": regional_sources.sources(rf, lang),
        "definition": regional_sources.definition(facts, lang),
        "synthetic": rf.synthetic,
        **regional_quality.quality_context(rf, lang),
    }


def _region(facts: FactSet, code: str, names: Mapping[str, str]) -> dict[str, Any]:
    """A department's name, growth and base (its value in the comparison window)."""
    return {
        "ubigeo": code,
        "name": names.get(code, code),
        "growth": facts.value("region.{department}.growth", department=code),
        "previous": facts.value("region.{department}.previous", department=code),
    }


def _projection(facts: FactSet) -> dict[str, Any] | None:
    proj, mape = facts.get("projection.national.value"), facts.get("projection.backtest.mape")
    if proj is None or mape is None:
        return None
    tested = list(mape.extra.get("years", []))
    return {
        "value": proj.value,
        "low": facts.value("projection.national.low"),
        "high": facts.value("projection.national.high"),
        "mape": mape.value,
        "years": list(proj.extra.get("years_used", [])),
        "tested_first": tested[0] if tested else None,
        "tested_last": tested[-1] if tested else None,
    }


def grouping_label(grouping: str, lang: str) -> str:
    """The name of a macroregion grouping (``regional.grouping.<name>``), else its name."""
    key = f"regional.grouping.{grouping}"
    return t(key, lang) if has(key) else grouping


def narrative_text(sections: Sequence[tuple[str, Sequence[str]]]) -> str:
    """Plain text of a narrative (title line + paragraphs), e.g. for snapshots."""
    return "\n\n".join(p for _, ps in sections for p in ps) + "\n"
