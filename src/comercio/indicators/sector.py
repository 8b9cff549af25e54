"""The facts of a sector study (SNI's metalworking analysis, article 003) for a study basket.

A study (``basket_definitions.csv``, :func:`comercio.reference.basket_forms`) names its basket in up to three
forms, and each side of the study uses the form its source publishes:

- world side: the WTO product group (``wto_merchandise``, :mod:`comercio.indicators.wto`): world exports
  and imports by continent over the span, the group's weight in world trade and manufactures, peers, Peru's
  imports of the group and the balance; an HS basket through CEPII BACI (``world_trade``) when asked for or
  when no WTO data are loaded (:func:`comercio.indicators.world.world_facts`);
- Peru's exports: the group of SUNAT's cuadro G1 (annual, year to date, growth, the month that drives it);
- imports context: the use groups (CUODE) of cuadro F1, CIF, never netted against G1 (different baskets);
- destinations of ALL exports: cuadro G6 (``sunat_destinations``, :mod:`comercio.indicators.sector_partners`);
  the basket's own destinations and origins from customs lines when those are loaded.

Every fact says in ``extra`` which basket form it used. Sections the loaded data cannot support are left
out and recorded in ``omitted`` with what they would need.

The G1 node is found by a *normalised label* prefix (lower case, accents stripped, hyphens and spaces
removed), since SUNAT renames it across years (2005 ``Metal-Mecánica``, 2024 ``Metal-mecanico``, under
parents spelled ``II.Productos`` / ``II. Productos``); the monthly series of every matching path are joined.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pyarrow as pa

from comercio import reference
from comercio.errors import ConfigError, DataNotAvailable, ValidationError
from comercio.indicators import engine as eng
from comercio.indicators import measures, world, wto
from comercio.indicators.facts import Fact, FactSet, make
from comercio.indicators.sector_partners import (
    cuode_facts,
    g6_facts,
    latin_american,
    lines_facts,
    partner_facts,
)
from comercio.indicators.specs import Comparison, Filters, Grouping, Window, month_start
from comercio.reference import BasketForm
from comercio.warehouse import Warehouse

PEERS = ("CHL", "COL")
MANUFACTURES = world.MANUFACTURES
# a month "drives" the year-to-date growth when its own change is at least this fraction of the total change
DRIVER_SHARE = 0.5


def _g1_nodes() -> dict[str, tuple[str, str]]:
    """Study → (G1 label prefix, HS basket of its export lines); kept for readers of the old name."""
    out: dict[str, tuple[str, str]] = {}
    for study in reference.basket_studies():
        g1 = reference.group_form(study, "g1")
        lines = next(iter(reference.basket_forms(study, "export_lines")), None)
        if g1 is not None:
            out[study] = (g1.code, lines.code if lines else study)
    return out


G1_NODES = _g1_nodes()


def normalise_label(text: str) -> str:
    """``Metal-Mecánica`` → ``metalmecanica``: lower case, no accents, no hyphens, spaces or dots."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


@dataclass
class SectorFacts:
    basket: str
    through: date
    facts: FactSet
    omitted: dict[str, str] = field(default_factory=dict)  # section → what data it would need
    datasets: dict[str, list[str]] = field(default_factory=dict)
    g1_paths: tuple[str, ...] = ()
    world_years: tuple[int, int] | None = None
    forms: tuple[BasketForm, ...] = ()  # every form of the study (basket_definitions.csv)
    world_form: str | None = None  # "wto" or "hs": the form the world side used

    @property
    def synthetic(self) -> bool:
        return self.facts.synthetic

    @property
    def world_synthetic(self) -> bool:
        return any(f.synthetic for f in self.facts if f.dataset in (world.DATASET, wto.DATASET))

    def form(self, form: str, role: str = "group") -> BasketForm | None:
        """The study's basket in ``form`` (g1, wto, hs, f1) and ``role``, None when it has none."""
        return next((f for f in self.forms if f.form == form and f.role == role), None)


def g1_paths(wh: Warehouse, label_prefix: str, engine: str | None = None) -> list[tuple[str, int]]:
    """Every G1 path (with its level) whose last label, normalised, starts with ``label_prefix``."""
    t = wh.table("sunat_cuadros", engine)
    t = t.filter(t.table == "G1")
    expr = t.group_by(["path", "level"]).aggregate(last=t.period.max())
    rows = wh.execute(expr, engine=engine).to_pylist()
    found = [r for r in rows if normalise_label(r["path"].split(" > ")[-1]).startswith(label_prefix)]
    if not found:
        raise DataNotAvailable(f"no G1 node whose label normalises to {label_prefix!r}…")
    return [(r["path"], r["level"]) for r in sorted(found, key=lambda r: r["last"])]  # latest label last


def peru_export_series(wh: Warehouse, label_prefix: str, engine: str | None = None) -> eng.Series:
    """One monthly series of the G1 node across its renamings (member ``peru``)."""
    parts: list[eng.Series] = []
    for path, level in g1_paths(wh, label_prefix, engine):
        # Grouping "sector" at the node's own level: the node's rows only (the national grouping would look
        # for level = number of " > " in the path, one less than the level SUNAT's tree gives the node).
        parts.append(
            eng.series(
                wh,
                Grouping("sector", level=level),
                Filters(basket_path=path),
                engine=engine,
                dataset="sunat_cuadros",
            )
        )
    table = pa.concat_tables([p.table for p in parts])
    periods = table["period"].to_pylist()
    if len(set(periods)) != len(periods):
        raise ValidationError(
            f"two G1 nodes matching {label_prefix!r} report the same month: the label match is ambiguous",
            file="sunat_cuadros",
            column="path",
        )
    table = table.set_column(0, "member", pa.array(["peru"] * table.num_rows, pa.string()))
    s0 = parts[0]
    return eng.Series(
        table,
        s0.dataset,
        s0.vintages,
        any(p.synthetic for p in parts),
        s0.periods,
        Grouping("national"),
        Filters(),
    )


def _fact(
    template: str,
    value: Any,
    w: Window,
    s: eng.Series,
    form: BasketForm,
    parts: dict[str, str] | None = None,
    **kw: Any,
) -> Fact:
    """A fact of Peru's G1 side, with the provenance of the series and the basket it was computed from."""
    extra = {**form.extra(), "value_basis": "FOB", **kw.pop("extra", {})}
    return make(
        template,
        value,
        parts=parts,
        window=w.as_dict(),
        dataset=s.dataset,
        vintages=s.vintages,
        synthetic=s.synthetic,
        grouping=s.grouping.label,
        member="peru",
        extra=extra,
        **kw,
    )


def _annual(s: eng.Series, through: date, form: BasketForm) -> FactSet:
    """Every full calendar year of the G1 group up to ``through``, the latest one and its growth."""
    by_year: dict[int, dict[int, float]] = {}
    for _, period, value in s.triples:
        by_year.setdefault(period.year, {})[period.month] = (
            by_year.get(period.year, {}).get(period.month, 0.0) + value
        )
    full = sorted(y for y, months in by_year.items() if len(months) == 12 and date(y, 12, 1) <= through)
    fs = FactSet()
    for y in full:
        fs.add(
            _fact(
                "peru.exports.value.{year}",
                sum(by_year[y].values()),
                Window.year(y),
                s,
                form,
                {"year": str(y)},
            )
        )
    if full:
        y = full[-1]
        fs.add(_fact("peru.exports.value", sum(by_year[y].values()), Window.year(y), s, form))
        if y - 1 in full:
            g = measures.growth(sum(by_year[y].values()), sum(by_year[y - 1].values()))
            fs.add(
                _fact(
                    "peru.exports.annual_growth",
                    g,
                    Window.year(y),
                    s,
                    form,
                    comparison=Comparison().as_dict(),
                )
            )
    return fs


def growth_driver(
    months: list[tuple[date, float, float]], share: float = DRIVER_SHARE
) -> tuple[date, float, float, float] | None:
    """The month whose change explains at least ``share`` of the window's change, or None.

    ``months`` holds (month, value, value a year earlier); the answer is (month, value, previous, its fraction
    of the total change). A single-month window has no driver.
    """
    total = sum(v - p for _, v, p in months)
    if len(months) < 2 or not total:
        return None
    m, v, p = max(months, key=lambda x: (x[1] - x[2]) / total)
    part = (v - p) / total
    return (m, v, p, part) if part >= share else None


def _ytd(s: eng.Series, through: date, form: BasketForm) -> FactSet:
    ytd = Window.ytd(through)
    r = measures.compare(s, ytd, Comparison())
    cmp = Comparison().as_dict()
    fs = FactSet()
    fs.add(_fact("peru.exports.ytd.value", r.total, ytd, s, form))
    fs.add(_fact("peru.exports.ytd.previous", r.total_previous, Comparison().window(ytd), s, form))
    fs.add(_fact("peru.exports.growth", r.total_growth, ytd, s, form, comparison=cmp))
    values = {p: v for _, p, v in s.triples}
    months = [(m, values.get(m, 0.0), values.get(m.replace(year=m.year - 1), 0.0)) for m in ytd.months()]
    driver = growth_driver(months)
    if driver is not None and r.total_previous:
        m, v, p, part = driver
        without = measures.growth(r.total - v, r.total_previous - p)
        extra = {"month": f"{m:%Y-%m}", "value": v, "previous": p, "growth_without": without}
        fs.add(_fact("peru.exports.growth_driver", part, ytd, s, form, comparison=cmp, extra=extra))
    return fs


def _check_through(month: date, s: eng.Series | None) -> None:
    """``through`` past the last month of the G1 data is a usage error, not a missing section."""
    if s is None or not s.table.num_rows:
        return
    last = max(s.table["period"].to_pylist())
    if month > last:
        raise ConfigError(
            f"--through {month:%Y-%m} is after the last month of the loaded data "
            f"(SUNAT cuadro G1: {last:%Y-%m})",
            field="through",
            hint=f"use a month up to {last:%Y-%m}, or load newer data with `comercio build`",
        )


def _peru_exports(
    wh: Warehouse,
    form: BasketForm | None,
    through: str | date | None,
    engine: str | None,
    omitted: dict[str, str],
) -> tuple[FactSet, date | None, tuple[str, ...]]:
    fs = FactSet()
    if form is None:
        omitted["peru_exports"] = "a G1 form of the basket (basket_definitions.csv)"
        return fs, month_start(through) if through is not None else None, ()
    try:
        s = peru_export_series(wh, form.code, engine)
        paths = tuple(p for p, _ in g1_paths(wh, form.code, engine))
    except DataNotAvailable as exc:
        omitted["peru_exports"] = f"SUNAT cuadro G1 with the group {form.name('en')!r}: {exc.reason}"
        return fs, month_start(through) if through is not None else None, ()
    month = month_start(through) if through is not None else max(s.table["period"].to_pylist())
    _check_through(month, s)
    fs.extend(_annual(s, month, form))
    try:
        fs.extend(_ytd(s, month, form))
    except DataNotAvailable as exc:
        omitted["peru_exports"] = f"G1 months January–{month:%Y-%m} and a year earlier: {exc.reason}"
    omitted["g1_subgroups"] = "cuadro G1 prints the group as a single line, without subgroups"
    return fs, month, paths


def _world_side(
    wh: Warehouse,
    forms: tuple[BasketForm, ...],
    study: str,
    last_year: int,
    world_from: int,
    peers: tuple[str, ...],
    world_form: str | None,
    engine: str | None,
    omitted: dict[str, str],
) -> tuple[FactSet, tuple[int, int] | None, str | None]:
    wto_form = next((f for f in forms if f.form == "wto" and f.role == "group"), None)
    hs_form = next((f for f in forms if f.form == "hs" and f.role == "group"), None)
    order = [world_form] if world_form else ["wto", "hs"]
    reasons: list[str] = []
    for kind in order:
        try:
            if kind == "wto" and wto_form is not None:
                parts = [f for f in forms if f.form == "wto" and f.role == "subsector"]
                fs, years = wto.world_facts(
                    wh,
                    wto_form,
                    parts,
                    world_from=world_from,
                    last_year=last_year,
                    peers=peers,
                    engine=engine,
                )
                if not parts:
                    omitted["subsectors"] = "WTO parts of the group (none defined for this basket)"
                return fs, years, "wto"
            if kind == "hs" and hs_form is not None:
                fs, years = world.world_facts(
                    wh, hs_form, world_from=world_from, last_year=last_year, peers=peers, engine=engine
                )
                omitted["subsectors"] = (
                    "WTO merchandise values (`comercio ingest wto`): BACI gives no parts here"
                )
                return fs, years, "hs"
            reasons.append(f"the basket {study!r} has no {kind} form")
        except DataNotAvailable as exc:
            reasons.append(exc.reason)
    need = (
        "WTO merchandise values (`comercio fetch wto`, `comercio ingest wto`) or CEPII BACI for an HS basket"
    )
    omitted["world"] = f"{need}: {'; '.join(reasons)}"
    omitted["peers"] = omitted["world"]
    omitted["peru_imports"] = omitted["world"]
    omitted.setdefault("subsectors", omitted["world"])
    return FactSet(), None, None


def sector_facts(
    wh: Warehouse,
    basket: str,
    through: str | date | None,
    *,
    world_from: int = 2001,
    world_to: int | None = None,
    engine: str | None = None,
    peers: tuple[str, ...] = PEERS,
    world_form: str | None = None,
) -> SectorFacts:
    """Every figure of the sector study of ``basket`` (a study id) the loaded data support, through month
    ``through`` (default: the latest G1 month). The world span runs from ``world_from`` to ``world_to``
    (default: the year of ``through``), cut to the years the data have; ``world_form`` ("wto" or "hs") forces
    the world source, otherwise WTO when loaded, then BACI.
    """
    forms = tuple(reference.basket_forms(basket))  # an unknown basket raises here, naming the known ones
    omitted: dict[str, str] = {}
    facts = FactSet()
    g1 = next((f for f in forms if f.form == "g1" and f.role == "group"), None)
    peru, month, paths = _peru_exports(wh, g1, through, engine, omitted)
    facts.extend(peru)
    if month is None:
        raise DataNotAvailable("no month given and no G1 data loaded to take the latest month from")
    last_year = min(world_to or month.year, month.year)
    wfacts, years, used_form = _world_side(
        wh, forms, basket, last_year, world_from, peers, world_form, engine, omitted
    )
    facts.extend(wfacts)
    if used_form == "hs":
        omitted["peru_imports"] = "WTO merchandise values (Peru's imports of the group, the balance)"
    f1 = [f for f in forms if f.form == "f1"]
    try:
        facts.extend(cuode_facts(wh, f1, month, engine))
    except DataNotAvailable as exc:
        omitted["imports_context"] = (
            f"SUNAT cuadro F1 covering January–{month:%Y-%m} and a year earlier: {exc.reason}"
        )
    try:
        facts.extend(g6_facts(wh, basket, month, engine))
    except DataNotAvailable as exc:
        omitted["destinations"] = (
            f"SUNAT cuadro G6 covering January–{month:%Y-%m} and a year earlier: {exc.reason}"
        )
    lines_x = next((f for f in forms if f.form == "hs" and f.role == "export_lines"), None)
    lines_m = next((f for f in forms if f.form == "hs" and f.role == "group"), None)
    for key, flow, form in (("basket_destinations", "X", lines_x), ("basket_origins", "M", lines_m)):
        try:
            if form is None:
                raise DataNotAvailable("the basket has no HS form to classify declaration lines")
            facts.extend(lines_facts(wh, key, flow, form, month, engine))
        except DataNotAvailable as exc:
            ytd = Window.ytd(month)
            omitted[key] = (
                f"customs lines (SUNAT declarations) covering {ytd.start:%Y-%m}…{ytd.end:%Y-%m} and a year "
                f"earlier, with product code and partner country: {exc.reason}"
            )
    used = {f.dataset: list(f.vintages) for f in facts if f.dataset is not None}
    return SectorFacts(basket, month, facts, omitted, used, paths, years, forms, used_form)


__all__ = [
    "DRIVER_SHARE",
    "G1_NODES",
    "MANUFACTURES",
    "PEERS",
    "SectorFacts",
    "g1_paths",
    "growth_driver",
    "latin_american",
    "normalise_label",
    "partner_facts",
    "peru_export_series",
    "sector_facts",
]
