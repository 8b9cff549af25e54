"""Tables of the regional report that need more than a declared :class:`~comercio.reports.spec.TableSpec`.

* the regions table: interior departments, then Lima and Callao, each group closed by its subtotal, then
  "No registrado" and the national total (every cell a fact);
* macroregions in the reference order (``macroregions.csv``), a macroregion column and a region column;
* the datasets used, by display name with their vintage's date in the report's language;
* the monthly data behind the report (departments × months, US$ millions) for the spreadsheet, read from
  the same department series and vintages the facts were computed from.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from comercio import reference
from comercio.i18n import t
from comercio.indicators.regional_result import RegionalFacts
from comercio.indicators.specs import Filters, Grouping
from comercio.reference.dimensions import member_names
from comercio.reports._render import table
from comercio.reports.fmt import Formatter
from comercio.reports.spec import RenderContext, TableSpec
from comercio.reports.writers import ROW_KIND, Column, Table

if TYPE_CHECKING:
    from comercio.warehouse import Warehouse

NO_DEPARTMENT = "99"  # the BCRP's "No registrado" row, shown with the totals
Cells = list[tuple[str | None, date, float]]  # (department, month, US$) of the monthly table


def group_of() -> dict[str, str]:
    """Department code → its region group (interior, lima_callao, no_registrado)."""
    return {str(r["ubigeo"]): str(r["region_group"]) for r in reference.load("departments").to_pylist()}


def _group_row(rc: RenderContext, spec: TableSpec, group: str, name: str, kind: str) -> dict[str, Any]:
    family = {
        "value": "{region_group}.value",
        "previous": "{region_group}.previous",
        "growth": "{region_group}.growth",
        "share": "{region_group}.share",
    }
    row: dict[str, Any] = {ROW_KIND: kind, "ubigeo": None}
    for c in spec.columns:
        row[c.key] = name if c.family is None else rc.facts.value(family[c.key], region_group=group)
    return row


def _national_row(rc: RenderContext, spec: TableSpec) -> dict[str, Any] | None:
    """The national total (no share: it is the base of the shares)."""
    value = rc.facts.value("national.value")
    if value is None:
        return None
    row = {
        "name": rc.msg("presentation.table.national_total"),
        "value": value,
        "previous": rc.facts.value("national.previous"),
        "growth": rc.facts.value("national.growth"),
    }
    return {ROW_KIND: "total", "ubigeo": None, **{c.key: row.get(c.key) for c in spec.columns}}


def regions_table(spec: TableSpec, rc: RenderContext) -> Table | None:
    """The declared regions table with its departments grouped and closed by subtotals and the total."""
    base = table(spec, rc)
    if base is None:
        return None
    groups = group_of()
    by_group: dict[str, list[dict[str, Any]]] = {}
    for r in base.rows:
        by_group.setdefault(groups.get(str(r["ubigeo"]), "no_registrado"), []).append(dict(r))
    names = member_names("region_group", rc.lang)
    rows: list[dict[str, Any]] = []
    for group, label in (("interior", "interior_total"), ("lima_callao", "lima_callao_total")):
        members = by_group.get(group, [])
        rows += members
        if members and rc.facts.has("{region_group}.value", region_group=group):
            rows.append(_group_row(rc, spec, group, rc.msg(f"presentation.table.{label}"), "subtotal"))
    unregistered = by_group.get("no_registrado", [])
    if rc.facts.has("{region_group}.value", region_group="no_registrado"):
        rows.append(_group_row(rc, spec, "no_registrado", names.get("no_registrado", ""), "subtotal"))
    else:
        rows += unregistered
    national = _national_row(rc, spec)
    if national is not None:
        rows.append(national)
    return Table(base.id, base.title, base.columns, tuple(rows), note=base.note)


def macro_table(rc: RenderContext) -> Table:
    """Macroregions in the reference order, each heading its regions (a macroregion and a region column)."""
    order = [
        str(r["macroregion"])
        for r in reference.load("macroregions").to_pylist()
        if r["grouping"] == rc.bundle.grouping
    ]
    position = {key: i for i, key in enumerate(dict.fromkeys(order))}
    macros = sorted(rc.context["macros"], key=lambda m: position.get(str(m["key"]), len(position)))
    cols = (
        Column("macroregion", rc.msg("presentation.table.macroregion")),
        Column("region", rc.msg("presentation.table.region")),
        Column("growth", rc.msg("regional.table.change"), "pct_signed"),
        Column("share", rc.msg("regional.table.share"), "pct"),
    )
    rows: list[dict[str, Any]] = []
    total = rc.msg("presentation.table.group_total")
    for m in macros:
        name = str(m["name"])
        name = name[0].upper() + name[1:]
        rows.append({ROW_KIND: "group", "macroregion": name, "region": total, **_gs(m)})
        members = sorted(m["regions"], key=lambda r: -(r.get("share") or 0.0))
        rows += [{"macroregion": name, "region": r["name"], **_gs(r)} for r in members]
    title = rc.msg("regional.table.macroregions")
    return Table("macroregions", title, cols, tuple(rows), group="macroregion")


def _gs(row: dict[str, Any]) -> dict[str, Any]:
    return {"growth": row["growth"], "share": row["share"]}


def vintages_table(rc: RenderContext) -> Table:
    """Each dataset the facts were computed from: its name and the date its vintage was obtained."""
    rows = []
    for dataset in sorted(rc.bundle.datasets):
        day = rc.facts.value("source.{dataset}.vintage", dataset=dataset)
        rows.append(
            {
                "dataset": rc.msg(f"common.dataset.{dataset}"),
                "vintage": rc.fmt.date_long(date.fromisoformat(day)) if day else rc.fmt.na,
            }
        )
    cols = (
        Column("dataset", rc.msg("regional.table.dataset")),
        Column("vintage", rc.msg("presentation.table.vintage_date")),
    )
    return Table("vintages", rc.msg("regional.table.vintages"), cols, tuple(rows))


def monthly_cells(wh: Warehouse, rf: RegionalFacts, engine: str | None = None) -> Cells | None:
    """The department series the facts were computed from, as ``(department, month, US$)``: the report's
    months and the same months a year earlier; None when its vintages are not the facts'."""
    from comercio.indicators import engine as eng

    start = date(rf.through.year - 1, 1, 1)
    s = eng.series(wh, Grouping("department"), Filters(), start=start, end=rf.through, engine=engine)
    if sorted(s.vintages) != sorted(rf.datasets.get(s.dataset, ())):
        return None
    return list(s.triples)


def monthly_table(wh: Warehouse, rf: RegionalFacts, lang: str, engine: str | None = None) -> Table | None:
    """Departments × months (the report's months and the same months a year earlier) in US$ millions,
    from the department series the facts were computed from; None when its vintages are not the facts'."""
    cells = monthly_cells(wh, rf, engine)
    return None if cells is None else monthly_of(cells, rf, lang)


def monthly_of(triples: Cells, rf: RegionalFacts, lang: str) -> Table:
    """The departments × months table of :func:`monthly_table` from its :func:`monthly_cells`."""
    fmt = Formatter(lang)
    months = [m for m in sorted({p for _, p, _ in triples}) if m.month <= rf.through.month]
    names = member_names("department", lang)
    cells: dict[str, dict[str, float]] = {}
    for member, period, value in triples:
        if member is not None and period in months:
            cells.setdefault(member, {})[period.isoformat()] = value
    cols = [
        Column("ubigeo", t("presentation.table.code", lang)),
        Column("name", t("presentation.table.region", lang)),
    ]
    short = fmt.d3_time_locale()["shortMonths"]
    cols += [Column(m.isoformat(), f"{short[m.month - 1]} {m.year}", "millions", 1) for m in months]
    rows = tuple({"ubigeo": code, "name": names.get(code, code), **cells[code]} for code in sorted(cells))
    title = t("presentation.table.monthly", lang)
    return Table("monthly", title, tuple(cols), rows, note=t("presentation.table.monthly_note", lang))
