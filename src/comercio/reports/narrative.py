"""The prose of the regional report: a context of raw numbers and names built from the facts, rendered by
one Jinja2 template per language (``templates/regional_es.j2``, ``regional_en.j2``, one macro per section).

Numbers reach the text only through the house formatter (filters ``money``, ``pct``, ``spct``), so the
narrative reads exactly like the tables and charts, and a test can map every printed number back to a fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from comercio import reference
from comercio.errors import ReportError
from comercio.indicators.facts import FactSet
from comercio.indicators.regional import RegionalFacts
from comercio.reports.fmt import Formatter

PARAGRAPH = "<<P>>"
TITLES: dict[str, dict[str, str]] = {
    "headline": {"es": "Resumen", "en": "Summary"},
    "regions": {"es": "Regiones en crecimiento y récords", "en": "Regions growing and records"},
    "share": {"es": "Participación del interior", "en": "The interior's share"},
    "fastest": {"es": "Regiones de mayor crecimiento", "en": "Fastest-growing regions"},
    "macroregions": {"es": "Macrorregiones", "en": "Macroregions"},
    "agro": {"es": "Agroexportación por región natural", "en": "Agricultural exports by natural region"},
    "customs": {"es": "Aduanas de salida", "en": "Customs offices of exit"},
    "rolling12": {"es": "Últimos doce meses", "en": "Last twelve months"},
    "leaders": {"es": "Líderes por categoría", "en": "Category leaders"},
    "projection": {"es": "Proyección de cierre de año", "en": "Year-end projection"},
    "methods": {"es": "Notas metodológicas", "en": "Methods"},
}
DATASET_NAMES = {
    "bcrp_departments": {"es": "BCRP, exportaciones por departamento", "en": "BCRP, exports by department"},
    "customs_lines": {
        "es": "SUNAT, declaraciones de exportación definitiva",
        "en": "SUNAT, definitive export declarations",
    },
    "sunat_g1": {
        "es": "SUNAT, exportaciones por sector económico",
        "en": "SUNAT, exports by economic sector",
    },
}
GROUPING_LABELS = {"mincetur": "Mincetur", "adex": "ADEX"}
NATURAL_REGIONS = {
    "costa": {"es": "costa", "en": "coast"},
    "sierra": {"es": "sierra", "en": "highlands"},
    "selva": {"es": "selva", "en": "rainforest"},
}
CUSTOMS_SHOWN = 4
_SPACES = re.compile(r"[ \t\r\n]+")  # ASCII whitespace only: keeps the formatter's U+202F and U+00A0


def join_names(items: Iterable[Any], lang: str) -> str:
    """``A, B y C`` / ``A, B and C``."""
    xs = [str(x) for x in items]
    if len(xs) <= 1:
        return "".join(xs)
    return ", ".join(xs[:-1]) + (" y " if lang == "es" else " and ") + xs[-1]


# A change that prints as 0,0 % is described as no change, never as a rise or a fall.
FLAT = 0.0005


def _verb(lang: str, growth: float | None) -> str:
    words = {"es": ("creció", "retrocedió", "no varió"), "en": ("grew", "declined", "was flat")}[lang]
    if growth is None or abs(growth) < FLAT:
        return words[2]
    return words[0] if growth > 0 else words[1]


@cache
def environment(lang: str) -> Environment:
    """The narrative environment of one language: plain text, strict about missing context keys."""
    fmt = Formatter(lang)
    env = Environment(
        loader=PackageLoader("comercio.reports", "templates"),
        autoescape=False,  # plain text; the HTML writer escapes it
        undefined=StrictUndefined,
    )
    env.filters["money"] = fmt.money
    env.filters["pct"] = lambda x: fmt.pct(x)
    env.filters["spct"] = lambda x: fmt.pct(x, signed=True)
    env.filters["names"] = lambda xs: join_names(xs, lang)
    env.filters["regions"] = lambda rs: join_names(
        (f"{r['name']} ({fmt.pct(r['growth'], signed=True)})" for r in rs), lang
    )
    env.filters["verb_es"] = lambda g: _verb("es", g)
    env.filters["verb_en"] = lambda g: _verb("en", g)
    return env


def paragraphs(text: str) -> tuple[str, ...]:
    """Split rendered text on the paragraph marker and normalise its (ASCII) white space."""
    out = (_SPACES.sub(" ", p).strip() for p in text.split(PARAGRAPH))
    return tuple(p for p in out if p)


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
def _labels(name: str, key: str, label: str) -> dict[str, str]:
    return {str(r[key]): str(r[label]) for r in reference.load(name).to_pylist()}


def _span(fmt: Formatter, start: date, end: date, *, cap: bool) -> str:
    m0, m1 = fmt.month(start.month), fmt.month(end.month)
    if fmt.lang == "es":
        text = f"en {m1} de {end.year}" if start.month == end.month else f"entre {m0} y {m1} de {end.year}"
        return text[0].upper() + text[1:] if cap else text
    text = f"in {m1} {end.year}" if start.month == end.month else f"between {m0} and {m1} {end.year}"
    return text[0].upper() + text[1:] if cap else text


def _group(facts: FactSet, key: str) -> dict[str, Any] | None:
    if f"{key}.value" not in facts:
        return None
    return {
        k: facts.value(f"{key}.{k}")
        for k in ("value", "previous", "growth", "share", "share_previous", "contribution")
    }


def _records(rf: RegionalFacts, lang: str, names: Mapping[str, str], span: str) -> dict[str, Any]:
    facts = rf.facts
    annual = rf.record_definition == "annual"
    fmt = Formatter(lang)
    m0, m1 = fmt.month(1), fmt.month(rf.through.month)
    months = m0 if rf.through.month == 1 else f"{m0}-{m1}"  # the same months, in no particular year
    if lang == "es":
        what = {
            True: "máximo histórico anual (el mayor valor exportado en un año completo anterior)",
            False: f"récord del periodo (el mayor valor de {months} en cualquier año anterior)",
        }
        alt_what = {
            True: "máximo del mismo periodo de años anteriores",
            False: "máximo anual de años completos",
        }
    else:
        what = {
            True: "all-time annual high (the highest value exported in any earlier full year)",
            False: f"record for the period (the highest value of {months} in any earlier year)",
        }
        alt_what = {True: "a high for the same months of earlier years", False: "an all-time full-year high"}
    alt_id = "regions.record_same_window.count" if annual else "regions.record_annual.count"
    return {
        "count": facts.value("regions.record.count", 0),
        "names": [names.get(m, m) for m in facts.value("regions.record.members", [])],
        "what": what[annual],
        "alt_count": facts.value(alt_id),
        "alt_what": alt_what[annual],
    }


def _share_range(facts: FactSet) -> dict[str, Any] | None:
    full = [
        {"year": int(f.id.rsplit(".", 1)[1]), "share": f.value}
        for f in facts.prefixed("interior.share.")
        if f.window.get("kind") == "year" and f.value is not None
    ]
    if len(full) < 2:
        return None
    full.sort(key=lambda r: r["year"])
    by_share = sorted(full, key=lambda r: r["share"])
    return {"first": full[0]["year"], "last": full[-1]["year"], "low": by_share[0], "high": by_share[-1]}


def _macros(rf: RegionalFacts, lang: str, names: Mapping[str, str]) -> list[dict[str, Any]]:
    rows = [r for r in reference.load("macroregions").to_pylist() if r["grouping"] == rf.grouping]
    label = "label_es" if lang == "es" else "label_en"
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = str(r["macroregion"])
        growth = rf.facts.value(f"macroregion.{key}.growth")
        if growth is None:
            continue
        m = out.setdefault(
            key,
            {
                "key": key,
                "name": str(r[label]).lower(),
                "growth": growth,
                "share": rf.facts.value(f"macroregion.{key}.share"),
                "value": rf.facts.value(f"macroregion.{key}.value"),
                "regions": [],
            },
        )
        g = rf.facts.value(f"region.{r['department']}.growth")
        if g is not None:
            m["regions"].append(
                {
                    "ubigeo": r["department"],
                    "name": names.get(r["department"]),
                    "growth": g,
                    "share": rf.facts.value(f"region.{r['department']}.share"),
                }
            )
    for m in out.values():
        m["regions"].sort(key=lambda x: -x["growth"])
        m["up"] = [x for x in m["regions"] if x["growth"] >= FLAT]
        m["down"] = [x for x in m["regions"] if x["growth"] <= -FLAT]
        m["flat"] = [x for x in m["regions"] if abs(x["growth"]) < FLAT]
    return sorted(out.values(), key=lambda m: -m["growth"])


def _agro(facts: FactSet, lang: str) -> dict[str, Any] | None:
    if "agro.value" not in facts:
        return None
    natural = [
        {
            "name": names[lang],
            "growth": facts.value(f"agro.{k}.growth"),
            "share": facts.value(f"agro.{k}.share"),
        }
        for k, names in NATURAL_REGIONS.items()
        if f"agro.{k}.growth" in facts
    ]
    natural.sort(key=lambda r: -(r["growth"] or 0.0))
    return {
        "value": facts.value("agro.value"),
        "growth": facts.value("agro.growth"),
        "natural": natural,
        "interior_share": facts.value("agro.interior.share"),
        "interior_growth": facts.value("agro.interior.growth"),
    }


def _customs(facts: FactSet, lang: str) -> list[dict[str, Any]] | None:
    offices = [f for f in facts.prefixed("customs_office.") if f.id.endswith(".value")]
    if not offices:
        return None
    names = _labels("customs_offices", "code", "name_prose_es" if lang == "es" else "name")
    top = sorted(offices, key=lambda f: -(f.value or 0.0))[:CUSTOMS_SHOWN]
    out: list[dict[str, Any]] = []
    for f in top:
        code = f.id.split(".")[1]
        name = names.get(code, code)
        out.append(
            {
                "code": code,
                "name": name,
                "share": facts.value(f"customs_office.{code}.share"),
                "growth": facts.value(f"customs_office.{code}.growth"),
                "value": f.value,
            }
        )
    return out


def regional_context(rf: RegionalFacts, lang: str) -> dict[str, Any]:
    """Everything the narrative templates print, as raw numbers and names in ``lang``."""
    fmt = Formatter(lang)
    facts = rf.facts
    through = rf.through
    start, prev_end = date(through.year, 1, 1), date(through.year - 1, through.month, 1)
    names = _labels("departments", "ubigeo", "name")
    products = _labels("product_groups", "group", "name_es" if lang == "es" else "name_en")
    span = fmt.period(start, through)
    fastest = [
        {
            "ubigeo": m,
            "name": names.get(m, m),
            "growth": facts.value(f"region.{m}.growth"),
            "drivers": [products.get(p, p) for p in facts.value(f"region.{m}.drivers", [])][:3],
        }
        for m in facts.value("regions.fastest.members", [])
    ]
    rolling = [
        {
            "name": names.get(facts.value(f"rolling12.{p}.member"), ""),
            "share": facts.value(f"rolling12.{p}.share"),
        }
        for p in ("leader", "second", "third")
        if f"rolling12.{p}.member" in facts
    ]
    r12 = facts.get("rolling12.leader.share")
    rolling_span = ""
    if r12 is not None:
        a, b = date.fromisoformat(r12.window["start"]), date.fromisoformat(r12.window["end"])
        joiner = " y " if lang == "es" else " to "
        de = " de " if lang == "es" else " "
        rolling_span = f"{fmt.month(a.month)}{de}{a.year}{joiner}{fmt.month(b.month)}{de}{b.year}"
    leaders = {
        k: [names.get(m, m) for m in facts.value(f"leaders.{k}.members", [])][
            : 1 if k == "non_traditional" else 3
        ]
        for k in ("non_traditional", "mining", "agro")
        if f"leaders.{k}.members" in facts
    }
    proj = facts.get("projection.national.value")
    return {
        "lang": lang,
        "year": through.year,
        "prev_year": through.year - 1,
        "month_name": fmt.month(through.month),
        "span": span,
        "span_prev": fmt.period(date(through.year - 1, 1, 1), prev_end),
        "span_cap": _span(fmt, start, through, cap=True),
        "interior": _group(facts, "interior"),
        "lima": _group(facts, "lima_callao"),
        "national": _group(facts, "national"),
        "no_reg": _group(facts, "no_registrado"),
        "growing": facts.value("regions.growing.count", 0),
        "declining": facts.value("regions.declining.count", 0),
        "records": _records(rf, lang, names, span),
        "share_range": _share_range(facts),
        "fastest": fastest,
        "has_drivers": any(r["drivers"] for r in fastest),
        "macros": _macros(rf, lang, names),
        "grouping_label": GROUPING_LABELS.get(rf.grouping, rf.grouping),
        "agro": _agro(facts, lang),
        "customs": _customs(facts, lang),
        "rolling": rolling,
        "rolling_span": rolling_span,
        "leaders": leaders or None,
        "projection": None
        if proj is None
        else {
            "value": proj.value,
            "mape": facts.value("projection.backtest.mape"),
            "years": list(proj.extra.get("years_used", [])),
        },
        "sources": [DATASET_NAMES.get(d, {}).get(lang, d) for d in sorted(rf.datasets)],
        "synthetic": rf.synthetic,
    }


def narrative_text(sections: Sequence[tuple[str, Sequence[str]]]) -> str:
    """Plain text of a narrative (title line + paragraphs), e.g. for snapshots."""
    return "\n\n".join(p for _, ps in sections for p in ps) + "\n"
