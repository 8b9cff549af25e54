"""The regional report on customs lines only: a preliminary last month is refused unless ``--preliminary``,
then marked in every format; department sections print the attribution coverage and warn below 95 %.

The warehouse is hand-made: lines of 2021-01 … 2024-06 arriving in weekly files (lags of 3 to 40 days), the
last file dated 2024-06-30, so June 2024 is young; in 2024 Arequipa's lines (a quarter of the value) have no
producer UBIGEO.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from comercio.config import Settings
from comercio.indicators.regional import RegionalFacts, regional_facts
from comercio.reports.fmt import Formatter
from comercio.reports.regional import build_regional
from comercio.warehouse import FileRef, Provenance, Warehouse, schema

AS_OF = date(2024, 6, 30)
DEPARTMENTS = {"15": 50.0, "04": 30.0, "13": 20.0}  # Lima, Arequipa, La Libertad: value per line
LAGS = (3, 10, 17, 40)
GROWTH = {"13": 1.8}  # 2024 over earlier years by department (else 1.1): La Libertad grows fastest
UNATTRIBUTED = 30 * 1.1 / (50 * 1.1 + 30 * 1.1 + 20 * 1.8)  # Arequipa's share of 2024


def _rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    month = date(2021, 1, 1)
    while month <= date(2024, 6, 1):
        for day in (5, 15, 25):
            for lag in LAGS:
                shipped = month.replace(day=day)
                filed = shipped + timedelta(days=lag)
                filed += timedelta(days=6 - filed.weekday())  # the weekly file ends on a Sunday
                if filed > AS_OF:
                    continue  # not regularised yet at the cut-off
                for dept, value in DEPARTMENTS.items():
                    unattributed = month.year == 2024 and dept == "04"
                    rows.append(
                        {
                            "flow": "X",
                            "date": shipped,
                            "period": month,
                            "declaration": f"{len(rows)}",
                            "series": 1,
                            "customs_office": "370" if dept == "15" else "118",
                            "department": "99" if unattributed else dept,
                            "region_basis": "unattributed" if unattributed else "producer_ubigeo",
                            "partner": "US",
                            "product": "0806100000",
                            "hs6": "080610",
                            "hs_version": "2022",
                            "value_usd": value * (GROWTH.get(dept, 1.1) if month.year == 2024 else 1.0),
                            "value_basis": "FOB",
                            "file_date": filed,
                            "trader_masked": False,
                            "synthetic": True,
                            "source": "x-hand.zip",
                        }
                    )
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return rows


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("preliminary")
    spec = schema.CUSTOMS_LINES
    table = pa.Table.from_pylist([{c: r.get(c) for c in spec.columns} for r in _rows()], schema=spec.schema)
    prov = Provenance("sunat-microdata", (FileRef("x-hand.zip", "e" * 64),), "test/1", synthetic=True)
    Warehouse(Settings(home=home)).load("customs_lines", "all", table, prov)
    return home


@pytest.fixture(scope="module")
def rf(home: Path) -> RegionalFacts:
    return regional_facts(Warehouse(Settings(home=home), read_only=True), "2024-06")


def _run(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> int:
    from comercio.cli import main

    monkeypatch.setenv("COMERCIO_HOME", str(home))
    try:
        main(["report", "regional", "--through", "2024-06", *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_facts_say_how_complete_the_last_month_is(rf: RegionalFacts) -> None:
    f = rf.facts.get("maturity.latest.completeness")
    assert f is not None and f.value < 0.995
    assert rf.facts.value("maturity.latest.preliminary") is True
    assert rf.facts.value("maturity.latest.as_of") == "2024-06-30"
    assert f.extra["basis"] == "measured" and f.extra["age_days"] == 0
    assert rf.facts.value("coverage.window.share") == pytest.approx(1 - UNATTRIBUTED)
    assert rf.facts.value("coverage.{year}.share", year="2023") == 1.0


def test_a_preliminary_month_is_refused_without_the_flag(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(home, monkeypatch, capsys, "--format", "md", "--out", str(tmp_path / "r"))
    err = capsys.readouterr().err
    assert code == 2
    assert "2024-06 is a preliminary month" in err and "complete as of 2024-06-30" in err
    assert (
        "basis: lag measured on" in err and "--preliminary" in err and "--through 2024-04" in err
    )  # May still lacks its 40-day lines
    assert not (tmp_path / "r").exists()


def test_with_the_flag_every_format_marks_it(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    args = ("--preliminary", "--format", "md,json,html,xlsx", "--out", str(out))
    assert _run(home, monkeypatch, capsys, *args) == 0
    md = (out / "report.md").read_text(encoding="utf-8")
    # May still lacks its 40-day lines: both young months are named with their expected completeness
    label = "mayo (89,6\u202f%) y junio (42,4\u202f%) preliminares"
    assert f"# Exportaciones regionales, enero-junio de 2024 ({label})" in md
    assert "\n| Costa |" in md  # a natural region in a table cell starts with a capital ("la costa" in prose)
    notice = "Aviso: mayo y junio de 2024 son meses preliminares."
    assert notice in md and "estarían completas en 89,6\u202f% y 42,4\u202f%, respectivamente" in md
    html = (out / "report.html").read_text(encoding="utf-8")
    assert label in html and notice in html
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["maturity"]["preliminary"] is True and data["maturity"]["as_of"] == "2024-06-30"
    assert sorted(data["maturity"]["preliminary_months"]) == ["2024-05", "2024-06"]
    assert label in data["title"]
    from openpyxl import load_workbook

    about = load_workbook(out / "report.xlsx").worksheets[0]
    assert any(label in str(c.value) for row in about.iter_rows() for c in row)


def test_department_sections_print_coverage_and_warn_below_threshold(rf: RegionalFacts) -> None:
    report = build_regional(rf, "es")
    had, lacked = Formatter("es").pct(1 - UNATTRIBUTED), Formatter("es").pct(UNATTRIBUTED)
    by_id = {s.id: s for s in report.sections}
    headline = " ".join(by_id["headline"].paragraphs)
    assert f"Atribución por departamento: {had} del valor exportado" in headline
    assert f"(base: ubigeo del productor); el {lacked} restante no lo tiene" in headline
    assert "Advertencia: esa cobertura es baja" in headline
    regions = " ".join(by_id["regions"].paragraphs)
    assert f"Advertencia: {lacked} del valor exportado" in regions
    assert "(base de atribución: ubigeo del productor)" in regions
    before = Formatter("es").pct(rf.facts.value("coverage.previous.share"))  # 2023: all attributed
    reminder = f"Cobertura de atribución: {had} del valor (2023: {before}); ver la advertencia del Resumen."
    for sid in ("share", "fastest", "macroregions", "agro", "rolling12", "leaders"):
        text = by_id[sid].paragraphs
        assert text[-1] == reminder and "Advertencia" not in " ".join(text), sid  # one line, not the warning
    assert (
        f"En enero-junio de 2023 la cobertura era {before} (ubigeo del productor): las variaciones"
        in headline
    )
    projection = " ".join(by_id["projection"].paragraphs)
    assert (
        "Como mayo y junio son meses preliminares" in projection
        and "la proyección los toma tal como están" in projection
    )
    en = " ".join(build_regional(rf, "en").sections[0].paragraphs)
    assert "Notice: May and June 2024 are preliminary months." in en and "Warning: that coverage is low" in en
    leaders = next(s for s in build_regional(rf, "en").sections if s.id == "leaders").paragraphs[-1]
    assert leaders.startswith("Attribution coverage: ")
    assert leaders.endswith("see the warning in the Summary.")


def test_nothing_unattributed_is_dropped(rf: RegionalFacts) -> None:
    national = rf.facts.value("national.value")
    unregistered = rf.facts.value("{region_group}.value", region_group="no_registrado")
    share = rf.facts.value("coverage.window.unattributed")
    assert unregistered == pytest.approx(national * share)


def test_every_section_is_written_on_lines_only(rf: RegionalFacts) -> None:
    report = build_regional(rf, "es")
    assert [s.id for s in report.sections if s.omitted] == []
    customs = " ".join(next(s for s in report.sections if s.id == "customs").paragraphs)
    assert "Chancay" in customs


def test_no_region_growing_is_said_as_such(rf: RegionalFacts) -> None:
    from comercio.indicators.facts import FactSet, make

    facts = FactSet(rf.facts)
    old = rf.facts.get("regions.fastest.members")
    assert old is not None
    facts.add(make("regions.fastest.members", [], window=old.window, dataset=old.dataset))
    report = build_regional(RegionalFacts(rf.through, rf.grouping, rf.record_definition, facts), "es")
    fastest = next(s for s in report.sections if s.id == "fastest")
    assert fastest.omitted and fastest.paragraphs[0].startswith("Ninguna región del interior")


def test_the_one_line_names_earlier_bases_when_they_were_others(rf: RegionalFacts) -> None:
    from comercio.indicators.facts import FactSet, make

    facts = FactSet(rf.facts)
    old = rf.facts.get("coverage.window.share")
    assert old is not None
    shares = {"producer_ubigeo": 0.6, "ruc_register": 0.396, "unattributed": 0.004}
    extra = {**dict(old.extra), "shares": shares}
    facts.add(make("coverage.window.share", 0.996, window=old.window, dataset=old.dataset, extra=extra))
    report = build_regional(RegionalFacts(rf.through, rf.grouping, rf.record_definition, facts), "es")
    line = next(s for s in report.sections if s.id == "leaders").paragraphs[-1]
    assert line == (
        "Cobertura de atribución: 99,6\u202f% del valor (2023: 100,0\u202f% con ubigeo del productor); "
        "ver la advertencia del Resumen."
    )


def test_a_preliminary_month_is_refused_even_from_kept_facts(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        _run(home, monkeypatch, capsys, "--preliminary", "--format", "json", "--out", str(tmp_path / "a"))
        == 0
    )
    code = _run(
        home, monkeypatch, capsys, "--format", "json", "--out", str(tmp_path / "b")
    )  # facts kept by the first
    assert code == 2 and "2024-06 is a preliminary month" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
