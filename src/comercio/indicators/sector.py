"""The facts of a sector study (SNI's metalworking analysis, article 003) for a study basket.

A study (``basket_definitions.csv``, :func:`comercio.reference.basket_forms`) names its basket in up to three
forms, and each side of the study uses the form its source publishes:

- world side: the WTO product group (``wto_merchandise``, :mod:`comercio.indicators.wto`): world exports
  and imports by continent over the span, the group's weight in world trade and manufactures, peers, Peru's
  imports of the group and the balance; an HS basket through CEPII BACI (``world_trade``) when asked for or
  when no WTO data are loaded (:func:`comercio.indicators.world.world_facts`);
- Peru's exports: the group of SUNAT's cuadro G1 (annual, year to date, growth, the month that drives it;
  :mod:`comercio.indicators.sector_g1`);
- imports context: the use groups (CUODE) of cuadro F1, CIF, never netted against G1 (different baskets);
- destinations of ALL exports: cuadro G6 (``sunat_destinations``, :mod:`comercio.indicators.sector_partners`);
  the basket's own destinations and origins from customs lines when those are loaded.

Every fact says in ``extra`` which basket form it used. Sections the loaded data cannot support are left
out and recorded in ``omitted`` with what they would need.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from comercio import reference
from comercio.errors import ConfigError, DataNotAvailable
from comercio.indicators import sector_lines, world, wto
from comercio.indicators.facts import FactSet
from comercio.indicators.sector_g1 import (
    DRIVER_SHARE,
    g1_paths,
    growth_driver,
    normalise_label,
    peru_export_series,
    peru_exports,
)
from comercio.indicators.sector_partners import (
    cuode_facts,
    g6_facts,
    latin_american,
    lines_facts,
    partner_facts,
)
from comercio.indicators.specs import Window, month_start
from comercio.reference import BasketForm
from comercio.warehouse import Warehouse

PEERS = ("CHL", "COL")
WORLD_FROM = 2001  # the default first year of the world span
MANUFACTURES = world.MANUFACTURES


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


def _peru_exports(
    wh: Warehouse,
    g1: BasketForm | None,
    through: str | date | None,
    engine: str | None,
    omitted: dict[str, str],
) -> tuple[FactSet, date | None, tuple[str, ...]]:
    """Peru's G1 exports; a month past G1's last one is a usage error unless customs lines hold it, and
    then only the G1 section is left out (saying where G1 ends)."""
    try:
        return peru_exports(wh, g1, through, engine, omitted)
    except ConfigError as exc:
        held = sector_lines.months(wh, engine)
        last = max(held, default=None)
        if (
            through is None
            or last is None
            or (month_start(through) < last and month_start(through) not in held)
        ):
            raise
        if month_start(through) > last:  # past both: the later of the two is the limit
            raise ConfigError(
                f"{exc.reason.rstrip(')')}; customs lines: {last:%Y-%m})",
                field="through",
                hint=f"use a month up to {last:%Y-%m}, or load newer data with `comercio update`",
            ) from None
        omitted["peru_exports"] = exc.reason
        omitted.pop("g1_subgroups", None)
        return FactSet(), month_start(through), ()


def _lines_month(wh: Warehouse, month: date | None, check: bool, engine: str | None) -> date:
    """The study's month: the one given or G1's latest; without G1, the latest month of declaration lines
    (a month asked past it is a usage error when lines are all there is)."""
    last = sector_lines.latest_month(wh, engine) if month is None or check else None
    if month is None:
        if last is None:
            raise DataNotAvailable(
                "no month given and neither G1 data nor customs lines loaded to take the latest month from"
            )
        return last
    if last is not None and month > last:
        raise ConfigError(
            f"--through {month:%Y-%m} is after the last month of the loaded data "
            f"(customs lines: {last:%Y-%m})",
            field="through",
            hint=f"use a month up to {last:%Y-%m}, or load newer data with `comercio update`",
        )
    return month


def check_peers(peers: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Peers as upper-case ISO alpha-3 codes; a code that is no ISO country is a :class:`ConfigError`."""
    known = {r["alpha3"] for r in reference.load("countries").to_pylist()}
    out = tuple(dict.fromkeys(p.strip().upper() for p in peers if p.strip()))
    unknown = [p for p in out if p not in known]
    if unknown:
        raise ConfigError(
            f"{', '.join(unknown)}: not an ISO 3166 alpha-3 country code",
            field="peers",
            hint="name peers by alpha-3 code, e.g. CHL,COL,MEX",
        )
    return out


def sector_facts(
    wh: Warehouse,
    basket: str,
    through: str | date | None,
    *,
    world_from: int = WORLD_FROM,
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
    peers = check_peers(peers)
    if world_form not in (None, "wto", "hs"):
        raise ConfigError(f"world form {world_form!r} is not wto or hs", field="world_form")
    if world_to is not None and world_to < world_from:
        raise ConfigError(
            f"the world span ends ({world_to}) before it starts ({world_from})", field="world_to"
        )
    omitted: dict[str, str] = {}
    facts = FactSet()
    g1 = next((f for f in forms if f.form == "g1" and f.role == "group"), None)
    peru, month, paths = _peru_exports(wh, g1, through, engine, omitted)
    facts.extend(peru)
    month = _lines_month(wh, month, through is not None and not len(peru), engine)
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
    if lines_m is not None:
        facts.extend(sector_lines.lines_trade(wh, lines_m, month, peru, engine, omitted))
    used = {f.dataset: list(f.vintages) for f in facts if f.dataset is not None}
    return SectorFacts(basket, month, facts, omitted, used, paths, years, forms, used_form)


__all__ = [
    "DRIVER_SHARE",
    "MANUFACTURES",
    "PEERS",
    "WORLD_FROM",
    "SectorFacts",
    "check_peers",
    "g1_paths",
    "growth_driver",
    "latin_american",
    "normalise_label",
    "partner_facts",
    "peru_export_series",
    "sector_facts",
]
