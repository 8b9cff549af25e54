"""Read BCRP's monthly trade series: exports by department and national exports/imports.

Two layouts carry BCRPData series (RD38085BM … RD38111BM, exports FOB in millions of US$ by department):

* the **API JSON** (``estadisticas.bcrp.gob.pe/estadisticas/series/api/<codes>/json``):
  ``{"config": {"series": [{"name": "… - Amazonas", "dec": "2"}, …]}, "periods": [{"name": "Ene.2005",
  "values": ["0.17", …]}, …]}`` — one value per series in each period, Spanish month abbreviations
  (``Set.`` or ``Sep.`` for September), ``"n.d."`` where there is no figure;
* a **wide CSV**: one row a series, ``department`` first, then one column a month (``YYYY-MM-01``).

:func:`read_bcrp` sniffs which one it got and returns the canonical ``bcrp_departments`` records. The "Total"
series is not a department: it is kept apart and used to reconcile every month (departments + "No registrado"
must add up to it). Months without a figure (``n.d.`` or an empty cell) produce no record.

Values are converted from millions with decimal arithmetic (``Decimal(text) * 10**6``) so that ``0.17``
becomes exactly 170 000.0 US$, not 170 000.00000000003.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa

from comercio.errors import ParseError
from comercio.sources._bcrp_checks import check_amount, check_month, reconcile, require_members
from comercio.sources._departments import normalize_label, resolve_department
from comercio.sources._text import read_text, unique_header
from comercio.sources.protocol import Check, Part, Reader, ReadOptions, ReadResult, fixed
from comercio.warehouse.schema import BCRP_DEPARTMENTS, BCRP_NATIONAL

MISSING_MARKERS = frozenset({"", "n.d.", "n.d", "nd", "-"})
SPANISH_MONTHS = {
    "ene": 1,
    "feb": 2,
    "mar": 3,
    "abr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "ago": 8,
    "sep": 9,
    "set": 9,
    "oct": 10,
    "nov": 11,
    "dic": 12,
}
TOTAL_LABEL = "total"
# National series (PN38714BM …): the last segment of the series name that marks a flow's total.
NATIONAL_FLOWS = {"exportaciones": "X", "importaciones": "M"}


@dataclass(frozen=True)
class _Series:
    """One parsed series: its label as published, where it was found, and value per month (None = n.d.)."""

    label: str
    row: int | None  # CSV line number
    record: int | None  # 1-based series position in the API JSON
    values: dict[date, float | None]


@dataclass(frozen=True)
class BcrpResult:
    """Departmental exports read from one BCRP file.

    records:
        ``bcrp_departments`` rows (flow X, month, department ubigeo incl. ``99`` "No registrado").
    totals:
        ``period``, ``value_usd`` of the published "Total" series (empty if the file has none).
    checks:
        per month of the Total series: ``period``, ``departments_usd`` (sum incl. 99), ``total_usd``,
        ``difference_usd`` (departments − total) and ``ok`` (within 1e-6 relative or 1 US$).
    """

    records: pa.Table
    totals: pa.Table
    checks: pa.Table

    @property
    def all_ok(self) -> bool:
        """True when every month reconciles with the Total series."""
        return all(self.checks.column("ok").to_pylist())


def read_bcrp(path: Path) -> BcrpResult:
    """Read BCRP departmental exports from an API JSON payload or the wide CSV, whichever ``path`` holds."""
    path = Path(path)
    text = read_text(path)
    series = _parse_api_json(path, text) if text.lstrip().startswith("{") else _parse_wide_csv(path, text)
    return _build_result(path, series)


def read(path: Path, options: ReadOptions) -> ReadResult:
    """The ingest protocol: ``bcrp_departments`` rows and the published Total.

    The file is refused when a department, No registrado or the Total series is missing, a month with
    department figures has no Total, or departments + No registrado differ from the Total in any month.
    """
    path = Path(path)
    result = read_bcrp(path)
    require_members(result.records, result.totals, path.name)
    bad = [r for r in result.checks.to_pylist() if not r["ok"]]
    detail = (
        f"departments + No registrado differ from the published Total in {len(bad)} month(s), first "
        f"{bad[0]['period']}: {bad[0]['difference_usd']:.2f} US$"
        if bad
        else f"{result.checks.num_rows} month(s) reconcile with the published Total"
    )
    parts = [Part("bcrp_departments", SLICE, result.records)]
    n = result.totals.num_rows
    if n:
        totals = result.totals.append_column("flow", pa.array(["X"] * n))
        totals = totals.append_column("value_basis", pa.array(["FOB"] * n))
        totals = totals.append_column("source", pa.array([path.name] * n))
        parts.append(Part("bcrp_department_totals", SLICE, totals))
    return ReadResult(tuple(parts), (Check("total", not bad, detail),))


SLICE = "departments"
# One file feeds two datasets: it is skipped only when both hold it, so that a run interrupted between the
# two loads is completed by the next one.
READER = Reader(
    read=read,
    targets=fixed(("bcrp_departments", SLICE), ("bcrp_department_totals", SLICE)),
    files="a BCRPData API JSON or the wide CSV of departmental exports",
)


def parse_bcrp_national(path: Path) -> pa.Table:
    """Read national monthly exports (flow X) and imports (flow M) from a BCRPData API JSON payload.

    Only the flow totals are kept: series whose name ends in ``Exportaciones`` or ``Importaciones`` (e.g.
    PN38714BM, PN38718BM); breakdowns (tradicionales, bienes de capital …) and the trade balance are skipped
    because ``bcrp_national`` has one value per flow and month. BCRP's trade balance values both flows FOB.
    """
    path = Path(path)
    text = read_text(path)
    if not text.lstrip().startswith("{"):
        raise ParseError("expected a BCRPData API JSON payload", file=path.name)
    rows: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for series in _parse_api_json(path, text):
        segments = [normalize_label(s) for s in series.label.split(" - ")]
        segments = [s for s in segments if s and s != TOTAL_LABEL]
        flow = NATIONAL_FLOWS.get(segments[-1]) if segments else None
        if flow is None:
            continue
        if flow in seen:
            raise ParseError(
                f"two series give flow {flow}: {seen[flow]!r} and {series.label!r}",
                file=path.name,
                record=series.record,
            )
        seen[flow] = series.label
        for period, value in sorted(series.values.items()):
            if value is not None:
                rows.append({"flow": flow, "period": period, "value_usd": value})
    if not seen:
        raise ParseError(
            "no series named '… Exportaciones' or '… Importaciones' (expected PN38714BM / PN38718BM)",
            file=path.name,
            field="config.series",
        )
    table = pa.Table.from_pylist(
        rows, schema=pa.schema([("flow", pa.string()), ("period", pa.date32()), ("value_usd", pa.float64())])
    )
    table = table.append_column("value_basis", pa.array(["FOB"] * len(table), pa.string()))
    table = table.append_column("source", pa.array([path.name] * len(table), pa.string()))
    return BCRP_NATIONAL.conform(table, file=path.name)


# --- parsing ---------------------------------------------------------------------------------------------


def _millions_to_usd(text: str) -> float:
    """``"0.17"`` (millions) -> 170000.0; raises InvalidOperation/ValueError on text."""
    value = Decimal(text.strip())
    if not value.is_finite():
        raise ValueError("not a finite number")
    return float(value.scaleb(6))


def _parse_value(raw: Any, *, where: dict[str, Any], label: str) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ParseError(f"series {label!r}: value {raw!r} is not a number", **where)
    if isinstance(raw, int | float):
        if not math.isfinite(raw):
            raise ParseError(f"series {label!r}: value {raw!r} is not a finite number", **where)
        return check_amount(_millions_to_usd(repr(raw)), label, where)
    text = str(raw).strip()
    if text.lower() in MISSING_MARKERS:
        return None
    try:
        value = _millions_to_usd(text)
    except (InvalidOperation, ValueError):
        raise ParseError(f"series {label!r}: value {text!r} is not a number", **where) from None
    return check_amount(value, label, where)


def _parse_api_period(name: Any, *, file: str, index: int) -> date:
    """``"Ene.2005"`` / ``"Set.2022"`` -> date(2005, 1, 1)."""
    text = str(name).strip()
    month_text, _, year_text = text.partition(".")
    month = SPANISH_MONTHS.get(month_text.strip().lower()[:3]) if len(month_text.strip()) >= 3 else None
    if month is None or not (year_text.isdigit() and len(year_text) == 4):
        raise ParseError(
            f"period name {text!r} is not a Spanish month like 'Ene.2005'",
            file=file,
            record=index,
            field="periods.name",
        )
    return check_month(
        date(int(year_text), month, 1), figures=False, file=file, record=index, field="periods.name"
    )


def _parse_api_json(path: Path, text: str) -> list[_Series]:
    file = path.name
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", file=file, row=exc.lineno) from None
    try:
        names = [str(s["name"]) for s in payload["config"]["series"]]
        periods = payload["periods"]
    except (KeyError, TypeError):
        raise ParseError(
            "not a BCRPData API payload (needs config.series[].name and periods[])", file=file
        ) from None
    if not isinstance(periods, list):
        raise ParseError("'periods' is not a list", file=file, field="periods")
    columns: list[dict[date, float | None]] = [{} for _ in names]
    for index, period in enumerate(periods, start=1):
        if not isinstance(period, dict):
            raise ParseError("period entry is not an object", file=file, record=index, field="periods")
        month = _parse_api_period(period.get("name"), file=file, index=index)
        values = period.get("values")
        if not isinstance(values, list) or len(values) != len(names):
            raise ParseError(
                f"expected {len(names)} values (one per series), got "
                f"{len(values) if isinstance(values, list) else type(values).__name__}",
                file=file,
                record=index,
                column=str(period.get("name")),
            )
        for position, (label, raw) in enumerate(zip(names, values, strict=True), start=1):
            if month in columns[position - 1]:
                raise ParseError(
                    f"month {month:%Y-%m} appears twice",
                    file=file,
                    record=position,
                    column=str(period["name"]),
                )
            where = {"file": file, "record": position, "column": str(period["name"])}
            columns[position - 1][month] = _parse_value(raw, where=where, label=label)
        if any(column[month] is not None for column in columns):
            check_month(month, file=file, record=index, field="periods.name")
    return [
        _Series(label=label, row=None, record=position, values=values)
        for position, (label, values) in enumerate(zip(names, columns, strict=True), start=1)
    ]


def _parse_month_header(text: str, *, file: str) -> date:
    try:
        parsed = date.fromisoformat(text.strip())
    except ValueError:
        raise ParseError(
            f"month column {text!r} is not a date YYYY-MM-01", file=file, row=1, column=text
        ) from None
    if parsed.day != 1:
        raise ParseError(
            f"month column {text!r} is not the first day of a month", file=file, row=1, column=text
        )
    return check_month(parsed, figures=False, file=file, row=1, column=text)


def _parse_wide_csv(path: Path, text: str) -> list[_Series]:
    file = path.name
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or normalize_label(header[0]) not in {"department", "departamento"}:
        raise ParseError(
            "expected a wide CSV whose first column is 'department'",
            file=file,
            row=1,
            column=header[0] if header else None,
        )
    unique_header(header, file)
    months = [_parse_month_header(h, file=file) for h in header[1:]]
    if len(set(months)) != len(months):
        duplicated = sorted({m for m in months if months.count(m) > 1})[0]
        raise ParseError(f"month {duplicated:%Y-%m} appears twice", file=file, row=1, column=str(duplicated))
    series: list[_Series] = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ParseError(
                f"expected {len(header)} cells, found {len(cells)}", file=file, row=line, column=header[0]
            )
        label = cells[0].strip()
        values = {
            month: _parse_value(raw, where={"file": file, "row": line, "column": column}, label=label)
            for month, column, raw in zip(months, header[1:], cells[1:], strict=True)
        }
        series.append(_Series(label=label, row=line, record=None, values=values))
    for month, column in zip(months, header[1:], strict=True):
        if any(s.values[month] is not None for s in series):
            check_month(month, file=file, row=1, column=column)
    return series


# --- assembling ------------------------------------------------------------------------------------------


def _department_of(label: str) -> str | None:
    """The department named by a series label; BCRP API names end in ``… - <department>``."""
    return resolve_department(label.rsplit(" - ", 1)[-1])


def _build_result(path: Path, series: Iterable[_Series]) -> BcrpResult:
    file = path.name
    records: list[dict[str, Any]] = []
    totals: dict[date, float] = {}
    seen: dict[str, str] = {}
    for item in series:
        where: dict[str, Any] = {"file": file, "row": item.row, "record": item.record, "column": "department"}
        is_total = normalize_label(item.label.rsplit(" - ", 1)[-1]) == TOTAL_LABEL
        code = "total" if is_total else _department_of(item.label)
        if code is None:
            raise ParseError(f"unknown department label {item.label!r}", **where)
        if code in seen:
            raise ParseError(f"duplicated series {item.label!r} (same as {seen[code]!r})", **where)
        seen[code] = item.label
        for period, value in item.values.items():
            if value is None:
                continue
            if value < 0:
                raise ParseError(
                    f"series {item.label!r}: negative exports {value / 1e6!r} (millions of US$)",
                    **{**where, "column": f"{period:%Y-%m-%d}"},
                )
            if is_total:
                totals[period] = value
            else:
                records.append({"period": period, "department": code, "value_usd": value})
    records.sort(key=lambda r: (r["period"], r["department"]))
    n = len(records)
    table = pa.table(
        {
            "flow": pa.array(["X"] * n, pa.string()),
            "period": pa.array([r["period"] for r in records], pa.date32()),
            "department": pa.array([r["department"] for r in records], pa.string()),
            "region_basis": pa.array(["source_table"] * n, pa.string()),
            "value_usd": pa.array([r["value_usd"] for r in records], pa.float64()),
            "value_basis": pa.array(["FOB"] * n, pa.string()),
            "source": pa.array([file] * n, pa.string()),
        }
    )
    return BcrpResult(
        records=BCRP_DEPARTMENTS.conform(table, file=file),
        totals=pa.table(
            {
                "period": pa.array(sorted(totals), pa.date32()),
                "value_usd": pa.array([totals[p] for p in sorted(totals)], pa.float64()),
            }
        ),
        checks=reconcile(records, totals),
    )
