"""The application service: the queries the API and the dashboard both ask, bounded, cached and labelled.

:class:`IndicatorService` owns one read-only :class:`~comercio.warehouse.Warehouse` whose queries are bounded
in rows and time by the settings (``query_max_rows``, ``query_timeout_s``), and an LRU cache: a result is
computed once per validated :class:`Spec` and per set of current vintages, so repeated dashboard views and
API calls cost a dictionary lookup, and a vintage committed by another process is answered from at once.
Numbers leave the service only as facts (:class:`~comercio.service.Result`). It knows nothing of HTTP or
HTML, and it never writes: reports are written by the CLI (``comercio report``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import ibis.expr.types as ir
import pyarrow as pa

from comercio import reference
from comercio.config import Settings
from comercio.errors import ConfigError, DataNotAvailable, WarehouseError
from comercio.i18n import t
from comercio.indicators import datasets, engine, maturity, measures
from comercio.indicators.regional import RegionalFacts, regional_facts
from comercio.indicators.specs import Filters, Grouping, Spec
from comercio.service._cache import LRU
from comercio.service._reports import reports
from comercio.service._results import Result, build_facts
from comercio.warehouse import Warehouse

if TYPE_CHECKING:
    from comercio.check import CheckReport
    from comercio.query import Query, QueryResult
    from comercio.query.search import Hit

T = TypeVar("T")
REPORT_SUFFIXES = frozenset({".html", ".pdf", ".xlsx", ".md", ".json", ".csv", ".png", ".svg"})
MAX_REPORT_FILES = 5000
MAX_CHECK_CHARS = 100_000
"""The longest text :meth:`IndicatorService.check` reads, in characters: a check's time grows faster than
the text (some 8 s for 100 000 characters dense with figures, on 2 cores), and a server answers in seconds."""


class ServiceWarehouse(Warehouse):
    """The service's read-only warehouse: the engine's queries run within the settings' limits.

    Queries given no limits of their own (the engine's cubes) go through :meth:`Warehouse.execute_bounded`
    (``query_max_rows``, ``query_timeout_s``). A cube cut short would publish wrong totals, so a truncated
    result is an error (503) instead of a partial answer.
    """

    def execute(
        self,
        expr: ir.Table,
        *,
        engine: str | None = None,
        limit: int | None = None,
        timeout: float | None = None,
    ) -> pa.Table:
        if limit is not None or timeout is not None:
            return super().execute(expr, engine=engine, limit=limit, timeout=timeout)
        bounded = self.execute_bounded(expr, engine=engine)
        if bounded.truncated:
            raise WarehouseError(
                t("api.query.too_many_rows", "en", rows=bounded.limit), hint=t("api.query.narrow", "en")
            )
        return bounded.table


class IndicatorService:
    """Computes indicator results from the warehouse, one at a time, cached by spec."""

    def __init__(self, settings: Settings, *, cache_size: int = 256, ttl: float = 600.0) -> None:
        self.settings = settings
        self.wh = ServiceWarehouse(settings, read_only=True)
        self.cache = LRU(cache_size, ttl, version=self.wh.version)
        self.reports_root = settings.reports_dir.resolve()  # fixed at start: later chdir()s change nothing
        self._compute_lock = threading.RLock()  # one cursor: DuckDB refuses a query while a result is open
        self._check_lock = threading.Lock()  # text checks run one at a time, on a connection of their own
        self._check_wh: ServiceWarehouse | None = None

    def run(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Cached and serialised access to the warehouse for anything keyed by a validated spec."""

        def locked() -> T:
            with self._compute_lock:
                return compute()

        return self.cache.get_or_compute(key, locked)

    def indicator(self, spec: Spec) -> Result:
        return self.run(("indicator", spec), lambda: self._indicator(spec))

    def series(
        self, grouping: Grouping, filters: Filters, dataset: str | None = None, holding: date | None = None
    ) -> engine.Series:
        """Value by member and month from the best dataset; ``holding`` (a month): the best one holding it."""
        return self.run(
            ("series", grouping, filters, dataset, holding),
            lambda: engine.series(self.wh, grouping, filters, dataset=dataset, holding=holding),
        )

    def query(self, q: Query) -> QueryResult:
        """Any cut of the data (:func:`comercio.query.run`) on the bounded read-only warehouse, cached by the
        query's URL (:meth:`Query.query_string`)."""
        from comercio.query import run

        return self.run(("query", q.query_string()), lambda: run(self.wh, q))

    def search(self, text: str, kind: str = "any", lang: str = "es", limit: int = 20) -> list[Hit]:
        """Products and partners by name (:func:`comercio.query.search.search`) from the reference tables of
        the warehouse, cached."""
        from comercio.query.search import search

        key = ("search", text, kind, lang, limit)
        return self.run(key, lambda: search(text, kind=kind, lang=lang, limit=limit, wh=self.wh))

    def latest_month(
        self,
        flow: str = "X",
        dataset: str | None = None,
        *,
        grouping: str = "national",
        mature: bool = True,
    ) -> str:
        """The latest month (``YYYY-MM``) any dataset able to answer ``grouping`` for ``flow`` holds (only
        ``dataset`` when given); ``mature`` skips the preliminary months of customs lines unless none of
        theirs is mature (:func:`comercio.indicators.maturity.latest_month`)."""
        key = ("latest_month", flow, dataset, grouping, mature)
        return self.run(key, lambda: self._latest(flow, dataset, grouping, mature))

    def months(self, flow: str = "X", dataset: str | None = None, grouping: str = "national") -> list[str]:
        """Every month (``YYYY-MM``, newest first) held by a dataset able to answer ``grouping``."""

        def compute() -> list[str]:
            names = self._able(flow, dataset, grouping)
            held = {p for name in names for p in engine.held_months(self.wh, name, flow)}
            return [f"{p.year:04d}-{p.month:02d}" for p in sorted(held, reverse=True)]

        return self.run(("months", flow, dataset, grouping), compute)

    def _able(self, flow: str, dataset: str | None, grouping: str) -> list[str]:
        """The loaded datasets able to answer ``grouping`` for ``flow``, best first (or ``dataset``)."""
        loaded = self.wh.datasets()
        return datasets.candidates(loaded, Grouping(grouping), Filters(flow=flow), requested=dataset)

    def _latest(self, flow: str, dataset: str | None, grouping: str, mature: bool) -> str:
        names = self._able(flow, dataset, grouping)
        last = maturity.latest_month(self.wh, names, flow, mature=mature)
        if last is None:
            raise DataNotAvailable(f"no dataset holds a month of flow {flow} ({', '.join(names)})")
        return f"{last.year:04d}-{last.month:02d}"

    def status(self) -> list[dict[str, Any]]:
        from comercio.warehouse.status import status

        return self.run(("status",), lambda: status(self.wh))

    def synthetic_datasets(self) -> list[str]:
        """The loaded datasets any of whose current vintages is synthetic (every page says so)."""

        def compute() -> list[str]:
            return sorted({v.dataset for v in self.wh.vintages() if v.synthetic})

        return self.run(("synthetic_datasets",), compute)

    def vintages(self, dataset: str) -> list[dict[str, Any]]:
        """The dataset's current vintages: slice, vintage id, number, rows and synthetic flag."""
        fields = ("slice", "vintage", "number", "rows", "synthetic")
        current = self.run(("vintages", dataset), lambda: self.wh.vintages(dataset))
        return [{k: getattr(v, k) for k in fields} for v in current]

    def retrieved_on(self, dataset: str, vintage_ids: Iterable[str]) -> str | None:
        """The day (``YYYY-MM-DD``) the latest of these vintages was obtained (else loaded)."""
        chosen = set(vintage_ids)
        current = self.run(("vintages", dataset), lambda: self.wh.vintages(dataset))
        days = [(v.retrieved_at or v.loaded_at)[:10] for v in current if v.vintage in chosen]
        return max(days) if days else None

    def boundaries(self) -> dict[str, Any] | None:
        """The departments GeoJSON for maps (a reference asset), or None when it was never ingested."""
        return self.cache.get_or_compute(("boundaries",), lambda: reference.boundaries(self.settings))

    def report_files(self) -> list[dict[str, Any]]:
        """Report files under :attr:`reports_root`: relative POSIX path and size, sorted by path."""
        return report_files(self.reports_root)

    def reports(self) -> list[dict[str, Any]]:
        """The reports under :attr:`reports_root`, one per directory: title, language and files by format."""
        return reports(self.reports_root, self.report_files())

    def regional(self, month: str) -> RegionalFacts:
        """The regional report's facts through ``month`` (cached: the dashboard's home shows its headline)."""
        return self.run(("regional", month), lambda: regional_facts(self.wh, month))

    def check(
        self, text: str, lang: str = "es", published: str | None = None, source: str = "-"
    ) -> CheckReport:
        """Every figure of ``text`` checked (:func:`comercio.check.check_text`); a text over
        :data:`MAX_CHECK_CHARS` characters is refused. Checks run one at a time on a read-only connection of
        their own (each query bounded like the others), so a long one never holds up the dashboard's; one
        kept waiting past ``query_timeout_s`` is a :class:`WarehouseError`. They are not cached: a text is
        not a spec, and a cache of texts would keep whatever anyone sends."""
        from comercio.check import check_text

        if len(text) > MAX_CHECK_CHARS:
            raise ConfigError(f"text of {len(text)} characters; at most {MAX_CHECK_CHARS}", field="text")
        if not self._check_lock.acquire(timeout=self.settings.query_timeout_s):
            raise WarehouseError(
                f"the checks ahead of this text took over {self.settings.query_timeout_s:g} s",
                hint="send it again in a moment",
            )
        try:
            if self._check_wh is None:
                self._check_wh = ServiceWarehouse(self.settings, read_only=True)
            return check_text(self._check_wh, text, lang=lang, published=published, source=source)
        finally:
            self._check_lock.release()

    def _indicator(self, spec: Spec) -> Result:
        # one query per grouping and filters, from the best dataset holding the window's last month
        s = self.series(spec.grouping, spec.filters, spec.dataset, spec.window.end)
        result = measures.compare(s, spec.window, spec.comparison)
        last = max(s.periods) if s.periods else None
        return Result(
            spec=spec,
            facts=build_facts(spec, s, result),
            dataset=s.dataset,
            vintages=s.vintages,
            synthetic=s.synthetic,
            last_month=None if last is None else f"{last.year:04d}-{last.month:02d}",
        )


def report_files(root: Path) -> list[dict[str, Any]]:
    """Report files under ``root`` (at most :data:`MAX_REPORT_FILES`), never following links out of it."""
    if not root.is_dir():
        return []
    out: list[dict[str, Any]] = []
    for p in sorted(root.rglob("*")):
        if len(out) >= MAX_REPORT_FILES:
            break
        if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES and p.resolve().is_relative_to(root):
            out.append({"path": p.relative_to(root).as_posix(), "bytes": p.stat().st_size})
    return out
