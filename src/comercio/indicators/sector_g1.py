"""Peru's exports of a study's group from SUNAT cuadro G1: every full year, the year to date, growth, and the
month that drives the growth when one does (``peru.exports.*``).

The G1 node is found by a *normalised label* prefix (lower case, accents stripped, hyphens and spaces
removed), since SUNAT renames it across years (2005 ``Metal-Mecánica``, 2024 ``Metal-mecanico``, under
parents spelled ``II.Productos`` / ``II. Productos``); the monthly series of every matching path are joined.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import pyarrow as pa

from comercio.errors import ConfigError, DataNotAvailable, ValidationError
from comercio.indicators import engine as eng
from comercio.indicators import measures
from comercio.indicators.facts import Fact, FactSet
from comercio.indicators.sector_partners import series_fact
from comercio.indicators.specs import Comparison, Filters, Grouping, Window, month_start
from comercio.reference import BasketForm
from comercio.warehouse import Warehouse

# a month "drives" the year-to-date growth when its own change is at least this fraction of the total change
DRIVER_SHARE = 0.5


def normalise_label(text: str) -> str:
    """``Metal-Mecánica`` → ``metalmecanica``: lower case, no accents, no hyphens, spaces or dots."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


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
    return _joined_series(wh, label_prefix, g1_paths(wh, label_prefix, engine), engine)


def _joined_series(
    wh: Warehouse, label_prefix: str, paths: list[tuple[str, int]], engine: str | None
) -> eng.Series:
    """The monthly series of the G1 ``paths`` (with their levels) joined into one, member ``peru``."""
    parts: list[eng.Series] = []
    for path, level in paths:
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
    return series_fact(template, value, w, s, extra, parts, member="peru", **kw)


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


def peru_exports(
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
        found = g1_paths(wh, form.code, engine)
        s = _joined_series(wh, form.code, found, engine)
        paths = tuple(p for p, _ in found)
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


__all__ = [
    "DRIVER_SHARE",
    "g1_paths",
    "growth_driver",
    "normalise_label",
    "peru_export_series",
    "peru_exports",
]
