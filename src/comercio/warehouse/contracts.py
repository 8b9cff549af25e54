"""Declared load contracts (``data/contracts.toml``) and the checker the loader runs on every load.

A :class:`Contract` says what a dataset's rows must satisfy: a unique key, finite and non-negative numbers,
plausible magnitudes and dates, allowed values, required members, and for reference tables their columns and
minimum size. :class:`Checker` applies the row rules batch by batch (bounded memory) and the whole-load rules
(unique key, required members, size) on the Parquet files written for the load, before it is committed. A
violation is a :class:`~comercio.errors.ValidationError` naming the file, the row, the column and the reason.
"""

from __future__ import annotations

import tempfile
import threading
import tomllib
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from comercio.errors import ConfigError, ValidationError

DECLARATIONS = Path(__file__).resolve().parent / "data" / "contracts.toml"
SOURCE_ROW = "_source_row"
"""Optional column a reader may add to its rows: the row or record of the source file behind each row
(named in messages; never stored)."""

_DATE_COLUMNS = ("period", "date")
MEMORY_LIMIT = "512MB"
"""DuckDB's memory for the whole-load checks (beyond it, it spills to disk)."""


@dataclass(frozen=True)
class Shrink:
    """How far a new vintage may fall behind the current one of its slice without ``--accept-shrink``."""

    members: tuple[str, ...] = ()
    period: str | None = None
    value_share: float | None = None
    rows_share: float | None = None


@dataclass(frozen=True)
class Contract:
    """The declared load contract of one dataset (see the header of ``data/contracts.toml``)."""

    dataset: str
    key: tuple[str, ...] = ()
    not_null: tuple[str, ...] = ()
    finite: tuple[str, ...] = ()
    non_negative: tuple[str, ...] = ()
    max: Mapping[str, float] = field(default_factory=dict)
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    years: tuple[int | str, int | str] | None = None
    span: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    required: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    required_columns: tuple[str, ...] = ()
    min_rows: int = 1
    shrink: Shrink = Shrink()

    def bounds(self, column: str, kind: pa.DataType, today: date) -> tuple[Any, Any] | None:
        """The plausible [low, high] of ``column`` (dates or years), or None when none is declared."""
        lo: Any = None
        hi: Any = None
        if self.years is not None and (column == "year" or column in _DATE_COLUMNS):
            y0, y1 = (_year(y, today) for y in self.years)
            lo, hi = (y0, y1) if column == "year" else (date(y0, 1, 1), date(y1, 12, 31))
        if column in self.span:
            a, b = (_bound(x, column, today, kind) for x in self.span[column])
            lo = a if lo is None else max(lo, a)
            hi = b if hi is None else min(hi, b)
        return None if lo is None else (lo, hi)


def _year(value: int | str, today: date) -> int:
    return today.year if value == "current" else int(value)


def _bound(value: str | int, column: str, today: date, kind: pa.DataType) -> Any:
    if pa.types.is_integer(kind):
        return _year(value, today)
    if value == "today" or (value == "current" and column != "period"):
        return today
    if value == "current":
        return today.replace(day=1)
    text = str(value)
    return date.fromisoformat(text if len(text) > 7 else f"{text}-01")


def _tuple(value: Any, dataset: str, key: str) -> tuple[Any, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigError(f"contract of {dataset!r}: {key} must be a list", file=DECLARATIONS.name)
    return tuple(value)


def _contract(dataset: str, raw: Mapping[str, Any]) -> Contract:
    known = set(Contract.__dataclass_fields__) - {"dataset"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"contract of {dataset!r}: unknown keys {unknown}", file=DECLARATIONS.name)
    lists = ("key", "not_null", "finite", "non_negative", "required_columns")
    kw: dict[str, Any] = {k: _tuple(raw[k], dataset, k) for k in lists if k in raw}
    if "years" in raw:
        y = _tuple(raw["years"], dataset, "years")
        kw["years"] = (y[0], y[1])
    kw["max"] = {c: float(v) for c, v in raw.get("max", {}).items()}
    kw["values"] = {c: tuple(str(x) for x in v) for c, v in raw.get("values", {}).items()}
    kw["span"] = {c: (v[0], v[1]) for c, v in raw.get("span", {}).items()}
    kw["required"] = {c: v if isinstance(v, str) else tuple(v) for c, v in raw.get("required", {}).items()}
    if "min_rows" in raw:
        kw["min_rows"] = int(raw["min_rows"])
    s = raw.get("shrink", {})
    kw["shrink"] = Shrink(
        members=tuple(s.get("members", ())),
        period=s.get("period"),
        value_share=s.get("value_share"),
        rows_share=s.get("rows_share"),
    )
    made = Contract(dataset, **kw)
    try:  # a malformed bound is a mistake in the declarations, not in the data
        for col in (*made.span, *(["year", "period"] if made.years else [])):
            made.bounds(col, pa.int32() if col == "year" else pa.date32(), date.today())
    except ValueError as exc:
        raise ConfigError(f"contract of {dataset!r}: bad bound ({exc})", file=DECLARATIONS.name) from None
    return made


@cache
def contracts() -> dict[str, Contract]:
    """Every declared contract, by dataset."""
    raw = tomllib.loads(DECLARATIONS.read_text(encoding="utf-8"))
    return {name: _contract(name, section) for name, section in raw.items()}


def contract(dataset: str) -> Contract:
    """The contract of ``dataset``; a dataset without a section only gets the rules every load gets."""
    return contracts().get(dataset, Contract(dataset))


_SHARED = threading.local()


@contextmanager
def scratch() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB for checks on written Parquet: two threads, bounded memory, spilling to a
    private temporary directory (removed afterwards). Inside :meth:`Scratch.shared` (a loader's loads), the
    one connection kept there; callers leave no temporary tables behind."""
    shared = getattr(_SHARED, "con", None)
    if shared is not None:
        yield shared
        return
    with _open() as con:
        yield con


@contextmanager
def _open() -> Iterator[duckdb.DuckDBPyConnection]:
    with tempfile.TemporaryDirectory(prefix="comercio-check-") as spill:
        con = duckdb.connect(config={"threads": 2, "memory_limit": MEMORY_LIMIT, "temp_directory": spill})
        try:
            yield con
        finally:
            con.close()


class Scratch:
    """One :func:`scratch` connection opened on first use and reused by every check run inside
    :meth:`shared` (in the thread that holds it; another thread meanwhile opens its own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stack = ExitStack()
        self._con: duckdb.DuckDBPyConnection | None = None
        weakref.finalize(self, self._stack.close)

    @contextmanager
    def shared(self) -> Iterator[None]:
        if getattr(_SHARED, "con", None) is not None or not self._lock.acquire(blocking=False):
            yield  # already sharing one, or another thread uses this one
            return
        try:
            if self._con is None:
                self._con = self._stack.enter_context(_open())
            _SHARED.con = self._con
            yield
        finally:
            _SHARED.con = None
            self._lock.release()

    def close(self) -> None:
        """Close the connection (the next :meth:`shared` opens a new one)."""
        with self._lock:
            self._stack.close()
            self._con = None


def _members(spec: str | tuple[str, ...]) -> tuple[str, ...]:
    """Required members: a list, or ``ref:<table>.<column>`` (every code of a reference table)."""
    if isinstance(spec, tuple):
        return spec
    from comercio import reference

    table, _, column = spec.removeprefix("ref:").partition(".")
    return tuple(str(x) for x in reference.load(table).column(column).to_pylist())


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class Checker:
    """Checks one load: :meth:`batch` on every batch as it streams by, :meth:`finish` on the written files."""

    def __init__(
        self,
        contract_: Contract,
        *,
        file: str | None = None,
        file_period: tuple[date, date] | None = None,
        today: date | None = None,
    ) -> None:
        self.contract = contract_
        self.file = file
        self.file_period = file_period
        self.today = today or date.today()
        self.rows = 0
        self.synthetic = False  # some row carries the synthetic marker

    def _fail(
        self,
        reason: str,
        *,
        index: int | None = None,
        column: str | None = None,
        source: pa.Array | None = None,
        row: int | None = None,
    ) -> ValidationError:
        row = row if index is None else self.rows + index + 1
        record = None if source is None or index is None else source[index].as_py()
        return ValidationError(
            f"{reason} (dataset {self.contract.dataset})",
            file=self.file,
            row=row,
            column=column,
            record=record,
        )

    def batch(self, table: pa.Table, source: pa.Array | None = None) -> None:
        """Check the row rules on one batch (``source``: the reader's row numbers of its rows, if any)."""
        c = self.contract
        if self.rows == 0 and c.required_columns:
            missing = [x for x in c.required_columns if x not in table.column_names]
            if missing:
                raise self._fail(f"needs columns {missing}; the file has {table.column_names}")
        names = set(table.column_names)
        for col in c.not_null:
            if col in names:
                self._first(pc.is_null(table[col]), "missing value", col, table, source)
        for col in c.finite:
            if col in names and pa.types.is_floating(table[col].type):
                bad = pc.invert(pc.is_finite(table[col]))
                self._first(bad, "{value} is not a finite number", col, table, source)
        for col in c.non_negative:
            if col in names:
                self._first(pc.less(table[col], 0), "negative value {value}", col, table, source)
        for col, bound in c.max.items():
            if col in names:
                bad = pc.greater(pc.abs(table[col]), bound)
                self._first(
                    bad, f"implausible value {{value}} (more than {bound:g} in one row)", col, table, source
                )
        for col, allowed in c.values.items():
            if col in names:
                bad = pc.invert(pc.is_in(table[col], value_set=pa.array(allowed, table[col].type)))
                self._first(
                    bad,
                    f"unexpected value {{value!r}} (expected one of {', '.join(allowed)})",
                    col,
                    table,
                    source,
                )
        for col in names:
            self._dates(table, col, source)
        if "synthetic" in names and pa.types.is_boolean(table["synthetic"].type):
            self.synthetic = self.synthetic or bool(pc.any(table["synthetic"]).as_py())
        self.rows += table.num_rows

    def _dates(self, table: pa.Table, col: str, source: pa.Array | None) -> None:
        kind = table[col].type
        bounds = self.contract.bounds(col, kind, self.today)
        if bounds is not None:
            lo, hi = bounds
            bad = pc.or_(
                pc.less(table[col], pa.scalar(lo, kind)), pc.greater(table[col], pa.scalar(hi, kind))
            )
            why = f"{{value}} is outside the publisher's plausible span {lo} … {hi}"
            self._first(bad, why, col, table, source)
        if self.file_period is not None and col in _DATE_COLUMNS and pa.types.is_date(kind):
            lo, hi = self.file_period
            if col == "period":
                lo = lo.replace(day=1)
            bad = pc.or_(
                pc.less(table[col], pa.scalar(lo, kind)), pc.greater(table[col], pa.scalar(hi, kind))
            )
            self._first(bad, f"{{value}} is outside the file's period {lo} … {hi}", col, table, source)

    def _first(self, mask: Any, reason: str, col: str, table: pa.Table, source: pa.Array | None) -> None:
        mask = pc.fill_null(mask, False)
        if not pc.any(mask).as_py():
            return
        index = pc.index(mask, True).as_py()
        value = _show(table[col][index].as_py())
        raise self._fail(reason.format(value=value), index=index, column=col, source=source)

    def finish(self, files: Sequence[Path], *, ordered: bool) -> None:
        """Whole-load rules on the written Parquet ``files`` (``ordered``: they hold the rows in order)."""
        c = self.contract
        if self.rows == 0:
            raise self._fail(
                "the load has no rows (empty, header-only, or every line deleted or set aside); "
                "an empty load never replaces data"
            )
        if self.rows < c.min_rows:
            raise self._fail(f"only {self.rows:,} rows; a complete {c.dataset} has at least {c.min_rows:,}")
        with scratch() as con:
            scan = f"read_parquet({[str(f) for f in files]!r})"
            if c.key:
                self._unique(con, scan, files, ordered)
            for col, spec in c.required.items():
                present = {str(r[0]) for r in con.execute(f'SELECT DISTINCT "{col}" FROM {scan}').fetchall()}
                missing = [m for m in _members(spec) if m not in present]
                if missing:
                    shown = ", ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
                    raise self._fail(f"required members missing: {shown}", column=col)

    def _unique(
        self, con: duckdb.DuckDBPyConnection, scan: str, files: Sequence[Path], ordered: bool
    ) -> None:
        keys = ", ".join(f'"{k}"' for k in self.contract.key)
        # Group on one 64-bit hash of the key (fast), then confirm the candidates on the key itself.
        query = (
            f"SELECT h FROM (SELECT hash({keys}) AS h FROM {scan}) GROUP BY h HAVING count(*) > 1 LIMIT 16"
        )
        candidates = ", ".join(str(r[0]) for r in con.execute(query).fetchall())
        if not candidates:
            return
        dup = con.execute(
            f"SELECT {keys} FROM {scan} WHERE hash({keys}) IN ({candidates}) "
            "GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
        ).fetchall()
        if not dup:
            return
        shown = ", ".join(f"{k}={_show(v)}" for k, v in zip(self.contract.key, dup[0], strict=True))
        rows, row = "", None
        if ordered:
            where = " AND ".join(f'"{k}" IS NOT DISTINCT FROM ?' for k in self.contract.key)
            located = f"read_parquet({[str(f) for f in files]!r}, filename = true, file_row_number = true)"
            found = con.execute(
                f"SELECT filename, file_row_number FROM {located} WHERE {where} "
                "ORDER BY filename, file_row_number LIMIT 2",
                list(dup[0]),
            ).fetchall()
            starts, n = {}, 0
            for f in sorted(files):
                starts[str(f)] = n
                n += pq.ParquetFile(f).metadata.num_rows
            numbers = [starts[f] + r + 1 for f, r in found]
            rows, row = f" (rows {numbers[0]} and {numbers[-1]})", numbers[-1]
        key = list(self.contract.key)
        raise self._fail(f"duplicate key {shown}{rows}: {key} must be unique", column=key[0], row=row)


__all__ = ["SOURCE_ROW", "Checker", "Contract", "Scratch", "Shrink", "contract", "contracts", "scratch"]
