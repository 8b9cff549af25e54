"""What the regional report says about its data's quality: a preliminary last month and attribution coverage.

From the facts ``maturity.latest.*`` and ``coverage.*`` (:mod:`comercio.indicators.regional_quality`):
the notice at the top of a report whose last month is preliminary (written only with ``--preliminary``),
the label of that month in titles, tables and charts, the coverage sentence of the department sections and
their warning below the threshold (decision 0017, points 5 and 6). Words come from ``regional.toml``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from comercio.i18n import has, t
from comercio.indicators.coverage import COMPARABLE, UNATTRIBUTED
from comercio.indicators.regional import RegionalFacts
from comercio.reports.fmt import Formatter


def basis_name(basis: str, lang: str) -> str:
    """How a ``region_basis`` is named in the text (``ubigeo del productor``), else its code."""
    key = f"regional.basis.{basis}"
    return t(key, lang) if has(key) else basis


def preliminary(rf: RegionalFacts, lang: str) -> dict[str, Any] | None:
    """The last month's maturity when it is preliminary: month, expected completeness, cut-off, basis."""
    f = rf.facts.get("maturity.latest.completeness")
    if f is None or not rf.facts.value("maturity.latest.preliminary"):
        return None
    fmt = Formatter(lang)
    as_of = rf.facts.value("maturity.latest.as_of")
    return {
        "month": fmt.month(rf.through.month),
        "year": rf.through.year,
        "completeness": f.value,
        "as_of": fmt.date_long(date.fromisoformat(as_of)) if as_of else "",
        "basis": t(f"regional.maturity.basis.{f.extra.get('basis', 'published')}", lang),
        "label": t("regional.maturity.label", lang, month=fmt.month(rf.through.month)),
    }


def coverage(rf: RegionalFacts, lang: str) -> dict[str, Any] | None:
    """The window's attribution coverage: share with a department, by basis, without one, below threshold."""
    f = rf.facts.get("coverage.window.share")
    if f is None or f.value is None:
        return None
    bases = sorted(rf.facts.each("coverage.window.basis.{basis}"), key=lambda x: -(x.value or 0.0))
    prev = rf.facts.get("coverage.previous.share")
    return {
        "previous": None if prev is None else prev.value,
        "previous_bases": [] if prev is None else _names(prev.extra.get("shares", {}), lang),
        "apart": prev is not None and _apart(f.extra.get("shares", {}), prev.extra.get("shares", {})),
        "share": f.value,
        "unattributed": rf.facts.value("coverage.window.unattributed", 0.0),
        "threshold": f.extra.get("threshold", 0.95),
        "below": f.value < f.extra.get("threshold", 0.95),
        "bases": [{"name": basis_name(b.parts["basis"], lang), "share": b.value} for b in bases],
    }


def _names(shares: dict[str, float], lang: str) -> list[str]:
    """The bases that attributed value, largest first, named in ``lang``."""
    placed = sorted(((v, b) for b, v in shares.items() if b != UNATTRIBUTED and v > 0), reverse=True)
    return [basis_name(b, lang) for _, b in placed]


def _apart(now: dict[str, float], before: dict[str, float]) -> bool:
    """Whether two windows' attribution differs (a basis' share, or the unattributed one, moved)."""
    return any(abs(now.get(b, 0.0) - before.get(b, 0.0)) > COMPARABLE for b in {*now, *before})


def labelled_span(span: str, rf: RegionalFacts, lang: str) -> str:
    """``span`` with the preliminary month named: ``enero-noviembre de 2025 (noviembre preliminar)``."""
    p = preliminary(rf, lang)
    return span if p is None else f"{span} ({p['label']})"


def quality_context(rf: RegionalFacts, lang: str) -> dict[str, Any]:
    """The context keys the templates read: ``preliminary`` and ``coverage`` (None when not computed)."""
    return {"preliminary": preliminary(rf, lang), "coverage": coverage(rf, lang)}


def meta(rf: RegionalFacts) -> dict[str, Any]:
    """What ``report.json`` records about the last month's maturity and the window's coverage."""
    out: dict[str, Any] = {}
    f = rf.facts.get("maturity.latest.completeness")
    if f is not None:
        out["maturity"] = {
            "month": rf.through.strftime("%Y-%m"),
            "completeness": f.value,
            "preliminary": bool(rf.facts.value("maturity.latest.preliminary")),
            **dict(f.extra),
        }
    c = rf.facts.get("coverage.window.share")
    if c is not None:
        out["coverage"] = {"share": c.value, **dict(c.extra)}
    return out
