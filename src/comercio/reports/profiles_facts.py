"""The bundle of a profile: a region, a product or a partner country, its facts and histories.

* region (a department code, ``04``): exports over every dataset holding departments (BCRP from 2005,
  customs lines where loaded), share of the national total, growth, the record year, its macroregion; from
  line data, its top products, destinations, customs offices and agro products;
* product (HS2/HS4/HS6 code, a national tariff line, or a G1 sector by name, ``textil``): exports over time
  (customs lines; SUNAT G1 for a sector), and from lines its regions, destinations and unit value (US$/kg)
  through :func:`comercio.query.run`;
* partner (``CL``): exports to it (G6 for all products, lines where loaded) and imports from it (lines),
  and its top products both ways.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from comercio import reference
from comercio.errors import ComercioError, ConfigError, DataNotAvailable
from comercio.indicators import coverage as cov
from comercio.indicators.facts import FactSet
from comercio.indicators.sector_g1 import normalise_label
from comercio.indicators.specs import Filters, Grouping
from comercio.reference import dimensions
from comercio.reports.profiles_data import Builder, History, answering, history, is_lines
from comercio.reports.profiles_exporters import exporter_facts
from comercio.warehouse import Warehouse

Kind = Literal["region", "product", "partner"]
KINDS: tuple[str, ...] = ("region", "product", "partner")
G1 = "sunat_cuadros"
MACRO_GROUPING = "mincetur"
PRODUCTS = "profile.{flow_word}.{dimension}.{member}.value"


@dataclass(frozen=True)
class ProfileFacts:
    """What a profile report is built from (a :class:`~comercio.reports.spec.FactsBundle`)."""

    kind: Kind
    code: str
    dimension: str  # department, partner, hs2/hs4/hs6/product, or sector (a G1 node)
    facts: FactSet
    histories: tuple[History, ...]
    datasets: Mapping[str, tuple[str, ...]]
    synthetic: bool
    lines: str | None = None  # the line dataset the breakdowns were read from
    macroregion: str | None = None
    label: str | None = None  # a G1 sector's own label (codes elsewhere name themselves)
    omitted: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def through(self) -> date | None:
        """The last month of the latest history."""
        last = [(h.years[-1].year, h.years[-1].last) for h in self.histories if h.years]
        return date(*max(last), 1) if last else None


def _histories(
    b: Builder,
    wh: Warehouse,
    grouping: Grouping,
    filters: Filters,
    member: Any,
    code: str,
    engine: str | None,
    only: tuple[str, ...] | None = None,
) -> list[History]:
    out = []
    for ds in answering(wh, grouping, filters):
        if only is not None and ds not in only:
            continue
        h = history(wh, grouping, filters, member, ds, engine)
        if h is not None:
            b.history_facts(h, code)
            out.append(h)
    return out


def _lines_breakdowns(
    b: Builder, wh: Warehouse, cuts: list[tuple[str, str, Filters]], engine: str | None
) -> str | None:
    """Each ``(key, dimension, filters)`` from the first line dataset able to answer it; the dataset."""
    used: str | None = None
    for key, dim, filters in cuts:
        for ds in answering(wh, Grouping(dim), filters):
            if is_lines(ds) and b.breakdown_facts(wh, dim, filters, ds, engine, key=key):
                used = used or ds
                break
    return used


def _coverage_facts(b: Builder, wh: Warehouse, h: History, engine: str | None) -> None:
    """The share of each year's export value that has a department (``coverage.{year}.share``)."""
    by_month = cov.coverage(wh, h.dataset, h.flow, engine)
    for y in h.years:
        c = cov.combine(v for m, v in by_month.items() if m.year == y.year)
        if c.share is not None:
            window = {"kind": "months", "start": f"{y.year}-{y.first:02d}", "end": f"{y.year}-{y.last:02d}"}
            b.add(
                "coverage.{year}.share",
                c.share,
                window=window,
                src=h,
                parts={"year": str(y.year)},
                extra={"shares": c.shares()},
            )


def region_facts(wh: Warehouse, code: str, *, engine: str | None = None) -> ProfileFacts:
    """The profile of a department (``04``)."""
    names = dimensions.member_names("department", "es")
    if code not in names:
        raise ConfigError(
            f"unknown region {code!r}: use a department code such as 04 (Arequipa)", field="region"
        )
    b = Builder()
    hs = _histories(b, wh, Grouping("department"), Filters(), code, code, engine)
    if not hs:
        raise DataNotAvailable("no loaded dataset holds exports by department", hint="run `comercio build`")
    for h in hs:
        if is_lines(h.dataset):
            _coverage_facts(b, wh, h, engine)
    for h in hs:  # exporters from the first line dataset able to count them
        if exporter_facts(b, wh, h, code, engine):
            break
    mine = Filters(departments=(code,))
    cuts = [
        ("products", "hs6", mine),
        ("partner", "partner", mine),
        ("customs_office", "customs_office", mine),
        ("agro", "hs6", Filters(departments=(code,), basket="agro")),
    ]
    lines = _lines_breakdowns(b, wh, cuts, engine)
    macro = next(
        (
            str(r["macroregion"])
            for r in reference.load("macroregions").to_pylist()
            if r["grouping"] == MACRO_GROUPING and str(r["department"]) == code
        ),
        None,
    )
    return ProfileFacts(
        "region", code, "department", b.facts, tuple(hs), b.datasets, b.synthetic, lines, macro
    )


def product_dimension(code: str) -> str:
    """The dimension a product code belongs to (hs2, hs4, hs6, product), or ``sector`` for a G1 name."""
    if code.isdigit():
        dim = {2: "hs2", 4: "hs4", 6: "hs6", 10: "product"}.get(len(code))
        if dim is None or dim not in dimensions.BY_NAME:
            raise ConfigError(
                f"product {code!r}: give an HS2, HS4 or HS6 code, a 10-digit line or a G1 sector name",
                field="product",
            )
        return dim
    if not normalise_label(code):
        raise ConfigError(f"product {code!r} is not a code or a sector name", field="product")
    return "sector"


def _g1_member(prefix: str) -> Callable[[str], bool]:
    return lambda path: normalise_label(path.split(" > ")[-1]).startswith(prefix)


def product_facts(wh: Warehouse, code: str, *, engine: str | None = None) -> ProfileFacts:
    """The profile of a product (``080440``, ``0804``, ``08``, a national line) or a G1 sector."""
    dim = product_dimension(code)
    b = Builder()
    if dim == "sector":
        prefix = normalise_label(code)
        grouping = Grouping("sector", level=2)
        hs = _histories(b, wh, grouping, Filters(), _g1_member(prefix), "sector", engine, only=(G1,))
        hs = [h for h in hs if any(y.value for y in h.years)]
        if not hs:
            raise ConfigError(
                f"no G1 sector is named like {code!r} (e.g. textil, agropecuario, quimico)", field="product"
            )
        no_lines = {"unit_value": "a G1 sector has no net weight"}
        return ProfileFacts(
            "product", code, dim, b.facts, tuple(hs), b.datasets, b.synthetic, label=code, omitted=no_lines
        )
    hs = _histories(b, wh, Grouping(dim), Filters(), code, code, engine)
    hs = [h for h in hs if is_lines(h.dataset)]
    extra: dict[str, Any] = {}
    if hs:
        from comercio.reports.profiles_query import product_breakdowns

        extra = product_breakdowns(b, wh, dim, code, hs[0], engine)
    weighed = any(r["unit_value"] is not None for r in extra.get("unit_value", ()))
    return ProfileFacts(
        "product",
        code,
        dim,
        b.facts,
        tuple(hs),
        b.datasets,
        b.synthetic,
        hs[0].dataset if hs else None,
        extra=extra,
        omitted={
            **({} if weighed else {"unit_value": "no net weight loaded for the product"}),
            **extra.get("refused", {}),
        },
    )


def partner_facts(wh: Warehouse, code: str, *, engine: str | None = None) -> ProfileFacts:
    """The profile of a partner country (``CL``): exports to it, imports from it, top products."""
    code = code.upper()
    if code not in dimensions.member_names("partner", "es"):
        raise ConfigError(f"unknown partner {code!r}: use an ISO alpha-2 code such as CL", field="partner")
    b = Builder()
    hs: list[History] = []
    for flow in ("X", "M"):
        hs += _histories(b, wh, Grouping("partner"), Filters(flow=flow), code, code, engine)
    cuts = [("products", "hs6", Filters(flow=flow, partners=(code,))) for flow in ("X", "M")]
    lines = _lines_breakdowns(b, wh, cuts, engine)
    return ProfileFacts("partner", code, "partner", b.facts, tuple(hs), b.datasets, b.synthetic, lines)


def product_names(wh: Warehouse, codes: Iterable[str]) -> dict[str, dict[str, str]]:
    """Spanish and English labels of HS codes (NANDINA and HS 2022, through product search); codes without
    a loaded label are left out (they are shown by their code)."""
    from comercio.query.search import search

    out: dict[str, dict[str, str]] = {}
    for code in dict.fromkeys(codes):
        for lang in ("es", "en"):
            try:
                hits = search(code, kind="product", lang=lang, limit=1, wh=wh)
            except ComercioError:
                hits = []
            if hits and hits[0].code == code and hits[0].label:
                out.setdefault(code, {})[lang] = hits[0].label
    return out


def _named(p: ProfileFacts, wh: Warehouse) -> ProfileFacts:
    """``p`` with the labels of the products it names (the profiled product, product breakdowns)."""
    codes = [
        f.parts["member"] for f in p.facts.each(PRODUCTS) if f.parts["dimension"] in ("products", "agro")
    ]
    if p.kind == "product" and p.dimension != "sector":
        codes.insert(0, p.code)
    if not codes:
        return p
    return dataclasses.replace(p, extra={**p.extra, "names": product_names(wh, codes)})


def profile_facts(wh: Warehouse, kind: str, code: str, *, engine: str | None = None) -> ProfileFacts:
    """The bundle of a ``kind`` profile (region, product, partner) of ``code``."""
    build = {"region": region_facts, "product": product_facts, "partner": partner_facts}.get(kind)
    if build is None:
        raise ConfigError(f"unknown profile {kind!r}; choose {', '.join(KINDS)}", field="kind")
    return _named(build(wh, code.strip(), engine=engine), wh)


__all__ = [
    "KINDS",
    "ProfileFacts",
    "partner_facts",
    "product_dimension",
    "product_facts",
    "profile_facts",
    "region_facts",
]
