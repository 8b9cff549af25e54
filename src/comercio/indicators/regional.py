"""The facts of the regional export report (Mincetur's "Reporte Mensual de Comercio Regional").

:func:`regional_facts` computes every figure the report can support from whatever is loaded, and records,
for each section it cannot support, which data it would need. Fact ids follow the report's JSON contract:
values in US$, growth and shares as fractions, counts over the 23 interior departments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from comercio import reference
from comercio.errors import DataNotAvailable
from comercio.indicators import engine as eng
from comercio.indicators import measures, projection
from comercio.indicators.facts import Fact, FactSet
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
G1_CATEGORIES = {
    "non_traditional": "No Tradicionales",
    "mining": "Tradicionales > Mineros",
}


@dataclass
class RegionalFacts:
    through: date
    grouping: str
    record_definition: str
    facts: FactSet
    omitted: dict[str, str] = field(default_factory=dict)  # section → what data it would need
    datasets: dict[str, list[str]] = field(default_factory=dict)  # dataset → vintages used

    @property
    def synthetic(self) -> bool:
        return self.facts.synthetic


class _Builder:
    def __init__(self, wh: Warehouse, through: date, engine: str | None) -> None:
        self.wh, self.through, self.engine = wh, through, engine
        self.window = Window.ytd(through)
        self.comparison = Comparison()
        self.facts = FactSet()

    def series(self, grouping: Grouping, filters: Filters | None = None) -> eng.Series:
        return eng.series(self.wh, grouping, filters or Filters(), engine=self.engine)

    def add(
        self,
        fid: str,
        indicator: str,
        value: Any,
        unit: str,
        s: eng.Series,
        *,
        window: Window | None = None,
        member: str | None = None,
        compared: bool = False,
        **extra: Any,
    ) -> None:
        w = window or self.window
        self.facts.add(
            Fact(
                id=fid,
                indicator=indicator,
                value=value,
                unit=unit,
                window=w.as_dict(),
                member=member,
                member_label=_label(s.grouping.dimension, member),
                comparison=self.comparison.as_dict() if compared else None,
                grouping=s.grouping.label,
                dataset=s.dataset,
                vintages=s.vintages,
                synthetic=s.synthetic,
                extra=extra,
            )
        )


def _label(dimension: str, member: str | None) -> str | None:
    if member is None:
        return None
    labels = _labels(dimension)
    return labels.get(member, member)


def _labels(dimension: str) -> dict[str, str]:
    if dimension == "department":
        return {r["ubigeo"]: r["name"] for r in reference.load("departments").to_pylist()}
    if dimension == "customs_office":
        return {r["code"]: r["name"] for r in reference.load("customs_offices").to_pylist()}
    if dimension == "macroregion":
        return {r["macroregion"]: r["label_es"] for r in reference.load("macroregions").to_pylist()}
    if dimension == "product_group":
        return {r["group"]: r["name_es"] for r in reference.load("product_groups").to_pylist()}
    return {}


def interior_departments() -> set[str]:
    return {r["ubigeo"] for r in reference.load("departments").to_pylist() if r["interior"]}


def latest_month(wh: Warehouse, engine: str | None = None) -> date:
    """The last month with departmental data (the default month of the report)."""
    s = eng.series(wh, Grouping("national"), Filters(), engine=engine, dataset=None)
    if not s.periods:
        raise DataNotAvailable("no export data loaded", hint="run `comercio build`")
    return max(s.periods)


def regional_facts(
    wh: Warehouse,
    through: str | date | None = None,
    *,
    grouping: str = "mincetur",
    record_definition: str = "annual",
    engine: str | None = None,
) -> RegionalFacts:
    """Every figure of the regional report for January–``through`` against the same months a year earlier."""
    month = month_start(through) if through is not None else latest_month(wh, engine)
    b = _Builder(wh, month, engine)
    omitted: dict[str, str] = {}
    _headline(b)
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
    return RegionalFacts(month, grouping, record_definition, b.facts, omitted, used)


def _headline(b: _Builder) -> None:
    s = b.series(Grouping("region_group"))
    r = measures.compare(s, b.window, b.comparison)
    rows = r.by_member()
    for key, member in (
        ("interior", "interior"),
        ("lima_callao", "lima_callao"),
        ("no_registrado", "no_registrado"),
    ):
        row = rows.get(member)
        if row is not None:
            _row_facts(b, key, row, s, share_previous=True)
    b.add("national.value", "value", r.total, "USD", s, member="national")
    b.add(
        "national.previous",
        "value",
        r.total_previous,
        "USD",
        s,
        member="national",
        window=b.comparison.window(b.window),
    )
    b.add("national.growth", "growth", r.total_growth, "fraction", s, member="national", compared=True)


def _row_facts(
    b: _Builder, prefix: str, row: measures.Row, s: eng.Series, *, share_previous: bool = False
) -> None:
    """Value, previous value, growth, share (and previous share) and contribution of one member."""
    m, before = row.member, b.comparison.window(b.window)
    b.add(f"{prefix}.value", "value", row.value, "USD", s, member=m)
    b.add(f"{prefix}.previous", "value", row.previous, "USD", s, member=m, window=before)
    b.add(f"{prefix}.growth", "growth", row.growth, "fraction", s, member=m, compared=True)
    b.add(f"{prefix}.share", "share", row.share, "fraction", s, member=m)
    if share_previous:
        b.add(f"{prefix}.share_previous", "share", row.share_previous, "fraction", s, member=m, window=before)
    b.add(f"{prefix}.contribution", "contribution", row.contribution, "fraction", s, member=m, compared=True)


def _regions(b: _Builder, definition: str) -> None:
    s = b.series(Grouping("department"))
    r = measures.compare(s, b.window, b.comparison)
    interior = interior_departments()
    for row in r.rows:
        _row_facts(b, f"region.{row.member}", row, s)
    counts = measures.count_changes(r, interior)
    b.add(
        "regions.growing.count",
        "count_growing",
        counts["growing"],
        "count",
        s,
        compared=True,
        over="interior departments",
    )
    b.add(
        "regions.declining.count",
        "count_declining",
        counts["declining"],
        "count",
        s,
        compared=True,
        over="interior departments",
    )
    growing = [row.member for row in r.rows if row.member in interior and measures.grew(row)]
    b.add("regions.growing.members", "members_growing", growing, "members", s, compared=True)
    other = "same-window" if definition == "annual" else "annual"
    # The report's definition under regions.record.*, the other one alongside for the methods box.
    for rule, prefix in (
        (definition, "regions.record"),
        (other, f"regions.record_{other.replace('-', '_')}"),
    ):
        recs = [x for x in measures.records(s, b.window, rule) if x.member in interior]
        b.add(f"{prefix}.count", "records", len(recs), "count", s, definition=rule)
        b.add(
            f"{prefix}.members",
            "records",
            [x.member for x in recs],
            "members",
            s,
            definition=rule,
            previous_max={x.member: {"value": x.previous_max, "year": x.previous_max_year} for x in recs},
        )
    fastest = sorted(
        (row for row in r.rows if row.member in interior and row.growth is not None and row.growth > 0),
        key=lambda row: -(row.growth or 0.0),
    )[:FASTEST]
    b.add(
        "regions.fastest.members",
        "fastest_growth",
        [row.member for row in fastest],
        "members",
        s,
        compared=True,
    )


def _share_history(b: _Builder) -> None:
    s = b.series(Grouping("region_group"))
    years = sorted({p.year for p in s.periods})
    for y in years:
        w = Window.year(y) if y < b.through.year else Window.ytd(b.through)
        try:
            r = measures.compare(s, w, None)
        except DataNotAvailable:
            continue
        row = r.row("interior")
        if row is not None:
            b.add(f"interior.share.{y}", "share", row.share, "fraction", s, window=w, member="interior")


def _macroregions(b: _Builder, grouping: str) -> None:
    s = b.series(Grouping("macroregion", grouping))
    r = measures.compare(s, b.window, b.comparison)
    for row in r.rows:
        m = row.member
        b.add(f"macroregion.{m}.value", "value", row.value, "USD", s, member=m)
        b.add(f"macroregion.{m}.growth", "growth", row.growth, "fraction", s, member=m, compared=True)
        b.add(f"macroregion.{m}.share", "share", row.share, "fraction", s, member=m)


def _rolling12(b: _Builder) -> None:
    s = b.series(Grouping("department"))
    w = Window.rolling12(b.through)
    r = measures.compare(s, w, None)  # shares only: no comparison window needed
    interior = interior_departments()
    leaders = [row for row in r.rows if row.member in interior][:3]
    for pos, row in zip(("leader", "second", "third"), leaders, strict=False):
        b.add(f"rolling12.{pos}.member", "rank", row.member, "text", s, window=w, member=row.member)
        b.add(f"rolling12.{pos}.share", "share", row.share, "fraction", s, window=w, member=row.member)
        b.add(f"rolling12.{pos}.value", "value", row.value, "USD", s, window=w, member=row.member)


def _drivers(b: _Builder) -> None:
    fastest = b.facts.value("regions.fastest.members", [])
    for m in fastest:
        s = b.series(Grouping("product_group"), Filters(departments=(m,)))
        prev = b.facts.value(f"region.{m}.previous")
        top = measures.drivers(s, b.window, prev or 0.0)
        b.add(
            f"region.{m}.drivers",
            "drivers",
            [d["member"] for d in top],
            "members",
            s,
            member=m,
            compared=True,
            contributions={d["member"]: d["contribution"] for d in top},
        )


def _agro(b: _Builder) -> None:
    s = b.series(Grouping("natural_region"), Filters(basket="agro"))
    r = measures.compare(s, b.window, b.comparison)
    b.add("agro.value", "value", r.total, "USD", s, member="agro")
    b.add("agro.growth", "growth", r.total_growth, "fraction", s, member="agro", compared=True)
    for row in r.rows:
        b.add(
            f"agro.{row.member}.growth", "growth", row.growth, "fraction", s, member=row.member, compared=True
        )
        b.add(f"agro.{row.member}.share", "share", row.share, "fraction", s, member=row.member)
    rg = b.series(Grouping("region_group"), Filters(basket="agro"))
    rr = measures.compare(rg, b.window, b.comparison).row("interior")
    if rr is not None:
        b.add("agro.interior.share", "share", rr.share, "fraction", rg, member="interior")
        b.add("agro.interior.growth", "growth", rr.growth, "fraction", rg, member="interior", compared=True)


def _customs(b: _Builder) -> None:
    s = b.series(Grouping("customs_office"))
    r = measures.compare(s, b.window, b.comparison)
    for row in r.rows:
        m = row.member
        b.add(f"customs_office.{m}.value", "value", row.value, "USD", s, member=m)
        b.add(f"customs_office.{m}.share", "share", row.share, "fraction", s, member=m)
        b.add(f"customs_office.{m}.growth", "growth", row.growth, "fraction", s, member=m, compared=True)


def _leaders(b: _Builder) -> None:
    w = Window.rolling12(b.through)
    interior = interior_departments()
    cats: list[tuple[str, Filters]] = [
        (k, Filters(basket="g1", basket_path=p)) for k, p in G1_CATEGORIES.items()
    ] + [("agro", Filters(basket="agro"))]
    for key, filters in cats:
        s = b.series(Grouping("department"), filters)
        r = measures.compare(s, w, None)
        top = [row for row in r.rows if row.member in interior][:3]
        b.add(
            f"leaders.{key}.members",
            "rank",
            [row.member for row in top],
            "members",
            s,
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
    w = Window.year(b.through.year)
    b.add(
        "projection.national.value",
        "projection",
        p.value,
        "USD",
        s,
        window=w,
        member="national",
        method=p.method,
        ratio=p.ratio,
        years_used=list(p.years_used),
    )
    b.add(
        "projection.backtest.mape",
        "backtest_mape",
        bt.mape,
        "fraction",
        s,
        window=w,
        member="national",
        method=bt.method,
        years=[y for y, _ in bt.errors],
    )
