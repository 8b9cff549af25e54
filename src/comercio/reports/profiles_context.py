"""What a profile's narrative reads: names, each history's latest years and record, the breakdowns — every
number read back from the bundle's facts (unit values from the query's rows: US$/kg has no fact family).

A year the dataset does not hold whole is labelled with its months (``2025 (ene–abr)``) wherever it is
named: prose, tables, chart axes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comercio.i18n import t
from comercio.indicators.coverage import THRESHOLD
from comercio.reference.dimensions import label, member_names
from comercio.reports.fmt import Formatter
from comercio.reports.narrative import dataset_name
from comercio.reports.profiles_data import FLOW_WORD, History, Year, is_lines
from comercio.reports.profiles_exporters import COUNT as EXPORTERS
from comercio.reports.profiles_exporters import MASKED
from comercio.reports.profiles_facts import ProfileFacts

VALUE = "profile.{dataset}.{flow_word}.value.{year}"
SHARE = "profile.{dataset}.{flow_word}.share.{year}"
GROWTH = "profile.{dataset}.{flow_word}.growth.{year}"
RECORD = "profile.{dataset}.{flow_word}.record"
PART = "profile.{flow_word}.{dimension}.{member}.{measure}"
BREAKDOWN_DIMENSION = {  # breakdown key → the dimension naming its members
    "products": "hs6",
    "agro": "hs6",
    "partner": "partner",
    "customs_office": "customs_office",
    "department": "department",
}


def months_label(fmt: Formatter, first: int, last: int, held: int) -> str:
    """``ene–abr`` (``ene`` for one month); ``N meses`` when the months held are not consecutive."""
    if last - first + 1 != held:
        return t("profiles.partial_months", fmt.lang, n=held)
    short = fmt.d3_time_locale()["shortMonths"]
    return short[first - 1] if first == last else f"{short[first - 1]}–{short[last - 1]}"


def year_label(fmt: Formatter, y: Year, sep: str = " ") -> str:
    """The year, or ``2025 (ene–abr)`` for a partial one (``sep`` between year and months: a line break on
    a chart's axis)."""
    if not y.partial:
        return str(y.year)
    text = t(
        "profiles.partial_year", fmt.lang, year=y.year, months=months_label(fmt, y.first, y.last, y.held)
    )
    return text.replace(" (", sep + "(", 1)


def product_code(code: str) -> str:
    """``080440`` → ``0804.40`` (HS notation); other codes as given."""
    return f"{code[:4]}.{code[4:6]}" + (f".{code[6:]}" if len(code) > 6 else "") if len(code) >= 6 else code


PRODUCT_DIMENSIONS = ("hs2", "hs4", "hs6", "product")


def member_name(
    dimension: str, code: str, lang: str, names: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """A member's name in ``lang``; a product by its HS or NANDINA label and code (``Palta (0804.40)``), or
    by its code alone when no label is loaded."""
    if dimension in PRODUCT_DIMENSIONS:
        known = (names or {}).get(code, {}).get(lang)
        return f"{known} ({product_code(code)})" if known else product_code(code)
    return label(dimension, code, lang)


def profile_name(p: ProfileFacts, lang: str) -> str:
    if p.dimension == "sector":
        return p.code[:1].upper() + p.code[1:]
    return member_name(p.dimension, p.code, lang, p.extra.get("names"))


def _year(p: ProfileFacts, h: History, y: Year, fmt: Formatter) -> dict[str, Any]:
    parts = {"dataset": h.dataset, "flow_word": FLOW_WORD[h.flow], "year": str(y.year)}
    return {
        "year": y.year,
        "label": year_label(fmt, y),
        "partial": y.partial,
        "value": p.facts.value(VALUE, **parts),
        "share": p.facts.value(SHARE, **parts),
        "growth": p.facts.value(GROWTH, **parts),
        "coverage": _coverage(p, h, y),
    }


def _coverage(p: ProfileFacts, h: History, y: Year) -> float | None:
    """The share of the year's value with a department, for a region read from lines (else None)."""
    f = p.facts.get("coverage.{year}.share", year=str(y.year))
    return None if f is None or f.dataset != h.dataset else f.value


def history_context(p: ProfileFacts, h: History, fmt: Formatter) -> dict[str, Any]:
    """One dataset's history: its source, span, latest full year, latest year and record."""
    full = [y for y in h.years if not y.partial]
    record = p.facts.get(RECORD, dataset=h.dataset, flow_word=FLOW_WORD[h.flow])
    rows = [_year(p, h, y, fmt) for y in h.years]
    return {
        "dataset": h.dataset,
        "source": dataset_name(h.dataset, fmt.lang),
        "flow": FLOW_WORD[h.flow],
        "lines": is_lines(h.dataset),  # its share is of the lines loaded (national with complete files)
        "synthetic": h.synthetic,
        "first": year_label(fmt, h.years[0]),
        "last": year_label(fmt, h.years[-1]),
        "full": _year(p, h, full[-1], fmt) if full else None,
        "latest": _year(p, h, h.years[-1], fmt),
        "record": None if record is None else {"year": record.extra["year"], "value": record.value},
        "rows": rows,
        "low_coverage": [r for r in rows if r["coverage"] is not None and r["coverage"] < THRESHOLD],
    }


def breakdown_context(p: ProfileFacts, flow_word: str, key: str, lang: str) -> dict[str, Any] | None:
    """The rows of one breakdown (largest first) and the window they cover."""
    facts = [
        f
        for f in p.facts.each("profile.{flow_word}.{dimension}.{member}.value")
        if f.parts["flow_word"] == flow_word and f.parts["dimension"] == key
    ]
    if not facts:
        return None
    fmt = Formatter(lang)
    e = facts[0].extra
    first, last = e["months"]
    y = Year(int(e["year"]), 0.0, first, last, last - first + 1, None)
    dim = BREAKDOWN_DIMENSION[key]
    rows = []
    for f in sorted(facts, key=lambda f: -(f.value or 0.0)):
        parts = {"flow_word": flow_word, "dimension": key, "member": f.parts["member"]}
        rows.append(
            {
                "code": f.parts["member"],
                "name": member_name(dim, f.parts["member"], lang, p.extra.get("names")),
                "value": f.value,
                "share": p.facts.value(PART.replace("{measure}", "share"), **parts),
                "growth": p.facts.value(PART.replace("{measure}", "growth"), **parts),
            }
        )
    return {"span": year_label(fmt, y), "rows": rows, "dataset": facts[0].dataset}


def unit_values(p: ProfileFacts, fmt: Formatter) -> list[dict[str, Any]]:
    rows = []
    for r in p.extra.get("unit_value", ()):
        a, b = (r["months"] or ("0000-01", "0000-12"))[:2]
        first, last = int(a[5:]), int(b[5:])
        y = Year(r["year"], 0.0, first, last, last - first + 1 if r["partial"] else 12, None)
        rows.append(
            {**r, "label": year_label(fmt, y), "tonnes": None if r["net_kg"] is None else r["net_kg"] / 1e3}
        )
    return rows


def exporters(p: ProfileFacts, fmt: Formatter) -> list[dict[str, Any]]:
    """The number of exporters by year (and how many have a masked name), labelled like the histories."""
    rows = []
    for f in sorted(p.facts.each(EXPORTERS), key=lambda f: int(f.parts["year"])):
        e = f.extra
        y = Year(int(f.parts["year"]), 0.0, e["months"][0], e["months"][1], e["held"], None)
        masked = p.facts.value(MASKED, dataset=f.parts["dataset"], year=f.parts["year"])
        rows.append(
            {
                "year": y.year,
                "label": year_label(fmt, y),
                "partial": y.partial,
                "exporters": f.value,
                "masked": masked,
                "without_id": e["without_id"],
                "dataset": f.dataset,
                "synthetic": f.synthetic,
            }
        )
    return rows


def profile_context(p: ProfileFacts, lang: str) -> dict[str, Any]:
    """The narrative's context of a profile."""
    fmt = Formatter(lang)
    hist = [history_context(p, h, fmt) for h in p.histories]
    top = {
        word: {key: breakdown_context(p, word, key, lang) for key in BREAKDOWN_DIMENSION}
        for word in FLOW_WORD.values()
    }
    macro = None if p.macroregion is None else member_names("macroregion", lang).get(p.macroregion)
    return {
        "kind": p.kind,
        "code": p.code,
        "name": profile_name(p, lang),
        "macroregion": macro,
        "synthetic": p.synthetic,
        "exports": [h for h in hist if h["flow"] == "exports"],
        "imports": [h for h in hist if h["flow"] == "imports"],
        "top": top,
        "unit_values": unit_values(p, fmt),
        "exporters": exporters(p, fmt),
        "w": {k: k for k in (*FLOW_WORD.values(), *BREAKDOWN_DIMENSION)},
    }


__all__ = ["breakdown_context", "history_context", "months_label", "profile_context", "year_label"]
