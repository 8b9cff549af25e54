"""How the regional narrative cites its data: each dataset's citation, coverage and retrieval date, what its
departmental values are, a comparability paragraph when it is not the official release's source, and the 2020
break of "No registrado" (METHODOLOGY.md §6). Words come from the message catalogue (``regional.toml``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from comercio.i18n import has, t
from comercio.indicators.facts import FactSet
from comercio.indicators.regional_result import UNREGISTERED_BREAK, RegionalFacts
from comercio.reports.fmt import Formatter


def dataset_name(dataset: str, lang: str) -> str:
    """The display name of a dataset (``common.dataset.<name>``), else its name."""
    key = f"common.dataset.{dataset}"
    return t(key, lang) if has(key) else dataset


def unregistered_break(facts: FactSet, through: date) -> dict[str, Any] | None:
    """The 2020 jump of "No registrado", for text that compares interior shares across it (METHODOLOGY §6);
    ``in_comparison`` when the report's own comparison window lies before it."""
    year = UNREGISTERED_BREAK
    before = facts.value("unregistered.share.{year}", year=str(year - 1))
    registered = facts.value("interior.share_registered")
    if through.year < year or before is None or registered is None:
        return None
    return {
        "year": year,
        "year_before": year - 1,
        "before": before,
        "before_window": facts.value("{region_group}.share_previous", region_group="no_registrado"),
        "now": facts.value("{region_group}.share", region_group="no_registrado"),
        "registered": registered,
        "in_comparison": through.year == year,
    }


def sources(rf: RegionalFacts, lang: str) -> list[dict[str, Any]]:
    """Each dataset used: its citation, the months its vintage covers (last = cut-off), the retrieval date."""
    fmt = Formatter(lang)
    out = []
    for d in sorted(rf.datasets):
        key = f"regional.source.{d}"
        v = rf.facts.get("source.{dataset}.vintage", dataset=d)
        row: dict[str, Any] = {"name": t(key, lang) if has(key) else dataset_name(d, lang)}
        comparability = f"regional.comparability.{d}"
        row["comparability"] = t(comparability, lang) if has(comparability) else None
        if v is not None:
            first, last = date.fromisoformat(v.window["start"]), date.fromisoformat(v.window["end"])
            row["covers"] = t(
                "regional.span.covers",
                lang,
                first=fmt.month(first.month),
                first_year=first.year,
                last=fmt.month(last.month),
                last_year=last.year,
            )
            row["retrieved"] = fmt.date_long(date.fromisoformat(str(v.value)))
        out.append(row)
    return out


def definition(facts: FactSet, lang: str) -> str:
    """What the departmental values are, as their dataset defines them (``regional.definition.<dataset>``)."""
    f = facts.get("{region_group}.value", region_group="interior")
    key = f"regional.definition.{f.dataset if f is not None else ''}"
    return t(key if has(key) else "regional.definition.default", lang)
