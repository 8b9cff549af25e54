"""`comercio query` and `comercio search` on the warehouse built from the mirror: options refused in one line
naming the option, long CSV to stdout, wide XLSX and JSON files, search by name."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

import comercio.cli as cli


def _run(argv: list[str]) -> int:
    try:
        cli.main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture
def home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COMERCIO_HOME", str(built_home))
    return tmp_path


BASE = ["query", "--from", "2020-01", "--to", "2022-12"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "--from", "2020-13", "--to", "2022-12"], "error: --from: not a month: '2020-13'"),
        ([*BASE, "--flow", "Z"], "error: --flow: flow must be X (exports) or M (imports), not 'Z'"),
        ([*BASE, "--freq", "week"], "error: --freq: unknown frequency 'week'"),
        ([*BASE, "--measures", "value,profit"], "error: --measures: unknown measure ['profit']"),
        ([*BASE, "--where", "department"], "error: --where: a filter is DIM=CODE[,CODE…], not 'department'"),
        ([*BASE, "--lang", "fr"], "error: --lang: unsupported language 'fr'"),
        ([*BASE, "--format", "ods"], "error: --format must be one of csv, json, xlsx, got 'ods'"),
        (
            ["query", "--from", "2022-12", "--to", "2020-01"],
            "error: --from: the period starts (2022-12) after",
        ),
    ],
)
def test_a_bad_option_exits_2_with_one_line_naming_it(
    args: list[str], message: str, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(args) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(message) and captured.err.count("\n") == 1
    assert captured.out == ""


def test_long_csv_to_stdout_matches_bcrp(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [*BASE, "--by", "department", "--where", "department=04,15", "--measures", "value,share,growth"]
    assert _run(args) == 0
    captured = capsys.readouterr()
    assert not captured.out.startswith("\ufeff")  # no byte-order mark in a pipe
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert list(rows[0]) == [
        "Departamento (código)",
        "Departamento",
        "Periodo",
        "Valor FOB (US$)",
        "Participación (%)",
        "Variación (%)",
    ]
    assert len(rows) == 6 and {r["Departamento (código)"] for r in rows} == {"04", "15"}
    lima = next(r for r in rows if r["Departamento"] == "Lima" and r["Periodo"] == "2022")
    assert round(float(lima["Valor FOB (US$)"]) / 1e6, 1) == 15031.0  # BCRP: Lima 2022 = US$ 15 031.0 M
    assert 0 < float(lima["Participación (%)"]) < 100  # a percentage, not a fraction
    assert "rows from bcrp_departments" in captured.err  # provenance on stderr, not in the table


def test_wide_xlsx_file_keeps_codes_as_text(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = home / "arequipa.xlsx"
    args = [
        *BASE,
        "--by",
        "department",
        "--where",
        "department=04",
        "--wide",
        "--lang",
        "en",
        "--out",
        str(out),
    ]
    assert _run(args) == 0
    assert capsys.readouterr().out == ""
    book = load_workbook(out)
    assert book.sheetnames == ["Data", "Query"]
    sheet = book["Data"]
    heads = [c.value for c in sheet[1]]
    assert heads[:2] == ["Department (code)", "Department"]
    assert heads[2:] == [f"{y} · FOB value (US$)" for y in (2020, 2021, 2022)]
    assert sheet["A2"].value == "04" and sheet["A2"].data_type == "s"
    assert isinstance(sheet["E2"].value, float) and sheet["E2"].number_format == "#,##0"
    about = dict(book["Query"].iter_rows(min_row=3, max_col=2, values_only=True))
    assert about["Address that reproduces the query"].startswith("/consultas?flow=X&from=2020-01&to=2022-12")
    assert about["Layout"] == "wide (periods as columns)"


def test_json_to_stdout_and_partner_months(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["query", "--from", "2024-01", "--to", "2024-12", "--freq", "month", "--by", "partner"]
    assert _run([*args, "--where", "partner=CL", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["dataset"] == "sunat_destinations" and payload["synthetic"] is False
    assert len(payload["rows"]) == 12 and {r["partner"] for r in payload["rows"]} == {"CL"}
    total = sum(r["value"] for r in payload["rows"])
    assert round(total / 1e6, 1) == 2096.9  # SUNAT G6: Chile 2024 = US$ 2 096.9 M


def test_search_prints_code_dimension_level_label(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["search", "palta"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "080440\ths6\ths6\tAguacates (paltas)"
    assert _run(["search", "Chile", "--kind", "partner", "--lang", "en"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "CL\tpartner\tcountry\tChile"
    assert _run(["search", "zzzqqq"]) == 1
    assert capsys.readouterr().err == "nothing matches 'zzzqqq'\n"
    assert _run(["search", "palta", "--kind", "region"]) == 2
    assert capsys.readouterr().err.startswith("error: --kind: unknown kind 'region'")


def test_a_partial_year_is_marked_in_the_wide_header(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """G6 ends in April 2025: the 2025 column says so, and holds the sum of those four months."""
    args = ["query", "--from", "2024-01", "--to", "2025-04", "--by", "partner", "--where", "partner=CL"]
    assert _run([*args, "--wide"]) == 0
    captured = capsys.readouterr()
    (head, chile) = list(csv.reader(io.StringIO(captured.out)))
    assert head[2:] == ["2024 · Valor FOB (US$)", "2025 (ene–abr) · Valor FOB (US$)"]
    assert "incomplete periods: 2025" in captured.err
    assert _run([*args, "--freq", "month", "--format", "json"]) == 0
    months = json.loads(capsys.readouterr().out)["rows"]
    first_four = sum(r["value"] for r in months if r["period"] >= "2025-01")
    assert float(chile[3]) == pytest.approx(first_four, abs=0.01)
    assert round(float(chile[2]) / 1e6, 1) == 2096.9


def test_a_cut_no_loaded_data_answers_is_refused_naming_the_option(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run([*BASE, "--by", "transport_mode"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith("error: --by: no loaded dataset holds exports by transport_mode")
    assert _run([*BASE, "--by", "region"]) == 2
    assert capsys.readouterr().err.startswith("error: --by: unknown dimension 'region'")
