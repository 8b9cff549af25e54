"""The sector study (SNI's metalworking analysis, article 003) as a :class:`Report` in Spanish or English.

Facts come from :func:`comercio.indicators.sector.sector_facts`; the prose comes from the Jinja2 macros in
``templates/sector/sector_<lang>.j2`` and every number in it passes through the house formatter. Sections the
data cannot support keep one sentence saying which data they need. The files are written by the shared
writers (:func:`comercio.reports.writers.write_report`).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from comercio import reference
from comercio.config import Settings
from comercio.indicators.facts import FactSet
from comercio.indicators.sector import G1_NODES, SectorFacts, normalise_label, sector_facts
from comercio.indicators.specs import Window
from comercio.reports import charts
from comercio.reports.fmt import Formatter
from comercio.reports.writers import Column, Figure, Report, Section, Table, write_report

CONTINENT_NAMES = {
    "es": {
        "asia": "Asia",
        "europe": "Europa",
        "america": "América",
        "africa": "África",
        "oceania": "Oceanía",
        "unknown": "Sin asignar",
    },
    "en": {
        "asia": "Asia",
        "europe": "Europe",
        "america": "America",
        "africa": "Africa",
        "oceania": "Oceania",
        "unknown": "Unassigned",
    },
}
SECTOR_NAMES = {
    "es": {"metalmecanica": "productos metalmecánicos"},
    "en": {"metalmecanica": "metalworking products"},
}
TEXT: dict[str, dict[str, Any]] = {
    "es": {
        "title": "Estudio sectorial: {sector}",
        "subtitle": "Comercio mundial {y0}–{y1} y exportaciones peruanas a {through}",
        "summary": "Resumen",
        "world_x": "Exportaciones mundiales por continente",
        "world_m": "Importaciones mundiales por continente",
        "peru": "El Perú",
        "peers": "Países de la región",
        "destinations": "Destinos de las exportaciones",
        "origins": "Origen de las importaciones",
        "imports": "Importaciones y balanza",
        "methods": "Notas metodológicas",
        "chart_x": "Participación en las exportaciones mundiales del sector",
        "chart_m": "Participación en las importaciones mundiales del sector",
        "omitted": "Esta sección se omite: requiere {need}.",
        "needs": {
            "world": "datos de comercio mundial por producto (CEPII BACI)",
            "peru_exports": "el cuadro G1 de SUNAT con un grupo para este sector",
            "peru_imports": "líneas de declaraciones de importación (SUNAT) con código de producto "
            "para {span} y los mismos meses del año anterior",
            "destinations": "líneas de declaraciones de exportación (SUNAT) con país de destino para {span}",
            "origins": "líneas de declaraciones de importación (SUNAT) con país de origen para {span}",
        },
        "source_world": "Fuente: CEPII BACI{syn}; SUNAT, cuadro G1.",
        "source_lines": "Fuente: SUNAT, declaraciones aduaneras{syn}.",
        "syn": " (datos sintéticos)",
        "chart_destinations": "Principales destinos, {span}",
        "chart_origins": "Principales orígenes, {span}",
        "col_rank": "N.º",
        "col_destinations": "Destino",
        "col_origins": "Origen",
        "col_value": "Valor",
        "col_share": "Participación",
        "col_growth": "Variación",
    },
    "en": {
        "title": "Sector study: {sector}",
        "subtitle": "World trade {y0}–{y1} and Peruvian exports through {through}",
        "summary": "Summary",
        "world_x": "World exports by continent",
        "world_m": "World imports by continent",
        "peru": "Peru",
        "peers": "Regional peers",
        "destinations": "Export destinations",
        "origins": "Import origins",
        "imports": "Imports and balance",
        "methods": "Methodological notes",
        "chart_x": "Share of the sector's world exports",
        "chart_m": "Share of the sector's world imports",
        "omitted": "This section is left out: it needs {need}.",
        "needs": {
            "world": "world trade by product (CEPII BACI)",
            "peru_exports": "SUNAT's table G1 with a group for this sector",
            "peru_imports": "import declaration lines (SUNAT) with product codes for {span} "
            "and the same months a year earlier",
            "destinations": "export declaration lines (SUNAT) with the destination country for {span}",
            "origins": "import declaration lines (SUNAT) with the origin country for {span}",
        },
        "source_world": "Source: CEPII BACI{syn}; SUNAT, table G1.",
        "source_lines": "Source: SUNAT, customs declarations{syn}.",
        "syn": " (synthetic data)",
        "chart_destinations": "Leading destinations, {span}",
        "chart_origins": "Leading origins, {span}",
        "col_rank": "No.",
        "col_destinations": "Destination",
        "col_origins": "Origin",
        "col_value": "Value",
        "col_share": "Share",
        "col_growth": "Growth",
    },
}


def _env(fmt: Formatter) -> Environment:
    env = Environment(loader=PackageLoader("comercio.reports", "templates"), undefined=StrictUndefined)
    env.filters["money"] = lambda v: fmt.money(v)
    env.filters["pct"] = lambda v: fmt.pct(v)
    env.filters["spct"] = lambda v: fmt.pct(v, signed=True)
    env.filters["num"] = lambda v: fmt.number(v)
    return env


def _prose(text: str) -> str:
    """Template output as one paragraph: ASCII whitespace collapsed, the formatter's no-break spaces kept."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _context(sf: SectorFacts, lang: str) -> dict[str, Any]:
    f, names = sf.facts, CONTINENT_NAMES[lang]
    c: dict[str, Any] = {
        "sector": SECTOR_NAMES[lang].get(sf.basket, sf.basket),
        "basket": sf.basket,
        "synthetic_world": sf.world_synthetic,
        "paths": list(sf.g1_paths),
        "label_prefix": G1_NODES.get(sf.basket, (normalise_label(sf.basket), ""))[0],
        "definition": _definition(sf.basket),
        "world": None,
        "peru": None,
        "peers": [],
    }
    if sf.world_years is not None:
        y0, y1 = sf.world_years
        shares = {x.member or "": x.value for x in f.prefixed("world.exports.share.") if x.id.count(".") == 3}
        ranked = sorted(shares, key=lambda k: -shares[k])
        exports = [
            {
                "name": names.get(k, k),
                "share": shares[k],
                "share_first": f.value(f"world.exports.share.{k}.{y0}"),
            }
            for k in ranked
        ]
        mshares = {
            x.member or "": x.value for x in f.prefixed("world.imports.share.") if x.id.count(".") == 3
        }
        imports = [
            {"name": names.get(k, k), "share": mshares[k]} for k in sorted(mshares, key=lambda k: -mshares[k])
        ]
        c["world"] = {
            "first": y0,
            "last": y1,
            "value": f.value("world.exports.value"),
            "value_first": f.value(f"world.exports.value.{y0}"),
            "share_of_trade": f.value("world.basket.share_of_trade"),
            "share_of_manufactures": f.value("world.basket.share_of_manufactures"),
            "share_of_manufactures_first": f.value(f"world.basket.share_of_manufactures.{y0}"),
            "lead": exports[0] if exports else None,
            "exports": exports[:3],
            "imports": imports[:3],
        }
        c["peers"] = [
            {"name": _country(x.member or "", lang), "value": x.value}
            for x in sorted(f.prefixed("peers."), key=lambda x: -x.value)
        ]
    if "peru.exports.ytd.value" in f:
        w = Window.from_dict(f["peru.exports.ytd.value"].window)
        year_fact = f.get("peru.exports.value")
        c["peru"] = {
            "label": sf.g1_paths[-1].split(" > ")[-1] if sf.g1_paths else sf.basket,
            "ytd": f.value("peru.exports.ytd.value"),
            "growth": f.value("peru.exports.growth"),
            "span": Formatter(lang).period(w.start, w.end),
            "prev_year": w.end.year - 1,
            "year_value": year_fact.value if year_fact else None,
            "year": date.fromisoformat(year_fact.window["end"]).year if year_fact else None,
        }
    for key in ("destinations", "origins"):
        c[key] = _partners(f, key, lang)
    c["imports"] = None
    if "peru.imports.value" in f:
        w = Window.from_dict(f["peru.imports.value"].window)
        c["imports"] = {
            "value": f.value("peru.imports.value"),
            "balance": f.value("peru.balance.value"),
            "span": Formatter(lang).period(w.start, w.end),
        }
    return c


def _partners(f: FactSet, key: str, lang: str) -> dict[str, Any] | None:
    """Ranked destinations (or origins) from the ``<key>.*`` facts, names in ``lang``; None when absent."""
    top = f.get(f"{key}.top")
    if top is None:
        return None
    names = _country_names(lang)
    rows = [
        {
            "rank": i + 1,
            "code": m,
            "name": names.get(m, m),
            "value": f.value(f"{key}.{m}.value"),
            "share": f.value(f"{key}.{m}.share"),
            "growth": f.value(f"{key}.{m}.growth"),
        }
        for i, m in enumerate(top.value)
    ]
    w = Window.from_dict(top.window)
    return {
        "rows": rows,
        "lead": rows[:3],
        "n": len(rows),
        "latam_count": f.value(f"{key}.latam_top10.count"),
        "latam_share": f.value(f"{key}.latam_top10.share"),
        "span": Formatter(lang).period(w.start, w.end),
        "prev_year": w.end.year - 1,
        "synthetic": top.synthetic,
    }


def _country_names(lang: str) -> dict[str, str]:
    """ISO alpha-2 → country name in ``lang`` (Spanish names as SUNAT/Mincetur write them)."""
    column = "name_es" if lang == "es" else "name_en"
    return {r["alpha2"]: str(r[column]) for r in reference.load("countries").to_pylist() if r["alpha2"]}


def _country(alpha3: str, lang: str) -> str:
    for r in reference.load("countries").to_pylist():
        if r["alpha3"] == alpha3:
            return str(r["name_es"] if lang == "es" else r["name_en"])
    return alpha3


def _definition(basket: str) -> str:
    rows = [r for r in reference.load("baskets").to_pylist() if r["basket"] == basket]
    prefixes = ", ".join(sorted({r["prefix"] for r in rows if r["path"]}))
    return f"{len(rows)} prefijos / prefixes ({prefixes})" if rows else basket


def _share_rows(facts: FactSet, key: str, lang: str) -> list[dict[str, Any]]:
    rows = []
    for x in facts.prefixed(f"world.{key}.share."):
        parts = x.id.split(".")
        if len(parts) == 5:
            rows.append(
                {
                    "year": int(parts[4]),
                    "group": CONTINENT_NAMES[lang].get(parts[3], parts[3]),
                    "share": x.value,
                }
            )
    return rows


def _share_table(facts: FactSet, key: str, lang: str, title: str) -> Table:
    """Continent shares by year as a table (one column per continent), from the same facts as the chart."""
    rows = _share_rows(facts, key, lang)
    groups = sorted({r["group"] for r in rows})
    by_year: dict[int, dict[str, Any]] = {}
    for r in rows:
        by_year.setdefault(r["year"], {"year": str(r["year"])})[f"g{groups.index(r['group'])}"] = r["share"]
    year_label = "Año" if lang == "es" else "Year"
    columns = (Column("year", year_label), *(Column(f"g{i}", g, "pct") for i, g in enumerate(groups)))
    return Table(f"world-{key}-shares", title, columns, tuple(by_year[y] for y in sorted(by_year)))


def _partner_section(key: str, p: dict[str, Any], fmt: Formatter, paragraphs: tuple[str, ...]) -> Section:
    """Ranked bars and a table of the top partners (value, share, growth): the same facts as the prose."""
    t = TEXT[fmt.lang]
    title = t[f"chart_{key}"].format(span=p["span"])
    source = t["source_lines"].format(syn=t["syn"] if p["synthetic"] else "")
    bars = [{"label": r["name"], "value": r["value"]} for r in p["rows"]]
    figure = Figure(key, title, charts.to_spec(charts.ranked_bars(bars, fmt, title, source)))
    columns = (
        Column("rank", t["col_rank"], "count"),
        Column("name", t[f"col_{key}"]),
        Column("value", t["col_value"], "money"),
        Column("share", t["col_share"], "pct"),
        Column("growth", t["col_growth"], "pct_signed"),
    )
    table = Table(f"{key}-top", title, columns, tuple(p["rows"]), note=source)
    return Section(key, t[key], paragraphs, tables=(table,), figures=(figure,))


def build_sector_report(sf: SectorFacts, lang: str) -> Report:
    """The sector study as a :class:`Report` (prose, charts, omitted sections) in ``lang``."""
    fmt, t = Formatter(lang), TEXT[lang]
    module = _env(fmt).get_template(f"sector/sector_{lang}.j2").module
    c = _context(sf, lang)

    def para(name: str) -> tuple[str, ...]:
        return (_prose(str(getattr(module, name)(c))),)

    source = t["source_world"].format(syn=t["syn"] if sf.world_synthetic else "")
    sections = [Section("summary", t["summary"], para("summary"))]
    if c["world"] is not None:
        for key, sec, chart in (("exports", "world_x", "chart_x"), ("imports", "world_m", "chart_m")):
            rows = _share_rows(sf.facts, key, lang)
            spec = charts.to_spec(charts.stacked_shares(rows, fmt, t[chart], source))
            figure = Figure(f"world-{key}", t[chart], spec)
            table = _share_table(sf.facts, key, lang, t[chart])
            sections.append(
                Section(f"world_{key}", t[sec], para(f"world_{key}"), tables=(table,), figures=(figure,))
            )
        sections.append(Section("peers", t["peers"], para("peers")))
    if c["imports"] is not None:
        sections.append(Section("peru_imports", t["imports"], para("imports")))
    for key in ("destinations", "origins"):
        if c[key] is not None:
            sections.append(_partner_section(key, c[key], fmt, para(key)))
    span = fmt.period(date(sf.through.year, 1, 1), sf.through)
    for key, title in (
        ("world", "world_x"),
        ("peru_exports", "peru"),
        ("peru_imports", "imports"),
        ("destinations", "destinations"),
        ("origins", "origins"),
    ):
        if key in sf.omitted:
            need = t["needs"][key].format(span=span)
            sections.append(Section(key, t[title], (t["omitted"].format(need=need),), omitted=True))
    sections.append(Section("methods", t["methods"], para("methods")))
    y0, y1 = sf.world_years or (sf.through.year, sf.through.year)
    through = fmt.period(sf.through, sf.through)
    return Report(
        kind="sector",
        lang=lang,
        title=t["title"].format(sector=c["sector"]),
        subtitle=t["subtitle"].format(y0=y0, y1=y1, through=through),
        sections=tuple(sections),
        facts=sf.facts,
        source=source,
        synthetic=sf.synthetic,
        meta={
            "basket": sf.basket,
            "through": sf.through.isoformat(),
            "omitted": sf.omitted,
            "datasets": sf.datasets,
            "g1_paths": list(sf.g1_paths),
        },
    )


def write_sector(
    wh: Any,
    *,
    basket: str = "metalmecanica",
    through: str | date | None = None,
    lang: str = "es",
    formats: str = "html,md,json",
    out: Path,
    world_from: int = 2001,
    engine: str | None = None,
) -> list[Path]:
    """Compute the sector facts and write the study in each format into ``out``; returns the files."""
    sf = sector_facts(wh, basket, through, world_from=world_from, engine=engine)
    return write_report(build_sector_report(sf, lang), formats, Path(out))


def demo_sector(
    wh: Any, settings: Settings, *, rows_per_year: int = 20_000, formats: str = "html,pdf,md,json,xlsx"
) -> list[Path]:
    """Synthetic BACI twin (24 years) into the cache if absent, ingest it, write the metalworking study.

    The study runs through the latest loaded G1 month, in Spanish and English (``<reports>/sector/{es,en}``).
    """
    from comercio.ingest import ingest
    from comercio.synth.baci import generate_baci

    cache = settings.cache_dir / "baci"
    zips = sorted(cache.glob("BACI_*_SYNTH.zip"))
    zip_path = (
        zips[0]
        if zips
        else generate_baci(cache, years=range(2001, 2025), rows_per_year=rows_per_year, seed=2001)
    )
    ingest(wh, "baci", [zip_path])
    paths: list[Path] = []
    for lang in ("es", "en"):
        paths += write_sector(
            wh, lang=lang, formats=formats, out=settings.reports_dir.resolve() / "sector" / lang
        )
    return paths


__all__ = ["build_sector_report", "demo_sector", "write_sector"]
