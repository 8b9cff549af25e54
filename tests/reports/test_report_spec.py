"""Reports declared as data: a new report (a one-region profile) is one spec plus its templates.

The profile below is the whole report: a bundle, a context builder, a :class:`ReportSpec` and one template
per language (given here through a Jinja ``DictLoader``; a real report ships them in ``templates/``). It is
rendered by the same :func:`comercio.reports.render` as the regional report and the sector study, written
through :func:`write_report`, and every number it prints is a fact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment

from comercio import reference
from comercio.indicators.facts import FactSet
from comercio.indicators.regional import SECTIONS, RegionalFacts
from comercio.reference.dimensions import label
from comercio.reports import (
    ColumnSpec,
    Cover,
    RenderContext,
    ReportSpec,
    SectionSpec,
    TableSpec,
    build_regional,
    charts,
    need,
    render,
    templating,
    text,
    write_report,
)
from comercio.reports.fmt import Formatter, find_numbers
from comercio.reports.regional import REGIONAL, REGIONS
from comercio.reports.sector import SECTOR
from comercio.reports.spec import lookup
from comercio.reports.writers import Figure, cell_text

# -- the new report: a one-region profile ------------------------------------------------------------------
TEMPLATES = {
    "profile_es.j2": """
{% macro title(sid) %}{{ 'Perfil' if sid == 'summary' else 'Su macrorregión' }}{% endmacro %}
{% macro cover(c) %}Perfil exportador de {{ c.name }}, {{ c.span }}{% endmacro %}
{% macro subtitle(c) %}Exportaciones por departamento de origen{% endmacro %}
{% macro summary(c) -%}
{{ c.name }} exportó {{ c.value|money }} en {{ c.span }}, {{ c.growth|spct }} respecto de igual periodo
de {{ c.prev_year }}.<<P>>Su participación en la exportación nacional fue {{ c.share|pct }}.
{%- endmacro %}
{% macro macroregion(c) -%}
{{ c.name }} pertenece a la macrorregión {{ c.macro.name }}, cuyas exportaciones variaron
{{ c.macro.growth|spct }}; la macrorregión suma {{ c.macro.share|pct }} del total nacional.
{%- endmacro %}
{% macro omitted(sid) %}Esta sección requiere que la región pertenezca a una macrorregión.{% endmacro %}
""",
    "profile_en.j2": """
{% macro title(sid) %}{{ 'Profile' if sid == 'summary' else 'Its macroregion' }}{% endmacro %}
{% macro cover(c) %}Export profile of {{ c.name }}, {{ c.span }}{% endmacro %}
{% macro subtitle(c) %}Exports by department of origin{% endmacro %}
{% macro summary(c) -%}
{{ c.name }} exported {{ c.value|money }} in {{ c.span }}, {{ c.growth|spct }} on the same period of
{{ c.prev_year }}.<<P>>Its share of national exports was {{ c.share|pct }}.
{%- endmacro %}
{% macro macroregion(c) -%}
{{ c.name }} belongs to the {{ c.macro.name }} macroregion, whose exports changed {{ c.macro.growth|spct }};
the macroregion holds {{ c.macro.share|pct }} of the national total.
{%- endmacro %}
{% macro omitted(sid) %}This section needs the region to belong to a macroregion.{% endmacro %}
""",
}


@dataclass(frozen=True)
class Profile:
    """The bundle: the regional facts and the region profiled."""

    facts: FactSet
    region: str
    through: date
    omitted: Mapping[str, str] = field(default_factory=dict)
    synthetic: bool = False


def profile_context(p: Profile, lang: str) -> dict[str, Any]:
    f, fmt = p.facts, Formatter(lang)
    rows = [r for r in reference.load("macroregions").to_pylist() if r["grouping"] == "mincetur"]
    macro = next((str(r["macroregion"]) for r in rows if r["department"] == p.region), None)
    members = [str(r["department"]) for r in rows if r["macroregion"] == macro]
    growth = "region.{department}.growth"
    return {
        "code": p.region,
        "name": label("department", p.region, lang),
        "span": fmt.period(date(p.through.year, 1, 1), p.through),
        "prev_year": p.through.year - 1,
        "value": f.value("region.{department}.value", department=p.region),
        "growth": f.value(growth, department=p.region),
        "share": f.value("region.{department}.share", department=p.region),
        "macro": None
        if macro is None
        else {
            "code": macro,
            "name": label("macroregion", macro, lang),
            "growth": f.value("macroregion.{macroregion}.growth", macroregion=macro),
            "share": f.value("macroregion.{macroregion}.share", macroregion=macro),
            "regions": [
                {"code": d, "growth": f.value(growth, department=d)}
                for d in members
                if f.value(growth, department=d) is not None
            ],
        },
    }


def _members_figure(rc: RenderContext) -> tuple[Figure, ...]:
    regions = rc.context["macro"]["regions"]
    rows = [{"label": label("department", r["code"], rc.lang), "growth": r["growth"]} for r in regions]
    title = rc.msg("regional.figure.growth_bars", span=rc.context["span"])
    chart = charts.growth_bars(rows, rc.fmt, title, "BCRP")
    return (Figure("members", title, charts.to_spec(chart), str(chart.description)),)


REGION_TABLE = TableSpec(
    "region",
    text("regional.table.regions"),
    (
        ColumnSpec("name", text("regional.table.region"), dimension="department"),
        ColumnSpec("value", text("regional.table.value"), "millions", family="region.{department}.value"),
        ColumnSpec(
            "growth", text("regional.table.change"), "pct_signed", family="region.{department}.growth"
        ),
        ColumnSpec("share", text("regional.table.share"), "pct", family="region.{department}.share"),
    ),
    family="region.{department}.value",
    keep={"department": "department"},
    where={"department": "code"},
)
MEMBERS_TABLE = TableSpec(
    "members",
    text("regional.table.macroregions"),
    (
        ColumnSpec("name", text("regional.table.region"), dimension="department", member="code"),
        ColumnSpec("growth", text("regional.table.change"), "pct_signed"),
    ),
    rows="macro.regions",
    sort="-growth",
)


@cache
def _environment(lang: str) -> Environment:
    base = templating.environment(lang)
    return base.overlay(loader=ChoiceLoader([DictLoader(TEMPLATES), base.loader]))  # type: ignore[list-item]


PROFILE = ReportSpec(
    kind="profile",
    template="profile_{lang}.j2",
    titles=None,  # the template's ``title`` macro names the sections
    context=profile_context,
    sections=(
        SectionSpec(
            "summary",
            (need("region.{department}.value", where={"department": "code"}),),
            tables=(REGION_TABLE,),
        ),
        SectionSpec(
            "macroregion",
            (need("macroregion.{macroregion}.growth", where={"macroregion": "macro.code"}),),
            tables=(MEMBERS_TABLE,),
            figures=(_members_figure,),
        ),
    ),
    omitted=lambda rc, sid: rc.say("omitted", sid),
    cover=lambda rc, omitted: Cover(
        rc.say("cover", rc.context), rc.say("subtitle", rc.context), "BCRP", {"omitted": dict(omitted)}
    ),
    environment=_environment,
)


# -- tests -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rf(built_home: Path, shared_data: Path) -> RegionalFacts:
    from comercio.config import Settings
    from comercio.indicators.regional import regional_facts
    from comercio.warehouse import Warehouse

    wh = Warehouse(Settings(home=built_home, mirror=str(shared_data)), read_only=True)
    return regional_facts(wh, "2022-11")


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_region_profile_is_one_spec_and_its_templates(rf: RegionalFacts, lang: str, tmp_path: Path) -> None:
    report = render(PROFILE, Profile(rf.facts, "13", rf.through), lang)
    f, fmt = rf.facts, Formatter(lang)
    assert [s.id for s in report.sections] == ["summary", "macroregion"]
    assert not any(s.omitted for s in report.sections)
    summary, macro = report.sections
    value, growth = (
        f.value("region.{department}.value", department="13"),
        f.value("region.{department}.growth", department="13"),
    )
    assert summary.title == ("Perfil" if lang == "es" else "Profile")
    assert len(summary.paragraphs) == 2
    assert fmt.money(value) in summary.paragraphs[0]
    assert fmt.pct(growth, signed=True) in summary.paragraphs[0]
    assert fmt.pct(f.value("region.{department}.share", department="13")) in summary.paragraphs[1]
    assert (
        fmt.pct(f.value("macroregion.{macroregion}.growth", macroregion="norte"), signed=True)
        in macro.paragraphs[0]
    )
    assert report.title.startswith(
        "Perfil exportador de La Libertad" if lang == "es" else "Export profile of La Libertad"
    )

    # every number printed in the prose is a fact (or the comparison year), formatted by the house formatter
    numbers = [p for s in report.sections for para in s.paragraphs for p in find_numbers(para, lang)]
    printed = (
        {fmt.money(x.value) for x in f if isinstance(x.value, float) and x.kind == "value"}
        | {fmt.pct(x.value) for x in f if isinstance(x.value, float)}
        | {fmt.pct(x.value, signed=True) for x in f if isinstance(x.value, float)}
    )
    allowed = {str(rf.through.year), str(rf.through.year - 1)}
    assert len(numbers) >= 5
    for p in numbers:
        assert p.text in allowed | printed, p.text

    # the declared tables read the facts; the files are written by the shared writers
    region = report.tables()[0]
    assert region.rows == (
        {
            "department": "13",
            "name": "La Libertad",
            "value": value,
            "growth": growth,
            "share": f.value("region.{department}.share", department="13"),
        },
    )
    members = report.tables()[1]
    growths = [r["growth"] for r in members.rows]
    assert growths == sorted(growths, reverse=True) and len(growths) >= 2
    assert all(
        r["growth"] == f.value("region.{department}.growth", department=r["code"]) for r in members.rows
    )
    paths = write_report(report, "html,md,json", tmp_path)
    assert {p.name for p in paths} == {"report.html", "report.md", "report.json"}
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert cell_text(fmt, region.columns[1], value) in md and summary.paragraphs[0] in md
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert doc["kind"] == "profile" and doc["tables"]["region"]["rows"][0]["value"] == value
    assert doc["sections"][1]["figures"] == ["members"]
    assert (tmp_path / "figure-members.png").exists()


def test_a_section_without_its_facts_keeps_one_sentence(rf: RegionalFacts) -> None:
    report = render(PROFILE, Profile(rf.facts, "15", rf.through), "es")  # Lima: no macroregion
    summary, macro = report.sections
    assert not summary.omitted and macro.omitted
    assert macro.paragraphs == ("Esta sección requiere que la región pertenezca a una macrorregión.",)
    assert report.meta["omitted"] == {"macroregion": macro.paragraphs[0]}


def test_the_regional_report_and_the_sector_study_are_specs() -> None:
    assert [s.id for s in REGIONAL.sections] == list(SECTIONS)
    assert [s.id for s in REGIONAL.sections if s.partial] == ["fastest"]
    notices = [s.id for s in SECTOR.sections if s.notice]
    assert notices == ["world", "g1_subgroups"]
    assert SECTOR.sections[-1].id == "methods"


def test_declared_tables_name_members_in_the_language_asked(rf: RegionalFacts) -> None:
    rows = {
        lang: [r for r in build_regional(rf, lang).tables()[0].rows if r["ubigeo"]] for lang in ("es", "en")
    }
    assert REGIONS.family == "region.{department}.value"
    interior = [r["value"] or 0.0 for r in rows["es"] if r["ubigeo"] not in ("07", "15")]
    assert interior == sorted(interior, reverse=True)
    assert [r["ubigeo"] for r in rows["es"]] == [r["ubigeo"] for r in rows["en"]]
    names = {lang: {r["ubigeo"]: r["name"] for r in rows[lang]} for lang in rows}
    assert (
        names["es"]["07"] == "Callao" and names["es"]["03"] == "Apurímac" and names["en"]["03"] == "Apurimac"
    )


def test_lookup_reads_dotted_paths() -> None:
    assert lookup({"a": {"b": [1]}}, "a.b") == [1]
    assert lookup({"a": None}, "a.b") is None


# -- issue 12, tables -------------------------------------------------------------------------------------
def test_regions_table_closes_with_group_totals(rf: RegionalFacts) -> None:
    table = build_regional(rf, "es").tables()[0]
    tail = [(table.kind(r), r["name"]) for r in table.rows if table.kind(r) != "member"]
    assert tail == [
        ("subtotal", "Total interior"),
        ("subtotal", "Total Lima y Callao"),
        ("subtotal", "No registrado"),
        ("total", "Total nacional"),
    ]
    national = table.rows[-1]
    assert national["value"] == rf.facts.value("national.value") and national["share"] is None
    assert not table.shown(table.columns[-1], national)  # the total's share prints blank, not n.d.
    lima = [r["ubigeo"] for r in table.rows if r["ubigeo"] in ("07", "15")]
    names = [r["name"] for r in table.rows]
    assert names.index("Total interior") < names.index("Lima") and len(lima) == 2


def test_macroregions_in_fixed_order_with_their_own_column(rf: RegionalFacts) -> None:
    table = next(t for t in build_regional(rf, "es").tables() if t.id == "macroregions")
    groups = [r["macroregion"] for r in table.rows if table.kind(r) == "group"]
    assert groups == ["Norte", "Centro", "Sur", "Oriente"]
    assert all(not str(r["region"]).startswith(" ") for r in table.rows)  # no indentation as structure
    assert table.group == "macroregion"


def test_vintages_by_dataset_name_and_date(rf: RegionalFacts) -> None:
    table = next(t for t in build_regional(rf, "es").tables() if t.id == "vintages")
    (row,) = table.rows
    assert row["dataset"] == "BCRP, exportaciones por departamento"
    assert re.fullmatch(r"\d{1,2} de [a-z]+ de \d{4}", row["vintage"])  # not "v1-20261130T…"


def test_one_precision_per_column(rf: RegionalFacts) -> None:
    report = build_regional(rf, "es")
    for table in report.tables():
        for column in (c for c in table.columns if c.kind in ("millions", "pct", "pct_signed")):
            cells = [
                cell_text(report.fmt, column, r.get(column.key)) for r in table.rows if table.shown(column, r)
            ]
            decimals = {
                len(c.split(",")[1].rstrip("\u202f%")) if "," in c else 0 for c in cells if c != "n.d."
            }
            assert decimals == {1}, (table.id, column.key, cells)


def test_monthly_data_sheet_is_the_series_behind_the_facts(
    rf: RegionalFacts, built_home: Path, shared_data: Path
) -> None:
    from comercio.config import Settings
    from comercio.reports.regional_tables import monthly_table
    from comercio.warehouse import Warehouse

    wh = Warehouse(Settings(home=built_home, mirror=str(shared_data)), read_only=True)
    table = monthly_table(wh, rf, "es")
    assert table is not None and table.id == "monthly"
    months = [c.key for c in table.columns if c.kind == "millions"]
    assert months[0] == "2021-01-01" and months[-1] == "2022-11-01" and len(months) == 22  # ene-nov, 2 years
    for row in table.rows:  # the report's months add up to the department's fact
        value = rf.facts.value("region.{department}.value", department=row["ubigeo"])
        if value is not None:
            total = sum(row.get(m) or 0.0 for m in months if m.startswith("2022"))
            assert total == pytest.approx(value, rel=1e-9)
