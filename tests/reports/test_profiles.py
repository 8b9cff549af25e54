"""Profiles on the warehouse built from the mirror (official data: BCRP departments 2005–2022, SUNAT G1 and
G6 to 2025, 111 real import lines of May 2026): a region's yearly exports, share and growth equal BCRP's table
summed independently; a partner's exports read from G6 over its whole span with 2025 named as January–April;
a G1 sector's history; sections without line data keep the sentence naming what they need; every format is
written and read back (PDF pages as images, XLSX with openpyxl, JSON facts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comercio.reports.profiles import build_profile, write_profile
from comercio.reports.profiles_facts import profile_facts
from comercio.warehouse import Warehouse

VALUE = "profile.{dataset}.{flow_word}.value.{year}"
SHARE = "profile.{dataset}.{flow_word}.share.{year}"
GROWTH = "profile.{dataset}.{flow_word}.growth.{year}"


def _bcrp_by_year(wh: Warehouse, department: str | None) -> dict[int, float]:
    """BCRP's department table summed by year straight from the stored rows (not through the engine)."""
    t = wh.table("bcrp_departments")
    t = t.filter(t.flow == "X")
    if department is not None:
        t = t.filter(t.department == department)
    expr = t.group_by(year=t.period.year()).aggregate(v=t.value_usd.sum())
    rows = wh.execute(expr).to_pylist()
    return {int(r["year"]): float(r["v"]) for r in rows}


def test_region_figures_equal_bcrp(warehouse: Warehouse) -> None:
    p = profile_facts(warehouse, "region", "04")
    mine, national = _bcrp_by_year(warehouse, "04"), _bcrp_by_year(warehouse, None)
    assert sorted(mine) == list(range(2005, 2023))
    parts = {"dataset": "bcrp_departments", "flow_word": "exports"}
    for year, value in mine.items():
        assert p.facts.value(VALUE, **parts, year=str(year)) == pytest.approx(value, rel=1e-12)
        assert p.facts.value(SHARE, **parts, year=str(year)) == pytest.approx(
            value / national[year], rel=1e-12
        )
        growth = p.facts.value(GROWTH, **parts, year=str(year))
        if year == 2005:
            assert growth is None
        else:
            assert growth == pytest.approx(value / mine[year - 1] - 1, rel=1e-12)
    record = p.facts.get("profile.{dataset}.{flow_word}.record", **parts)
    assert record is not None and record.extra["year"] == max(mine, key=lambda y: mine[y])
    assert p.macroregion == "sur"
    assert not any(f.synthetic for f in p.facts)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_region_without_lines_names_what_each_section_needs(warehouse: Warehouse, lang: str) -> None:
    r = build_profile(profile_facts(warehouse, "region", "04"), lang)
    omitted = {s.id: " ".join(s.paragraphs) for s in r.sections if s.omitted}
    assert set(omitted) == {"products", "destinations", "customs", "agro", "exporters"}
    for sid in ("products", "destinations", "customs", "agro"):
        assert "sunat-microdata" in omitted[sid]
    assert "RUC" in omitted["exporters"]
    assert not r.synthetic
    title = {"es": "Perfil exportador de Arequipa", "en": "Export profile of Arequipa"}[lang]
    assert r.title == title
    history = next(s for s in r.sections if s.id == "history")
    assert [f.id for f in history.figures] == ["exports_bcrp_departments", "share_bcrp_departments"]
    assert [row["year"] for row in history.tables[0].rows] == [str(y) for y in range(2005, 2023)]


@pytest.mark.parametrize(("lang", "label"), [("es", "2025 (ene–abr)"), ("en", "2025 (Jan–Apr)")])
def test_partner_long_series_labels_the_partial_year(warehouse: Warehouse, lang: str, label: str) -> None:
    p = profile_facts(warehouse, "partner", "CL")
    g6 = next(h for h in p.histories if h.dataset == "sunat_destinations")
    assert g6.years[0].year == 2005 and g6.years[-1].year == 2025
    last = g6.years[-1]
    assert (last.first, last.last, last.partial) == (1, 4, True)
    # growth of the partial year: January–April 2025 against January–April 2024, never the whole of 2024
    before = sum(v for (y, m), v in g6.monthly.items() if y == 2024 and m <= 4)
    parts = {"dataset": "sunat_destinations", "flow_word": "exports", "year": "2025"}
    assert p.facts.value(GROWTH, **parts) == pytest.approx(last.value / before - 1)
    r = build_profile(p, lang)
    exports = next(s for s in r.sections if s.id == "exports")
    g6_table = next(t for t in exports.tables if t.id == "exports_sunat_destinations")
    assert g6_table.rows[-1]["year"] == label
    assert all(row["year"] != "2025" for row in g6_table.rows)
    assert label in " ".join(exports.paragraphs)
    # the chart names the months on its axis and draws the partial year apart
    spec = json.dumps([f.spec for f in exports.figures], ensure_ascii=False)
    assert label.replace(" (", "\\n(") in spec and '"partial"' in spec


def test_g1_sector_profile(warehouse: Warehouse) -> None:
    p = profile_facts(warehouse, "product", "textil")
    (h,) = p.histories
    assert h.dataset == "sunat_cuadros" and h.years[0].year == 2005 and h.years[-1].partial
    r = build_profile(p, "es")
    omitted = {s.id for s in r.sections if s.omitted}
    assert omitted == {"regions", "destinations", "unit_value"}


def test_every_format_written_and_read_back(warehouse: Warehouse, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    paths = write_profile(warehouse, "region", "04", lang="es", out=tmp_path)
    names = {p.name for p in paths}
    assert {"report.html", "report.pdf", "report.xlsx", "report.md", "report.json"} <= names
    pages = sorted(tmp_path.glob("report-page-*.png"))
    assert pages and all(p.stat().st_size > 10_000 for p in pages)  # drawn by pdftoppm, not blank
    doc = json.loads((tmp_path / "report.json").read_text("utf-8"))
    ids = {f["id"] for f in doc["facts"]}
    assert "profile.bcrp_departments.exports.value.2022" in ids
    wb = load_workbook(tmp_path / "report.xlsx")
    found = False
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            if row and row[0] == "2022" and isinstance(row[1], float):
                found = True
                bcrp = _bcrp_by_year(warehouse, "04")[2022]
                assert row[1] == pytest.approx(bcrp / 1e6, rel=1e-9)  # US$ millions, as the header says
    assert found
    md = (tmp_path / "report.md").read_text("utf-8")
    assert "Arequipa" in md and "948,8" in md
    html = (tmp_path / "report.html").read_text("utf-8")
    assert "<svg" in html and "Perfil exportador de Arequipa" in html


def test_cli_writes_a_profile_and_refuses_two_members(
    built_home: Path,
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from typer.testing import CliRunner

    from comercio.cli import app

    monkeypatch.setenv("COMERCIO_HOME", str(built_home))
    monkeypatch.setenv("COMERCIO_MIRROR", str(shared_data))
    out = tmp_path / "cl"
    args = ["report", "profile", "--partner", "cl", "--lang", "en", "--format", "md,json", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["profile"] == "partner" and data["code"] == "CL" and data["lang"] == "en"
    assert "sunat_destinations" in data["datasets"]
    assert "2025 (Jan–Apr)" in (out / "report.md").read_text(encoding="utf-8")
    from comercio.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["report", "profile", "--region", "04", "--partner", "CL"])
    assert exc.value.code != 0
    said = capsys.readouterr()
    text = said.out + said.err
    assert "exactly one of --region, --product or --partner" in text
    assert "Traceback" not in text
