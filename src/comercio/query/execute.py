"""Answer a :class:`~comercio.query.model.Query` from the finest loaded dataset that can, within bounds.

``run(wh, query)`` picks the dataset (:mod:`comercio.query._cut`) by the months it holds (read from its data
files' footers, not by scanning it), reads its cube through the indicator engine (one aggregation of the
months the query needs, cached per vintage), derives one member array per breakdown, sums the months of each
period (:mod:`comercio.query._periods`) and computes the measures (:mod:`comercio.query._measures`). A period
the dataset holds only in part is kept and listed in :attr:`QueryResult.partial` (its months in
``extra["coverage"]``); one it holds none of is left out with a note. Cubes are read within the settings'
bounds (``query_max_rows``, ``query_timeout_s``) or tighter ones given here; a result with more rows than
the bound is refused with a clear message, never cut.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from comercio.errors import ConfigError, WarehouseError
from comercio.i18n import t
from comercio.indicators import maturity
from comercio.indicators.engine import held_months
from comercio.indicators.specs import add_months, month_start
from comercio.query import _cut, _measures
from comercio.query._labels import labeller
from comercio.query._periods import Period, month_label, periods, short_month, span, whole
from comercio.query.model import Column, Query, QueryRefused, QueryResult
from comercio.reference.dimensions import dimension
from comercio.warehouse import Warehouse, schema

UNITS = {
    "value": "usd",
    "net_kg": "kg",
    "unit_value": "usd_per_kg",
    "growth": "fraction",
    "share": "fraction",
    "contribution": "fraction",
    "rank": "position",
}
_COMPARED = frozenset({"growth", "contribution"})
YOUNG_MONTHS = 6  # a month this many months (or more) before the latest held is final: no maturity scan


class _Bounded:
    """``wh`` whose queries run within ``rows`` and ``seconds``: a cube over the bound is refused."""

    def __init__(self, wh: Warehouse, rows: int, seconds: float) -> None:
        self._wh, self._rows, self._seconds = wh, rows, seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wh, name)

    def execute(self, expr: ir.Table, *, engine: str | None = None, **_: Any) -> pa.Table:
        bounded = self._wh.execute_bounded(expr, engine=engine, limit=self._rows, timeout=self._seconds)
        if bounded.truncated:
            raise ConfigError(
                f"this cut reads more than {bounded.limit:,} rows of aggregated data (the query row bound); "
                "narrow it with a filter, fewer breakdowns or fewer months",
                field="by",
                hint="raise COMERCIO_QUERY_MAX_ROWS to allow larger cuts",
            )
        return bounded.table


def run(
    wh: Warehouse,
    query: Query,
    *,
    engine: str | None = None,
    max_rows: int | None = None,
    timeout_s: float | None = None,
) -> QueryResult:
    """Answer ``query``: :class:`QueryRefused` when no loaded dataset can, :class:`ConfigError` over a bound
    (``max_rows`` result or cube rows; at most the settings' bounds), :class:`WarehouseError` past
    ``timeout_s`` seconds (each engine query is interrupted; the whole run is checked between steps)."""
    wh.backend(engine)  # the engine's connection (a Spark session starting) is not the query's time
    began = time.perf_counter()
    rows_bound = min(max_rows or wh.settings.query_max_rows, wh.settings.query_max_rows)
    seconds = min(timeout_s or wh.settings.query_timeout_s, wh.settings.query_timeout_s)
    bounded: Any = _Bounded(wh, rows_bound, seconds)
    lang = query.lang
    _cut.check_codes(query)
    asked = periods(query.start, query.end, query.freq, lang)
    wanted = {m for p in asked for m in p.months}
    name, held, passed = _choose(bounded, query, wanted, engine)
    notes: list[str] = []
    shift = _comparison_shift(query)
    needed = sorted(wanted | {add_months(m, 12 * shift(p)) for p in asked for m in p.months})
    c = _cut.cut(bounded, name, query, (needed[0], needed[-1]), engine)
    _in_time(began, seconds)
    ax = _cut.axes(query)
    picked = _cut.shown(query)
    kept: list[Period] = []
    plans: list[_measures.Plan] = []
    partial: list[str] = []
    coverage: dict[str, tuple[str, str]] = {}
    compared = bool(_COMPARED.intersection(query.measures))
    no_comparison: list[str] = []
    missing: list[str] = []
    for p in asked:
        months = tuple(m for m in p.months if m in held)
        if not months:
            missing.append(p.label)
            continue
        kept.append(p)
        if len(months) < whole(p, query.freq):
            partial.append(p.label)
            coverage[p.label] = (month_label(months[0]), month_label(months[-1]))
        back = tuple(add_months(m, 12 * shift(p)) for m in months)
        comparison = back if compared and all(m in held for m in back) else None
        if compared and comparison is None:
            no_comparison.append(p.label)
        plans.append(_measures.Plan(months, comparison))
    out: list[dict[str, Any]] = []
    if plans:
        # ranks are among every member; without them only the members shown are summed
        table = _measures.compute(
            c, plans, None if "rank" in query.measures else picked, with_previous=compared
        )
        if picked and "rank" in query.measures:
            table = table.filter(_picked(table, picked))
        _in_time(began, seconds)
        if table.num_rows > rows_bound:
            raise ConfigError(
                f"this cut has {table.num_rows:,} rows, more than the query row bound ({rows_bound:,}); "
                "narrow it with a filter, fewer breakdowns or fewer periods",
                field="by",
                hint="raise COMERCIO_QUERY_MAX_ROWS to allow larger results",
            )
        out = _rows(table, ax, kept, query, bounded)
        _in_time(began, seconds)
        if not out:
            notes.append(t("query_run.note.empty", lang))
    if not kept:
        first, last = (month_label(min(held)), month_label(max(held))) if held else ("", "")
        raise QueryRefused(
            f"{name} holds no month between {query.start} and {query.end}"
            + (f" (it holds {first} to {last})" if held else ""),
            would_answer="choose months the data hold, or load newer data (`comercio update`)",
            field="from",
        )
    notes.insert(0, t("query_run.note.dataset", lang, dataset=_title(name, lang)))
    if passed:
        others = ", ".join(_title(n, lang) for n in passed)
        notes.insert(1, t("query_run.note.passed", lang, datasets=others, dataset=_title(name, lang)))
    if missing:
        notes.append(
            t("query_run.note.period_missing", lang, periods=_listed(missing), dataset=_title(name, lang))
        )
    if partial:
        spans = [f"{p} ({_months_span(coverage[p], lang)})" for p in partial]
        notes.append(t("query_run.note.partial", lang, periods=", ".join(spans)))
    if picked and {"share", "rank", "contribution"}.intersection(query.measures):
        notes.append(t("query_run.note.picked", lang))
    if compared:
        notes.append(_comparison_note(query))
    if no_comparison:
        notes.append(t("query_run.note.no_comparison", lang, periods=_listed(no_comparison)))
    young = _preliminary(bounded, name, query.flow, engine, {m for p in kept for m in p.months})
    _in_time(began, seconds)
    if young:
        flagged = "preliminary" in schema.get(name).columns  # the publisher's own flag, not lines' maturity
        key = "query_run.note.flagged" if flagged else "query_run.note.preliminary"
        notes.append(t(key, lang, months=", ".join(young)))
    if c.synthetic:
        notes.append(t("query_run.note.synthetic", lang))
    return QueryResult(
        query=query,
        columns=_columns(query, ax),
        rows=tuple(out),
        dataset=name,
        vintages=c.vintages,
        synthetic=c.synthetic,
        periods=tuple(p.label for p in kept),
        partial=tuple(partial),
        notes=tuple(notes),
        seconds=time.perf_counter() - began,
        extra={
            "coverage": coverage,
            "months": {p.label: (month_label(p.first), month_label(p.last)) for p in kept},
            "preliminary": young,
        },
    )


def _choose(
    wh: Warehouse, query: Query, wanted: set[date], engine: str | None
) -> tuple[str, set[date], list[str]]:
    """The first able dataset holding every month asked, else the one holding most of them; and the
    better-ranked ones passed over because they lack some of those months (but hold some of this flow)."""
    best: tuple[int, str, set[date]] | None = None
    spans: list[str] = []
    passed: list[str] = []
    for name in _cut.able(wh, query):
        held = set(held_months(wh, name, query.flow, engine))
        n = len(wanted & held)
        if n == len(wanted):
            return name, held, passed
        if n and (best is None or n > best[0]):
            best = (n, name, held)
        if held:
            spans.append(f"{name} {month_label(min(held))} to {month_label(max(held))}")
            passed.append(name)
    if best is None:
        if not spans:  # the able datasets are loaded, but hold no line of this flow
            raise _cut.refused(query, wh.datasets(), _cut.columns(query), held=False)
        needs = _cut.needs(query)
        flow = "exports" if query.flow == "X" else "imports"
        what = f" by {' and '.join(sorted(needs))}" if needs else ""
        hints = [_cut.WOULD_ANSWER[c] for c in sorted(needs) if c in _cut.WOULD_ANSWER]
        raise QueryRefused(
            f"no loaded dataset holds {flow}{what} between {query.start} and {query.end} "
            f"(held: {'; '.join(spans)})",
            would_answer="choose months the data hold, or load those months"
            + (": " + "; ".join(hints) if hints else " (`comercio update`)"),
            field="from",
        )
    return best[1], best[2], [n for n in passed if n != best[1]][: passed.index(best[1])]


def _preliminary(wh: Warehouse, name: str, flow: str, engine: str | None, months: set[date]) -> list[str]:
    """The months read that are still preliminary: those the publisher flags so in its table (SUNAT's G1, F1
    and G6 mark their latest months), or that customs lines still hold in part (SUNAT regularises lines
    weeks later)."""
    if not months:
        return []
    if "preliminary" in schema.get(name).columns:
        plain = wh._wh if isinstance(wh, _Bounded) else wh  # one small aggregate: no deadline watcher
        return [month_label(m) for m in sorted(_flagged(plain, name, flow, engine)) if m in months]
    if name != maturity.DATASET:
        return []
    held = held_months(wh, name, flow, engine)
    # SUNAT regularises 99 % of a month's value within 30 days of its end (SUNAT_LAYOUTS.md §1): a month
    # six months (or more) older than the latest one held is never preliminary: the maturity scan is skipped
    if not held or max(months) <= add_months(max(held), -YOUNG_MONTHS):
        return []
    return [month_label(m) for m in maturity.preliminary_months(wh, flow, engine) if m in months]


def _flagged(wh: Warehouse, name: str, flow: str, engine: str | None) -> set[date]:
    """The months of ``name`` whose rows its publisher flags as preliminary (once per vintage)."""
    stamp = tuple(v.vintage for v in wh.vintages(name))

    def read() -> set[date]:
        t = wh.table(name, engine)
        t = t.filter(t.preliminary & (t.flow == flow))
        expr = t.group_by("period").aggregate(rows=t.period.count())
        rows = wh.execute(expr, engine=engine).column("period").to_pylist()
        return {month_start(p) for p in rows if p is not None}

    found: set[date] = wh.memo(("query-preliminary", name, flow, engine, stamp), read)
    return found


def _listed(labels: list[str]) -> str:
    """Every label, or the first and last of a long list with how many."""
    return ", ".join(labels) if len(labels) <= 6 else f"{labels[0]} … {labels[-1]} ({len(labels)})"


def _months_span(first_last: tuple[str, str], lang: str) -> str:
    """``ene–may`` (one year) or ``dic 2024–may 2025``: the months of a partial period."""
    first, last = (month_start(m) for m in first_last)
    if first == last:
        return short_month(first.month, lang)
    if first.year == last.year:
        return f"{short_month(first.month, lang)}–{short_month(last.month, lang)}"
    return span(first, last, lang)


def _comparison_shift(query: Query) -> Any:
    def shift(p: Period) -> int:
        return -query.compare_years if query.base_year is None else query.base_year - p.year

    return shift


def _comparison_note(query: Query) -> str:
    if query.base_year is not None:
        return t("query_run.note.base_year", query.lang, year=query.base_year)
    return t("query_run.note.compare", query.lang, years=query.compare_years)


def _title(name: str, lang: str) -> str:
    key = f"common.dataset.{name}"
    from comercio.i18n import has

    return t(key, lang) if has(key) else schema.get(name).title


def _in_time(began: float, seconds: float) -> None:
    """Stop a query past its time bound between steps (each engine query is interrupted by itself)."""
    spent = time.perf_counter() - began
    if spent > seconds:
        raise WarehouseError(
            f"query stopped after {spent:.1f} s (the bound is {seconds:g} s)",
            hint="narrow it with a filter, fewer breakdowns or fewer periods (COMERCIO_QUERY_TIMEOUT_S sets "
            "the bound)",
        )


def _picked(table: pa.Table, picked: dict[int, frozenset[str]]) -> pa.Array:
    keep = pa.array([True] * table.num_rows, pa.bool_())
    for i, codes in picked.items():
        inside = pc.is_in(table.column(f"m{i}"), pa.array(sorted(codes), pa.string()))
        keep = pc.and_(keep, pc.fill_null(inside, False))
    return keep


def _rows(
    table: pa.Table, ax: tuple[_cut.Axis, ...], kept: list[Period], query: Query, wh: Warehouse
) -> list[dict[str, Any]]:
    """The result's rows: codes and names of each breakdown, the period's label and the measures asked, in a
    stable order (each breakdown's code, then the period; an unattributed member last) — Arrow's grouping
    gives no order of its own."""
    keys = [(f"m{i}", "ascending", "at_end") for i in range(len(ax))] + [("pidx", "ascending", "at_end")]
    table = table.sort_by(keys)
    columns: dict[str, pa.Array] = {}
    for i, axis in enumerate(ax):
        codes = table.column(f"m{i}")
        name = labeller(wh, axis.key, query.lang)
        distinct = pc.unique(codes)
        names = pa.array([name(c) for c in distinct.to_pylist()], pa.string())
        columns[axis.key] = codes
        columns[f"{axis.key}_label"] = names.take(pc.index_in(codes, value_set=distinct, skip_nulls=False))
    columns["period"] = pa.array([p.label for p in kept], pa.string()).take(table.column("pidx"))
    for m in query.measures:
        columns[m] = _measure(table, m)
    return pa.table(columns).to_pylist()


_NULL = pa.scalar(None, pa.float64())


def _measure(table: pa.Table, name: str) -> pa.ChunkedArray | pa.Array:
    value, kg, previous = table.column("value"), table.column("net_kg"), table.column("previous")
    total, total_previous = table.column("total"), table.column("total_previous")
    if name in ("value", "net_kg", "rank"):
        return table.column(name)
    if name == "unit_value":
        return pc.if_else(pc.fill_null(pc.greater(kg, 0.0), False), pc.divide(value, kg), _NULL)
    if name == "growth":  # as comercio.indicators.measures.growth: none without a positive previous value
        positive = pc.fill_null(pc.greater(previous, 0.0), False)
        return pc.if_else(positive, pc.subtract(pc.divide(value, previous), 1.0), _NULL)
    if name == "share":
        return pc.if_else(pc.not_equal(total, 0.0), pc.divide(value, total), _NULL)
    # contribution: change / previous total
    ok = pc.fill_null(pc.and_(pc.is_valid(previous), pc.not_equal(total_previous, 0.0)), False)
    return pc.if_else(ok, pc.divide(pc.subtract(value, previous), total_previous), _NULL)


def _columns(query: Query, ax: tuple[_cut.Axis, ...]) -> tuple[Column, ...]:
    lang = query.lang
    out: list[Column] = []
    for axis in ax:
        words = dimension(axis.key).label(lang)
        out.append(Column(axis.key, t("query.column.code", lang, dim=words), "code"))
        out.append(Column(f"{axis.key}_label", t("query.column.label", lang, dim=words), "label"))
    out.append(Column("period", t("query.column.period", lang), "period"))
    # imports are valued CIF in every dataset that holds them (SUNAT's F tables and import declarations)
    keys = {"value": "value_cif"} if query.flow == "M" else {}
    out += [Column(m, t(f"query.column.{keys.get(m, m)}", lang), "number", UNITS[m]) for m in query.measures]
    return tuple(out)


__all__ = ["QueryRefused", "run"]
