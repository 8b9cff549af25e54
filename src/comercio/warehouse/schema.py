"""Canonical schema: the datasets comercio stores, their columns and their grain.

A dataset is a fact table plus the dimensions it carries (its *grain*). Indicators ask for dimensions; the
engine answers from a dataset whose grain has them (see :mod:`comercio.indicators.datasets`).
Column names are the same everywhere (ARCHITECTURE.md §3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from comercio.errors import LoadError

# Canonical column types, shared by every dataset that carries the column.
COLUMN_TYPES: dict[str, pa.DataType] = {
    "flow": pa.string(),  # X export, M import
    "period": pa.date32(),  # first day of the month
    "date": pa.date32(),
    "year": pa.int32(),
    "department": pa.string(),  # 2-digit ubigeo, "99" not registered
    "region_basis": pa.string(),  # producer_ubigeo | source_table | infotrade | unattributed | synthetic
    "customs_office": pa.string(),  # 3-digit SUNAT code
    "partner": pa.string(),  # ISO 3166 alpha-2
    "product": pa.string(),  # national 10-digit subpartida
    "hs6": pa.string(),
    "hs_version": pa.string(),  # e.g. "2022" (tariff) or "HS22" (world)
    "sector": pa.string(),  # basket path, e.g. "II. Productos No Tradicionales > Metal-mecanico"
    "table": pa.string(),
    "path": pa.string(),
    "level": pa.int32(),
    "value_usd": pa.float64(),
    "value_basis": pa.string(),  # FOB | CIF
    "fob_usd": pa.float64(),
    "freight_usd": pa.float64(),
    "insurance_usd": pa.float64(),
    "cif_usd": pa.float64(),
    "net_kg": pa.float64(),
    "quantity": pa.float64(),
    "unit": pa.string(),
    "transport_mode": pa.string(),
    "declaration": pa.string(),
    "series": pa.int32(),
    "trader_id": pa.string(),
    "trader_masked": pa.bool_(),  # the trader's name is masked by the publisher (natural person)
    "acquisition_country": pa.string(),  # imports: country of acquisition (PAIS_ADQUI), ISO alpha-2
    "file_date": pa.date32(),  # last day of the period the publisher's file covers (weekly: the week's end)
    "basis": pa.string(),  # exporter_regions: what the attribution comes from (ruc_register, infotrade …)
    "preliminary": pa.bool_(),
    "synthetic": pa.bool_(),
    "exporter": pa.string(),  # world trade: ISO alpha-3
    "importer": pa.string(),
    "quantity_t": pa.float64(),
    "source": pa.string(),
    "reporter": pa.string(),  # WTO reporter: ISO alpha-3, WLD, R<code> region, EUN, or a former economy
    "reporter_kind": pa.string(),  # world | region | economy | former
    "product_group": pa.string(),  # WTO product code (TO, MA, MAMT, ...)
    "flag": pa.string(),  # publisher's value flag (WTO ValueFlagCode), null when none
}


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset: its name, columns, grain (the dimensions that identify a row) and value column.

    The last fields declare how the indicator engine reads it, so the engine names no dataset:

    rank:
        Place in the engine's order of preference (lower first: official aggregates before item-level
        data, docs/decisions/0004-dataset-choice.md); None when it never answers indicators.
    flows:
        The flows it answers (BCRP's departmental series has exports only).
    flow_filter:
        Flow → (column, value) selecting the rows of that flow's table (SUNAT prints G1 for exports and F1
        for imports in one dataset).
    tree:
        Rows are nodes of a tree: ``path`` (`` > ``-joined) and ``level`` (0 is the total) columns.
    lines:
        Item-level rows with a product code: baskets classify the products (so ``sector`` is derivable).
    """

    name: str
    title: str
    columns: tuple[str, ...]
    grain: tuple[str, ...]
    dimensions: tuple[str, ...]
    value_column: str = "value_usd"
    description: str = ""
    partition: str | None = None  # column whose values split the Parquet files (e.g. year)
    rank: int | None = None
    flows: tuple[str, ...] = ("X", "M")
    flow_filter: Mapping[str, tuple[str, str]] = field(default_factory=dict, hash=False)
    tree: bool = False
    lines: bool = False
    total: Mapping[str, str] = field(default_factory=dict, hash=False)
    """Column → value selecting the rows whose value is the vintage's value total (empty: every row; tree
    tables: level 0), where summing every row would add aggregates to their parts (WTO's World row)."""
    revision_key: tuple[str, ...] = ()
    """Columns identifying a row across slices: when the same key arrives in several slices (a corrected
    declaration line in a later weekly file), the row with the latest ``file_date`` is the one that counts
    (docs/decisions/0017-weekly-microdata-archive.md)."""

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c, COLUMN_TYPES[c]) for c in self.columns])

    def conform(self, table: pa.Table, *, file: str | None = None) -> pa.Table:
        """Cast ``table`` to this dataset's schema, in column order; refuse missing or extra columns."""
        missing = [c for c in self.columns if c not in table.column_names]
        if missing:
            raise LoadError(f"dataset {self.name!r} needs columns {missing}", file=file)
        extra = [c for c in table.column_names if c not in self.columns]
        if extra:
            raise LoadError(f"dataset {self.name!r} has no columns {extra}", file=file)
        return table.select(list(self.columns)).cast(self.schema)


DATASETS: dict[str, DatasetSpec] = {}


def register(spec: DatasetSpec) -> DatasetSpec:
    DATASETS[spec.name] = spec
    return spec


BCRP_DEPARTMENTS = register(
    DatasetSpec(
        name="bcrp_departments",
        title="BCRP: exportaciones por departamento (mensual, FOB)",
        columns=("flow", "period", "department", "region_basis", "value_usd", "value_basis", "source"),
        grain=("flow", "period", "department"),
        dimensions=("flow", "period", "department"),
        rank=1,
        flows=("X",),
    )
)

BCRP_NATIONAL = register(
    DatasetSpec(
        name="bcrp_national",
        title="BCRP: exportaciones e importaciones nacionales (mensual)",
        columns=("flow", "period", "value_usd", "value_basis", "source"),
        grain=("flow", "period"),
        dimensions=("flow", "period"),
    )
)

BCRP_DEPARTMENT_TOTALS = register(
    DatasetSpec(
        name="bcrp_department_totals",
        title="BCRP: total de la serie de exportaciones por departamento (control de conciliación)",
        columns=("flow", "period", "value_usd", "value_basis", "source"),
        grain=("flow", "period"),
        dimensions=("flow", "period"),
        description="The published 'Total' series, kept only to reconcile departments + No registrado.",
    )
)

SUNAT_CUADROS = register(
    DatasetSpec(
        name="sunat_cuadros",
        title="SUNAT: cuadros estadísticos mensuales (G exportaciones, F importaciones)",
        columns=(
            "table",
            "flow",
            "path",
            "level",
            "sector",
            "period",
            "value_usd",
            "value_basis",
            "preliminary",
            "source",
        ),
        grain=("table", "path", "period"),
        dimensions=("flow", "period", "sector"),
        rank=2,
        flow_filter={"X": ("table", "G1"), "M": ("table", "F1")},
        tree=True,
    )
)

CUSTOMS_LINES = register(
    DatasetSpec(
        name="customs_lines",
        title="SUNAT: declaraciones (una fila por serie), exportación e importación",
        columns=(
            "flow",
            "date",
            "period",
            "declaration",
            "series",
            "customs_office",
            "department",
            "region_basis",
            "partner",
            "product",
            "hs6",
            "hs_version",
            "transport_mode",
            "trader_id",
            "trader_masked",
            "value_usd",
            "value_basis",
            "fob_usd",
            "freight_usd",
            "insurance_usd",
            "cif_usd",
            "net_kg",
            "quantity",
            "unit",
            "acquisition_country",
            "file_date",
            "synthetic",
            "source",
        ),
        grain=("flow", "customs_office", "declaration", "series"),
        dimensions=(
            "flow",
            "period",
            "date",
            "customs_office",
            "department",
            "partner",
            "product",
            "hs6",
            "transport_mode",
        ),
        rank=4,
        lines=True,
        revision_key=("flow", "declaration", "series"),
    )
)

EXPORTER_REGIONS = register(
    DatasetSpec(
        name="exporter_regions",
        title="Atribución de exportadores a departamentos (tabla del usuario: padrón RUC, Infotrade …)",
        columns=("trader_id", "department", "basis", "source"),
        grain=("trader_id",),
        dimensions=("trader_id", "department"),
        value_column="",
        description=(
            "A basis the user supplies for customs lines without a producer UBIGEO: each exporter's "
            "department (e.g. its tax address in SUNAT's RUC register). Lines it attributes carry "
            "region_basis = basis; it never overrides a filled UBIGEO."
        ),
    )
)

INFOTRADE = register(
    DatasetSpec(
        name="infotrade",
        title="PROMPERÚ Infotrade: exportaciones por región (filas de embarque)",
        columns=(
            "flow",
            "date",
            "period",
            "trader_id",
            "department",
            "region_basis",
            "product",
            "hs6",
            "partner",
            "sector",
            "value_usd",
            "value_basis",
            "net_kg",
            "quantity",
            "source",
        ),
        grain=("flow", "date", "trader_id", "product", "partner"),
        dimensions=("flow", "period", "date", "department", "product", "hs6", "partner", "sector"),
        rank=3,
        lines=True,
    )
)

WORLD_TRADE = register(
    DatasetSpec(
        name="world_trade",
        title="Comercio mundial por producto HS6 (CEPII BACI / UN Comtrade)",
        columns=(
            "year",
            "exporter",
            "importer",
            "hs6",
            "hs_version",
            "value_usd",
            "quantity_t",
            "synthetic",
            "source",
        ),
        grain=("year", "exporter", "importer", "hs6"),
        dimensions=("year", "exporter", "importer", "hs6"),
        partition="year",
    )
)


SUNAT_DESTINATIONS = register(
    DatasetSpec(
        name="sunat_destinations",
        title="SUNAT: exportaciones por país de destino (cuadro G 6, mensual, FOB)",
        columns=("flow", "period", "year", "partner", "value_usd", "preliminary", "table", "synthetic"),
        grain=("flow", "period", "partner"),
        dimensions=("flow", "period", "partner"),
        description=(
            "Cuadro G 6, all products: one row per destination and month (ISO alpha-2 from SUNAT's Spanish "
            "names). The 'Total general' row is checked against the countries, not stored."
        ),
        # After the item-level datasets: it answers exports by partner only where no dataset that answered
        # before can (adding it changes no existing choice).
        rank=5,
        flows=("X",),
    )
)


WTO_MERCHANDISE = register(
    DatasetSpec(
        name="wto_merchandise",
        title="OMC: exportaciones e importaciones de mercancías por grupo de productos (anual, US$)",
        columns=(
            "flow",
            "year",
            "reporter",
            "reporter_kind",
            "product_group",
            "value_usd",
            "flag",
            "synthetic",
            "source",
        ),
        grain=("flow", "year", "reporter", "product_group"),
        dimensions=("flow", "year", "reporter", "product_group"),
        description=(
            "WTO merchandise values (ITS_MTV_AX / ITS_MTV_AM), partner World, SITC Rev. 3 product groups; "
            "regions, World and former economies kept apart by reporter_kind. Read directly by the sector "
            "study, never by the indicator engine."
        ),
        total={"reporter_kind": "world", "product_group": "TO", "flow": "X"},
    )
)


def get(name: str) -> DatasetSpec:
    try:
        return DATASETS[name]
    except KeyError:
        raise LoadError(f"unknown dataset {name!r}; known: {', '.join(sorted(DATASETS))}") from None
