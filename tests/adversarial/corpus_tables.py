"""Corpus cases for the text and workbook readers: BCRP CSV, SUNAT cuadros (G1, F1, G6), declarations,
Infotrade and the HS 2022 reference table. Plus :func:`generic`, the faults every reader gets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import corpus_edit as E
from corpus_harness import ROWISH, Base, Case

LineEdit = Callable[[list[str]], list[str]]


def generic(
    prefix: str, source: str, key: str, *, text: bool, wrong: str, needs: str | None = None
) -> list[Case]:
    """The faults every reader gets: garbage, empty, cut, re-encoded, another reader's file, a directory,
    a missing path, and the same content under another name (which must be recognised, not loaded again)."""

    def named(make: Callable[[Path, Path], Path]) -> Callable[[Base, Path], list[Path]]:
        return lambda b, d: [make(b[key], d / b[key].name)]

    def renamed(b: Base, d: Path) -> list[Path]:
        src = b[key]
        return [E.copy(src, d / f"{src.stem} (1){src.suffix}")]

    def directory(b: Base, d: Path) -> list[Path]:
        (d / b[key].name).mkdir(parents=True)
        return [d / b[key].name]

    def wrong_file(b: Base, d: Path) -> list[Path]:
        other = b[wrong]
        return [E.copy(other, d / f"{b[key].stem}{b[key].suffix}")]

    out = [
        Case(f"{prefix}-random-bytes", source, "random bytes", named(lambda s, t: E.random_bytes(t))),
        Case(f"{prefix}-zero-bytes", source, "empty (0 bytes)", named(lambda s, t: E.empty(t))),
        Case(f"{prefix}-truncated", source, "truncated at half its bytes", named(E.truncated)),
        Case(f"{prefix}-wrong-file", source, f"another source's file ({wrong}) under this name", wrong_file),
        Case(f"{prefix}-directory", source, "a directory given as the file", directory),
        Case(f"{prefix}-missing-path", source, "a path that does not exist", lambda b, d: [d / b[key].name]),
        Case(
            f"{prefix}-renamed-copy", source, "same content under another name", renamed, expect="unchanged"
        ),
    ]
    if text:
        out.append(Case(f"{prefix}-utf16", source, "re-encoded in UTF-16", named(E.utf16)))
    return [Case(c.id, c.source, c.fault, c.make, c.args, c.expect, c.where, needs) for c in out]


def _csv(prefix: str, source: str, key: str, fault: str, edit: LineEdit, where: tuple[str, ...] = ()) -> Case:
    def make(b: Base, d: Path) -> list[Path]:
        return [E.csv_edit(b[key], d / b[key].name, edit)]

    return Case(f"{prefix}-{fault.split(':')[0]}", source, fault.split(": ", 1)[-1], make, where=where)


# --- BCRP wide CSV -----------------------------------------------------------------------------------------


def _bcrp_cell(value: str, dept: str = "Lima", month: str = "2020-03-01") -> LineEdit:
    def edit(rows: list[str]) -> list[str]:
        col = E.column_index(rows[0], month)
        return [E.set_cell(r, col, value) if r.split(",")[0] == dept else r for r in rows]

    return edit


def _bcrp_header(old: str, new: str) -> LineEdit:
    return lambda rows: [rows[0].replace(old, new), *rows[1:]]


def _drop(prefix: str) -> LineEdit:
    return lambda rows: [r for r in rows if not r.startswith(prefix)]


def _dup(prefix: str) -> LineEdit:
    return lambda rows: rows + [r for r in rows if r.startswith(prefix)]


def _dup_column(name: str) -> LineEdit:
    def edit(rows: list[str]) -> list[str]:
        col = E.column_index(rows[0], name)
        return [f"{r},{r.split(',')[col]}" for r in rows]

    return edit


def bcrp() -> list[Case]:
    where = ("Lima", *ROWISH)
    cell = [
        ("nan: NaN in a department cell", "nan"),
        ("inf: inf in a department cell", "inf"),
        ("1e308: 1e308 in a department cell", "1e308"),
        ("1e300: 1e300 in a department cell", "1e300"),
        ("negative: a negative department value", "-5.2"),
        ("text: text in a number cell", "abc"),
    ]
    cases = [_csv("bcrp", "bcrp", "bcrp", f, _bcrp_cell(v), where) for f, v in cell]
    dates = [
        ("date-1800: month 1800-01", "2005-01-01", "1800-01-01"),
        ("date-2099: month 2099-12", "2022-12-01", "2099-12-01"),
        ("date-0001: month 0001-01", "2005-01-01", "0001-01-01"),
        ("date-2999: month 2999-12", "2022-12-01", "2999-12-01"),
        ("date-dup: the same month twice", "2022-12-01", "2022-11-01"),
    ]
    cases += [_csv("bcrp", "bcrp", "bcrp", f, _bcrp_header(o, n)) for f, o, n in dates]
    cases += [
        _csv("bcrp", "bcrp", "bcrp", "dup-row: a department row twice", _dup("Lima,")),
        _csv("bcrp", "bcrp", "bcrp", "dup-total: the Total row twice", _dup("Total,")),
        _csv("bcrp", "bcrp", "bcrp", "dup-column: a month column twice", _dup_column("2020-03-01")),
        _csv("bcrp", "bcrp", "bcrp", "missing-department: the Lima row removed", _drop("Lima,")),
        _csv("bcrp", "bcrp", "bcrp", "missing-total: the Total row removed", _drop("Total,")),
        _csv(
            "bcrp",
            "bcrp",
            "bcrp",
            "cut-25-lines: cut after 25 lines (departments and Total missing)",
            lambda rows: rows[:25],
        ),
        _csv("bcrp", "bcrp", "bcrp", "header-only: the header line alone", lambda rows: rows[:1]),
        _csv(
            "bcrp",
            "bcrp",
            "bcrp",
            "unknown-department: a department that does not exist",
            lambda rows: [r.replace("Tumbes,", "Atlantida,", 1) for r in rows],
        ),
        _csv(
            "bcrp",
            "bcrp",
            "bcrp",
            "total-mismatch: Lima raised so that Total no longer adds up",
            _bcrp_cell("99999.9"),
        ),
        _csv("bcrp", "bcrp", "bcrp", "shrink-years: only the last three years", _keep_last_columns(36)),
    ]
    return cases + bcrp_json() + generic("bcrp", "bcrp", "bcrp", text=True, wrong="declarations")


MESES = ("Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Set", "Oct", "Nov", "Dic")
Payload = dict[str, Any]


def _api_payload(csv_path: Path) -> Payload:
    """The base BCRP CSV in the BCRPData API JSON layout (series "… - <department>", Spanish months)."""
    rows = [r.split(",") for r in E.lines(csv_path)]
    months = rows[0][1:]
    return {
        "config": {"series": [{"name": f"Exportaciones FOB - {r[0]}", "dec": "2"} for r in rows[1:]]},
        "periods": [
            {"name": f"{MESES[int(m[5:7]) - 1]}.{m[:4]}", "values": [r[1 + i] for r in rows[1:]]}
            for i, m in enumerate(months)
        ],
    }


def _json(fault: str, edit: Callable[[Payload], Payload], where: tuple[str, ...] = ()) -> Case:
    fid, what = fault.split(": ", 1)

    def make(b: Base, d: Path) -> list[Path]:
        import json

        path = d / "bcrp_api.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(edit(_api_payload(b["bcrp"]))), encoding="utf-8")
        return [path]

    return Case(f"bcrp-json-{fid}", "bcrp", f"API JSON: {what}", make, where=where)


def _json_value(value: str, period: int = 180, series: int = 14) -> Callable[[Payload], Payload]:
    def edit(p: Payload) -> Payload:
        p["periods"][period]["values"][series] = value
        return p

    return edit


def _json_period(name: str, period: int = -1) -> Callable[[Payload], Payload]:
    def edit(p: Payload) -> Payload:
        p["periods"][period]["name"] = name
        return p

    return edit


def _json_drop_series(label: str) -> Callable[[Payload], Payload]:
    def edit(p: Payload) -> Payload:
        names = [s["name"] for s in p["config"]["series"]]
        i = next(k for k, n in enumerate(names) if n.endswith(f" - {label}"))
        del p["config"]["series"][i]
        for period in p["periods"]:
            del period["values"][i]
        return p

    return edit


def _json_all_nd(p: Payload) -> Payload:
    for period in p["periods"]:
        period["values"] = ["n.d."] * len(period["values"])
    return p


def bcrp_json() -> list[Case]:
    return [
        _json("nan: a NaN value", _json_value("NaN"), ROWISH),
        _json("negative: a negative value", _json_value("-12.5"), ROWISH),
        _json("1e308: a value of 1e308", _json_value("1e308"), ROWISH),
        _json("period-2099: a period named Dic.2099", _json_period("Dic.2099")),
        _json("period-1800: a period named Ene.1800", _json_period("Ene.1800", 0)),
        _json("no-total: the Total series removed", _json_drop_series("Total")),
        _json("no-department: the Lima series removed", _json_drop_series("Lima")),
        _json("all-nd: every value n.d.", _json_all_nd),
        _json("not-payload: a JSON object of another shape", lambda p: {"series": []}),
        _json("short-values: a period with one value missing", _short_values),
    ]


def _short_values(p: Payload) -> Payload:
    p["periods"][3]["values"] = p["periods"][3]["values"][:-1]
    return p


def _keep_last_columns(n: int) -> LineEdit:
    def edit(rows: list[str]) -> list[str]:
        return [",".join([r.split(",")[0], *r.split(",")[-n:]]) for r in rows]

    return edit


# --- SUNAT cuadros ---------------------------------------------------------------------------------------


def _xlsx(
    prefix: str,
    key: str,
    fault: str,
    edit: Callable[[Any], None],
    *,
    name: str | None = None,
    where: tuple[str, ...] = (),
    needs: str | None = None,
) -> Case:
    def make(b: Base, d: Path) -> list[Path]:
        return [E.xlsx_edit(b[key], d / (name or b[key].name), edit)]

    fid, what = fault.split(": ", 1)
    return Case(f"{prefix}-{fid}", "sunat-cuadros", what, make, where=where, needs=needs)


def _leaf(label: str, value: object, sheet: str = "2024") -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        ws = wb[sheet]
        E.value_cell(ws, label).value = value

    return edit


def _delete_row(label: str, sheet: str = "2024") -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        ws = wb[sheet]
        ws.delete_rows(E.find_row(ws, label))

    return edit


def _dup_row(label: str, sheet: str = "2024") -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        ws = wb[sheet]
        row = E.find_row(ws, label)
        values = [c.value for c in ws[row]]
        ws.insert_rows(row + 1)
        for i, v in enumerate(values, start=1):
            ws.cell(row=row + 1, column=i, value=v)

    return edit


def _rename_sheet(old: str, new: str) -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        wb[old].title = new

    return edit


def _drop_sheet(name: str) -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        del wb[name]

    return edit


def _copy_sheet(name: str, new: str) -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        wb.copy_worksheet(wb[name]).title = new

    return edit


def _blank_workbook(wb: Any) -> None:
    for name in wb.sheetnames[1:]:
        del wb[name]
    ws = wb[wb.sheetnames[0]]
    ws.delete_rows(1, ws.max_row)


def cuadros() -> list[Case]:
    g1 = [
        _xlsx(
            "g1",
            "g1",
            "as-f1: the G1 workbook saved as cdro_F1.xlsx (wrong table)",
            lambda wb: None,
            name="cdro_F1.xlsx",
        ),
        _xlsx(
            "g1", "g1", "negative: a negative leaf (Cobre)", _leaf("Cobre", -5.0), where=("Cobre", *ROWISH)
        ),
        _xlsx("g1", "g1", "1e300: 1e300 in a leaf", _leaf("Cobre", 1e300), where=("Cobre", *ROWISH)),
        _xlsx("g1", "g1", "1e308: 1e308 in a leaf", _leaf("Cobre", 1e308), where=("Cobre", *ROWISH)),
        _xlsx("g1", "g1", "nan: NaN in a leaf", _leaf("Cobre", float("nan")), where=("Cobre", *ROWISH)),
        _xlsx("g1", "g1", "inf: inf in a leaf", _leaf("Cobre", float("inf")), where=("Cobre", *ROWISH)),
        _xlsx("g1", "g1", "text: text in a number cell", _leaf("Cobre", "n.d."), where=("Cobre", *ROWISH)),
        _xlsx("g1", "g1", "sheet-2099: a year sheet named 2099", _rename_sheet("2023", "2099")),
        _xlsx("g1", "g1", "sheet-1800: a year sheet named 1800", _rename_sheet("2023", "1800")),
        _xlsx("g1", "g1", "missing-year: the 2024 sheet removed", _drop_sheet("2024")),
        _xlsx("g1", "g1", "missing-member: the Cobre row removed", _delete_row("Cobre")),
        _xlsx("g1", "g1", "missing-total: the Total row removed", _delete_row("Total")),
        _xlsx("g1", "g1", "dup-sheet: the 2024 sheet twice", _copy_sheet("2024", "2024 (2)")),
        _xlsx("g1", "g1", "dup-row: the Cobre row twice", _dup_row("Cobre")),
        _xlsx("g1", "g1", "blank: a workbook with one empty sheet", _blank_workbook),
    ]
    f1 = [
        _xlsx(
            "f1",
            "f1",
            "as-g1: the F1 workbook saved as cdro_G1.xlsx (wrong table)",
            lambda wb: None,
            name="cdro_G1.xlsx",
        ),
        _xlsx("f1", "f1", "negative: a negative leaf", _leaf("11  PRODUCTOS ALIMENTICIOS", -5.0)),
        _xlsx("f1", "f1", "1e300: 1e300 in a leaf", _leaf("11  PRODUCTOS ALIMENTICIOS", 1e300)),
        _xlsx("f1", "f1", "missing-year: the 2024 sheet removed", _drop_sheet("2024")),
        _xlsx("f1", "f1", "missing-total: the Total row removed", _delete_row("Total")),
    ]
    g6 = [
        _xlsx(
            "g6",
            "g6",
            "unknown-country: a destination spelled as no country",
            _rename_label("CHILE", "ATLANTIDA"),
            needs="g6",
        ),
        _xlsx("g6", "g6", "negative: a negative country value", _leaf("CHILE", -5.0), needs="g6"),
        _xlsx("g6", "g6", "1e300: 1e300 for a country", _leaf("CHILE", 1e300), needs="g6"),
        _xlsx(
            "g6",
            "g6",
            "missing-total: the Total general row removed",
            _delete_row("Total general"),
            needs="g6",
        ),
        _xlsx("g6", "g6", "dup-country: a country row twice", _dup_row("CHILE"), needs="g6"),
        _xlsx("g6", "g6", "sheet-2099: a year sheet named 2099", _rename_sheet("2023", "2099"), needs="g6"),
        _xlsx(
            "g6",
            "g6",
            "as-g1: the G6 workbook saved as cdro_G1.xlsx",
            lambda wb: None,
            name="cdro_G1.xlsx",
            needs="g6",
        ),
    ]
    return g1 + f1 + g6 + generic("g1", "sunat-cuadros", "g1", text=False, wrong="bcrp")


def _rename_label(old: str, new: str, sheet: str = "2024") -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        ws = wb[sheet]
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() == old:
                    cell.value = new
                    return

    return edit


def cases() -> list[Case]:
    return bcrp() + cuadros()
