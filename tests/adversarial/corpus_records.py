"""Corpus cases for the line-oriented readers: SUNAT declarations, PROMPERÚ Infotrade (CSV and XLSX) and the
HS 2022 reference table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import corpus_edit as E
from corpus_base import INFOTRADE_COLUMNS, INFOTRADE_LINES, write_infotrade
from corpus_harness import ROWISH, Base, Case
from corpus_tables import LineEdit, _csv, _dup_column, generic


def _col(name: str, value: str, line: int = 1) -> LineEdit:
    def edit(rows: list[str]) -> list[str]:
        col = E.column_index(rows[0], name)
        return [E.set_cell(r, col, value) if i == line else r for i, r in enumerate(rows)]

    return edit


def declarations() -> list[Case]:
    p, s, k = "decl", "sunat-declarations", "declarations"
    row = ROWISH
    cases = [
        _csv(p, s, k, "nan: NaN FOB", _col("fob", "nan"), row),
        _csv(p, s, k, "inf: inf CIF", _col("cif", "inf"), row),
        _csv(p, s, k, "1e308: CIF of 1e308", _col("cif", "1e308"), row),
        _csv(p, s, k, "1e300: FOB of 1e300", _col("fob", "1e300"), row),
        _csv(p, s, k, "negative: a negative CIF", _col("cif", "-82613.73"), row),
        _csv(p, s, k, "date-2099: a declaration dated 2099", _col("fecha", "2099-05-10"), row),
        _csv(p, s, k, "date-1800: a declaration dated 1800", _col("fecha", "1800-05-10"), row),
        _csv(p, s, k, "date-0001: a declaration dated 0001", _col("fecha", "0001-01-01"), row),
        _csv(p, s, k, "date-outside: a date outside the file's month", _col("fecha", "2026-07-01"), row),
        _csv(p, s, k, "dup-line: a line twice", lambda rows: rows + rows[1:2]),
        _csv(
            p,
            s,
            k,
            "dup-key: the same (aduana, dua, partida) twice with other values",
            lambda rows: [*rows, E.set_cell(rows[1], E.column_index(rows[0], "fob"), "1.0")],
        ),
        _csv(p, s, k, "dup-column: the cif column twice", _dup_column("cif")),
        _csv(p, s, k, "missing-column: the cif column removed", _drop_column("cif")),
        _csv(p, s, k, "header-only: the header line alone", lambda rows: rows[:1]),
    ]
    return cases + generic(p, s, k, text=True, wrong="hs")


def _drop_column(name: str) -> LineEdit:
    def edit(rows: list[str]) -> list[str]:
        col = E.column_index(rows[0], name)
        return [",".join(c for i, c in enumerate(r.split(",")) if i != col) for r in rows]

    return edit


def _info(
    fault: str, rows: Callable[[], list[list[str]]], header: tuple[str, ...] = INFOTRADE_COLUMNS
) -> Case:
    fid, what = fault.split(": ", 1)

    def make(b: Base, d: Path) -> list[Path]:
        return [write_infotrade(d / b["infotrade"].name, rows(), header)]

    return Case(f"info-{fid}", "infotrade", what, make, where=("Monto", "FechaEmbarque", *ROWISH))


def _info_line(column: str, value: str) -> Callable[[], list[list[str]]]:
    i = INFOTRADE_COLUMNS.index(column)
    return lambda: [[*INFOTRADE_LINES[0][:i], value, *INFOTRADE_LINES[0][i + 1 :]], *INFOTRADE_LINES[1:]]


def infotrade() -> list[Case]:
    cases = [
        _info("nan: NaN Monto", _info_line("Monto", "nan")),
        _info("inf: inf Monto", _info_line("Monto", "inf")),
        _info("1e300: Monto of 1e300", _info_line("Monto", "1e300")),
        _info("1e308: Monto of 1e308", _info_line("Monto", "1e308")),
        _info("negative: a negative Monto", _info_line("Monto", "-1000.0")),
        _info("date-0001: shipped 01/01/0001", _info_line("FechaEmbarque", "01/01/0001")),
        _info("date-2999: shipped 31/12/2999", _info_line("FechaEmbarque", "31/12/2999")),
        _info("date-1800: shipped 01/01/1800", _info_line("FechaEmbarque", "01/01/1800")),
        _info("dup-line: a line twice", lambda: [*INFOTRADE_LINES, INFOTRADE_LINES[0]]),
        _info("header-only: the header alone", lambda: []),
        _info(
            "missing-column: no Monto column",
            lambda: [r[:8] + r[9:] for r in INFOTRADE_LINES],
            INFOTRADE_COLUMNS[:8] + INFOTRADE_COLUMNS[9:],
        ),
        _info(
            "dup-column: the Monto column twice",
            lambda: [[*r, "1.0"] for r in INFOTRADE_LINES],
            (*INFOTRADE_COLUMNS, "Monto"),
        ),
        _info("unknown-country: a destination that is no country", _info_line("PaisDestino", "ATLANTIDA")),
    ]
    return cases + generic("info", "infotrade", "infotrade", text=True, wrong="declarations")


def hs2022() -> list[Case]:
    p, s, k = "hs", "hs2022", "hs"
    cases = [
        _csv(
            p,
            s,
            k,
            "two-columns: a 2-column CSV of three codes",
            lambda rows: ["hscode,description", "01,Animals", "02,Meat", "03,Fish"],
        ),
        _csv(p, s, k, "header-only: the header line alone", lambda rows: rows[:1]),
        _csv(p, s, k, "half-rows: the first half of the lines only", lambda rows: rows[: len(rows) // 2]),
        _csv(p, s, k, "dup-code: a code twice", lambda rows: rows + rows[5:6]),
        _csv(p, s, k, "missing-column: the level column removed", _drop_column("level")),
        _csv(p, s, k, "dup-column: the level column twice", _dup_column("level")),
        _csv(
            p,
            s,
            k,
            "bad-code: a code with letters",
            lambda rows: [rows[0], rows[1].replace(",01,", ",0X,", 1), *rows[2:]],
        ),
    ]
    return cases + generic(p, s, k, text=True, wrong="bcrp")


def _info_xlsx(fault: str, total: Callable[[float], list[list[object]]], *, middle: bool = False) -> Case:
    """An Infotrade Excel download: header, lines and the rows ``total(sum of Monto)`` returns, at the end
    or (``middle``) before the last line."""
    fid, what = fault.split(": ", 1)

    def make(b: Base, d: Path) -> list[Path]:
        import openpyxl

        lines = [[float(c) if i in NUMERIC else c for i, c in enumerate(r)] for r in INFOTRADE_LINES]
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(list(INFOTRADE_COLUMNS))
        closing = total(sum(float(r[8]) for r in INFOTRADE_LINES))
        rows = [*lines[:-1], *closing, lines[-1]] if middle else [*lines, *closing]
        for r in rows:
            ws.append(r)
        path = d / "infotrade_2024.xlsx"
        d.mkdir(parents=True, exist_ok=True)
        wb.save(path)
        return [path]

    return Case(f"info-{fid}", "infotrade", what, make, where=("TOTAL", "Monto", *ROWISH))


NUMERIC = {8, 9, 10}


def _total(excess: float) -> Callable[[float], list[list[object]]]:
    return lambda s: [[*TOTAL_ROW, s + excess]]


TOTAL_ROW = [None, None, "TOTAL", None, None, None, None, None]


def cases() -> list[Case]:
    return [
        *declarations(),
        *infotrade(),
        _info_xlsx(
            "xlsx-total-middle: a TOTAL row before the last line", lambda s: [[*TOTAL_ROW, s]], middle=True
        ),
        _info_xlsx(
            "xlsx-total-mismatch: a TOTAL row US$ 1 000 above the lines", lambda s: [[*TOTAL_ROW, s + 1000]]
        ),
        _info_xlsx("xlsx-two-totals: two TOTAL rows", lambda s: [[*TOTAL_ROW, s], [*TOTAL_ROW, s]]),
        *hs2022(),
    ]
