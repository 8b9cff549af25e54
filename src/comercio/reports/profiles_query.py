"""A product profile's cuts that need a product filter: its regions, its destinations and its unit value,
answered by :func:`comercio.query.run` from the line dataset of the product's history.

Regions and destinations cover the months of the dataset's latest year (partial or not), compared with the
same months a year earlier; unit value (US$ per kilogram of net weight) is given for every year the dataset
holds, a partial year marked with its months.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from comercio.errors import ComercioError
from comercio.indicators.coverage import NO_DEPARTMENT
from comercio.query import run
from comercio.query.model import Query, QueryResult
from comercio.reports.profiles_data import FLOW_WORD, TOP, Builder, History

BREAKDOWNS = {"department": "regions", "partner": "destinations"}  # query dimension → section


def _month(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def _answer(
    wh: Any, query: Query, engine: str | None, sid: str, refused: dict[str, str]
) -> QueryResult | None:
    """The query's result; when it is refused (the lines hold the product, so a refusal is not a lack of
    data: a bound of rows or time, a cut the engine cannot make), its reason goes to ``refused[sid]``."""
    try:
        return run(wh, query, engine=engine)
    except ComercioError as exc:
        refused[sid] = exc.message
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
    """Regions and destinations of the product (facts), its unit value by year (``unit_value`` rows) and
    the reason of each cut the query engine refused (``refused``: section → reason)."""
    last, first = h.years[-1], h.years[0]
    where = ((dim, (code,)),)
    flow = cast(Literal["X", "M"], h.flow)
    refused: dict[str, str] = {}
    for key, sid in BREAKDOWNS.items():
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
        r = _answer(wh, q, engine, sid, refused)
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
    r = _answer(wh, q, engine, "unit_value", refused)
    if r is None:
        return {"refused": refused}
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
    rows.sort(key=lambda row: row["year"])  # the query's rows come in no promised order
    return {"unit_value": rows, "unit_value_dataset": r.dataset, "refused": refused}


__all__ = ["BREAKDOWNS", "breakdown", "product_breakdowns"]
