"""Any cut of the data: one query definition (:class:`Query`) for the CLI, the API and the dashboard.

``run(wh, query)`` answers it from the finest loaded dataset that can, and says which; a cut no loaded data
can answer raises :class:`QueryRefused` naming the data that would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from comercio.query.model import MEASURES, Column, Query, QueryRefused, QueryResult

if TYPE_CHECKING:
    from comercio.warehouse import Warehouse


def run(wh: Warehouse, query: Query, **options: Any) -> QueryResult:
    """Answer ``query`` (see :func:`comercio.query.execute.run`)."""
    from comercio.query.execute import run as _run

    return _run(wh, query, **options)


__all__ = ["MEASURES", "Column", "Query", "QueryRefused", "QueryResult", "run"]
