"""Compute what a claim states, from the loaded data, and judge the printed figure against it.

Each reading becomes one question to the indicator engine (a series of the subject's dimension, compared over
the claim's window: :func:`comercio.indicators.measures.compare`) or, for world trade, to the facts of the
WTO part of the sector study; the fact family of the catalogue that defines the figure is named on the claim.
When comercio's definition does not reproduce the figure, the variants METHODOLOGY.md documents are tried
(share of the attributed total, share of the interior, the other macroregion grouping, the other record
definition, the same months instead of the whole year) and the closest one is reported.

Verdicts (docs/decisions/0022-checking-published-text.md): *consistent* within half a unit of the printed
precision; *close* within 2 % of a value, one percentage point of a rate or share, one region of a count;
*differs* beyond; *not_checkable* when the data loaded do not cover the subject, the period or the measure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from comercio import reference
from comercio.check.claims import Reading
from comercio.check.model import Claim, Number, Period, Verdict
from comercio.errors import ComercioError, DataNotAvailable
from comercio.indicators import engine as eng
from comercio.indicators import measures
from comercio.indicators.specs import Comparison, Filters, Grouping, Window
from comercio.warehouse import Warehouse

CLOSE = {"usd": 0.02, "fraction": 0.01, "count": 1.0}  # usd: relative; the others absolute
ABOVE = {"usd": 0.10, "fraction": 0.02, "count": 2.0}  # how far above "más de X" is still consistent
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


class Unsupported(ComercioError):
    """A claim comercio cannot compute (a measure or subject it has no definition for)."""


@dataclass(frozen=True)
class Computed:
    value: float
    dataset: str | None
    vintages: tuple[str, ...]
    synthetic: bool
    basket: str = ""  # the form of the basket the figure was computed on, named in the reason


@dataclass(frozen=True)
class Variant:
    """One way to compute a claim: comercio's definition (``name`` None) or a documented variant."""

    name: str | None
    window: Window
    denominator: str = "national"  # a share's base: national, attributed (no "no registrado"), interior
    scheme: str = "mincetur"  # macroregion grouping
    record: str = "annual"


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
    """Computes claims on one warehouse; series are read once per question and reused."""

    def __init__(self, wh: Warehouse, engine: str | None = None) -> None:
        self.wh, self.engine = wh, engine
        self._memo: dict[Any, Any] = {}
        self.used: dict[str, set[str]] = {}

    def _cached(self, key: Any, build: Callable[[], Any]) -> Any:
        if key not in self._memo:
            try:
                self._memo[key] = build()
            except ComercioError as exc:
                self._memo[key] = exc
        found = self._memo[key]
        if isinstance(found, ComercioError):
            raise found
        return found

    # -- one claim -------------------------------------------------------------------------------------
    def check(self, r: Reading) -> Claim:
        n = r.number
        assert r.subject is not None and r.measure is not None
        base = Claim(n, r.subject, r.measure, r.window, "not_checkable", sentence=r.sentence)
        base = replace(base, fact=FAMILY.get((r.subject.kind, r.measure)))
        if r.window is None or not r.window.end:
            return replace(base, reason="no period: neither the sentence nor the text before it says when")
        try:
            window = to_window(r.window)
        except ComercioError as exc:
            return replace(base, reason=f"period not understood: {exc}")
        printed = _printed(n, r.measure)
        tried: list[dict[str, Any]] = []
        best: tuple[float, Variant, Computed] | None = None
        first_error: str | None = None
        for variant in self._variants(r, window):
            try:
                got = self._compute(r, variant)
            except (DataNotAvailable, Unsupported) as exc:
                if variant.name is None:
                    first_error = exc.reason if isinstance(exc, DataNotAvailable) else str(exc)
                    break
                continue
            tried.append({"variant": variant.name or "default", "computed": got.value})
            distance = _distance(n, printed, got.value, r.measure)
            if best is None or distance < best[0] - 1e-12:
                best = (distance, variant, got)
            if variant.name is None and _verdict(n, printed, got.value)[0] == "consistent":
                break
        if best is None:
            reason = first_error or "no definition of this measure for this subject"
            return replace(base, reason=f"{_need(r)}: {reason}")
        _, variant, got = best
        default = next((t["computed"] for t in tried if t["variant"] == "default"), None)
        verdict, why = _verdict(n, printed, got.value)
        if variant.name is not None and verdict != "consistent":
            variant, got = Variant(None, window), _default(tried, got)
            verdict, why = _verdict(n, printed, got.value)
            why += "; no documented variant reproduces it either"
        elif variant.name is not None:
            why = (
                f"reproduced only by the variant {variant.name}; comercio's definition gives {_show(default)}"
            )
        if got.basket:
            why += f" (basket: {got.basket})"
        for name in (got.dataset,) if got.dataset else ():
            self.used.setdefault(name, set()).update(got.vintages)
        return replace(
            base,
            verdict=verdict,
            computed=got.value,
            variant=variant.name,
            reason=why,
            dataset=got.dataset,
            vintage=", ".join(got.vintages) or None,
            tried=tuple(tried),
            synthetic=got.synthetic,
        )

    def _variants(self, r: Reading, window: Window) -> list[Variant]:
        out = [Variant(None, window, record=r.definition or "annual")]
        kind, measure = r.subject.kind if r.subject else None, r.measure
        if measure == "share":
            out.append(Variant("share:attributed", window, denominator="attributed"))
            if kind == "department":
                out.append(Variant("share:interior", window, denominator="interior"))
        if kind == "macroregion":
            out.append(Variant("macroregion:adex", window, scheme="adex"))
        if measure == "record":
            other = "same-window" if (r.definition or "annual") == "annual" else "annual"
            out.append(Variant(f"record:{other}", window, record=other))
        if window.kind == "year":
            for month in r.ytd_months:
                if month != 12:
                    ytd = Window.ytd(date(window.end.year, month, 1))
                    out.append(Variant(f"same-window:ytd-{month:02d}", ytd, record=r.definition or "annual"))
        return out

    # -- computing ---------------------------------------------------------------------------------------
    def _compute(self, r: Reading, v: Variant) -> Computed:
        s = r.subject
        assert s is not None and r.measure is not None
        if s.kind in ("world", "continent"):
            from comercio.check.world import world_value

            return world_value(self, r, v)
        if s.kind == "basket":
            return self._g1(r, v)
        if r.measure in ("count", "count_declined", "record"):
            return self._count(r, v)
        dim = DIMENSION.get(s.kind)
        if dim is None:
            raise Unsupported(f"comercio has no series for a subject of kind {s.kind}")
        scheme = v.scheme if dim == "macroregion" else None
        filters = Filters(flow=s.flow, basket=s.basket)
        series = self._series(Grouping(dim, scheme), filters)
        return self._measure(series, s.code, r.measure, v)

    def _series(self, grouping: Grouping, filters: Filters) -> eng.Series:
        if grouping.dimension == "partner" and filters.flow == "X" and filters.basket is None:
            from comercio.indicators.sector_partners import g6_series

            g6: eng.Series = self._cached(("g6",), lambda: g6_series(self.wh, self.engine))
            return g6
        key = ("series", grouping, filters)
        found: eng.Series = self._cached(
            key, lambda: eng.series(self.wh, grouping, filters, engine=self.engine)
        )
        return found

    def _measure(self, series: eng.Series, member: str | None, measure: str, v: Variant) -> Computed:
        compared = measure in ("growth", "share_change")
        result = measures.compare(series, v.window, Comparison() if compared else None)
        row = None if member is None else result.row(member)
        if member is not None and row is None:
            raise DataNotAvailable(f"{member!r} has no value in {series.dataset!r} in the window")
        value: float | None
        if measure == "value":
            value = result.total if row is None else row.value
        elif measure == "growth":
            value = result.total_growth if row is None else row.growth
        elif measure in ("share", "share_change"):
            value = self._share(series, result, row, v)
            if measure == "share_change":
                before = measures.compare(series, v.window.shifted(-1), None)
                past = self._share(series, before, before.row(member) if member else None, v)
                value = None if value is None or past is None else value - past
        else:
            raise Unsupported(f"no {measure} for this subject")
        if value is None:
            raise DataNotAvailable("the figure is undefined in the data (nothing in the comparison window)")
        return Computed(value, series.dataset, series.vintages, series.synthetic)

    def _share(
        self, series: eng.Series, result: measures.WindowResult, row: measures.Row | None, v: Variant
    ) -> float | None:
        if row is None:
            return None
        denominator = result.total
        if v.denominator in ("attributed", "interior"):
            depts = self._series(Grouping("department"), series.filters)
            values = measures.window_values(depts, result.window)
            if v.denominator == "attributed":
                denominator = result.total - values.get("99", 0.0)
            else:
                interior = _interior()
                denominator = sum(x for m, x in values.items() if m in interior)
        return row.value / denominator if denominator else None

    def _count(self, r: Reading, v: Variant) -> Computed:
        series = self._series(Grouping("department"), Filters())
        interior = _interior()
        if r.measure == "record":
            found = [x for x in measures.records(series, v.window, v.record) if x.member in interior]
            value = float(len(found))
        else:
            result = measures.compare(series, v.window, Comparison())
            counts = measures.count_changes(result, interior)
            value = float(counts["growing" if r.measure == "count" else "declining"])
        return Computed(value, series.dataset, series.vintages, series.synthetic)

    def _g1(self, r: Reading, v: Variant) -> Computed:
        from comercio.indicators.sector_g1 import peru_export_series

        s = r.subject
        assert s is not None and s.code is not None
        if s.flow != "X":
            raise Unsupported("SUNAT table G1 holds exports only; imports of a sector need table F1 or lines")
        prefix = s.code.removeprefix("g1:")
        series = self._cached(("g1", prefix), lambda: peru_export_series(self.wh, prefix, self.engine))
        if r.measure == "share":
            raise Unsupported("a sector's share of total exports is not checked yet")
        got = self._measure(series, "peru", r.measure or "value", v)
        return replace(got, basket=_g1_name(s.basket, prefix))


def _g1_name(study: str | None, prefix: str) -> str:
    if study in reference.basket_studies():
        form = next((f for f in reference.basket_forms(study or "", "group") if f.form == "g1"), None)
        if form is not None:
            return form.name()
    return f"SUNAT, cuadro G1 ({prefix})"


def _need(r: Reading) -> str:
    """What data a claim needs, said before the reason the loaded data cannot answer it."""
    s = r.subject
    assert s is not None
    if s.kind == "customs_office":
        return "not covered: exports by customs office need SUNAT's export declarations (microdata)"
    if s.kind == "natural_region" or (
        s.basket is not None and s.kind in ("department", "region_group", "partner")
    ):
        return "not covered: a product basket by region or partner needs SUNAT's declarations (microdata)"
    if s.kind in ("world", "continent"):
        return "not covered by WTO merchandise values"
    return "not covered by the loaded data"


def _interior() -> set[str]:
    return {r["ubigeo"] for r in reference.load("departments").to_pylist() if r["interior"]}


def _default(tried: list[dict[str, Any]], fallback: Computed) -> Computed:
    value = next((t["computed"] for t in tried if t["variant"] == "default"), fallback.value)
    return replace(fallback, value=value)


def _printed(n: Number, measure: str) -> float:
    """The printed figure in canonical units, with the sign words say ("cayeron 9 %" is −0.09)."""
    value = n.value
    if measure in ("growth", "share_change") and n.sign < 0 and value > 0:
        value = -value
    return value


def _tolerance(n: Number, printed: float) -> float:
    if n.unit == "usd":
        return abs(printed) * CLOSE["usd"]
    return CLOSE.get(n.unit, 0.0)


def _verdict(n: Number, printed: float, computed: float) -> tuple[Verdict, str]:
    """The verdict on ``printed`` against ``computed``, and why."""
    half, close = n.half_unit * (1 + 1e-9), _tolerance(n, printed)
    diff = computed - printed
    if n.qualifier in ("more_than", "at_least"):
        above = abs(printed) * ABOVE["usd"] if n.unit == "usd" else ABOVE.get(n.unit, 0.0)
        if -half <= diff <= above + half:
            where = "above" if diff >= 0 else "within the printed precision of"
            return "consistent", f"the data give {_show(computed, n)}, {where} the stated {_show(printed, n)}"
        if diff > above:
            return "close", f"the data give {_show(computed, n)}: true, but well above the stated floor"
        return ("close" if -diff <= close else "differs"), f"the data give {_show(computed, n)}, below it"
    if n.qualifier in ("less_than", "at_most"):
        if diff <= half:
            return "consistent", f"the data give {_show(computed, n)}, below the stated {_show(printed, n)}"
        return ("close" if diff <= close else "differs"), f"the data give {_show(computed, n)}, above it"
    if abs(diff) <= half or (n.qualifier == "about" and abs(diff) <= close):
        return "consistent", f"the data give {_show(computed, n)}"
    if abs(diff) <= close:
        return "close", f"the data give {_show(computed, n)} (off by {_show(abs(diff), n)})"
    return "differs", f"the data give {_show(computed, n)} (off by {_show(abs(diff), n)})"


def _distance(n: Number, printed: float, computed: float, measure: str) -> float:
    scale = abs(printed) if n.unit == "usd" and printed else 1.0
    return abs(computed - printed) / scale


def _show(value: float | None, n: Number | None = None) -> str:
    """A plain rendering for reasons (the outputs format figures with the house formatter)."""
    if value is None:
        return "nothing"
    unit = n.unit if n is not None else ("fraction" if abs(value) < 5 else "usd")
    if unit == "fraction":
        return f"{value * 100:.2f} %"
    if unit == "usd":
        return f"US$ {value / 1e6:,.1f} million"
    return f"{value:g}"
