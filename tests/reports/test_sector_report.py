"""The sector study written to files: formats, synthetic labelling, numbers from facts, omitted sections."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from comercio.config import Settings
from comercio.indicators.sector import sector_facts
from comercio.ingest import ingest
from comercio.reports.fmt import Formatter
from comercio.reports.sector import build_sector_report, write_sector
from comercio.synth.baci import generate_baci
from comercio.warehouse import Warehouse


@pytest.fixture(scope="module")
def report_wh(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    home = tmp_path_factory.mktemp("sector_report") / "home"
    shutil.copytree(built_home, home)
    zip_path = generate_baci(home.parent / "baci", years=range(2001, 2025), rows_per_year=3_000, seed=5)
    wh = Warehouse(Settings(home=home))
    ingest(wh, "baci", [zip_path])
    return wh


@pytest.mark.parametrize("lang", ["es", "en"])
def test_written_files_exist_and_say_synthetic(report_wh: Warehouse, tmp_path: Path, lang: str) -> None:
    paths = write_sector(report_wh, through="2025-04", lang=lang, formats="html,md,json", out=tmp_path)
    names = {p.name for p in paths}
    assert names == {"report.html", "report.md", "report.json"}
    assert (tmp_path / "figure-world-exports.png").stat().st_size > 1000
    marker = "datos sintéticos" if lang == "es" else "synthetic data"
    for p in paths:
        assert marker in p.read_text(encoding="utf-8").lower(), p.name
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert doc["synthetic"] is True


def test_spanish_prose_takes_its_numbers_from_facts(report_wh: Warehouse) -> None:
    sf = sector_facts(report_wh, "metalmecanica", "2025-04")
    report = build_sector_report(sf, "es")
    fmt = Formatter("es")
    summary = report.sections[0].paragraphs[0]
    assert fmt.money(sf.facts.value("peru.exports.value")) in summary
    assert fmt.money(sf.facts.value("world.exports.value")) in summary
    assert fmt.pct(sf.facts.value("peru.exports.growth"), signed=True) in summary
    assert fmt.pct(sf.facts.value("world.basket.share_of_manufactures")) in summary
    assert sf.world_years is not None
    assert fmt.pct(sf.facts.value(f"world.basket.share_of_manufactures.{sf.world_years[0]}")) in summary
    assert "datos sintéticos" in summary
    english = build_sector_report(sf, "en").sections[0].paragraphs[0]
    assert Formatter("en").pct(sf.facts.value("world.basket.share_of_manufactures")) in english
    omitted = {s.id for s in report.sections if s.omitted}
    assert {"peru_imports", "destinations", "origins"} <= omitted
    assert all("requiere" in s.paragraphs[0] for s in report.sections if s.omitted)


def test_pdf_and_xlsx_are_written(report_wh: Warehouse, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    paths = write_sector(report_wh, through="2025-04", lang="es", formats="pdf,xlsx", out=tmp_path)
    pdf = tmp_path / "report.pdf"
    assert pdf in paths and pdf.read_bytes()[:5] == b"%PDF-"
    wb = load_workbook(tmp_path / "report.xlsx")
    numbers = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert any(isinstance(v, float | int) and not isinstance(v, bool) for v in numbers)
