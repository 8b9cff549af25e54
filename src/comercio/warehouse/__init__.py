"""Warehouse: canonical schema, atomic loads with vintages and provenance, the one query gateway."""

from comercio.warehouse._footer import Holding, Within, within
from comercio.warehouse._footer import forget as forget_footers
from comercio.warehouse._spark import spark_session
from comercio.warehouse.catalog import Vintage
from comercio.warehouse.gateway import Bounded, Warehouse
from comercio.warehouse.loads import FileRef, LoadResult, Provenance, file_ref

__all__ = [
    "Bounded",
    "FileRef",
    "Holding",
    "LoadResult",
    "Provenance",
    "Vintage",
    "Warehouse",
    "Within",
    "file_ref",
    "forget_footers",
    "spark_session",
    "within",
]
