"""The regional report of 2022-11 on the real BCRP data: sections, omissions, snapshots, CLI and files.

Snapshots (syrupy) hold the narrative in both languages; refresh them with
``pytest tests/reports/test_regional_report.py --snapshot-update`` after a deliberate change of wording.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comercio.indicators.regional import SECTIONS, RegionalFacts
from comercio.reports.fmt import Formatter
from comercio.reports.narrative import narrative_text
from comercio.reports.regional import build_regional


@pytest.fixture(scope="module")
def rf(built_home: Path, shared_data: Path) -> RegionalFacts:
    from comercio.config import Settings
    from comercio.indicators.regional import regional_facts
    from comercio.warehouse import Warehouse

    wh = Warehouse(Settings(home=built_home, mirror=str(shared_data)), read_only=True)
    return regional_facts(wh, "2022-11")


def test_sections_follow_the_release_and_omit_with_one_sentence(rf: RegionalFacts) -> None:
    report = build_regional(rf, "es")
    assert [s.id for s in report.sections] == list(SECTIONS)
    by_id = {s.id: s for s in report.sections}
    for sid in ("agro", "customs", "leaders"):  # the mirror has no line-level data by region
        assert by_id[sid].omitted and len(by_id[sid].paragraphs) == 1
        assert by_id[sid].paragraphs[0].count(".") == 1 and "requiere" in by_id[sid].paragraphs[0]
        assert sid in report.meta["omitted"]
    for sid in (
        "headline",
        "regions",
        "share",
        "fastest",
        "macroregions",
        "rolling12",
        "projection",
        "methods",
    ):
        assert not by_id[sid].omitted, sid
    assert "fastest" in report.meta["omitted"]  # written without its drivers, and says so
    assert "detalle por producto y región" in by_id["fastest"].paragraphs[0]


def test_headline_reads_like_the_facts(rf: RegionalFacts) -> None:
    fmt = Formatter("es")
    headline = build_regional(rf, "es").sections[0].paragraphs[0]
    assert headline.startswith("Entre enero y noviembre de 2022")
    interior, lima = {"region_group": "interior"}, {"region_group": "lima_callao"}
    assert fmt.money(rf.facts.value("{region_group}.value", **interior)) in headline
    assert fmt.pct(rf.facts.value("{region_group}.growth", **interior), signed=True) in headline
    assert fmt.pct(rf.facts.value("{region_group}.growth", **lima), signed=True) in headline
    assert "Lima y Callao" in headline


def test_macroregions_list_every_interior_region(rf: RegionalFacts) -> None:
    text = " ".join(next(s for s in build_regional(rf, "en").sections if s.id == "macroregions").paragraphs)
    for name in ("Tumbes", "Huanuco", "Apurimac", "Madre de Dios", "Ica"):  # English names
        assert name in text
    assert "Lima" not in text  # Lima and Callao stand apart from the macroregions


@pytest.mark.parametrize("lang", ["es", "en"])
def test_narrative_snapshot(rf: RegionalFacts, lang: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    report = build_regional(rf, lang)
    text = narrative_text([(s.id, s.paragraphs) for s in report.sections])
    assert text == snapshot


def test_cli_writes_the_report(built_home: Path, shared_data: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from comercio.cli import app

    monkeypatch.setenv("COMERCIO_HOME", str(built_home))
    monkeypatch.setenv("COMERCIO_MIRROR", str(shared_data))
    out = tmp_path / "rep"
    args = [
        "report",
        "regional",
        "--through",
        "2022-11",
        "--lang",
        "en",
        "--format",
        "md,json,xlsx,html",
        "--out",
    ]
    result = CliRunner().invoke(app, [*args, str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["through"] == "2022-11" and data["lang"] == "en" and data["synthetic"] is False
    assert data["grouping"] == "mincetur" and data["record_definition"] == "annual"
    assert set(data["omitted"]) >= {"agro", "customs", "leaders"}
    assert "bcrp_departments" in data["datasets"]
    ids = {f["id"] for f in data["facts"]}
    assert {"interior.value", "regions.record.members", "projection.backtest.mape"} <= ids
    assert all({"id", "value", "unit", "window", "member"} <= set(f) for f in data["facts"])
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 3  # map, bars, share over the years
    assert "Regional exports, January-November 2022" in (out / "report.md").read_text(encoding="utf-8")


def test_cli_rejects_a_bad_month(built_home: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from comercio.cli import main

    monkeypatch.setenv("COMERCIO_HOME", str(built_home))
    with pytest.raises(SystemExit) as exc:
        main(["report", "regional", "--through", "2022-13"])
    assert exc.value.code != 0


def test_record_definition_same_window(rf: RegionalFacts, built_home: Path, shared_data: Path) -> None:
    from comercio.config import Settings
    from comercio.indicators.regional import regional_facts
    from comercio.warehouse import Warehouse

    wh = Warehouse(Settings(home=built_home, mirror=str(shared_data)), read_only=True)
    same = regional_facts(wh, "2022-11", record_definition="same-window")
    text = build_regional(same, "es").sections[1].paragraphs[0]
    assert "récord del periodo" in text
    assert f"los récords suman {rf.facts.value('regions.record.count')}" in text


@pytest.mark.parametrize(("lang", "label"), [("es", "2019 (ene-jul)"), ("en", "2019 (Jan-Jul)")])
def test_share_history_ends_at_a_partial_report_year(
    built_home: Path, shared_data: Path, lang: str, label: str
) -> None:
    """Issue 12 item 1: the chart and table stop at the report year, labelled as partial."""
    from comercio.config import Settings
    from comercio.indicators.regional import regional_facts
    from comercio.warehouse import Warehouse

    wh = Warehouse(Settings(home=built_home, mirror=str(shared_data)), read_only=True)
    report = build_regional(regional_facts(wh, "2019-07"), lang)
    share = next(s for s in report.sections if s.id == "share")
    table = next(t for t in share.tables if t.id == "interior_share")
    years = [r["year"] for r in table.rows]
    assert years[0] == "2005" and years[-2:] == ["2018", label]
    assert table.note is not None and "2019" in table.note and "2022" not in table.note
    chart = json.dumps(next(f for f in share.figures if f.id == "interior_share").spec, ensure_ascii=False)
    on_axis = json.dumps(label.replace(" ", "\n"), ensure_ascii=False)  # two lines under the axis
    assert on_axis in chart and "2010" in chart and "2009" not in chart  # the last ten years up to 2019
    assert not any(y in chart for y in ('"2020"', '"2021"', '"2022"'))


def test_a_complete_report_year_is_not_labelled_partial(built_home: Path, shared_data: Path) -> None:
    from comercio.config import Settings
    from comercio.indicators.regional import regional_facts
    from comercio.warehouse import Warehouse

    wh = Warehouse(Settings(home=built_home, mirror=str(shared_data)), read_only=True)
    share = next(s for s in build_regional(regional_facts(wh, "2022-12"), "en").sections if s.id == "share")
    table = next(t for t in share.tables if t.id == "interior_share")
    assert table.rows[-1]["year"] == "2022" and table.note is None
