"""The regional report of 2022-11 on the real BCRP data: sections, omissions, snapshots, CLI and files.

Snapshots (syrupy) hold the narrative in both languages; refresh them with
``pytest tests/reports/test_regional_report.py --snapshot-update`` after a deliberate change of wording.
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comercio.indicators.measures import trend
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
    interior_growth = rf.facts.value("{region_group}.growth", **interior)  # −0,4 %: a slight fall
    lima_growth = rf.facts.value("{region_group}.growth", **lima)  # +19,0 %: the other way, a contrast
    assert f"retrocedieron {fmt.pct(abs(interior_growth))} respecto de igual periodo de 2021" in headline
    assert f"En cambio, las de Lima y Callao crecieron {fmt.pct(lima_growth)}" in headline
    assert "una variación de" not in headline


def test_macroregions_list_every_interior_region(rf: RegionalFacts) -> None:
    text = " ".join(next(s for s in build_regional(rf, "en").sections if s.id == "macroregions").paragraphs)
    for name in ("Tumbes", "Huanuco", "Apurimac", "Madre de Dios", "Ica"):  # English names
        assert name in text
    assert "Lima" not in text  # Lima and Callao stand apart from the macroregions


_BY_MONTH: dict[str, RegionalFacts] = {}


def facts_of(month: str, built_home: Path, shared_data: Path) -> RegionalFacts:
    """regional_facts of ``month`` on the built warehouse, once per test module."""
    from comercio.config import Settings
    from comercio.indicators.regional import regional_facts
    from comercio.warehouse import Warehouse

    if month not in _BY_MONTH:
        wh = Warehouse(Settings(home=built_home, mirror=str(shared_data)), read_only=True)
        _BY_MONTH[month] = regional_facts(wh, month)
    return _BY_MONTH[month]


def _text(rf: RegionalFacts, lang: str) -> str:
    """The narrative; the data's retrieval date (the day the test warehouse was built) becomes a token."""
    report = build_regional(rf, lang)
    text = narrative_text([(s.id, s.paragraphs) for s in report.sections])
    retrieved = rf.facts.value("source.{dataset}.vintage", dataset="bcrp_departments")
    return text.replace(Formatter(lang).date_long(date.fromisoformat(retrieved)), "<retrieved>")


# growth with records under both definitions; broad growth and one fall; a fall across the 2020 break;
# December: a year, one flat region; a fall of the interior larger than Lima and Callao's (2015-06);
# the interior barely up while Lima and Callao fell (2016-06)
SNAPSHOT_MONTHS = ("2022-11", "2021-11", "2020-06", "2022-12", "2015-06", "2016-06")


@pytest.mark.parametrize("month", SNAPSHOT_MONTHS)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_narrative_snapshot(built_home: Path, shared_data: Path, month: str, lang: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert _text(facts_of(month, built_home, shared_data), lang) == snapshot


def _plain(text: str) -> str:
    """The formatter's no-break spaces (U+00A0, U+202F) as plain spaces, to compare with literals."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _section(rf: RegionalFacts, lang: str, sid: str) -> str:
    """One section's paragraphs, with plain spaces."""
    return _plain(" ".join(next(s for s in build_regional(rf, lang).sections if s.id == sid).paragraphs))


# -- issue 12, items 2-7 ----------------------------------------------------------------------------------
def test_methods_name_the_source_and_its_comparability(built_home: Path, shared_data: Path) -> None:
    """Item 2: BCRP's series is not Mincetur's data; say where figures come from and how far they agree."""
    rf = facts_of("2021-11", built_home, shared_data)
    methods = _section(rf, "es", "methods")
    assert "según el departamento de producción declarado" not in methods
    assert "no le atribuye el del departamento de producción declarado" in methods
    assert "RD38085BM a RD38111BM" in methods and "datos de enero de 2005 a diciembre de 2022" in methods
    retrieved = date.fromisoformat(rf.facts.value("source.{dataset}.vintage", dataset="bcrp_departments"))
    assert _plain(f"versión obtenida el {Formatter('es').date_long(retrieved)}") in methods
    assert "v1-" not in methods  # never an ingestion timestamp
    assert "Comparabilidad." in methods and "Mincetur" in methods
    share = _section(rf, "es", "share")  # compares full years across 2020: says so, with the share without it
    assert "no son del todo comparables" in share
    assert _plain(Formatter("es").pct(rf.facts.value("interior.share_registered"))) in share
    across = _section(facts_of("2020-06", built_home, shared_data), "es", "share")
    assert "Esa comparación cruza el cambio de 2020" in across
    before = facts_of("2019-07", built_home, shared_data)
    assert "No registrado" not in _section(before, "es", "share")
    assert "Comparability." in _section(before, "en", "methods")


@pytest.mark.parametrize(
    ("lang", "counts", "macro"),
    [
        (
            "es",
            "14 regiones del interior aumentaron sus exportaciones, 8 las redujeron y 1 se mantuvo sin "
            "variación (Ica)",
            "; Ica se mantuvo prácticamente sin cambio.",
        ),
        (
            "en",
            "14 interior regions increased their exports, 8 saw declines and 1 was flat (Ica)",
            "; Ica was virtually unchanged.",
        ),
    ],
)
def test_one_flat_rule_in_counts_and_prose(
    built_home: Path, shared_data: Path, lang: str, counts: str, macro: str
) -> None:
    """Item 3: Ica at −0,02 % was counted as falling and then described as flat."""
    rf = facts_of("2022-12", built_home, shared_data)
    assert counts in _section(rf, lang, "regions")
    assert macro in _section(rf, lang, "macroregions")
    assert "0,05 %" in _section(rf, "es", "methods")  # the threshold is stated


def test_records_of_the_other_definition_are_named(built_home: Path, shared_data: Path) -> None:
    """Item 4."""
    text = _section(facts_of("2021-11", built_home, shared_data), "es", "regions")
    assert "los récords suman 13: Ica, Áncash, Arequipa," in text and "Ucayali y Amazonas." in text
    december = _section(facts_of("2022-12", built_home, shared_data), "es", "regions")
    assert "del mismo periodo de años anteriores, la lista es la misma." in december


def test_projection_reads_as_an_estimate(rf: RegionalFacts) -> None:
    """Item 5: rounded, with a range and the method named."""
    for lang, value, rng, method in (
        ("es", "US$ 67 100 millones", "entre US$ 63 700 millones y US$ 68 600 millones", "razón estacional"),
        ("en", "US$ 67,100 million", "range of US$ 63,700 million to US$ 68,600 million", "seasonal-ratio"),
    ):
        text = _section(rf, lang, "projection")
        assert value in text and rng in text and method in text
        assert "67 079" not in text and "67,079" not in text


@pytest.mark.parametrize("lang", ["es", "en"])
def test_december_is_a_year(built_home: Path, shared_data: Path, lang: str) -> None:
    """Item 6: "Exportaciones regionales 2022", "En 2022, …"; never January-December or "year to date"."""
    report = build_regional(facts_of("2022-12", built_home, shared_data), lang)
    title, opening = {
        "es": ("Exportaciones regionales 2022", "En 2022, "),
        "en": ("Regional exports 2022", "In 2022, "),
    }[lang]
    assert report.title == title
    assert report.sections[0].paragraphs[0].startswith(opening)
    words = [p for s in report.sections for p in s.paragraphs]
    words += [t.note or "" for s in report.sections for t in s.tables]
    words += [x for s in report.sections for f in s.figures for x in (f.title, f.alt)]
    text = _plain(" ".join(words))
    for never in (
        "enero de 2022 y diciembre de 2022",
        "enero-diciembre",
        "January-December",
        "January 2022 to",
    ):
        assert never not in text
    assert "year to date" not in text.lower()
    assert ("comparan 2022 con 2021" if lang == "es" else "compare 2022 with 2021") in text


def test_fastest_regions_state_their_base_and_set_small_ones_apart(
    built_home: Path, shared_data: Path
) -> None:
    """Item 7: Loreto +393 % from US$ 54 M and Huánuco from US$ 7 M no longer lead the ranking."""
    text = _section(facts_of("2022-12", built_home, shared_data), "es", "fastest")
    ranked, small = text.split("Con bases menores, ")
    assert "al menos 0,5 % de la exportación nacional en 2021" in ranked
    assert "Piura (+16,3 % sobre una base de US$ 2 955 millones)" in ranked
    assert "Loreto" not in ranked and "Huánuco" not in ranked
    assert small.startswith(
        "Loreto (+393,1 % sobre US$ 53,7 millones), Huánuco (+52,2 % sobre US$ 7,3 millones)"
    )


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
    assert years[0] == 2005 and years[-2:] == [2018, label]  # complete years as numbers (XLSX)
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
    assert table.rows[-1]["year"] == 2022 and table.note is None


# -- issue 12, writing ------------------------------------------------------------------------------------
CONTRAST = {"es": ", mientras que ", "en": ", while "}


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("month", SNAPSHOT_MONTHS)
def test_changes_read_as_verbs_and_contrast_follows_the_signs(
    built_home: Path, shared_data: Path, month: str, lang: str
) -> None:
    """No "una variación de +0,3 %" and no "(+65,3 %, 1,2 % del total nacional)"; the macroregion sentence
    contrasts two macroregions only where their directions differ."""
    rf = facts_of(month, built_home, shared_data)
    text = _plain(_text(rf, lang))
    for robotic in ("una variación de", "a change of", "del total nacional)", "of the national total)"):
        assert robotic not in text
    macros = rf.facts.each("macroregion.{macroregion}.growth")
    ways = [trend(f.value) for f in sorted(macros, key=lambda f: -f.value)]
    changes = sum(a != b for a, b in itertools.pairwise(ways))
    first = next(s for s in build_regional(rf, lang).sections if s.id == "macroregions").paragraphs[0]
    assert first.count(CONTRAST[lang]) == changes


@pytest.mark.parametrize("month", SNAPSHOT_MONTHS)
def test_english_has_no_spanish_words(built_home: Path, shared_data: Path, month: str) -> None:
    """Outside proper names and SUNAT's or BCRP's own titles, the English report is English."""
    text = _text(facts_of(month, built_home, shared_data), "en")
    for title in ("Banco Central de Reserva del Perú", "“Exportaciones por departamento”", "Madre de Dios"):
        text = text.replace(title, "")
    for word in (
        " y ",
        " del ",
        " de ",
        " en ",
        "millones",
        "región",
        "registrado",
        "Oriente,",
        "sierra",
        "selva",
    ):
        assert word not in text, word
    assert "Amazon (Oriente)" in text and "Not recorded" in text


def test_a_flat_total_and_slight_changes_read_as_such(built_home: Path, shared_data: Path) -> None:
    """Sign and size choose the verb: +0,3 % is a slight rise, −0,4 % a slight fall, 0 % no change."""
    from comercio.reports.narrative import move

    assert _plain(move("es", 0.003, plural=True)) == "aumentaron apenas 0,3 %"
    assert _plain(move("es", -0.004)) == "retrocedió 0,4 %"
    assert _plain(move("es", -0.07, plural=True)) == "cayeron 7,0 %"
    assert move("en", 0.128) == "grew 12.8%"
    assert move("es", 0.0002, plural=True) == "se mantuvieron prácticamente sin cambio"
    assert move("en", None) == "was virtually unchanged"
    december = _section(facts_of("2022-12", built_home, shared_data), "es", "headline")
    assert "y aumentaron apenas 0,3 % respecto de 2021" in december
