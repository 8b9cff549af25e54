"""Compute what a claim states, from the loaded data, and judge the printed figure against it.

Each reading becomes one question to the indicator engine (a series of the subject's dimension, compared over
the claim's window: :func:`comercio.indicators.measures.compare`) or, for world trade, to the facts of the
WTO part of the sector study (:mod:`comercio.check.world`); the fact family of the catalogue that defines the
figure is named on the claim. When comercio's definition does not reproduce the figure, the variants
METHODOLOGY.md documents are tried (share of the attributed total, share of the interior, the other
macroregion grouping, the other record definition, the same months instead of the whole year) and the one
that reproduces it is reported; verdicts follow :mod:`comercio.check._verdicts`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from comercio import reference
from comercio.check._compute import Computed, Variant
from comercio.check._reasons import Why, month, period, say, show, variant_label
from comercio.check._verdicts import distance, printed_value, verdict
from comercio.check.claims import Reading
from comercio.check.model import Claim, Period
from comercio.check.world import world_value
from comercio.errors import ComercioError, DataNotAvailable
from comercio.indicators import engine as eng
from comercio.indicators import measures
from comercio.indicators.regional import interior_departments
from comercio.indicators.specs import Comparison, Filters, Grouping, Window
from comercio.warehouse import Warehouse

DIMENSION = {
    "national": "national",
    "region_group": "region_group",
    "department": "department",
    "macroregion": "macroregion",
    "natural_region": "natural_region",
    "customs_office": "customs_office",
    "partner": "partner",
}
FAMILY = {
    ("national", "value"): "national.value",
    ("national", "growth"): "national.growth",
    ("region_group", "value"): "{region_group}.value",
    ("region_group", "growth"): "{region_group}.growth",
    ("region_group", "share"): "{region_group}.share",
    ("department", "value"): "region.{department}.value",
    ("department", "growth"): "region.{department}.growth",
    ("department", "share"): "region.{department}.share",
    ("macroregion", "value"): "macroregion.{macroregion}.value",
    ("macroregion", "growth"): "macroregion.{macroregion}.growth",
    ("macroregion", "share"): "macroregion.{macroregion}.share",
    ("customs_office", "value"): "customs_office.{customs_office}.value",
    ("customs_office", "growth"): "customs_office.{customs_office}.growth",
    ("customs_office", "share"): "customs_office.{customs_office}.share",
    ("natural_region", "growth"): "agro.{natural_region}.growth",
    ("natural_region", "share"): "agro.{natural_region}.share",
    ("partner", "value"): "{direction}.{partner}.value",
    ("partner", "growth"): "{direction}.{partner}.growth",
    ("partner", "share"): "{direction}.{partner}.share",
    ("region_group", "count"): "regions.growing.count",
    ("region_group", "count_declined"): "regions.declining.count",
    ("region_group", "record"): "regions.record.count",
    ("basket", "value"): "peru.exports.value.{year}",
    ("basket", "growth"): "peru.exports.growth",
    ("world", "value"): "world.{side}.value.{year}",
    ("world", "share"): "world.share_of_trade.{year}",
    ("continent", "share"): "world.{side}.share.{continent}.{year}",
}


def to_window(p: Period) -> Window:
    """The engine's window for a period of the text."""
    if p.kind == "year":
        return Window.year(int(p.end[:4]))
    if p.kind == "ytd":
        return Window.ytd(p.end)
    if p.kind == "rolling12":
        return Window.rolling12(p.end)
    if p.kind == "month":
        return Window.month(p.end)
    return Window.range(p.start, p.end)


class Checker:
    """Computes claims on one warehouse, with reasons in ``lang``; series are read once and reused."""

    def __init__(self, wh: Warehouse, lang: str = "es", engine: str | None = None) -> None:
        self.wh, self.lang, self.engine = wh, lang, engine
        self._memo: dict[Any, Any] = {}
        self.used: dict[str, set[str]] = {}

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` once per key (an error too: the same question fails the same way)."""
        if key not in self._memo:
            try:
                self._memo[key] = build()
            except (ComercioError, Why) as exc:
                self._memo[key] = exc
        found = self._memo[key]
        if isinstance(found, ComercioError | Why):
            raise found
        return found

    # -- one claim -------------------------------------------------------------------------------------
    def check(self, r: Reading) -> Claim:
        n, lang = r.number, self.lang
        assert r.subject is not None and r.measure is not None
        base = Claim(n, r.subject, r.measure, r.window, "not_checkable", sentence=r.sentence)
        base = replace(base, fact=FAMILY.get((r.subject.kind, r.measure)))
        if r.window is None:
            return replace(base, reason=say(lang, "no_period"))
        if not r.window.end:  # a relative phrase with no year before it and no publication date
            return replace(base, window=None, reason=say(lang, "unresolved", phrase=r.window.phrase))
        try:
            window = to_window(r.window)
        except ComercioError as exc:
            return replace(base, reason=say(lang, "period_unclear", detail=str(exc)))
        printed = printed_value(n, r.measure)
        tried: list[dict[str, Any]] = []
        best: tuple[float, Variant, Computed] | None = None
        for variant in self._variants(r, window):
            try:
                got = self._compute(r, variant)
            except (DataNotAvailable, Why) as exc:
                if variant.name is None:
                    return replace(
                        base, reason=say(lang, "not_covered", need=self._need(r), detail=self._say(exc))
                    )
                continue
            tried.append({"variant": variant.name or "default", "computed": got.value})
            d = distance(n, printed, got.value)
            if best is None or d < best[0] - 1e-12:
                best = (d, variant, got)
            if variant.name is None and verdict(n, printed, got.value, lang)[0] == "consistent":
                break
        assert best is not None  # the default variant either computed or returned above
        _, variant, got = best
        default = next(t["computed"] for t in tried if t["variant"] == "default")
        outcome, why = verdict(n, printed, got.value, lang)
        if variant.name is not None and outcome != "consistent":
            variant, got = Variant(None, window), replace(got, value=default)
            outcome, why = verdict(n, printed, default, lang)
            why = f"{why}; {say(lang, 'no_variant')}" if len(tried) > 1 else why
        elif variant.name is not None:
            label = variant_label(variant.name, lang)
            why = say(lang, "variant_only", variant=label, default=show(default, n.unit, lang))
        if got.basket:
            why = f"{why} ({say(lang, 'basket', basket=got.basket)})"
        if got.dataset:
            self.used.setdefault(got.dataset, set()).update(got.vintages)
        return replace(
            base,
            verdict=outcome,
            computed=got.value,
            variant=variant.name,
            reason=why,
            dataset=got.dataset,
            vintage=", ".join(got.vintages) or None,
            tried=tuple(tried),
            synthetic=got.synthetic,
        )

    def _say(self, exc: DataNotAvailable | Why) -> str:
        return exc.say(self.lang) if isinstance(exc, Why) else say(self.lang, "other", detail=exc.reason)

    def _need(self, r: Reading) -> str:
        """What data a claim needs, said before the reason the loaded data cannot answer it."""
        s = r.subject
        assert s is not None
        if s.kind == "customs_office":
            return say(self.lang, "need_customs")
        if s.kind == "natural_region" or (
            s.basket is not None and s.kind in ("department", "region_group", "partner")
        ):
            return say(self.lang, "need_detail")
        if s.kind in ("world", "continent"):
            return say(self.lang, "need_wto")
        return say(self.lang, "need_data")

    def _variants(self, r: Reading, window: Window) -> list[Variant]:
        record = r.definition or "annual"
        out = [Variant(None, window, record=record)]
        kind, measure = r.subject.kind if r.subject else None, r.measure
        if measure == "share":
            out.append(Variant("share:attributed", window, denominator="attributed"))
            if kind == "department":
                out.append(Variant("share:interior", window, denominator="interior"))
        if kind == "macroregion":
            out.append(Variant("macroregion:adex", window, scheme="adex"))
        if measure == "record":
            other = "same-window" if record == "annual" else "annual"
            out.append(Variant(f"record:{other}", window, record=other))
        if window.kind == "year":
            for m in r.ytd_months:
                if m != 12:
                    ytd = Window.ytd(date(window.end.year, m, 1))
                    out.append(Variant(f"same-window:ytd-{m:02d}", ytd, record=record))
        return out

    # -- computing ---------------------------------------------------------------------------------------
    def _compute(self, r: Reading, v: Variant) -> Computed:
        s = r.subject
        assert s is not None and r.measure is not None
        if s.kind in ("world", "continent"):
            return world_value(self, r, v)
        if s.kind == "basket":
            return self._g1(r, v)
        if r.measure in ("count", "count_declined", "record"):
            return self._count(r, v)
        dim = DIMENSION.get(s.kind)
        if dim is None:
            raise Why("no_series")
        scheme = v.scheme if dim == "macroregion" else None
        series = self.series(Grouping(dim, scheme), Filters(flow=s.flow, basket=s.basket))
        return self._measure(series, s.code, r.measure, v)

    def series(self, grouping: Grouping, filters: Filters) -> eng.Series:
        """The engine's series (cuadro G6 for destinations of all products, the finest answer otherwise)."""
        if grouping.dimension == "partner" and filters.flow == "X" and filters.basket is None:
            from comercio.indicators.sector_partners import g6_series

            g6: eng.Series = self.cached(("g6",), lambda: g6_series(self.wh, self.engine))
            return g6
        key = ("series", grouping, filters)
        found: eng.Series = self.cached(
            key, lambda: eng.series(self.wh, grouping, filters, engine=self.engine)
        )
        return found

    def compare(self, series: eng.Series, window: Window, compared: bool) -> measures.WindowResult:
        """Every member's figures for ``window`` (with the same months a year earlier when ``compared``), once
        per series and window: a text asks about many members of the same window."""
        key = ("compare", id(series), window, compared)
        found: measures.WindowResult = self.cached(
            key, lambda: measures.compare(series, window, Comparison() if compared else None)
        )
        return found

    def covered(self, series: eng.Series, window: Window) -> None:
        """Refuse, with the reason in words, a window the series does not hold whole."""
        name = series.dataset
        if not series.periods:
            raise Why("no_rows", dataset=name)
        present = set(series.periods)
        if window.end > max(present):
            raise Why(
                "past_data",
                window=period(window, self.lang),
                dataset=name,
                last=month(max(present), self.lang),
            )
        missing = [m for m in window.months() if m not in present]
        if missing:
            first = month(min(present), self.lang)
            raise Why(
                "missing_months",
                window=period(window, self.lang),
                dataset=name,
                count=len(missing),
                first=first,
            )

    def _measure(self, series: eng.Series, member: str | None, measure: str, v: Variant) -> Computed:
        compared = measure in ("growth", "share_change")
        self.covered(series, v.window)
        if compared:
            self.covered(series, v.window.shifted(-1))
        result = self.compare(series, v.window, compared)
        row = None if member is None else result.row(member)
        if member is not None and row is None:
            raise Why("no_member", member=member, dataset=series.dataset)
        value: float | None
        if measure == "value":
            value = result.total if row is None else row.value
        elif measure == "growth":
            value = result.total_growth if row is None else row.growth
        elif measure in ("share", "share_change"):
            value = self._share(series, result, row, v)
            if measure == "share_change":
                before = self.compare(series, v.window.shifted(-1), False)
                past = self._share(series, before, before.row(member) if member else None, v)
                value = None if value is None or past is None else value - past
        else:
            raise Why("no_series")
        if value is None:
            raise Why("undefined")
        return Computed(value, series.dataset, series.vintages, series.synthetic)

    def _share(
        self, series: eng.Series, result: measures.WindowResult, row: measures.Row | None, v: Variant
    ) -> float | None:
        if row is None:
            return None
        denominator = result.total
        if v.denominator in ("attributed", "interior"):
            depts = self.series(Grouping("department"), series.filters)
            values = measures.window_values(depts, result.window)
            if v.denominator == "attributed":
                denominator = result.total - values.get("99", 0.0)
            else:
                interior = interior_departments()
                denominator = sum(x for m, x in values.items() if m in interior)
        return row.value / denominator if denominator else None

    def _count(self, r: Reading, v: Variant) -> Computed:
        series = self.series(Grouping("department"), Filters())
        interior = interior_departments()
        self.covered(series, v.window)
        if r.measure == "record":
            key = ("records", id(series), v.window, v.record)
            records = self.cached(key, lambda: measures.records(series, v.window, v.record))
            found = [x for x in records if x.member in interior]
            value = float(len(found))
        else:
            self.covered(series, v.window.shifted(-1))
            result = self.compare(series, v.window, True)
            counts = measures.count_changes(result, interior)
            value = float(counts["growing" if r.measure == "count" else "declining"])
        return Computed(value, series.dataset, series.vintages, series.synthetic)

    def _g1(self, r: Reading, v: Variant) -> Computed:
        from comercio.indicators.sector_g1 import peru_export_series

        s = r.subject
        assert s is not None and s.code is not None
        if s.flow != "X":
            raise Why("g1_imports")
        if r.measure == "share":
            raise Why("g1_share")
        prefix = s.code.removeprefix("g1:")
        series = self.cached(("g1", prefix), lambda: peru_export_series(self.wh, prefix, self.engine))
        got = self._measure(series, "peru", r.measure or "value", v)
        return replace(got, basket=_g1_name(s.basket, prefix, self.lang))


def _g1_name(study: str | None, prefix: str, lang: str) -> str:
    form = reference.group_form(study or "", "g1") if study in reference.basket_studies() else None
    return form.name(lang) if form is not None else f"SUNAT, G1 ({prefix})"
