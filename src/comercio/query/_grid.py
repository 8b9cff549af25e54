"""A query result as a grid of cells, in long or wide form, for the CSV and XLSX writers.

Long form: the result's own columns in order (code and label of each breakdown, the period, the measures),
one row per member combination and period. Wide form (periods as columns, like SUNAT's tables): one row per
member combination, then for each measure one column per period, headed ``2024 · Valor FOB (US$)``; a
member without a figure in a period has an empty cell, never a zero. A period with months missing is marked
wherever it is shown (``2025 (ene–may)``), in the period cells of the long form and in the headers of the
wide form. On synthetic data every measure header says so (``Valor FOB (US$) [datos sintéticos]``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from comercio.errors import ConfigError
from comercio.i18n import t
from comercio.query._periods import short_month
from comercio.query.model import Column, QueryResult

MEMBER_KINDS = ("code", "label")


@dataclass(frozen=True)
class Grid:
    """Headers, the kind and unit of each column, and the rows of cells (None: no figure)."""

    headers: tuple[str, ...]
    kinds: tuple[str, ...]
    units: tuple[str | None, ...]
    rows: tuple[tuple[Any, ...], ...]


def period_label(result: QueryResult, period: str) -> str:
    """The period as a reader should see it: a partial one says which months it covers (``2025 (ene–may)``),
    from ``result.extra["coverage"]`` (period → first and last month), else ``2025 (parcial)``."""
    if period not in result.partial:
        return period
    lang = result.query.lang
    span = (result.extra.get("coverage") or {}).get(period)
    if not span:
        return t("query.period.partial_unknown", lang, period=period)
    first, last = str(span[0]), str(span[1])
    a, b = short_month(int(first[5:7]), lang), short_month(int(last[5:7]), lang)
    if first[:4] != last[:4]:
        a, b = f"{a} {first[:4]}", f"{b} {last[:4]}"
    months = a if first == last else t("query.period.months", lang, first=a, last=b)
    return t("query.period.partial", lang, period=period, months=months)


def _getter(column: Column, labels: dict[str, str]) -> Callable[[dict[str, Any]], Any]:
    """How one column's cell is read from a row: periods by their reader's label, members as text."""
    key = column.key
    if column.kind == "period":
        return lambda r: None if r.get(key) is None else labels.get(str(r[key]), str(r[key]))
    if column.kind in MEMBER_KINDS:
        return lambda r: None if r.get(key) is None else str(r[key])
    return lambda r: r.get(key)


def measure_header(result: QueryResult, column: Column) -> str:
    """A measure's header; on synthetic data it says so, so no synthetic figure travels without its label."""
    if column.kind == "number" and result.synthetic:
        return t("query.column.synthetic", result.query.lang, header=column.header)
    return column.header


def long_grid(result: QueryResult) -> Grid:
    """One row per member combination and period, the result's columns in order."""
    cols = result.columns
    labels = {p: period_label(result, p) for p in result.partial}
    getters = [_getter(c, labels) for c in cols]
    return Grid(
        headers=tuple(measure_header(result, c) for c in cols),
        kinds=tuple(c.kind for c in cols),
        units=tuple(c.unit for c in cols),
        rows=tuple(tuple(g(r) for g in getters) for r in result.rows),
    )


def wide_grid(result: QueryResult) -> Grid:
    """One row per member combination (in the order they first appear); for each measure, one column per
    period in the result's period order."""
    members = [c for c in result.columns if c.kind in MEMBER_KINDS]
    measures = [c for c in result.columns if c.kind == "number"]
    period_col = next((c for c in result.columns if c.kind == "period"), None)
    periods = list(result.periods)
    seen = {str(r.get(period_col.key)) for r in result.rows} if period_col else set()
    periods += sorted(p for p in seen if p not in periods)  # never drop a row whose period is unlisted
    if period_col is None:
        periods = [""]
    index = {p: i for i, p in enumerate(periods)}
    table: dict[tuple[Any, ...], list[Any]] = {}
    filled: set[tuple[tuple[Any, ...], int]] = set()
    for r in result.rows:
        key = tuple(None if r.get(c.key) is None else str(r.get(c.key)) for c in members)
        cells = table.setdefault(key, [None] * (len(periods) * len(measures)))
        p = index[str(r.get(period_col.key))] if period_col else 0
        if (key, p) in filled:  # two rows for one cell: refuse rather than keep one of them silently
            raise ConfigError(
                f"two rows for {key} in period {periods[p] or 'total'}; no wide form", field="wide"
            )
        filled.add((key, p))
        for m, col in enumerate(measures):
            cells[m * len(periods) + p] = r.get(col.key)
    lang = result.query.lang
    headers = [c.header for c in members]
    for col in measures:
        head = measure_header(result, col)
        for period in periods:
            label = period_label(result, period)
            headers.append(t("query.column.wide", lang, period=label, measure=head) if period else head)
    n = len(periods)
    return Grid(
        headers=tuple(headers),
        kinds=tuple([c.kind for c in members] + ["number"] * (n * len(measures))),
        units=tuple([None] * len(members) + [c.unit for c in measures for _ in range(n)]),
        rows=tuple(key + tuple(cells) for key, cells in table.items()),
    )


def grid(result: QueryResult, wide: bool) -> Grid:
    return wide_grid(result) if wide else long_grid(result)
