"""The sector study on a warehouse holding only customs lines (hand-made, both flows, January 2023 –
November 2024): written in Spanish and English, every Peru-side figure from the lines, the world sections
left out with their reason, the source and the synthetic label named, 2024 labelled as January–November and
November 2024 marked preliminary."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from types import ModuleType

import pytest

from comercio.config import Settings
from comercio.indicators.facts import FactSet
from comercio.indicators.sector import SectorFacts, sector_facts
from comercio.reports.sector import build_sector_report, write_sector
from comercio.reports.writers import Report
from comercio.warehouse import Warehouse

DATA = Path(__file__).parents[1] / "indicators" / "_sector_lines_data.py"


def _data() -> ModuleType:
    import importlib.util

    spec = importlib.util.spec_from_file_location("_sector_lines_data", DATA)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    home = tmp_path_factory.mktemp("sector_lines_report")
    _data().build(home)
    return Warehouse(Settings(home=home), read_only=True)


@pytest.fixture(scope="module", params=["es", "en"])
def report(wh: Warehouse, request: pytest.FixtureRequest) -> Report:
    return build_sector_report(sector_facts(wh, "metalmecanica", None), request.param)


def _section(report: Report, sid: str) -> str:
    s = next(s for s in report.sections if s.id == sid)
    return " ".join(s.paragraphs).replace("\xa0", " ").replace("\u202f", " ")  # the formatter's spaces


SAY = {
    "es": {
        "source": "Fuente: líneas de declaraciones de SUNAT (datos sintéticos).",
        "span": "enero-noviembre de 2024",
        "imports": "el Perú importó US$ 220 millones (valor CIF) de la canasta en enero-noviembre de 2024 "
        "(acumulado del año)",
        "balance": "un déficit de US$ 154 millones, frente a un déficit de US$ 121 millones",
        "preliminary": "El mes de noviembre de 2024 es preliminar",
        "headline": "en enero-noviembre de 2024 el Perú importó US$ 220 millones y exportó US$ 66,0 millones "
        "de la canasta SA 73, 82–90: un déficit de US$ 154 millones (noviembre de 2024 es preliminar).",
        "origins": "el principal proveedor del grupo fue China",
        "partial": "enero-noviembre de 2024: año incompleto",
        "origins_source": "Fuente: importaciones del grupo según las líneas de declaraciones de SUNAT "
        "(datos sintéticos).",
        "methods": "Las líneas de declaraciones de SUNAT se clasifican con la canasta SA 73, 82–90.",
        "part": "fue «Maquinaria y equipo de transporte (≈ CUCI 7)»",
    },
    "en": {
        "source": "Source: SUNAT declaration lines (synthetic data).",
        "span": "January-November 2024",
        "imports": "Peru imported US$ 220 million (CIF value) of the basket in January-November 2024 "
        "(year to date)",
        "balance": "a deficit of US$ 154 million, against a deficit of US$ 121 million",
        "preliminary": "November 2024 is preliminary",
        "headline": "in January-November 2024 Peru imported US$ 220 million and exported US$ 66.0 million "
        "of the HS basket 73, 82–90: a deficit of US$ 154 million (November 2024 is preliminary).",
        "origins": "the group's leading supplier in January-November 2024 was China",
        "partial": "January-November 2024: an incomplete year",
        "origins_source": "Source: the group's imports from SUNAT declaration lines (synthetic data).",
        "methods": "SUNAT declaration lines are classified with the HS basket 73, 82–90.",
        "part": "was “Machinery and transport equipment (≈ SITC 7)”",
    },
}


def test_peru_side_from_lines_with_source_and_synthetic_label(report: Report) -> None:
    say = SAY[report.lang]
    assert report.synthetic
    assert report.source == say["source"]
    trade = _section(report, "lines_trade")
    assert say["imports"] in trade and say["balance"] in trade and say["preliminary"] in trade
    assert say["headline"] in _section(report, "summary")
    assert say["origins"] in _section(report, "basket_origins")
    label = "(datos sintéticos)" if report.lang == "es" else "(synthetic data)"
    assert label in _section(report, "lines_trade") and label in _section(report, "basket_origins")


def test_methods_describe_only_the_sources_used(report: Report) -> None:
    """No WTO, G1, F1 or G6 loaded: the methods note names the HS basket of the lines and nothing else."""
    say = SAY[report.lang]
    methods = _section(report, "methods")
    assert say["methods"] in methods
    for absent in (
        "OMC",
        "WTO",
        "CUCI 7)",
        "SITC 7)",
        "F1",
        "G6",
        "BACI",
        "exportaciones peruanas",
        "Peru's exports",
    ):
        assert absent not in methods, absent
    origins = next(s for s in report.sections if s.id == "basket_origins")
    assert origins.tables[0].note == say["origins_source"]
    assert "(SUNAT) (" not in report.source and ") (" not in (origins.tables[0].note or "")


def test_basket_parts_are_named_in_the_report_language(report: Report) -> None:
    assert SAY[report.lang]["part"] in _section(report, "lines_parts")
    table = next(t for s in report.sections if s.id == "lines_parts" for t in s.tables)
    names = [r["name"] for r in table.rows]
    assert ("Instrumentos (HS 90)" if report.lang == "es" else "Instruments (HS 90)") in names


def test_partial_year_is_labelled_never_a_full_year(report: Report) -> None:
    say = SAY[report.lang]
    section = next(s for s in report.sections if s.id == "lines_trade")
    table = section.tables[0]
    assert [r["year"] for r in table.rows] == ["2023", say["span"]]
    data = _data()
    assert table.rows[-1]["imports"] == pytest.approx(data.IMPORTS_YTD)
    assert table.rows[-1]["balance"] == pytest.approx(data.EXPORTS_YTD - data.IMPORTS_YTD)
    assert table.note is not None and table.note.startswith(say["partial"])
    assert "2024" not in [r["year"] for r in table.rows]


def test_world_sections_are_left_out_with_their_reason(report: Report) -> None:
    ids = {s.id: s for s in report.sections}
    assert ids["world"].omitted  # the notice says which data the world side needs
    assert "world_exports" not in ids and "peers" not in ids
    assert "wto_merchandise" in json.dumps(report.meta["omitted"]["world"])
    said = ids["peru_imports"].paragraphs[0]
    assert ids["peru_imports"].omitted and ("OMC" in said or "WTO" in said)
    assert not ids["lines_parts"].omitted and not ids["lines_trade"].omitted


@pytest.mark.parametrize("lang", ["es", "en"])
def test_written_files_carry_the_label(wh: Warehouse, tmp_path: Path, lang: str) -> None:
    files = write_sector(wh, lang=lang, formats="html,md,json", out=tmp_path)
    md = next(p for p in files if p.suffix == ".md").read_text().replace("\xa0", " ").replace("\u202f", " ")
    assert SAY[lang]["source"] in md and SAY[lang]["span"] in md
    doc = json.loads(next(p for p in files if p.suffix == ".json").read_text())
    assert any(f["id"] == "lines.balance.ytd.value" and f["synthetic"] for f in doc["facts"])


@pytest.mark.parametrize("lang", ["es", "en"])
def test_lines_beside_the_wto_balance_say_why_they_differ(wh: Warehouse, sf: SectorFacts, lang: str) -> None:
    """Official WTO and G1 facts plus the basket's lines: the summary's lines headline says why the HS basket
    does not compare with the WTO group, and the methods note describes the three baskets."""
    lines = [f for f in sector_facts(wh, "metalmecanica", None).facts if f.id.startswith("lines.")]
    both = dataclasses.replace(sf, facts=FactSet([*sf.facts, *lines]))
    report = build_sector_report(both, lang)
    said = {
        "es": "Esta canasta no se compara directamente con el grupo de la OMC: la canasta SA suma",
        "en": "This basket does not compare directly with the WTO group: the HS basket adds",
    }
    assert said[lang] in _section(report, "summary")
    methods = _section(report, "methods")
    assert ("con tres canastas distintas" if lang == "es" else "with three different baskets") in methods
    assert "ITS_MTV_AX" in methods and "G1" in methods and SAY[lang]["methods"] in methods
