"""A product profile's cuts that need a product filter: its regions, its destinations and its unit value,
answered by :func:`comercio.query.run` from the line dataset of the product's history.

Regions and destinations cover the months of the dataset's latest year (partial or not), compared with the
same months a year earlier; unit value (US$ per kilogram of net weight) is given for every year the dataset
holds, a partial year marked with its months.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from comercio.errors import ConfigError, DataNotAvailable
from comercio.indicators.coverage import NO_DEPARTMENT
from comercio.query import run
from comercio.query.model import Query, QueryResult
from comercio.reports.profiles_data import FLOW_WORD, TOP, Builder, History

BREAKDOWNS = ("department", "partner")


def _month(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def _answer(wh: Any, query: Query, engine: str | None) -> QueryResult | None:
    try:
        return run(wh, query, engine=engine)
    except (DataNotAvailable, ConfigError):  # a cut the data cannot answer: its section says what it needs
        return None


def breakdown(b: Builder, r: QueryResult, key: str, year: int, months: tuple[int, int]) -> None:
    """The :data:`TOP` members of ``r`` (one period, one breakdown) as ``profile.*`` breakdown facts; value
    without a member (no department: "No registrado") counts in the total, never in the ranking."""
    word = FLOW_WORD[r.query.flow]
    window = {"kind": "months", "start": _month(year, months[0]), "end": _month(year, months[1])}
    total = sum(row["value"] or 0.0 for row in r.rows)
    extra = {"months": list(months), "partial": months != (1, 12), "year": year, "total": total}
    named = [
        row for row in r.rows if row[key] is not None and (key, row[key]) != ("department", NO_DEPARTMENT)
    ]
    ranked = sorted(named, key=lambda row: -(row["value"] or 0.0))
    for row in ranked[:TOP]:
        parts = {"flow_word": word, "dimension": key, "member": str(row[key])}
        kw: dict[str, Any] = {
            "window": window,
            "src": r,
            "parts": parts,
            "extra": extra,
            "member": str(row[key]),
        }
        b.add("profile.{flow_word}.{dimension}.{member}.value", row["value"], **kw)
        if row.get("share") is not None:
            b.add("profile.{flow_word}.{dimension}.{member}.share", row["share"], **kw)
        if row.get("growth") is not None:
            b.add(
                "profile.{flow_word}.{dimension}.{member}.growth",
                row["growth"],
                **kw,
                comparison={"kind": "same_window", "years": 1},
            )


def product_breakdowns(
    b: Builder, wh: Any, dim: str, code: str, h: History, engine: str | None = None
) -> dict[str, Any]:
    """Regions and destinations of the product (facts) and its unit value by year (``unit_value`` rows)."""
    last, first = h.years[-1], h.years[0]
    where = ((dim, (code,)),)
    flow = cast(Literal["X", "M"], h.flow)
    for key in BREAKDOWNS:
        q = Query(
            _month(last.year, last.first),
            _month(last.year, last.last),
            flow,
            "year",
            (key,),
            where,
            ("value", "share", "growth"),
            dataset=h.dataset,
        )
        r = _answer(wh, q, engine)
        if r is not None and r.rows:
            breakdown(b, r, key, last.year, (last.first, last.last))
    q = Query(
        _month(first.year, first.first),
        _month(last.year, last.last),
        flow,
        "year",
        (),
        where,
        ("value", "net_kg", "unit_value"),
        dataset=h.dataset,
    )
    r = _answer(wh, q, engine)
    if r is None:
        return {}
    rows = [
        {
            "year": int(str(row["period"])[:4]),
            "value": row["value"],
            "net_kg": row["net_kg"],
            "unit_value": row["unit_value"],
            "partial": row["period"] in r.partial,
            "months": r.extra.get("months", {}).get(row["period"]),
        }
        for row in r.rows
    ]
    return {"unit_value": rows, "unit_value_dataset": r.dataset, "unit_value_synthetic": r.synthetic}


__all__ = ["BREAKDOWNS", "breakdown", "product_breakdowns"]
