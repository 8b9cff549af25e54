"""Which dataset answers a query, and its cube cut to the query: filtered, one member array per breakdown.

The dataset is the first loaded one (in the engine's order of preference, docs/decisions/0004) that carries
every column the breakdowns, the filters and the measures read and holds every month asked; else the able one
holding most of them. Its cube comes from :func:`comercio.indicators.engine.cube` (one Ibis aggregation,
cached per vintage) and members from the engine's :data:`~comercio.indicators.engine.DERIVE` functions, one
array per breakdown over the same cube rows. Filters on any dimension derive members the same way and keep
the rows whose member is asked (a macroregion keeps its departments' rows, an HS heading its products).
A filter on a breakdown's own dimension only picks which of its members are shown (:func:`shown`): shares and
ranks stay of all its members (Arequipa's share is of Peru's total, its rank among every department).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from comercio.errors import ConfigError
from comercio.indicators import datasets
from comercio.indicators import engine as eng
from comercio.indicators.specs import Filters, Grouping
from comercio.query.model import Query, QueryRefused
from comercio.reference import classify
from comercio.reference.dimensions import Dimension, dimension
from comercio.reference.labels import PATH_SEPARATOR
from comercio.warehouse import Warehouse, schema

BASKET = "basket"  # a filter naming a basket of baskets.csv (Filters.basket), not a dimension
DEFAULT_BASKET = "g1"  # how a line dataset's products are put into sectors when no basket is asked
PREFIXED = ("product",)  # filtered by code prefix: the national lines under a NANDINA or HS code
_WEIGHED = frozenset({"net_kg", "unit_value"})

LINES = "`comercio fetch sunat-microdata` then `comercio ingest sunat-microdata`"
# Which loaded data would answer a column no loaded dataset carries (the refusal's hint).
WOULD_ANSWER = {
    "customs_office": f"customs offices need SUNAT's declarations: {LINES}",
    "transport_mode": f"transport modes need SUNAT's declarations: {LINES}",
    "product": f"products need item-level lines: {LINES} (or `comercio ingest infotrade FILE`)",
    "partner": "partner countries need SUNAT's cuadro G 6 (`comercio fetch sunat-cuadros` then "
    f"`comercio ingest sunat-cuadros`, exports) or SUNAT's declarations ({LINES})",
    "department": "departments need BCRP's departmental series (`comercio fetch bcrp` then `comercio ingest "
    f"bcrp`, exports only) or SUNAT's declarations ({LINES})",
    "sector": "sectors need SUNAT's cuadros (`comercio fetch sunat-cuadros` then `comercio ingest "
    f"sunat-cuadros`) or item-level lines ({LINES})",
    "net_kg": f"net weights need item-level lines: {LINES}",
}


@dataclass(frozen=True)
class Axis:
    """One breakdown: the dimension and its grouping (a scheme: ``macroregion:adex``)."""

    key: str
    grouping: Grouping


@dataclass(frozen=True)
class Cut:
    """A cube cut to a query: per cube row, one member per breakdown, the month, value and net weight."""

    dataset: str
    members: tuple[pa.Array, ...]  # one per axis, aligned with the rows
    period: pa.Array
    value: pa.Array
    weight: pa.Array | None
    total: tuple[pa.Array, pa.Array]  # (period, value) of the whole filtered universe
    held: tuple[date, ...]  # the months the dataset holds for the flow
    vintages: tuple[str, ...]
    synthetic: bool


def axes(query: Query) -> tuple[Axis, ...]:
    out = []
    for item in query.by:
        name, _, scheme = item.partition(":")
        known(name, "by")
        try:
            out.append(Axis(name, Grouping(name, scheme or None)))
        except ConfigError as e:
            raise ConfigError(e.reason, field="by") from None
    return tuple(out)


def known(name: str, field: str) -> Dimension:
    """The dimension ``name``; an error naming the query parameter (``by``, ``where``) otherwise."""
    try:
        return dimension(name)
    except ConfigError as e:
        raise ConfigError(
            e.reason.replace("dimension", "dimension (or basket)", 1) if field == "where" else e.reason,
            field=field,
        ) from None


def shown(query: Query) -> dict[int, frozenset[str]]:
    """Breakdown index → the members a filter on that breakdown's dimension picks (a sector filter is a
    path: it keeps the rows below it, and a sector breakdown then shows the sectors one level down; a product
    filter is a code prefix and keeps the lines under it)."""
    where = query.filters()
    paths = ("sector", *PREFIXED)
    return {
        i: frozenset(where[a.key]) for i, a in enumerate(axes(query)) if a.key in where and a.key not in paths
    }


def check_codes(query: Query) -> None:
    """Every filter code has the form of its dimension's codes (a product code may be any prefix)."""
    for dim, codes in query.where:
        if dim in (BASKET, "sector"):
            continue
        d = known(dim, "where")
        pattern = re.compile(r"\d{2,10}" if dim in PREFIXED else d.pattern)
        wrong = [c for c in codes if not pattern.fullmatch(c)]
        if wrong:
            raise ConfigError(
                f"{', '.join(repr(c) for c in wrong)} is not a {dim} code",
                field="where",
                hint="search codes by name: `comercio search TEXT`",
            )


def base_filters(query: Query) -> Filters:
    """The engine's own filters the query's ``where`` maps to (basket, departments, partners, offices)."""
    where = query.filters()
    basket = where.get(BASKET)
    if basket is not None and len(basket) != 1:
        raise _config("a basket filter names one basket, e.g. basket=agro", "where")
    return Filters(flow=query.flow, basket=None if basket is None else basket[0])


def needs(query: Query) -> set[str]:
    """The raw columns the breakdowns, filters and measures read."""
    filters = base_filters(query)
    out = datasets.needed_dimensions(Grouping(), filters)
    for axis in axes(query):
        out |= datasets.needed_dimensions(axis.grouping, Filters(flow=query.flow))
    for dim, _ in query.where:
        if dim != BASKET:
            out |= datasets.needed_dimensions(Grouping(known(dim, "where").name), Filters(flow=query.flow))
    return out


def columns(query: Query) -> set[str]:
    """:func:`needs`, plus the net weight when a measure reads it."""
    return needs(query) | ({eng.WEIGHT} if _WEIGHED.intersection(query.measures) else set())


def able(wh: Warehouse, query: Query) -> list[str]:
    """The loaded datasets able to answer ``query`` (its columns, flow and measures), best first."""
    wanted = needs(query)
    weighed = bool(_WEIGHED.intersection(query.measures))
    loaded = wh.datasets()
    names = [query.dataset] if query.dataset else list(datasets.preference())
    if query.dataset and query.dataset not in datasets.preference():
        raise ConfigError(
            f"dataset {query.dataset!r} does not answer queries; choose {', '.join(datasets.preference())}",
            field="dataset",
        )
    if query.dataset and query.dataset not in loaded:
        raise QueryRefused(
            f"dataset {query.dataset!r} is not loaded", would_answer="run `comercio build`", field="dataset"
        )
    found = [
        n
        for n in names
        if n in loaded
        and all(datasets.provides(n, c, query.flow) for c in wanted)
        and (not weighed or eng.WEIGHT in schema.get(n).columns)
    ]
    tree_misuse = [n for n in found if schema.get(n).tree and (len(query.by) > 1 or _non_sector(query))]
    found = [n for n in found if n not in tree_misuse]
    if found:
        return found
    if tree_misuse:
        raise QueryRefused(
            f"{', '.join(tree_misuse)} is a published tree of sectors: it answers one sector breakdown "
            "(and sector filters) only",
            would_answer=WOULD_ANSWER["product"],
            field="by",
        )
    if query.dataset:
        flow = "exports" if query.flow == "X" else "imports"
        raise QueryRefused(
            f"dataset {query.dataset!r} does not hold {flow} by {' and '.join(sorted(columns(query)))} "
            f"(its grain is {', '.join(schema.get(query.dataset).grain)})",
            would_answer="leave the dataset out: the finest loaded dataset able to answer is chosen",
            field="dataset",
        )
    raise refused(query, loaded, columns(query))


def refused(query: Query, loaded: list[str], wanted: set[str], *, held: bool = True) -> QueryRefused:
    """The refusal of a cut no loaded dataset answers: which columns none carries (or that none carries them
    together; ``held`` False: the able datasets hold no line of the flow), and which data would answer."""
    have = [n for n in loaded if n in schema.DATASETS and schema.get(n).rank is not None]
    flow = "exports" if query.flow == "X" else "imports"

    def carried(c: str) -> bool:
        if c == eng.WEIGHT:
            return any(c in schema.get(n).columns for n in have)
        return any(datasets.provides(n, c, query.flow) for n in have)

    missing = sorted(c for c in wanted if not held or not carried(c))
    together = len(wanted) > 1 and (not missing or not held)
    columns = sorted(wanted) if together else missing
    what = " and ".join(columns) or "the national total"
    hints = [WOULD_ANSWER[c] for c in columns if c in WOULD_ANSWER]
    if together:
        hints = [f"only item-level lines carry them together: {LINES}"]
    return QueryRefused(
        f"no loaded dataset holds {flow} by {what}{' together' if together and held else ''} "
        f"(loaded: {', '.join(have) or 'none'})",
        would_answer="; ".join(hints) or WOULD_ANSWER["product"],
        field="measures" if columns == [eng.WEIGHT] else ("by" if query.by else "where"),
    )


def _non_sector(query: Query) -> bool:
    dims = [a.key for a in axes(query)] + [d for d, _ in query.where]
    return any(d not in ("sector", BASKET) for d in dims)


def extra_columns(spec: schema.DatasetSpec, query: Query) -> frozenset[str]:
    """The columns the query's narrow cube groups by: every column it reads (the product code for a line
    dataset's basket or sectors), and the net weight when a measure reads it."""
    wanted = needs(query)
    if spec.lines and (base_filters(query).basket is not None or "sector" in wanted):
        wanted = (wanted - {"sector"}) | {"product"}
    return frozenset(wanted) | ({eng.WEIGHT} if _WEIGHED.intersection(query.measures) else set())


def pushed(query: Query) -> eng.Narrow:
    """The query's filters on a raw column, for the engine's scan: codes of a column dimension, code
    prefixes of the product (a heading, a chapter). Others (a macroregion, a continent, a sector) and a
    breakdown's own filter (it picks the members shown) are applied to the cube in :func:`cut` only."""
    picks = {a.key for a in axes(query)} - {"sector", *PREFIXED}
    equal, prefix = [], []
    for dim, codes in query.where:
        if dim in (BASKET, "sector") or dim in picks:
            continue
        d = dimension(dim)
        if d.needs is None:
            continue
        if dim in PREFIXED or d.derive == "prefix":
            prefix.append((d.needs, tuple(sorted(codes))))
        elif d.derive == "column":
            equal.append((d.needs, tuple(sorted(codes))))
    return eng.Narrow(tuple(equal), tuple(prefix))


def cut(wh: Warehouse, name: str, query: Query, months: eng.Months, engine: str | None) -> Cut:
    """The cube of ``name`` for the query's flow and ``months``, filtered, with its member arrays."""
    spec = schema.get(name)
    filters = base_filters(query)
    where = query.filters()
    if "sector" in where:  # a sector path keeps its rows and those of every sector below it
        if len(where["sector"]) != 1:
            raise _config("a sector filter names one sector path", "where")
        filters = replace(filters, basket_path=where["sector"][0])
        if spec.lines and filters.basket is None:
            filters = replace(filters, basket=DEFAULT_BASKET)
    extra = extra_columns(spec, query)
    c = eng.cube(wh, name, query.flow, engine, extra=extra, months=months, narrow=pushed(query))
    t = eng.filtered(c.table, spec, filters)
    if spec.lines and filters.basket is None and any(a.key == "sector" for a in axes(query)):
        # sectors of the default basket; products outside it stay, as rows with no sector
        paths = eng.map_codes(t.column("product"), lambda codes: classify(codes, DEFAULT_BASKET))
        t = t.append_column("basket_path", paths)
    picks = {a.key for a in axes(query)} - {"sector", *PREFIXED}
    for dim, codes in query.where:
        if dim in (BASKET, "sector") or dim in picks:  # a breakdown's filter picks the members shown only
            continue
        d = dimension(dim)
        t, member = eng.DERIVE[d.derive](eng.Derivation(t, d, Grouping(d.name), filters, spec))
        if dim in PREFIXED:  # a NANDINA or HS code keeps the national lines it opens
            keep = pc.starts_with(member, codes[0])
            for code in codes[1:]:
                keep = pc.or_(keep, pc.starts_with(member, code))
        else:
            keep = pc.is_in(member, pa.array(list(codes), pa.string()))
        t = t.filter(pc.fill_null(keep, False))
    total_t, _ = eng.DERIVE["total"](eng.Derivation(t, dimension("national"), Grouping(), filters, spec))
    rows = t
    members: list[pa.Array] = []
    for axis in axes(query):
        d = dimension(axis.key)
        grouping = axis.grouping
        if spec.tree and d.name == "sector" and filters.basket_path is not None:  # the sectors inside it
            grouping = replace(grouping, level=filters.basket_path.count(PATH_SEPARATOR) + 2)
        rows, member = eng.DERIVE[d.derive](eng.Derivation(rows, d, grouping, filters, spec))
        members.append(member)
    if spec.tree and not members:
        rows = total_t
    if rows.num_rows != t.num_rows and len(members) > 1:
        raise _config("breakdowns that select rows (sectors of a tree) cannot be combined", "by")
    weight = rows.column(eng.WEIGHT).combine_chunks() if eng.WEIGHT in rows.column_names else None
    return Cut(
        dataset=name,
        members=tuple(members),
        period=rows.column("period").combine_chunks(),
        value=rows.column("value_usd").combine_chunks(),
        weight=weight,
        total=(total_t.column("period").combine_chunks(), total_t.column("value_usd").combine_chunks()),
        held=c.periods,
        vintages=c.vintages,
        synthetic=c.synthetic,
    )


def _config(reason: str, field: str) -> Exception:
    return ConfigError(reason, field=field)
