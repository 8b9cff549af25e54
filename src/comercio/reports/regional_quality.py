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
from comercio.indicators.regional_result import RegionalFacts
from comercio.reports.fmt import Formatter


def basis_name(basis: str, lang: str) -> str:
    """How a ``region_basis`` is named in the text (``ubigeo del productor``), else its code."""
    key = f"regional.basis.{basis}"
    return t(key, lang) if has(key) else basis


def preliminary(rf: RegionalFacts, lang: str) -> dict[str, Any] | None:
    """The window's preliminary months when the last is one: each month's name and expected completeness
    (``months``), the last month's, the cut-off, the basis and the label of titles (``octubre (97,7 %) y
    noviembre (47,9 %) preliminares``)."""
    f = rf.facts.get("maturity.latest.completeness")
    if f is None or not rf.facts.value("maturity.latest.preliminary"):
        return None
    fmt = Formatter(lang)
    as_of = rf.facts.value("maturity.latest.as_of")
    young = sorted(rf.facts.each("maturity.window.{month}.completeness"), key=lambda x: x.parts["month"])
    months = [
        {"month": fmt.month(int(x.parts["month"][5:7])), "completeness": x.value}
        for x in young
        if x.parts["month"] < f"{rf.through:%Y-%m}"
    ] + [{"month": fmt.month(rf.through.month), "completeness": f.value}]
    key = f"regional.maturity.label{'_many' if len(months) > 1 else ''}"
    measured = [f"{m['month']} ({fmt.pct(m['completeness'])})" for m in months]
    return {
        "month": fmt.month(rf.through.month),
        "year": rf.through.year,
        "completeness": f.value,
        "months": months,
        "as_of": fmt.date_long(date.fromisoformat(as_of)) if as_of else "",
        "basis": t(f"regional.maturity.basis.{f.extra.get('basis', 'published')}", lang),
        "label": t(key, lang, month=joined([m["month"] for m in months], lang)),
        "title_label": t(key, lang, month=joined(measured, lang)),
    }


def joined(items: list[str], lang: str) -> str:
    """``octubre y noviembre`` / ``a, b and c`` (month and basis names: no Spanish "e" before an i sound)."""
    return ", ".join(items[:-1]) + t("common.and", lang) + items[-1] if len(items) > 1 else "".join(items)


def coverage(rf: RegionalFacts, lang: str) -> dict[str, Any] | None:
    """The window's attribution coverage: share with a department, by basis, without one, below threshold."""
    f = rf.facts.get("coverage.window.share")
    if f is None or f.value is None:
        return None
    bases = sorted(rf.facts.each("coverage.window.basis.{basis}"), key=lambda x: -(x.value or 0.0))
    prev = rf.facts.get("coverage.previous.share")
    moved = prev is not None and apart(f.extra.get("shares", {}), prev.extra.get("shares", {}))
    below = f.value < f.extra.get("threshold", 0.95)
    before = [] if prev is None else basis_names(prev.extra.get("shares", {}), lang)
    # the one line names the earlier bases when they were others, not only a lower share
    other = set(before) != set(basis_names(f.extra.get("shares", {}), lang))
    return {
        "previous": None if prev is None else prev.value,
        "previous_bases": before,
        "apart": moved,
        "share": f.value,
        "unattributed": rf.facts.value("coverage.window.unattributed", 0.0),
        "threshold": f.extra.get("threshold", 0.95),
        "below": below,
        "bases": [{"name": basis_name(b.parts["basis"], lang), "share": b.value} for b in bases],
        "reminder": _reminder(
            rf, lang, f.value, prev.value if moved and prev else None, before if other else []
        )
        if below or moved
        else None,
    }


def _reminder(rf: RegionalFacts, lang: str, share: float, previous: float | None, bases: list[str]) -> str:
    """The one line standing for the coverage warning in the later department sections:
    ``Cobertura de atribución: 58,6 % del valor (2024: 100,0 %); ver la advertencia del Resumen.``, with
    the earlier ``bases`` when given (``2024: 100,0 % con ubigeo del productor``)."""
    fmt = Formatter(lang)
    before = ""
    if previous is not None:
        year, pct = rf.through.year - 1, fmt.pct(previous)
        before = t("regional.coverage.reminder_previous", lang, year=year, share=pct)
        if bases:
            names = joined(bases, lang)
            before = t("regional.coverage.reminder_basis", lang, year=year, share=pct, bases=names)
    return t("regional.coverage.reminder", lang, share=fmt.pct(share), previous=before)


def basis_names(shares: dict[str, float], lang: str) -> list[str]:
    """The bases that attributed value, largest first, named in ``lang``."""
    placed = sorted(((v, b) for b, v in shares.items() if b != UNATTRIBUTED and v > 0), reverse=True)
    return [basis_name(b, lang) for _, b in placed]


def apart(now: dict[str, float], before: dict[str, float]) -> bool:
    """Whether two windows' attribution differs (a basis' share, or the unattributed one, moved)."""
    return any(abs(now.get(b, 0.0) - before.get(b, 0.0)) > COMPARABLE for b in {*now, *before})


def labelled_span(span: str, rf: RegionalFacts, lang: str, *, title: bool = False) -> str:
    """``span`` with the window's preliminary months named: ``enero-noviembre de 2025 (octubre y noviembre
    preliminares)``; for a ``title`` with each month's expected completeness: ``(octubre (97,7 %) y noviembre
    (47,9 %) preliminares)``."""
    p = preliminary(rf, lang)
    return span if p is None else f"{span} ({p['title_label' if title else 'label']})"


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
            "preliminary_months": {
                x.parts["month"]: x.value for x in rf.facts.each("maturity.window.{month}.completeness")
            },
        }
    c = rf.facts.get("coverage.window.share")
    if c is not None:
        out["coverage"] = {"share": c.value, **dict(c.extra)}
    return out
