"""The facts of the regional export report (Mincetur's "Reporte Mensual de Comercio Regional").

:func:`regional_facts` computes every figure the report can support from whatever is loaded, and records,
for each section it cannot support, which data it would need. Every fact is made through a family declared
in ``facts.toml`` (values in US$, growth and shares as fractions, counts over the 23 interior departments);
facts carry member codes, never names.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from comercio import reference
from comercio.errors import DataNotAvailable
from comercio.indicators import engine as eng
from comercio.indicators import measures, onescan, projection, provenance
from comercio.indicators.facts import FactSet, make
from comercio.indicators.regional_quality import latest_month, quality_facts
from comercio.indicators.regional_result import (
    BEFORE,
    CHANGES,
    COMPARED,
    HEADLINE,
    NATIONAL,
    OTHER_RECORDS,
    REGION,
    RegionalFacts,
)
from comercio.indicators.specs import Comparison, Filters, Grouping, Window, month_start
from comercio.warehouse import Warehouse

SECTIONS = (
    "headline",
    "regions",
    "share",
    "fastest",
    "macroregions",
    "agro",
    "customs",
    "rolling12",
    "leaders",
    "projection",
    "methods",
)
FASTEST = 6
FASTEST_SMALL = 3  # small regions named apart, with their base
# A region ranks among the fastest-growing only if it weighed at least this share of national exports in the
# comparison window: below it, a few shipments move the rate by hundreds of percent (Loreto +393 % from 54 M).
MIN_SHARE = 0.005
G1_CATEGORIES = {
    "non_traditional": "No Tradicionales",
    "mining": "Tradicionales > Mineros",
}


class _Builder:
    def __init__(self, wh: Warehouse, through: date, engine: str | None) -> None:
        self.wh, self.through, self.engine = wh, through, engine
        self.window = Window.ytd(through)
        self.comparison = Comparison()
        self.facts = FactSet()
        self.periods: dict[str, set[date]] = {}  # dataset → months loaded, for the source facts
        # the months every product section reads (window, comparison, twelve months): one product cube
        first = min(self.comparison.window(self.window).start, Window.rolling12(through).start)
        self.detail = (first, through)

    def series(self, grouping: Grouping, filters: Filters | None = None) -> eng.Series:
        s = eng.series(self.wh, grouping, filters or Filters(), engine=self.engine, holding=self.through)
        self.periods.setdefault(s.dataset, set()).update(s.periods)
        return s

    def products(self, grouping: Grouping, filters: Filters) -> eng.Series:
        """A product section's series: only the months of :attr:`detail` (a product cube of those months)."""
        first, last = self.detail
        wh, engine, through = self.wh, self.engine, self.through
        s = eng.series(wh, grouping, filters, start=first, end=last, engine=engine, holding=through)
        self.periods.setdefault(s.dataset, set()).update(s.periods)
        return s

    def add(
        self,
        template: str,
        value: Any,
        s: eng.Series,
        *,
        parts: Mapping[str, str] | None = None,
        window: Window | None = None,
        member: str | None = None,
        compared: bool = False,
        **extra: Any,
    ) -> None:
        """One fact of the declared family ``template`` computed from ``s`` (window: the report's)."""
        w = window or self.window
        self.facts.add(
            make(
                template,
                value,
                parts=parts,
                window=w.as_dict(),
                member=member,
                comparison=self.comparison.as_dict() if compared else None,
                grouping=s.grouping.label,
                dataset=s.dataset,
                vintages=s.vintages,
                synthetic=s.synthetic,
                extra=extra,
            )
        )


def interior_departments() -> set[str]:
    return {r["ubigeo"] for r in reference.load("departments").to_pylist() if r["interior"]}


def regional_facts(
    wh: Warehouse,
    through: str | date | None = None,
    *,
    grouping: str = "mincetur",
    record_definition: str = "annual",
    engine: str | None = None,
) -> RegionalFacts:
    """Every figure of the regional report for January–``through`` against the same months a year earlier."""
    month = month_start(through) if through is not None else latest_month(wh, engine, mature=True)
    b = _Builder(wh, month, engine)
    # the region cube, the maturity rows and the product sections' cube in one engine query (cold path)
    onescan.prefetch(wh, engine, (*onescan.REPORT_PRODUCTS, b.detail))
    omitted: dict[str, str] = {}
    _headline(b)
    quality_facts(b)
    _regions(b, record_definition)
    _share_history(b)
    _macroregions(b, grouping)
    _rolling12(b)
    for name, fn, need in (
        ("fastest", _drivers, "product detail by region (SUNAT declarations or PROMPERÚ Infotrade rows)"),
        ("agro", _agro, "product detail by region (SUNAT declarations or PROMPERÚ Infotrade rows)"),
        ("customs", _customs, "customs office of each export line (SUNAT declarations)"),
        ("leaders", _leaders, "product detail by region over the last twelve months"),
    ):
        try:
            fn(b)
        except DataNotAvailable as exc:
            omitted[name] = f"{need}: {exc.reason}"
    try:
        _projection(b)
    except DataNotAvailable as exc:
        omitted["projection"] = (
            exc.reason
            if exc.field == "complete_year"
            else f"at least one complete earlier year of national data: {exc.reason}"
        )
    used = {f.dataset: list(f.vintages) for f in b.facts if f.dataset is not None}
    b.facts.extend(provenance.vintage_facts(wh, used, b.periods))
    return RegionalFacts(month, grouping, record_definition, b.facts, omitted, used)


def _headline(b: _Builder) -> None:
    s = b.series(Grouping("region_group"))
    r = measures.compare(s, b.window, b.comparison)
    rows = r.by_member()
    for group in ("interior", "lima_callao", "no_registrado"):
        row = rows.get(group)
        if row is not None:
            _row_facts(b, HEADLINE, row, s, {"region_group": group})
    interior, unregistered = rows.get("interior"), rows.get("no_registrado")
    if interior is not None and unregistered is not None and r.total > unregistered.value:
        share = interior.value / (r.total - unregistered.value)
        b.add("interior.share_registered", share, s, member="interior")
    before = b.comparison.window(b.window)
    b.add(NATIONAL["value"], r.total, s, member="national")
    b.add(NATIONAL["previous"], r.total_previous, s, member="national", window=before)
    b.add(NATIONAL["growth"], r.total_growth, s, member="national", compared=True)


def _row_facts(
    b: _Builder, families: Mapping[str, str], row: measures.Row, s: eng.Series, parts: Mapping[str, str]
) -> None:
    """The measures of one member (value, previous, growth, share, … as ``families`` declares)."""
    before = b.comparison.window(b.window)
    for measure, template in families.items():
        b.add(
            template,
            getattr(row, measure),
            s,
            parts=parts,
            window=before if measure in BEFORE else None,
            compared=measure in COMPARED,
        )


def _regions(b: _Builder, definition: str) -> None:
    s = b.series(Grouping("department"))
    r = measures.compare(s, b.window, b.comparison)
    interior = interior_departments()
    for row in r.rows:
        _row_facts(b, REGION, row, s, {"department": row.member})
    counts = measures.count_changes(r, interior)
    over = "interior departments"
    b.add("regions.flat.threshold", measures.FLAT, s)
    for way, key, count_family, members_family in CHANGES:
        b.add(count_family, counts[key], s, compared=True, over=over)
        members = [row.member for row in r.rows if row.member in interior and measures.direction(row) == way]
        b.add(members_family, members, s, compared=True)
    # an unknown definition is refused by measures.records with the list of known ones
    other, other_count, other_members = OTHER_RECORDS.get(definition, OTHER_RECORDS["same-window"])
    for rule, count_family, members_family in (
        (definition, "regions.record.count", "regions.record.members"),
        (other, other_count, other_members),
    ):
        recs = [x for x in measures.records(s, b.window, rule) if x.member in interior]
        b.add(count_family, len(recs), s, definition=rule)
        b.add(
            members_family,
            [x.member for x in recs],
            s,
            definition=rule,
            previous_max={x.member: {"value": x.previous_max, "year": x.previous_max_year} for x in recs},
        )
    _fastest(b, r, s, interior)


def _fastest(b: _Builder, r: measures.WindowResult, s: eng.Series, interior: set[str]) -> None:
    """The fastest-growing interior regions of some size; the small ones that outgrew them named apart."""
    floor = MIN_SHARE * (r.total_previous or 0.0)
    grown = sorted(
        (x for x in r.rows if x.member in interior and measures.grew(x) and x.growth is not None),
        key=lambda x: -(x.growth or 0.0),
    )
    sized = [x.member for x in grown if (x.previous or 0.0) >= floor][:FASTEST]
    small = [x.member for x in grown[:FASTEST] if (x.previous or 0.0) < floor][:FASTEST_SMALL]
    b.add("regions.fastest.min_share", MIN_SHARE, s)
    b.add("regions.fastest.members", sized, s, compared=True, min_share=MIN_SHARE)
    b.add("regions.fastest_small.members", small, s, compared=True, min_share=MIN_SHARE)


def _share_history(b: _Builder) -> None:
    """The interior's share in every full year before the report's, then in the report's own window.

    History ends at the report year: a later year loaded in the warehouse is not part of this report.
    """
    s = b.series(Grouping("region_group"))
    years = sorted({p.year for p in s.periods if p.year <= b.through.year})
    for y in years:
        w = Window.year(y) if y < b.through.year else b.window
        try:
            r = measures.compare(s, w, None)
        except DataNotAvailable:
            continue
        for group, template in (
            ("interior", "interior.share.{year}"),
            ("no_registrado", "unregistered.share.{year}"),
        ):
            row = r.row(group)
            if row is not None:
                b.add(template, row.share, s, parts={"year": str(y)}, window=w, member=group)


def _macroregions(b: _Builder, grouping: str) -> None:
    s = b.series(Grouping("macroregion", grouping))
    r = measures.compare(s, b.window, b.comparison)
    for row in r.rows:
        parts = {"macroregion": row.member}
        b.add("macroregion.{macroregion}.value", row.value, s, parts=parts)
        b.add("macroregion.{macroregion}.growth", row.growth, s, parts=parts, compared=True)
        b.add("macroregion.{macroregion}.share", row.share, s, parts=parts)


def _rolling12(b: _Builder) -> None:
    s = b.series(Grouping("department"))
    w = Window.rolling12(b.through)
    r = measures.compare(s, w, None)  # shares only: no comparison window needed
    interior = interior_departments()
    leaders = [row for row in r.rows if row.member in interior][:3]
    for pos, row in zip(("leader", "second", "third"), leaders, strict=False):
        parts, m = {"position": pos}, row.member
        b.add("rolling12.{position}.member", m, s, parts=parts, window=w, member=m)
        b.add("rolling12.{position}.share", row.share, s, parts=parts, window=w, member=m)
        b.add("rolling12.{position}.value", row.value, s, parts=parts, window=w, member=m)


def _drivers(b: _Builder) -> None:
    for m in b.facts.value("regions.fastest.members", []):
        s = b.products(Grouping("product_group"), Filters(departments=(m,)))
        prev = b.facts.value("region.{department}.previous", department=m)
        top = measures.drivers(s, b.window, prev or 0.0)
        b.add(
            "region.{department}.drivers",
            [d["member"] for d in top],
            s,
            parts={"department": m},
            compared=True,
            contributions={d["member"]: d["contribution"] for d in top},
        )


def _agro(b: _Builder) -> None:
    s = b.products(Grouping("natural_region"), Filters(basket="agro"))
    r = measures.compare(s, b.window, b.comparison)
    b.add("agro.value", r.total, s, member="agro")
    b.add("agro.growth", r.total_growth, s, member="agro", compared=True)
    for row in r.rows:
        parts = {"natural_region": row.member}
        b.add("agro.{natural_region}.growth", row.growth, s, parts=parts, compared=True)
        b.add("agro.{natural_region}.share", row.share, s, parts=parts)
    rg = b.products(Grouping("region_group"), Filters(basket="agro"))
    rr = measures.compare(rg, b.window, b.comparison).row("interior")
    if rr is not None:
        b.add("agro.interior.share", rr.share, rg, member="interior")
        b.add("agro.interior.growth", rr.growth, rg, member="interior", compared=True)


def _customs(b: _Builder) -> None:
    s = b.series(Grouping("customs_office"))
    r = measures.compare(s, b.window, b.comparison)
    for row in r.rows:
        parts = {"customs_office": row.member}
        b.add("customs_office.{customs_office}.value", row.value, s, parts=parts)
        b.add("customs_office.{customs_office}.share", row.share, s, parts=parts)
        b.add("customs_office.{customs_office}.growth", row.growth, s, parts=parts, compared=True)


def _leaders(b: _Builder) -> None:
    w = Window.rolling12(b.through)
    interior = interior_departments()
    cats: list[tuple[str, Filters]] = [
        (k, Filters(basket="g1", basket_path=p)) for k, p in G1_CATEGORIES.items()
    ] + [("agro", Filters(basket="agro"))]
    for key, filters in cats:
        s = b.products(Grouping("department"), filters)
        r = measures.compare(s, w, None)
        top = [row for row in r.rows if row.member in interior][:3]
        b.add(
            "leaders.{category}.members",
            [row.member for row in top],
            s,
            parts={"category": key},
            window=w,
            shares={row.member: row.share for row in top},
        )


def _projection(b: _Builder) -> None:
    if b.through.month == 12:
        raise DataNotAvailable("the year is complete: there is nothing to project", field="complete_year")
    s = b.series(Grouping("national"))
    monthly = {
        p: v
        for p, v in zip(
            s.table.column("period").to_pylist(), s.table.column("value").to_pylist(), strict=True
        )
    }
    p = projection.project(monthly, b.through.year, b.through.month)
    bt = projection.backtest(monthly, b.through.month, before=b.through.year)
    est = projection.estimate(p, bt)
    w = Window.year(b.through.year)
    common: dict[str, Any] = {"window": w, "member": "national", "method": p.method}
    b.add(
        "projection.national.value",
        est.value,
        s,
        **common,
        ratio=p.ratio,
        years_used=list(p.years_used),
        unrounded=p.value,
    )
    b.add("projection.national.low", est.low, s, **common)
    b.add("projection.national.high", est.high, s, **common)
    b.add("projection.backtest.mape", bt.mape, s, **common, years=[y for y, _ in bt.errors])
