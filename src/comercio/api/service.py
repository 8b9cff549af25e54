"""Indicator results for the API and the dashboard: bounded queries, facts, labels and an LRU cache.

The service owns one read-only :class:`~comercio.warehouse.Warehouse` whose queries are bounded in rows and
time (:class:`BoundedWarehouse`). A result is computed once per validated :class:`Spec` and kept in an LRU
cache, so repeated dashboard views and API calls cost a dictionary lookup. Numbers leave the service only as
:class:`~comercio.indicators.facts.Fact` objects; the table rows are a view over those facts.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

import ibis.expr.types as ir
import pyarrow as pa

from comercio import reference
from comercio.config import Settings
from comercio.errors import DataNotAvailable, WarehouseError
from comercio.indicators import engine, measures
from comercio.indicators.facts import Fact, FactSet
from comercio.indicators.specs import Filters, Grouping, Spec, Window
from comercio.warehouse import Warehouse

QUERY_TIMEOUT_S = 15.0
# Engine queries return aggregated cubes (month × department × customs office × product …), never raw lines;
# a cube of real microdata can reach a few million rows. Responses to clients are paginated separately.
QUERY_MAX_ROWS = 5_000_000
ROW_FIELDS = ("value", "previous", "growth", "share", "contribution", "rank")
UNITS = {
    "value": "USD",
    "previous": "USD",
    "growth": "fraction",
    "share": "fraction",
    "contribution": "fraction",
    "rank": "rank",
}

T = TypeVar("T")


class BoundedWarehouse(Warehouse):
    """A read-only warehouse whose every query gets a row limit and a time limit unless given tighter ones."""

    def execute(
        self,
        expr: ir.Table,
        *,
        engine: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> pa.Table:
        limit = QUERY_MAX_ROWS if limit is None else min(limit, QUERY_MAX_ROWS)
        timeout = QUERY_TIMEOUT_S if timeout is None else min(timeout, QUERY_TIMEOUT_S)
        result = super().execute(expr, engine=engine, limit=limit, timeout=timeout)
        if result.num_rows >= QUERY_MAX_ROWS:
            raise WarehouseError(
                f"the query returned more than {QUERY_MAX_ROWS} rows", hint="narrow the filters or the window"
            )
        return result


class LRU:
    """A small thread-safe LRU cache with a time-to-live, keyed by validated specs."""

    def __init__(self, maxsize: int = 256, ttl: float = 600.0) -> None:
        self.maxsize, self.ttl = maxsize, ttl
        self._data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            item = self._data.get(key)
            if item is not None and now - item[0] < self.ttl:
                self._data.move_to_end(key)
                self.hits += 1
                return item[1]  # type: ignore[no-any-return,unused-ignore]
            self.misses += 1
        value = compute()
        with self._lock:
            self._data[key] = (time.monotonic(), value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


@dataclass(frozen=True)
class Result:
    """One indicator result: the spec, the facts, the dataset and vintages it came from."""

    spec: Spec
    facts: FactSet
    dataset: str
    vintages: tuple[str, ...]
    synthetic: bool
    last_month: str | None

    def rows(self, lang: str = "es") -> list[dict[str, Any]]:
        """One row per member (ranked), rebuilt from the facts: member, label and the ROW_FIELDS."""
        by_member: dict[str, dict[str, Any]] = {}
        for f in self.facts:
            if f.member is None or f.indicator not in ROW_FIELDS:
                continue
            row = by_member.setdefault(
                f.member, {"member": f.member, "label": label(self.spec.grouping, f.member, lang)}
            )
            row[f.indicator] = f.as_dict()["value"]
        rows = [{k: r.get(k) for k in ("member", "label", *ROW_FIELDS)} for r in by_member.values()]
        return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0))

    def total(self) -> dict[str, Any]:
        return {k: self.facts.value(f"total.{k}") for k in ("value", "previous", "growth")}


class IndicatorService:
    """Computes indicator results from the warehouse, one at a time, cached by spec."""

    def __init__(self, settings: Settings, *, cache_size: int = 256, ttl: float = 600.0) -> None:
        self.settings = settings
        self.wh = BoundedWarehouse(settings, read_only=True)
        self.cache = LRU(cache_size, ttl)
        self._compute_lock = threading.RLock()  # one cursor: DuckDB refuses a query while a result is open

    def run(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Cached and serialised access to the warehouse for anything keyed by a validated spec."""

        def locked() -> T:
            with self._compute_lock:
                return compute()

        return self.cache.get_or_compute(key, locked)

    def indicator(self, spec: Spec) -> Result:
        return self.run(("indicator", spec), lambda: self._indicator(spec))

    def series(self, grouping: Grouping, filters: Filters, dataset: str | None = None) -> engine.Series:
        return self.run(
            ("series", grouping, filters, dataset),
            lambda: engine.series(self.wh, grouping, filters, dataset=dataset),
        )

    def latest_month(self, flow: str = "X", dataset: str | None = None) -> str:
        s = self.series(Grouping("national"), Filters(flow=flow), dataset)
        if not s.periods:
            raise DataNotAvailable(f"dataset {s.dataset!r} has no months")
        last = max(s.periods)
        return f"{last.year:04d}-{last.month:02d}"

    def status(self) -> list[dict[str, Any]]:
        from comercio.warehouse.status import status

        return self.run(("status",), lambda: status(self.wh))

    def _indicator(self, spec: Spec) -> Result:
        s = self.series(spec.grouping, spec.filters, spec.dataset)  # one query per grouping and filters
        result = measures.compare(s, spec.window, spec.comparison)
        facts = build_facts(spec, s, result)
        last = max(s.periods) if s.periods else None
        return Result(
            spec=spec,
            facts=facts,
            dataset=s.dataset,
            vintages=s.vintages,
            synthetic=s.synthetic,
            last_month=None if last is None else f"{last.year:04d}-{last.month:02d}",
        )


def build_facts(spec: Spec, s: engine.Series, result: measures.WindowResult) -> FactSet:
    """Facts for the total and for every member's value, previous, growth, share, contribution and rank."""
    common: dict[str, Any] = {
        "window": spec.window.as_dict(),
        "comparison": None if spec.comparison is None else spec.comparison.as_dict(),
        "grouping": spec.grouping.label,
        "dataset": s.dataset,
        "vintages": s.vintages,
        "synthetic": s.synthetic,
    }
    facts = FactSet()
    for key, value in (
        ("value", result.total),
        ("previous", result.total_previous),
        ("growth", result.total_growth),
    ):
        facts.add(Fact(id=f"total.{key}", indicator=key, value=value, unit=UNITS[key], **common))
    for row in result.rows:
        d = row.as_dict()
        for key in ROW_FIELDS:
            facts.add(
                Fact(
                    id=f"{spec.grouping.dimension}.{row.member}.{key}",
                    indicator=key,
                    value=d[key],
                    unit=UNITS[key],
                    member=row.member,
                    member_label=label(spec.grouping, row.member, "es"),
                    **common,
                )
            )
    return facts


def label(grouping: Grouping, member: str, lang: str = "es") -> str:
    """A readable name for a member code (department names, customs offices, countries); else the code."""
    if member == engine.TOTAL:
        return "Perú" if lang == "es" else "Peru"
    if grouping.dimension == "sector":
        return member.split(" > ")[-1].strip()
    names = _names(grouping.dimension, lang)
    return names.get(member, member[:1].upper() + member[1:])


@lru_cache(maxsize=16)
def _names(dimension: str, lang: str) -> dict[str, str]:
    if dimension == "department":
        col = "name" if lang == "es" else "name_en"
        return {r["ubigeo"]: r[col] for r in reference.load("departments").to_pylist()}
    if dimension == "macroregion":
        col = "label_es" if lang == "es" else "label_en"
        return {r["macroregion"]: r[col] for r in reference.load("macroregions").to_pylist()}
    if dimension == "customs_office":
        return {r["code"]: r["name"] for r in reference.load("customs_offices").to_pylist()}
    if dimension == "partner":
        col = "name_es" if lang == "es" else "name_en"
        return {r["alpha2"]: str(r[col] or r["alpha2"]) for r in reference.load("countries").to_pylist()}
    return {}


def window_label(w: Window) -> str:
    return f"{w.start.year:04d}-{w.start.month:02d}…{w.end.year:04d}-{w.end.month:02d}"
