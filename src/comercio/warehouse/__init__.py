"""Warehouse: canonical schema, atomic loads with vintages and provenance, the one query gateway."""

from comercio.warehouse.catalog import Vintage
from comercio.warehouse.gateway import Warehouse
from comercio.warehouse.loads import FileRef, LoadResult, Provenance, file_ref

__all__ = ["FileRef", "LoadResult", "Provenance", "Vintage", "Warehouse", "file_ref"]
