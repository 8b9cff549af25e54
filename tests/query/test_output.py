"""Downloads of a query result read back as their readers would: csv, json and openpyxl."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from comercio.errors import ConfigError
from comercio.i18n import t
from comercio.query import Column, Query, QueryResult, output

ASKED = datetime(2026, 5, 30, 12, 0, tzinfo=UTC)


def _result(lang: str = "es", *, synthetic: bool = False, wide: bool = False) -> QueryResult:
    """Exports of two departments and two products in 2024 and Jan–May 2025 (a partial year)."""
    q = Query.from_params(
        {
            "flow": "X",
            "from": "2024-01",
            "to": "2025-05",
            "freq": "year",
            "by": "department,product",
            "where": ["partner=CL,US"],
            "measures": "value,net_kg,unit_value,growth",
            "wide": "1" if wide else "",
            "lang": lang,
        }
    )

    def head(key: str, **kw: str) -> str:
        return t(f"query.column.{key}", lang, **kw)

    dep, prod = "Departamento" if lang == "es" else "Department", "Producto" if lang == "es" else "Product"
    columns = (
        Column("department", head("code", dim=dep), "code"),
        Column("department_label", head("label", dim=dep), "label"),
        Column("product", head("code", dim=prod), "code"),
        Column("product_label", head("label", dim=prod), "label"),
        Column("period", head("period"), "period"),
        Column("value", head("value"), "number", "usd"),
        Column("net_kg", head("net_kg"), "number", "kg"),
        Column("unit_value", head("unit_value"), "number", "usd_per_kg"),
        Column("growth", head("growth"), "number", "fraction"),
    )
    members = [("04", "Arequipa", "0804400000", "Aguacates"), ("15", "Lima", "0901119000", "Café")]
    rows = []
    for i, (d, dl, p, pl) in enumerate(members):
        for year, factor in (("2024", 1.0), ("2025", 0.5)):
            value = 1_234_567.5 * (i + 1) * factor
            kg = 400_000.0 * (i + 1) * factor
            rows.append(
                {
                    "department": d,
                    "department_label": dl,
                    "product": p,
                    "product_label": pl,
                    "period": year,
                    "value": value,
                    "net_kg": kg,
                    "unit_value": value / kg,
                    "growth": None if year == "2024" else 0.125,
                }
            )
    return QueryResult(
        query=q,
        columns=columns,
        rows=tuple(rows),
        dataset="customs_lines",
        vintages=("customs_lines@2025-06-01",),
        synthetic=synthetic,
        periods=("2024", "2025"),
        partial=("2025",),
        notes=("Respondido con las líneas aduaneras.",),
        extra={"coverage": {"2025": ("2025-01", "2025-05")}},
    )


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_long_csv_headers_codes_numbers_partial() -> None:
    data = output.render(_result(), "csv")
    assert data.startswith("\ufeff".encode())  # Excel reads the accents right
    rows = _csv(data)
    assert rows[0] == [
        "Departamento (código)",
        "Departamento",
        "Producto (código)",
        "Producto",
        "Periodo",
        "Valor FOB (US$)",
        "Peso neto (kg)",
        "Valor unitario (US$/kg)",
        "Variación (%)",
    ]
    assert len(rows) == 5
    assert rows[1][:5] == ["04", "Arequipa", "0804400000", "Aguacates", "2024"]
    assert rows[2][4] == "2025 (ene–may)"  # the partial year says which months it holds
    assert float(rows[1][5]) == 1_234_567.5
    assert rows[1][8] == ""  # no comparison for the first year: empty, not zero
    assert float(rows[2][8]) == 12.5  # percentages under "(%)"
    assert output.render(_result(), "csv", bom=False).startswith(b"Departamento")


def test_wide_csv_english_periods_as_columns() -> None:
    rows = _csv(output.render(_result("en", wide=True), "csv"))
    head = rows[0]
    assert head[:4] == ["Department (code)", "Department", "Product (code)", "Product"]
    assert "2024 · FOB value (US$)" in head
    assert "2025 (Jan–May) · FOB value (US$)" in head
    assert "2025 (Jan–May) · Unit value (US$/kg)" in head
    assert len(head) == 4 + 2 * 4
    assert len(rows) == 3  # one row per member combination
    lima = next(r for r in rows[1:] if r[0] == "15")
    assert float(lima[head.index("2024 · FOB value (US$)")]) == 2 * 1_234_567.5
    assert float(lima[head.index("2025 (Jan–May) · Net weight (kg)")]) == 400_000.0


def test_wide_form_refuses_two_rows_for_one_cell() -> None:
    r = _result()
    doubled = QueryResult(**{**r.__dict__, "rows": r.rows + r.rows[:1]})
    with pytest.raises(ConfigError, match="two rows"):
        output.render(doubled, "csv", wide=True)


def test_json_long_and_wide() -> None:
    payload = json.loads(output.render(_result(), "json", asked_at=ASKED))
    assert payload["query"]["where"] == ["partner=CL,US"]
    assert payload["url"].startswith("/consultas?flow=X&from=2024-01&to=2025-05")
    assert payload["dataset"] == "customs_lines" and payload["synthetic"] is False
    assert payload["partial"] == ["2025"] and payload["coverage"] == {"2025": ["2025-01", "2025-05"]}
    assert payload["asked_at"] == "2026-05-30T12:00:00Z"
    assert payload["rows"][1]["growth"] == 0.125  # fractions in JSON
    assert payload["rows"][0]["department"] == "04"
    assert payload["period_labels"]["2025"] == "2025 (ene–may)"
    assert {"key": "value", "header": "Valor FOB (US$)", "kind": "number", "unit": "usd"} in payload[
        "columns"
    ]
    wide = json.loads(output.render(_result(), "json", wide=True))
    assert wide["form"] == "wide" and len(wide["rows"]) == 2
    assert wide["columns"][4]["header"] == "2024 · Valor FOB (US$)"


def test_xlsx_long_data_and_query_sheets(tmp_path: Path) -> None:
    path = tmp_path / "q.xlsx"
    output.write(_result(), "xlsx", path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Datos", "Consulta"]
    ws = wb["Datos"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].value == "Departamento (código)" and ws["F1"].value == "Valor FOB (US$)"
    assert ws["A2"].value == "04" and ws["A2"].data_type == "s"  # codes stay text
    assert ws["C2"].value == "0804400000" and ws["C2"].number_format == "@"
    assert ws["E3"].value == "2025 (ene–may)"
    assert ws["F2"].value == 1_234_567.5 and ws["F2"].number_format == "#,##0"
    assert ws["H2"].number_format == "#,##0.00"
    assert ws["I3"].value == 0.125 and ws["I3"].number_format == "0.0%"
    assert ws.column_dimensions["A"].width >= len("Departamento (código)")
    about = {r[0]: r[1] for r in wb["Consulta"].iter_rows(min_row=4, values_only=True) if r[0]}
    assert about["Flujo"] == "Exportaciones"
    assert about["Periodo"] == "enero 2024 a mayo 2025"
    assert about["Frecuencia"] == "anual"
    assert about["Desagregado por"].startswith("Departamento")
    assert about["Filtro: País"] == "CL (Chile), US (Estados Unidos)"
    assert about["Medidas"] == "valor (US$), peso neto (kg), valor unitario (US$/kg), variación"
    assert about["Comparación"] == "el mismo periodo 1 año(s) antes"
    assert about["Dirección que reproduce la consulta"] == "/consultas?" + _result().query.query_string()
    assert about["Datos usados"].endswith("(customs_lines)")
    assert about["Versiones de los datos"] == "customs_lines@2025-06-01"
    assert about["Datos sintéticos"].startswith("no")
    assert about["Periodos incompletos"] == "2025"
    assert about["Nota"] == "Respondido con las líneas aduaneras."
    assert about["Versión de comercio"] and about["Consultado (UTC)"]


def test_xlsx_wide_english_synthetic_is_labelled() -> None:
    wb = load_workbook(io.BytesIO(output.render(_result("en", synthetic=True), "xlsx", wide=True)))
    assert wb.sheetnames == ["Synthetic data", "Query"]
    ws = wb["Synthetic data"]
    heads = [c.value for c in ws[1]]
    assert "2024 · FOB value (US$) [synthetic data]" in heads
    col = heads.index("2025 (Jan–May) · Change (%) [synthetic data]") + 1
    assert ws.cell(2, col).value == 0.125 and ws.cell(2, col).number_format == "0.0%"
    assert ws.cell(2, 3).value == "0804400000" and ws.cell(2, 3).data_type == "s"
    query = [r for r in wb["Query"].iter_rows(values_only=True)]
    assert query[1][0].startswith("SYNTHETIC DATA")
    assert ("Synthetic data", "YES: synthetic data, not official figures") in query
    assert ("Layout", "wide (periods as columns)") in query
    csv_head = _csv(output.render(_result("es", synthetic=True), "csv"))[0]
    assert "Valor FOB (US$) [datos sintéticos]" in csv_head
    assert output.filename(_result(synthetic=True), "xlsx").endswith("_sintetico.xlsx")


def test_unknown_format_names_the_option() -> None:
    with pytest.raises(ConfigError, match="format"):
        output.render(_result(), "ods")


def test_hundreds_of_vintages_are_listed_one_per_row() -> None:
    """A weekly-file dataset has a vintage per file: all listed, none cut, no cell past Excel's limit."""
    r = _result()
    many = tuple(f"customs_lines/microdata-x{n:06d}/v1-20261130T132420Z" for n in range(1500))
    book = load_workbook(io.BytesIO(output.render(QueryResult(**{**r.__dict__, "vintages": many}), "xlsx")))
    cells = [row for row in book["Consulta"].iter_rows(values_only=True)]
    listed = [v for _, v in cells if isinstance(v, str) and v.startswith("customs_lines/microdata-")]
    assert listed == list(many)
    assert max(len(str(v)) for row in cells for v in row if v is not None) < 32767
    assert json.loads(output.render(QueryResult(**{**r.__dict__, "vintages": many}), "json"))[
        "vintages"
    ] == list(many)


def test_a_result_too_big_for_a_sheet_is_refused_not_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    from comercio.query import _xlsx

    monkeypatch.setattr(_xlsx, "MAX_ROWS", 4)  # the 4 data rows and the header make 5
    with pytest.raises(ConfigError, match="do not fit an Excel sheet") as err:
        output.render(_result(), "xlsx")
    assert err.value.field == "format" and "CSV" in (err.value.hint or "")
    assert len(_csv(output.render(_result(), "csv"))) == 5  # CSV has no such limit


def test_the_query_sheet_counts_the_rows_of_the_form_downloaded() -> None:
    def rows(wide: bool) -> str:
        book = load_workbook(io.BytesIO(output.render(_result(), "xlsx", wide=wide)))
        return dict(book["Consulta"].iter_rows(min_row=4, max_col=2, values_only=True))["Filas"]

    assert (rows(False), rows(True)) == ("4", "2")
